"""Uploaded photos (MEDIA_URL) served by the project itself when ``SERVE_MEDIA`` is on: the
embedded mode and the tests. Every stored name is new (a picture is never changed after its
upload), so the answer may be cached for a year. In production a web server, CDN or object
storage serves MEDIA_URL instead (docs/site.md, "Pictures")."""
from django.conf import settings
from django.views.decorators.http import require_safe
from django.views.static import serve

IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def media(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = IMMUTABLE
    return response
