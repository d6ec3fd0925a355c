"""Stable URLs Google Hotel Center fetches the feeds from."""
from django.http import Http404, HttpResponse

from catalogue.models import Property
from travel.feeds import store


def _xml(document: bytes) -> HttpResponse:
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"
    return response


def hotel_list(request):
    return _xml(store.feed_document(store.HOTEL_LIST))


def property_feed(request, property_id: int, kind: str):
    if kind not in store.ARI_KINDS:
        raise Http404("No such feed")
    prop = Property.objects.filter(pk=property_id, is_active=True).select_related("destination").first()
    if prop is None:
        raise Http404("No such property")
    return _xml(store.property_feed_document(prop=prop, kind=kind))
