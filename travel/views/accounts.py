"""Travellers' accounts: sign up (an email address required, one account per address), and
changing the email address through a signed link sent to the new address. Sign in, sign out,
password change and password reset are Django's own views (travel/urls.py) with our templates.

An email address becomes the account's only when its owner opens the link we send to it (valid
``EMAIL_CHANGE_MAX_AGE``), signed in to the same account: at sign-up (until then the account has
no address, so password resets go only to verified addresses) and on every change (the old
address is told). So nobody can tie an account to an address they do not read, or silently take
one over. An account with no verified address still browses and books, as on the big travel
sites: each booking's emails go to the lead guest's address given at checkout.
"""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.core import signing
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

EMAIL_CHANGE_SALT = "accounts.email-change"
EMAIL_CHANGE_MAX_AGE = 2 * 24 * 3600  # seconds


def email_taken(email: str, *, except_user=None) -> bool:
    users = get_user_model().objects.filter(email__iexact=email)
    if except_user is not None:
        users = users.exclude(pk=except_user.pk)
    return users.exists()


class SignUpForm(UserCreationForm):
    email = forms.EmailField(max_length=254, help_text="We send your bookings and password resets here.",
                             error_messages={"required": "Enter your email address."})

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_taken(email):
            raise forms.ValidationError("An account already uses this email address: sign in, or reset its "
                                        "password.")
        return email


class EmailChangeForm(forms.Form):
    email = forms.EmailField(max_length=254, label="New email address")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password",
                               help_text="To be sure it is you.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email.lower() == (self.user.email or "").lower():
            raise forms.ValidationError("This is already your email address.")
        if email_taken(email, except_user=self.user):
            raise forms.ValidationError("Another account uses this email address.")
        return email

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("That is not your password.")
        return ""


def signup(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.email = ""  # until its owner opens the link
        user.save()
        _send_email_change_link(user, form.cleaned_data["email"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome! We sent a link to {form.cleaned_data['email']}: open it to confirm "
                                  "your email address.")
        return redirect(next_url or "home")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@login_required
def account(request):
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        _send_email_change_link(request.user, form.cleaned_data["email"])
        messages.success(request, f"We sent a link to {form.cleaned_data['email']}: open it to use that address.")
        return redirect("account")
    return render(request, "registration/account.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def email_change_confirm(request, token):
    try:
        claims = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired:
        return _refused(request, "This link has expired: ask for a new one from your account page.")
    except signing.BadSignature:
        return _refused(request, "This link is not valid: ask for a new one from your account page.")
    user = request.user
    if claims.get("u") != user.pk:
        return _refused(request, "This link is for another account: sign in to the account that asked for it.")
    if (user.email or "") != claims.get("old", ""):
        return _refused(request, "Your email address changed since this link was sent: ask for a new one.")
    if email_taken(claims["e"], except_user=user):
        return _refused(request, "Another account uses this email address now.")
    old, user.email = user.email, claims["e"]
    user.save(update_fields=["email"])
    if old:
        send_mail(subject="Your Lotus Trails email address was changed",
                  message=f"The email address of your account {user.get_username()} is now {user.email}.\n\n"
                          "If you did not do this, reset your password at "
                          f"{settings.SITE_URL.rstrip('/')}{reverse('password_reset')} and write to us.\n",
                  from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[old])
    messages.success(request, f"Your email address is now {user.email}.")
    return redirect("account")


def _send_email_change_link(user, new_email: str) -> None:
    token = signing.dumps({"u": user.pk, "e": new_email, "old": user.email or ""}, salt=EMAIL_CHANGE_SALT)
    link = settings.SITE_URL.rstrip("/") + reverse("email_change_confirm", args=[token])
    send_mail(subject="Confirm your email address" if not user.email else "Confirm your new email address",
              message=f"Open this link, signed in as {user.get_username()}, to use {new_email} for your Lotus "
                      f"Trails account (valid for 2 days):\n\n{link}\n\nIf you did not ask for this, ignore this "
                      "email: nothing changes.\n",
              from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[new_email])


def _refused(request, message: str):
    return render(request, "registration/account.html",
                  {"form": EmailChangeForm(user=request.user), "problem": message}, status=400)
