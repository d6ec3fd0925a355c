"""Staff see accounts and their entries read-only; a balance changes only through the
"Adjust balance" form, which requires a reason and appends an adjustment entry. Travellers'
ledgers are the platform's: superusers only, hotel staff never see them."""
import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from core.admin import PlatformAdmin, ReadOnlyRecordsMixin
from rewards.models import Account, BookingPoints, Entry
from rewards.selectors import balance_from_entries, ledger_mismatches
from rewards.services import balance_adjust


class ReadOnlyAdmin(ReadOnlyRecordsMixin, PlatformAdmin):
    pass


class EntryInline(ReadOnlyRecordsMixin, admin.TabularInline):
    model = Entry
    fields = ("created_at", "kind", "available_delta", "pending_delta", "held_delta", "booking_reference",
              "note", "created_by", "source_key")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    max_num = 0
    show_change_link = False


class AdjustForm(forms.Form):
    points = forms.IntegerField(help_text="Positive to add available points, negative to remove them.")
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Required; shown to the traveller in their history.")
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise ValidationError("Adjust by a number of points other than zero.")
        return points

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("A reason is required.")
        return reason


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("user", "available", "pending", "held", "created_at")
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "available", "pending", "held", "entries_check", "adjust_link", "created_at")
    inlines = [EntryInline]
    actions = ["check_against_entries"]

    def get_urls(self):
        return [
            path("<int:account_id>/adjust/", self.admin_site.admin_view(self.adjust_view),
                 name="rewards_account_adjust"),
        ] + super().get_urls()

    @admin.display(description="Sum of entries")
    def entries_check(self, obj):
        derived = balance_from_entries(account=obj)
        ok = (derived.available, derived.pending, derived.held) == (obj.available, obj.pending, obj.held)
        return f"{derived.available} available, {derived.pending} pending, {derived.held} held" + (
            " (matches)" if ok else " (MISMATCH)"
        )

    @admin.display(description="Adjust")
    def adjust_link(self, obj):
        if not obj.pk:
            return "-"
        return format_html('<a class="button" href="{}">Adjust balance…</a>',
                           reverse("admin:rewards_account_adjust", args=[obj.pk]))

    @admin.action(description="Check balances against the entries")
    def check_against_entries(self, request, queryset):
        ids = set(queryset.values_list("pk", flat=True))
        bad = [m for m in ledger_mismatches() if m.account_id in ids]
        if bad:
            differ = ngettext("account differs", "accounts differ", len(bad))
            self.message_user(request, f"{len(bad)} {differ} from their entries: "
                              + ", ".join(str(m.account_id) for m in bad), messages.ERROR)
        else:
            self.message_user(request, ngettext("The balance equals the sum of its entries.",
                                                "All {n} balances equal the sum of their entries.", len(ids)
                                                ).format(n=len(ids)))

    def adjust_view(self, request, account_id):
        if not request.user.has_perm("rewards.add_entry"):
            raise PermissionDenied
        account = get_object_or_404(Account.objects.select_related("user"), pk=account_id)
        if request.method == "POST":
            form = AdjustForm(request.POST)
            if form.is_valid():
                try:
                    balance_adjust(
                        user_id=account.user_id, points=form.cleaned_data["points"],
                        reason=form.cleaned_data["reason"], staff_user=request.user,
                        token=form.cleaned_data["token"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(request, f"Adjusted {account.user} by {form.cleaned_data['points']} points.")
                    return redirect("admin:rewards_account_change", account.pk)
        else:
            form = AdjustForm(initial={"token": uuid.uuid4().hex})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "account": account, "form": form,
            "title": f"Adjust the points of {account.user}",
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "rewards/admin/adjust.html", context, status=status)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "kind", "available_delta", "pending_delta", "held_delta",
                    "booking_reference", "note")
    list_filter = ("kind",)
    search_fields = ("account__user__username", "booking_reference", "source_key")
    date_hierarchy = "created_at"


@admin.register(BookingPoints)
class BookingPointsAdmin(ReadOnlyAdmin):
    list_display = ("reference", "account", "hold_state", "points_held", "earn_state", "points_earned",
                    "total", "currency", "completed_at", "ended_reason")
    list_filter = ("hold_state", "earn_state", "ended_reason")
    search_fields = ("reference", "account__user__username")
