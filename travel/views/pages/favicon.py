"""/favicon.ico: browsers ask for it at the root whatever the page links, so answer it there."""
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.views.decorators.cache import cache_control


@cache
def _icon() -> bytes:
    with open(finders.find("favicon.ico"), "rb") as icon:
        return icon.read()


@cache_control(max_age=604800, public=True)
def favicon(request):
    return HttpResponse(_icon(), content_type="image/x-icon")
