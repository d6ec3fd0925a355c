"""Reviews in the admin: hotel staff read their hotels' reviews and answer them.

Scoped like every staff admin (``StaffScopedAdmin``, docs/staff.md): staff see and answer only
reviews of their own properties. Nobody adds or deletes a review here (travellers write them);
the answer is saved through ``review_answer``, which checks the hotel again."""
from django import forms
from django.contrib import admin

from catalogue.admin import StaffScopedAdmin
from reviews.models import TEXT_MAX, Review
from reviews.services import review_answer


class AnswerForm(forms.ModelForm):
    answer = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                             help_text="Shown under the review on the hotel's page. Leave empty to remove it.")

    class Meta:
        model = Review
        fields = ["answer"]


@admin.register(Review)
class ReviewAdmin(StaffScopedAdmin):
    property_path = "property"
    staff_may_add = False
    staff_may_delete = False
    form = AnswerForm
    list_display = ("property", "score", "author_name", "created_at", "answered")
    list_filter = ("property", "score", ("answered_at", admin.EmptyFieldListFilter))
    search_fields = ("booking__reference", "author_name", "text")
    readonly_fields = ("property", "booking", "author_name", "score", "text", "stayed_on", "created_at",
                       "answered_at", "answered_by")
    fields = readonly_fields[:7] + ("answer", "answered_at", "answered_by")

    @admin.display(boolean=True, description="Answered")
    def answered(self, obj):
        return bool(obj.answer)

    def has_add_permission(self, request, *args, **kwargs):
        return False  # a review comes from a traveller's completed stay, never from the admin

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        review_answer(review_id=obj.pk, staff=request.user, text=form.cleaned_data["answer"])
