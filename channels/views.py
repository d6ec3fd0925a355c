"""The channels' webhooks: verified over the raw body by the channel's adapter, stored, answered
at once (the work is a task). A forged, stale or unreadable webhook is a 401/400 and changes
nothing."""
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels.adapters import adapter_for
from channels.adapters.base import WebhookRejected
from channels.selectors import webhook_channel
from channels.services import notice_store


@csrf_exempt
@require_POST
def webhook(request, code: str):
    channel = webhook_channel(code)
    if channel is None:
        return JsonResponse({"error": f"No channel {code!r} sends webhooks here."}, status=404)
    try:
        notice = adapter_for(code).verify_webhook(body=request.body, headers=request.headers)
    except WebhookRejected as exc:
        return JsonResponse({"error": exc.message}, status=401)
    message = notice_store(channel=channel, notice=notice, body=request.body, headers=request.headers)
    return JsonResponse({"received": True, "message": message.pk})
