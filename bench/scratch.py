"""Scratch databases beside the stack's own, for the benchmarks (before Django starts).

A benchmark names its database (``scratch_name`` for ``<the stack's database>_<suffix>``,
``stack_scoped_name`` for ``<base>_<the stack's cache prefix>``, or a name of its own), points
``DATABASE_URL`` at it (``scratch_url``), makes it (``create_database``, optionally dropping a
previous one first) and, if it does not keep it, drops it at the end (``drop_database``); all on
the server ``DATABASE_URL`` names, so a benchmark never writes into the database a developer or
the tests use.

``use_scratch_database("cpu")`` does all of it for the in-process benchmarks: it points
``DATABASE_URL`` at ``<the stack's database>_cpu`` (made here if missing) and gives it its own
cache key prefix, quiet logs and kept connections.
"""
import os
import sys
from urllib.parse import urlsplit, urlunsplit


def scratch_name(suffix: str) -> str:
    """``<the DATABASE_URL database>_<suffix>``: beside the stack's own database."""
    return f"{urlsplit(os.environ.get('DATABASE_URL', '')).path.strip('/') or 'travel'}_{suffix}"


def stack_scoped_name(base: str) -> str:
    """``<base>_<CACHE_KEY_PREFIX>``, lower case: stacks share one PostgreSQL server, each its own prefix."""
    prefix = "".join(c if c.isalnum() else "_" for c in os.environ.get("CACHE_KEY_PREFIX", ""))
    return "_".join([base, prefix]).rstrip("_").lower()


def scratch_url(name: str, *, needs: str) -> str:
    """``DATABASE_URL`` with database ``name`` instead of its own; ``needs``: what to tell a user who
    has not exported the full-stack variables (README), when ``DATABASE_URL`` is not PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(f"{needs}: export the full-stack variables first (README).")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_database(name: str, *, drop_first: bool = False) -> None:
    """Make database ``name`` if it is missing; ``drop_first``: drop a previous one first, so it starts empty."""
    from psycopg import sql

    if drop_first:
        drop_database(name)
    with _server() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    """Drop database ``name`` if it exists, whoever is still connected to it."""
    from psycopg import sql

    with _server() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def use_scratch_database(suffix: str, *, needs: str) -> None:
    """Point this process at ``<the stack's database>_<suffix>``, made if missing (``needs``: as ``scratch_url``)."""
    bench_db = scratch_name(suffix)
    os.environ["DATABASE_URL"] = scratch_url(bench_db, needs=needs)
    os.environ["CACHE_KEY_PREFIX"] = bench_db
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["CONN_MAX_AGE"] = "600"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")
    create_database(bench_db)


def _server():
    """A connection to the server's ``postgres`` database (CREATE and DROP DATABASE cannot run in a transaction)."""
    import psycopg

    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    return psycopg.connect(url, autocommit=True)
