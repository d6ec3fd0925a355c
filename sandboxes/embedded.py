"""Sandboxes started in-process on demand: the embedded run mode's outside world.

``sandbox_url("suppliers")`` returns the URL of a running sandbox, starting it on a free
loopback port the first time. Adapters call it when their URL setting is empty.

Under ``SANDBOXES_IN_PROCESS = False`` (production) it refuses: an empty URL there is a
configuration error, never a reason to talk to a fake processor or supplier.

In the full-stack mode the web, worker and beat processes call ``refuse_per_process_sandboxes()``
as they start: an empty URL there would give each process a sandbox, a world, of its own.
"""
import threading
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sandboxes.server import LoopbackServer

_servers: dict[str, LoopbackServer] = {}
_lock = threading.Lock()


def missing_outside_urls() -> list[str]:
    """The URL settings left empty, each of which would start a sandbox in this process."""
    missing = [name for name in ("SUPPLIER_API_URL", "PAYMENT_API_URL", "RATES_API_URL") if not getattr(settings, name)]
    channels_without_url = [code for code in settings.CHANNELS_ENABLED if not settings.CHANNEL_APIS[code]["url"]]
    if channels_without_url and not settings.OTA_API_URL:
        missing.append("OTA_API_URL")
    return missing


def refuse_per_process_sandboxes(process: str) -> None:
    """Refuse to start a full-stack ``process`` whose outside parties would be sandboxes of its own."""
    if settings.SANDBOXES_PER_PROCESS:
        return
    missing = missing_outside_urls()
    if missing:
        raise ImproperlyConfigured(
            f"the {process} runs in the full-stack mode but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set: each process would start sandboxes of its own "
            "and see a different outside world. Set them (scripts/up.sh starts the sandboxes and sets them), "
            "or SANDBOXES_PER_PROCESS=1 for a process that is alone on purpose.")


def sandbox_url(name: str) -> str:
    if not getattr(settings, "SANDBOXES_IN_PROCESS", True):
        raise ImproperlyConfigured(f"the {name} sandbox is never started in-process here: set its API URL")
    with _lock:
        if name not in _servers:
            app = import_module(f"sandboxes.{name}").app
            server = LoopbackServer(app)
            server.start()
            _servers[name] = server
        return _servers[name].url


def running_urls() -> list[str]:
    """The URLs of the sandboxes started in this process (the outbound allow-list includes them)."""
    with _lock:
        return [server.url for server in _servers.values()]
