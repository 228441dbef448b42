"""No state in a process: two application servers on one PostgreSQL database and one shared
cache, behind one address, share sessions, the page cache and the sign-in throttling.

The drill of `bench/scaleout.py` (docs/operations.md, "Scale-out"), on a copy of this run's
test database (migrated, with the territory) plus ten demo sites, once with the database cache
and once with Redis (127.0.0.1:6379, database 15, emptied first). Real gunicorn processes: it
needs PostgreSQL, so it runs in the PostgreSQL run of `make test` and says so on SQLite.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import scaleout  # noqa: E402  (bench/scaleout.py, after its folder is on the path)

REDIS = "redis://127.0.0.1:6379/15"

# Marked so that pytest-django sets the test database up even when this module runs alone.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def drill_database(request, django_db_setup, django_db_blocker):
    """A copy of the test database (CREATE DATABASE … TEMPLATE), which real processes can use:
    the test database itself only ever holds this run's transactions, which they cannot see."""
    primary = connections["default"]
    if primary.vendor != "postgresql":
        pytest.skip("the scale-out drill needs PostgreSQL: it runs when DATABASE_URL names one")
    import psycopg

    request.getfixturevalue("territory")  # committed in the test database, so in the copy
    settings = primary.settings_dict
    template, copy = settings["NAME"], f"{settings['NAME']}_scaleout"
    with django_db_blocker.unblock():
        connections.close_all()  # a template database must have no other session
    server = psycopg.connect(
        dbname="postgres",
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        autocommit=True,
    )
    try:
        server.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
        credentials = settings["USER"] or "postgres"
        if settings["PASSWORD"]:
            credentials += f":{settings['PASSWORD']}"
        host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        yield f"postgres://{credentials}@{host}/{copy}"
    finally:
        server.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        server.close()


@pytest.mark.parametrize("cache", ["database", REDIS])
def test_two_processes_share_sessions_page_cache_and_throttling(drill_database, cache):
    with tempfile.TemporaryDirectory(prefix="digipunt-scaleout-") as workdir:
        env = scaleout.app_environment(drill_database, cache, Path(workdir))
        scaleout.flush_redis(cache)  # a Redis server that does not answer fails here
        scaleout.prepare_database(env, sites=10, migrate=False)  # a copy of a migrated one
        cast = scaleout.seed(env)

        checks = scaleout.drill(env, cast)

    failed = [f"{check.claim}: {check.detail}" for check in checks if not check.ok]
    assert failed == []
    assert len(checks) == 4
