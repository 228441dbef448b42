"""The restore drill, on whichever database the suite runs on: fill the database, back it up with
`backup_database`, restore the backup with `restore_database` into a new, empty database, and
compare every table's row count and checksum (core/fingerprint.py) with the original.

pg_dump reads the database from another process, so the data must be committed: these tests
commit (`transaction=True`) and the reference data comes back after pytest-django's flush
(tests/concurrency.py). On PostgreSQL the empty database is created for the test, named after
the test database, and dropped afterwards; on SQLite it is a file in the test's folder. The
suite's own SQLite database lives in memory: `backup_database` copies it through the
application's connection, as it would copy the file of a running site.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.backups import backup_name, backup_prune, fingerprint_path
from core.fingerprint import connection_to, database_fingerprint, settings_for, summary
from tests.cast import make_cast
from tests.concurrency import (  # noqa: F401 (fixtures)
    reference_data,
    reference_data_back_after_the_flush,
)


def fill_every_domain() -> None:
    """The demo network (sites, organisations, hours, booking, devices, courses, help cards), the
    cast of staff users, and a row or more of what each domain records."""
    from tests.appointments.helpers import matrix_appointment
    from tests.learning.helpers import matrix_card, matrix_session
    from tests.lending.helpers import matrix_loan
    from tests.questions.api_support import matrix_token
    from tests.questions.registration import matrix_contact
    from tests.referrals.helpers import matrix_sent

    call_command("load_demo_network", sites=20, stdout=io.StringIO())
    cast = make_cast()
    for make in (
        matrix_appointment,
        matrix_loan,
        matrix_contact,
        matrix_sent,
        matrix_session,
        matrix_card,
        matrix_token,
    ):
        make(cast)


def database_url(settings_dict: dict[str, Any], name: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{name}"


@contextmanager
def empty_database(folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of the suite's kind, removed afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{folder / 'restored.sqlite3'}"
        return
    # test_digipunt_ci_123_gw0 -> digipunt_ci_123_gw0_drill_1a2b3c4d: whose it is, and unique.
    base = str(connection.settings_dict["NAME"]).removeprefix("test_")[:40]
    name = f"{base}_drill_{uuid.uuid4().hex[:8]}"
    server = {**connection.settings_dict, "NAME": "postgres"}
    with connection_to(server) as admin, admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(connection.settings_dict, name)
    finally:
        with connection_to(server) as admin, admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_backup_restored_into_an_empty_database_holds_every_row_of_every_table(tmp_path):
    fill_every_domain()
    before = database_fingerprint(connection)
    tables_with_rows = [name for name, table in before.items() if table.rows]
    assert len(tables_with_rows) >= 35, tables_with_rows
    # An older backup in the folder, which --keep 1 removes; a file of someone else's stays.
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "digipunt-20000101-000000.dump").write_bytes(b"old")
    (folder / "digipunt-20000101-000000.dump.json").write_text("{}")
    (folder / "notes.txt").write_text("keep me")

    out = io.StringIO()
    call_command("backup_database", directory=folder, keep=1, stdout=out)

    [backup] = [p for p in folder.iterdir() if p.suffix in (".dump", ".sqlite3")]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [backup.name, fingerprint_path(backup).name, "notes.txt"]
    )
    assert backup.stat().st_mode & 0o777 == 0o600  # personal data: its owner only
    assert f"Backed up {summary(before)} to {backup}" in out.getvalue()
    written = json.loads(fingerprint_path(backup).read_text())
    assert written == {name: {"rows": t.rows, "checksum": t.checksum} for name, t in before.items()}

    with empty_database(tmp_path) as url:
        out = io.StringIO()
        call_command("restore_database", str(backup), database_url=url, stdout=out)
        assert "Every table matches the backup's fingerprint." in out.getvalue()
        with connection_to(settings_for(url)) as restored:
            after = database_fingerprint(restored)
            assert after == before
            # The checksum sees one changed value, in that table only.
            with restored.cursor() as cursor:
                cursor.execute(
                    "UPDATE network_site SET name = name || '.'"
                    " WHERE id = (SELECT min(id) FROM network_site)"
                )
            changed = database_fingerprint(restored)
        assert [name for name in before if changed[name] != before[name]] == ["network_site"]
        assert changed["network_site"].rows == before["network_site"].rows

        # A second restore into the same (no longer empty) database is refused.
        with pytest.raises(CommandError, match="is not empty"):
            call_command("restore_database", str(backup), database_url=url)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_restore_refuses_the_configured_database_which_is_not_empty(tmp_path):
    call_command("load_demo_network", sites=2, stdout=io.StringIO())
    backup = tmp_path / backup_name(connection.settings_dict)
    call_command("backup_database", output=backup, stdout=io.StringIO())
    before = database_fingerprint(connection)

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_database", str(backup))

    assert database_fingerprint(connection) == before


def test_only_the_newest_backups_are_kept_and_nothing_else_is_touched(tmp_path):
    names = [f"digipunt-2026120{day}-031500.dump" for day in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"dump")
        (tmp_path / f"{name}.json").write_text("{}")
    (tmp_path / "digipunt-latest.dump").write_bytes(b"a link or a copy of someone's")

    removed = backup_prune(tmp_path, keep=2)

    assert [path.name for path in removed] == names[:3]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [*names[3:], *(f"{name}.json" for name in names[3:]), "digipunt-latest.dump"]
    )
