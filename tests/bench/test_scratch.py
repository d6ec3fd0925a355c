"""bench/scratch.py: the benchmarks' scratch databases are named beside the stack's own, on its
server, and never the stack's own database; they are made, emptied and dropped by name."""
import uuid

import psycopg
import pytest

from bench.scratch import create_database, drop_database, scratch_name, scratch_url, stack_scoped_name

STACK_URL = "postgres://bench:secret@db.example:5433/travel_mine?sslmode=disable"


def test_a_scratch_name_is_the_stack_database_and_a_suffix(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", STACK_URL)
    assert scratch_name("bench_rewards") == "travel_mine_bench_rewards"
    # a URL without a database: beside the default one
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    assert scratch_name("cpu") == "travel_cpu"


def test_a_stack_scoped_name_carries_the_cache_prefix_as_a_database_name(monkeypatch):
    monkeypatch.setenv("CACHE_KEY_PREFIX", "Mine-2")
    assert stack_scoped_name("bench_channels") == "bench_channels_mine_2"
    monkeypatch.delenv("CACHE_KEY_PREFIX")
    assert stack_scoped_name("bench_channels") == "bench_channels"


def test_the_scratch_url_keeps_the_server_and_its_options(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", STACK_URL)
    assert scratch_url("bench_inventory", needs="-") == \
        "postgres://bench:secret@db.example:5433/bench_inventory?sslmode=disable"


def test_without_postgresql_the_benchmark_stops_and_says_what_it_needs(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///db.sqlite3")
    with pytest.raises(SystemExit, match="The rewards benchmark needs PostgreSQL: export the full-stack"):
        scratch_url("travel_bench_rewards", needs="The rewards benchmark needs PostgreSQL")


@pytest.mark.postgres
def test_a_scratch_database_is_made_emptied_and_dropped():
    name = f"bench_scratch_test_{uuid.uuid4().hex[:8]}"
    url = scratch_url(name, needs="-")

    def tables() -> list[str]:
        with psycopg.connect(url) as conn:
            return [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]

    try:
        create_database(name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE left_over (id int)")
        create_database(name)  # kept when it is there
        assert tables() == ["left_over"]
        still_connected = psycopg.connect(url)
        try:
            create_database(name, drop_first=True)  # emptied, even with a session still open on it
        finally:
            still_connected.close()
        assert tables() == []
    finally:
        drop_database(name)
    with psycopg.connect(scratch_url("postgres", needs="-")) as conn:
        assert not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
