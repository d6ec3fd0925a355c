"""Sandbox servers that speak the outside parties' APIs on loopback.

Each sandbox is a small WSGI application (``sandboxes.<name>.app``). Tests start them on a free
loopback port; the embedded run mode starts them in-process when their URL setting is empty;
the full-stack mode runs them as processes (``python -m sandboxes NAME --port N``). They are
deterministic, and their latency, failures and rate limits are configurable at run time through
``POST /_sandbox/config`` so that tests can make a supplier slow, down or rate-limited.

``ota`` is the one package among them: five channel APIs (XML and JSON, webhooks and polling)
behind one port, a module each (see ``sandboxes/ota/__init__.py``).
"""
