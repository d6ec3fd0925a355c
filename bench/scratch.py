"""A scratch database beside the stack's own, for the in-process benchmarks (before Django starts).

``use_scratch_database("cpu")`` points ``DATABASE_URL`` at ``<the stack's database>_cpu`` (made
here if missing) and gives it its own cache key prefix, quiet logs and kept connections, so a
benchmark never writes into the database a developer or the tests use.
"""
import os
import sys
from urllib.parse import urlsplit, urlunsplit


def use_scratch_database(suffix: str, *, needs: str) -> None:
    """``needs``: what to tell a user who has not exported the full-stack variables (README)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(f"{needs}: export the full-stack variables first (README).")
    parts = urlsplit(url)
    bench_db = f"{parts.path.strip('/') or 'travel'}_{suffix}"  # beside the stack's own database
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_db}"))
    os.environ["CACHE_KEY_PREFIX"] = bench_db
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["CONN_MAX_AGE"] = "600"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")
    import psycopg

    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_db]).fetchone():
            conn.execute(f"CREATE DATABASE {bench_db}")
