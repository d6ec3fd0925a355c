"""The floor of an authenticated API write: a JSON POST through the whole stack that does nothing.

Same middleware, session authentication, CSRF handling, throttles and JSON parsing as
``POST /api/bookings/``, no work. ``urlpatterns`` is the project's URLs plus ``/bench/baseline/``
and ``/bench/place-floor/`` (bench/place_floor.py: a placement's rows written by hand); the placing
benchmark (served by gunicorn) and the in-process CPU profile both use it.
"""
from django.urls import include, path
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

BASELINE_PATH = "/bench/baseline/"


class Baseline(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        return Response({"ok": True, "lock_id": request.data.get("lock_id"),
                         "key": request.headers.get("Idempotency-Key")}, status=201)


def _urls():
    from bench.place_floor import PLACE_FLOOR_PATH, PlaceFloor

    return [path(BASELINE_PATH.lstrip("/"), Baseline.as_view()), path(PLACE_FLOOR_PATH.lstrip("/"), PlaceFloor.as_view()),
            path("", include("travel.urls"))]


urlpatterns = _urls()
