"""Real processes on loopback for the outage tests: a Redis and a PostgreSQL of the test's own
(stopped and started again by the test, never the shared services) and the site itself as a
gunicorn server, reached over HTTP."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from django.conf import settings
from django.utils import timezone

from tests.factories import guest_form_fields
from tests.fixtures.processes import free_port, gunicorn, stop_process

PG_BIN = Path("/usr/lib/postgresql/15/bin")



def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout:g} s")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0



class RedisServer:
    """``redis-server`` on a free port, without persistence: stopped, it loses everything (as a
    Redis that was replaced would)."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        _wait(lambda: _port_open(self.port), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


@contextmanager
def redis_server(log_path: Path):
    server = RedisServer(log_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _as_postgres_user(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class PostgresInstance:
    """A PostgreSQL cluster of our own (initdb into a temporary directory) on a free port."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ops-pg-"))
        self.data = self.root / "data"
        self.log_path = log_path
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        subprocess.run(_as_postgres_user([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                                          "-U", "postgres", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        subprocess.run(_as_postgres_user([
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "start",
            "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off",
        ]), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        """As an operator's restart: fast shutdown, every open connection is cut."""
        subprocess.run(_as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def copy_database(self, *, source_url: str, name: str) -> None:
        """Create ``name`` here as a copy (schema and rows) of the database at ``source_url``."""
        subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
                       check=True)
        dump = subprocess.run([str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", source_url],
                              check=True, capture_output=True)
        subprocess.run([str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(name)],
                       input=dump.stdout, check=True, stdout=subprocess.DEVNULL)

    def destroy(self) -> None:
        subprocess.run(_as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def postgres_instance(log_path: Path):
    instance = PostgresInstance(log_path)
    try:
        instance.start()
        yield instance
    finally:
        instance.destroy()


@contextmanager
def site_server(*, env: dict[str, str], log_path: Path):
    """The site under gunicorn (production's server: one process, four threads) with ``env``
    over the test's environment, DEBUG off; yields its base URL."""
    with gunicorn(options=["--workers", "1", "--threads", "4", "--timeout", "60", "--graceful-timeout", "5"],
                  env={**os.environ, "DEBUG": "0", **env}, log_path=log_path, what="the site server") as base:
        yield base


def sign_in(client: httpx.Client, *, username: str, password: str) -> httpx.Response:
    """Sign in through the real form (CSRF token included); the answer to the POST."""
    page = client.get("/accounts/login/")
    token = client.cookies.get("csrftoken")
    return client.post("/accounts/login/", data={"username": username, "password": password,
                                                 "csrfmiddlewaretoken": token},
                       headers={"Referer": f"{client.base_url}/accounts/login/"}) if page.status_code == 200 else page


def post_form(client: httpx.Client, path: str, data: dict) -> httpx.Response:
    return client.post(path, data={**data, "csrfmiddlewaretoken": client.cookies.get("csrftoken")},
                       headers={"Referer": f"{client.base_url}{path}"})


def stay_form(room_type, plan) -> dict:
    """The checkout form for two nights, ten days from now."""
    check_in = timezone.localdate() + timedelta(days=10)
    return {"room_type": room_type.pk, "rate_plan": plan.pk, "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2}


def hidden_value(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def lock_price(client, stay) -> dict:
    """Lock the price of ``stay`` through the pages; the placing form's fields."""
    locked = post_form(client, "/book/lock/", {**stay, "coin": "BTC"})
    assert locked.status_code == 302, locked.text[:500]
    page = client.get(locked.headers["location"]).text
    return {"lock_id": hidden_value(page, "lock_id"), "idempotency_key": hidden_value(page, "idempotency_key"),
            **guest_form_fields(stay["guests"])}


class TcpGate:
    """A loopback TCP relay to ``target_port`` that the test opens and closes: closed, its port
    refuses connections and every relayed connection is cut (a service that went away, as seen
    by its clients, without touching the shared service behind it)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
