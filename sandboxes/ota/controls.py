"""The sandbox OTA's controls (``/_sandbox/...``, no auth): what a test does to the channels.

Reservations are made, modified and cancelled here, as guests would on the channel; each change
is a new revision, notified by webhook on the webhook channels. The rest shows what we answered
(reservations), what went out (deliveries, resendable) and what our pushes told each channel
(views). The toolkit's ``/_sandbox/config`` sets the faults (see the package docstring).
"""
from functools import wraps

from sandboxes.http import Request, Response
from sandboxes.ota.app import app
from sandboxes.ota.store import CHANNELS, NotFound


def control(method: str, pattern: str):
    """A control route; an unknown reservation is a 404 (bad input is the toolkit's 400)."""
    def register(handler):
        @wraps(handler)
        def call(request: Request):
            try:
                return handler(request)
            except NotFound as exc:
                return Response(404, {"error": str(exc)})
        return app.route(method, f"/_sandbox{pattern}")(call)
    return register


def _changed(reservation, revision) -> dict:
    app.notify(reservation, revision)
    return {"channel": reservation.channel, "reservation_id": reservation.id, "revision": revision.number,
            "status": revision.status}


@control("POST", r"/reservations")
def create(request: Request):
    data = request.json()
    reservation, revision = app.store.create(data.get("channel"), {k: v for k, v in data.items() if k != "channel"})
    return Response(201, _changed(reservation, revision))


@control("POST", r"/reservations/(?P<channel>[^/]+)/(?P<id>[^/]+)/modify")
def modify(request: Request):
    return _changed(*app.store.modify(request.params["channel"], request.params["id"], request.json()))


@control("POST", r"/reservations/(?P<channel>[^/]+)/(?P<id>[^/]+)/cancel")
def cancel(request: Request):
    return _changed(*app.store.cancel(request.params["channel"], request.params["id"]))


@control("GET", r"/reservations")
def reservations(request: Request):
    channel = request.query.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    return [app.store.describe(r, app.sender.count(r.channel, r.id)) for r in app.store.all(channel)]


@control("POST", r"/webhooks")
def register_webhook(request: Request):
    data = request.json()
    app.sender.register(data.get("channel"), str(data.get("url") or ""), str(data.get("secret") or ""))
    return {"channel": data["channel"], "url": data["url"]}


@control("GET", r"/deliveries")
def deliveries(request: Request):
    return app.sender.listing(request.query.get("channel"))


@control("POST", r"/deliveries/(?P<id>[^/]+)/resend")
def resend(request: Request):
    try:
        return app.sender.resend(request.params["id"], fresh=request.query.get("fresh") == "1")
    except LookupError as exc:
        return Response(404, {"error": str(exc)})


@control("GET", r"/view/(?P<channel>[^/]+)/(?P<hotel>[^/]+)")
def view(request: Request):
    channel = request.params["channel"]
    if channel not in CHANNELS:
        return Response(404, {"error": f"no channel {channel}"})
    return {"channel": channel, "hotel_code": request.params["hotel"],
            "rooms": app.store.view(channel, request.params["hotel"])}
