"""The dashboards' figures read from the read replica when one is configured (core/db_router.py);
every other read and every write stays on the primary.

The "replica" here is a second connection to the test database under the alias `replica`, as
DATABASE_REPLICA_URL would add it: what counts is which connection the queries ran on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test.utils import CaptureQueriesContext

from core import db_router
from learning.figures import learning_figures
from lending.figures import lending_figures
from network.models import Site, Theme
from questions.figures import site_figures
from questions.models import Contact

ROOT = Path(__file__).resolve().parent.parent.parent
REPLICA = db_router.REPLICA

pytestmark = [pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])]


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup, django_db_blocker):
    """The alias `replica` on the test database, for this module's tests (before the tests'
    database access is set up, which checks the aliases a test names)."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    # On SQLite, the test's transaction on the replica alias must not take the write lock that
    # the primary's holds (BEGIN IMMEDIATE): a replica only reads.
    options = {
        name: value for name, value in primary["OPTIONS"].items() if name != "transaction_mode"
    }
    connections.settings[REPLICA] = {**primary, "OPTIONS": options}
    yield
    with django_db_blocker.unblock():
        connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


# A site that has no figures: only where the queries go matters. Not saved (no write, so the
# two connections never wait for each other).
NOWHERE = Site(pk=10**9)


@pytest.mark.parametrize(
    "figures",
    [
        lambda: site_figures(
            site_ids=[NOWHERE.pk], date_from=date(2026, 1, 1), date_to=date(2026, 11, 30)
        ),
        lambda: lending_figures(NOWHERE, 12, today=date(2026, 11, 23)),
        lambda: learning_figures(NOWHERE, 12, today=date(2026, 11, 23)),
    ],
    ids=["questions", "lending", "learning"],
)
def test_the_figures_read_from_the_replica(figures):
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        figures()

    assert len(on_replica.captured_queries) > 0
    assert on_primary.captured_queries == []


def test_other_reads_stay_on_the_primary():
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        Theme.objects.count()

    assert on_replica.captured_queries == []
    assert len(on_primary.captured_queries) == 1


def test_writes_go_to_the_primary_even_inside_a_report():
    with db_router.reporting() as alias:
        assert alias == REPLICA
        assert router.db_for_read(Contact) == REPLICA
        assert router.db_for_write(Contact) == DEFAULT_DB_ALIAS


def test_without_a_replica_a_report_reads_the_primary(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)

    with db_router.reporting() as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert router.db_for_read(Contact) == DEFAULT_DB_ALIAS


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "questions")
    assert not router.allow_migrate(REPLICA, "questions")


def test_database_replica_url_adds_the_replica_alias():
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps({alias: settings.DATABASES[alias].get('HOST') or '' "
        "for alias in settings.DATABASES}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digipunt.settings",
        "DIGIPUNT_INSECURE_DEV_KEY": "true",
        "DATABASE_URL": "postgres://app@primary.invalid:5432/digipunt",
        "DATABASE_REPLICA_URL": "postgres://reader@standby.invalid:5432/digipunt",
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert json.loads(out) == {"default": "primary.invalid", "replica": "standby.invalid"}
