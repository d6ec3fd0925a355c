"""The review form: a score from 1 to 10 and a few words."""
from django import forms

from reviews.models import BEST_SCORE, LOWEST_SCORE, TEXT_MAX

SCORE_CHOICES = [(n, str(n)) for n in range(BEST_SCORE, LOWEST_SCORE - 1, -1)]


class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(
        label=f"Your score, {BEST_SCORE} is the best", choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": f"Choose a score from {LOWEST_SCORE} to {BEST_SCORE}.",
                        "invalid_choice": f"Choose a score from {LOWEST_SCORE} to {BEST_SCORE}."})
    text = forms.CharField(
        label="Your review", max_length=TEXT_MAX, strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX, "aria-describedby": "text-help"}),
        help_text=f"What you liked and what could be better; at most {TEXT_MAX} characters. Shown with your first "
                  "name and initial.",
        error_messages={"required": "Your review needs a few words about the stay.",
                        "max_length": f"Your review has too many characters: at most {TEXT_MAX}."})


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "Check what you entered."
