"""Describe the machine a benchmark ran on, and write its results next to that description."""
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgres": _version(["psql", "--version"]),
        "redis": _version(["redis-server", "--version"]),
    }


def _version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def write_results(name: str, results: dict) -> Path:
    """Write ``bench/results/<name>.json`` with the figures, the machine and the time."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {"benchmark": name, "ran_at": datetime.now(UTC).isoformat(), "machine": machine(),
                "results": results}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path
