"""The real 404 and 500 pages."""
from django.shortcuts import render
from django.template import loader
from django.http import HttpResponseServerError

from travel.seo import PageMeta


def page_not_found(request, exception):
    meta = PageMeta(title="Page not found", description="This page does not exist.", path=request.path, noindex=True)
    return render(request, "404.html", {"meta": meta}, status=404)


def server_error(request):
    """Rendered without context processors or the database: whatever broke may be one of them."""
    return HttpResponseServerError(loader.get_template("500.html").render({}))
