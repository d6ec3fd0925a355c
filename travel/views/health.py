from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.health import probe_all


@never_cache
def healthz(request):
    probes = probe_all()
    down = [name for name, probe in probes.items() if not probe.ok]
    body = {
        "status": "ok" if not down else "down: " + ", ".join(down),
        "checks": {name: {"ok": p.ok, "detail": p.detail} for name, p in probes.items()},
    }
    return JsonResponse(body, status=503 if down else 200)
