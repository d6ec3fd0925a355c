"""Liveness and readiness, for load balancers, orchestrators and people (docs/operations.md).

/healthz: the process answers; it asks nothing else, so a database or Redis outage never gets
healthy web processes restarted. /readyz: every dependency answers and the workers' and beat's
heartbeats are fresh; 503 naming what is not, so traffic and alerts go where they should.
"""
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.health import readiness


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    probes = readiness()
    down = [name for name, probe in probes.items() if not probe.ok]
    body = {
        "status": "ready" if not down else "not ready: " + ", ".join(down),
        "checks": {name: {"ok": p.ok, "detail": p.detail, **p.extra} for name, p in probes.items()},
    }
    return JsonResponse(body, status=503 if down else 200)
