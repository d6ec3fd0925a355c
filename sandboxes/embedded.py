"""Sandboxes started in-process on demand: the embedded run mode's outside world.

``sandbox_url("suppliers")`` returns the URL of a running sandbox, starting it on a free
loopback port the first time. Adapters call it when their URL setting is empty.
"""
import threading
from importlib import import_module

from sandboxes.server import LoopbackServer

_servers: dict[str, LoopbackServer] = {}
_lock = threading.Lock()


def sandbox_url(name: str) -> str:
    with _lock:
        if name not in _servers:
            app = import_module(f"sandboxes.{name}").app
            server = LoopbackServer(app)
            server.start()
            _servers[name] = server
        return _servers[name].url
