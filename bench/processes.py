"""The processes a benchmark starts on loopback: a free port, waiting until a server answers, and
stopping what was started (every benchmark the same way, like ``tests/fixtures/processes.py``)."""
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, seconds: float, *, below: int = 600) -> None:
    """Wait until ``url`` answers with a status under ``below`` (any answer by default)."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < below:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds:.0f} s")


def stop_all(processes: list[subprocess.Popen], *, timeout: float = 30) -> None:
    """SIGTERM every process still running, the last started first, then wait for each; SIGKILL
    one that does not end within ``timeout`` seconds."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Processes:
    """A run's processes, each logging to a file of its own under ``logs``; stopped in reverse order."""

    def __init__(self, env: dict[str, str], *, prefix: str = "bench_"):
        self.env = env
        self.logs = Path(tempfile.mkdtemp(prefix=prefix))
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "wb") as log:  # the child keeps its own descriptor
            process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def python(self, name: str, *args: str) -> subprocess.Popen:
        """Start this Python (the venv's) with ``args``, e.g. ``"-m", "gunicorn", ...``."""
        return self.start(name, [sys.executable, *args])

    def stop(self) -> None:
        stop_all(self.started)
