"""The review page of a completed stay: the form, and what was posted (HTTP only)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.errors import Category
from reviews.errors import ReviewRefused
from reviews.forms import ReviewForm, first_error
from reviews.selectors import review_of_booking, reviewable_stay
from reviews.services import review_post

STATUS = {Category.NOT_FOUND: 404, Category.CONFLICT: 409, Category.VALIDATION: 400}


@login_required
@require_http_methods(["GET", "POST"])
def write_review(request, reference):
    try:
        booking = reviewable_stay(user=request.user, reference=reference)
    except ReviewRefused as refusal:
        return _refused(request, refusal, reference=reference)
    existing = review_of_booking(booking=booking)
    if existing is not None:
        status = 409 if request.method == "POST" else 200
        return render(request, "reviews/write.html", {"booking": booking, "review": existing,
                                                      "problem": "You have already reviewed this stay: one review "
                                                                 "per booking." if status == 409 else ""},
                      status=status)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return render(request, "reviews/write.html", {"booking": booking, "form": form})
    if not form.is_valid():
        return render(request, "reviews/write.html", {"booking": booking, "form": form, "problem": first_error(form)},
                      status=400)
    try:
        review_post(user=request.user, reference=reference, **form.cleaned_data)
    except ReviewRefused as refusal:
        return render(request, "reviews/write.html", {"booking": booking, "form": form, "problem": refusal.message},
                      status=STATUS.get(refusal.category, 400))
    messages.success(request, "Thank you: your review is on the hotel's page.")
    return redirect("reviews:write", reference=booking.reference)


def _refused(request, refusal: ReviewRefused, *, reference: str):
    return render(request, "reviews/refused.html", {"message": refusal.message, "reference": reference},
                  status=STATUS.get(refusal.category, 400))
