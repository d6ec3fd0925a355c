"""Sign-in lockouts (django-axes): after a few wrong passwords an account, and separately the
client that sent them, is refused for a cool-off time, on the site's and the admin's sign-in.

Failures are rows in the database (axes' database handler), so every web process sees the same
count, in the embedded mode too. Only failures count: a suite of successful sign-ins from one
address never locks anything. docs/security.md describes the settings.
"""
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its account or its client is locked out (then the next backend,
    Django's ModelBackend, checks the password).

    A sign-in without an HTTP request (the shell, a test client's ``login()``) has no client to
    count and is not a sign-in anyone can send from outside: it is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SignInAttempts(AxesDatabaseHandler):
    """axes' database handler, except that a successful sign-in forgets only the failures of
    the account that signed in: forgetting every failure of the address too would let someone
    with one account of their own reset their count between guesses at another's password."""

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(username=user.get_username()).delete()


def locked_out(request, original_response=None, credentials=None):
    """The lockout page: 429, what happened and when to try again (also as Retry-After)."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    response = render(request, "registration/locked_out.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes,
    }, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
