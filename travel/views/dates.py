"""/dates/?format=en-US&next=/hotels/x/: remember how the visitor reads dates, go back to the page.

Like the display currency (travel/views/currency.py): a GET form that works on cached anonymous
pages, a cookie and nothing else. An unknown or empty format clears the choice, and the browser's
``Accept-Language`` decides again.
"""
from travel.dates import COOKIE, COOKIE_MAX_AGE, LOCALES
from travel.views.currency import back_to_next


def choose_date_format(request):
    name = request.GET.get("format", "")
    response = back_to_next(request)
    if name in LOCALES:
        response.set_cookie(COOKIE, name, max_age=COOKIE_MAX_AGE, samesite="Lax")
    else:
        response.delete_cookie(COOKIE)
    return response
