"""A tiny JSON-over-HTTP toolkit for the sandboxes: routing, requests, responses and the
behaviour knobs (latency, failure rate, rate limit) every sandbox shares."""
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

STATUS_TEXT = {
    200: "OK", 201: "Created", 202: "Accepted", 207: "Multi-Status", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
    403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 422: "Unprocessable Entity",
    429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def json(self):
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    status: int = 200
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


@dataclass
class Behaviour:
    """What a test can change at run time: POST /_sandbox/config with any of these fields."""

    latency_ms: int = 0
    fail_next: int = 0  # answer the next N requests with 503
    down: bool = False  # answer every request with 503
    rate_limit_per_second: int = 0  # 0: no limit; above it, 429 with Retry-After
    extra: dict = field(default_factory=dict)  # sandbox-specific knobs


class App:
    """A WSGI application with regex routes. Routes return a Response (or a dict for 200)."""

    def __init__(self, name: str):
        self.name = name
        self.routes: list[tuple[str, re.Pattern, Callable]] = []
        self.behaviour = Behaviour()
        self.calls = 0
        self._lock = threading.Lock()
        self._window_start = 0.0
        self._window_count = 0
        self.route("POST", r"/_sandbox/config")(self._configure)
        self.route("GET", r"/_sandbox/stats")(lambda req: {"calls": self.calls})

    def route(self, method: str, pattern: str):
        def register(handler):
            self.routes.append((method, re.compile(f"^{pattern}$"), handler))
            return handler
        return register

    def reset(self) -> None:
        with self._lock:
            self.behaviour = Behaviour()
            self.calls = 0
            self._restart_rate_window()

    def _restart_rate_window(self) -> None:
        """Called under the lock: one test's requests never count against the next one's limit."""
        self._window_start, self._window_count = 0.0, 0

    def _configure(self, request: Request):
        data = request.json()
        with self._lock:
            if data.get("reset"):
                self.behaviour = Behaviour()
                self.calls = 0
            for key, value in data.items():
                if hasattr(self.behaviour, key):
                    setattr(self.behaviour, key, value)
            self._restart_rate_window()
        return {"behaviour": self.behaviour.__dict__}

    def error(self, request: Request, status: int, message: str, headers: dict | None = None) -> Response:
        """Every error the toolkit answers on its own (outage, rate limit, bad request, no route).
        A sandbox whose API has another error shape (XML, an envelope) overrides this."""
        return Response(status, {"error": message}, headers or {})

    def _gate(self, request: Request) -> Response | None:
        """Apply latency, outages and the rate limit to non-admin requests."""
        if request.path.startswith("/_sandbox/"):
            return None
        with self._lock:
            self.calls += 1
            b = self.behaviour
            if b.down:
                return self.error(request, 503, f"{self.name} is down")
            if b.fail_next > 0:
                b.fail_next -= 1
                return self.error(request, 503, f"{self.name} failed (simulated)")
            if b.rate_limit_per_second:
                now = time.monotonic()
                if now - self._window_start >= 1:
                    self._window_start, self._window_count = now, 0
                self._window_count += 1
                if self._window_count > b.rate_limit_per_second:
                    return self.error(request, 429, "rate limited", {"Retry-After": "1"})
            latency = b.latency_ms
        if latency:
            time.sleep(latency / 1000)
        return None

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = Request(
            method=environ["REQUEST_METHOD"],
            path=environ.get("PATH_INFO", "/"),
            query={k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()},
            headers={k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
            | {"content-type": environ.get("CONTENT_TYPE", "")},
            body=environ["wsgi.input"].read(length) if length else b"",
        )
        response = self._gate(request) or self._dispatch(request)
        if isinstance(response, dict) or isinstance(response, list):
            response = Response(200, response)
        payload = response.raw if response.raw is not None else (
            b"" if response.body is None else json.dumps(response.body, default=str).encode()
        )
        headers = {"Content-Type": "application/json", **response.headers, "Content-Length": str(len(payload))}
        start_response(f"{response.status} {STATUS_TEXT.get(response.status, 'Status')}", list(headers.items()))
        return [payload]

    def _dispatch(self, request: Request):
        allowed = False
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match:
                allowed = True
                if method == request.method:
                    request.params = match.groupdict()
                    try:
                        return handler(request)
                    except (ValueError, KeyError, json.JSONDecodeError) as exc:
                        return self.error(request, 400, f"bad request: {exc}")
        if allowed:
            return self.error(request, 405, "method not allowed")
        return self.error(request, 404, f"no route {request.method} {request.path}")
