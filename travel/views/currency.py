"""/currency/?code=EUR&next=/hotels/x/: remember the display currency, go back to the page.

A GET form, so it works on cached anonymous pages that carry no CSRF token: it only sets a
display preference. An unknown code clears the choice; ``next`` must be a path on this site.
"""
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from travel.currency import COOKIE, COOKIE_MAX_AGE, CURRENCIES


def back_to_next(request) -> HttpResponseRedirect:
    """A redirect to ``next`` when it is a path on this site, else to the home page; never indexed."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response["X-Robots-Tag"] = "noindex"
    return response


def choose_currency(request):
    code = request.GET.get("code", "").upper()
    response = back_to_next(request)
    if code in CURRENCIES:
        response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax")
    else:
        response.delete_cookie(COOKIE)
    return response
