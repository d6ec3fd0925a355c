"""Sandboxes started in-process on demand: the embedded run mode's outside world.

``sandbox_url("suppliers")`` returns the URL of a running sandbox, starting it on a free
loopback port the first time. Adapters call it when their URL setting is empty.

Under ``SANDBOXES_IN_PROCESS = False`` (production) it refuses: an empty URL there is a
configuration error, never a reason to talk to a fake processor or supplier.
"""
import threading
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sandboxes.server import LoopbackServer

_servers: dict[str, LoopbackServer] = {}
_lock = threading.Lock()


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
