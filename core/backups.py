"""Backups of the configured database, and restoring one into an empty database.

- PostgreSQL: `pg_dump --format=custom` and `pg_restore`, PostgreSQL's own tools (their major
  version at least the server's). The dump is taken in a snapshot exported by a read-only
  transaction that computes the fingerprint in the same snapshot, so the fingerprint describes
  exactly what the dump holds, however busy the site is.
- SQLite: the online backup API of the sqlite3 module, which copies a consistent state of the
  database while the application goes on reading and writing (WAL mode).

Each backup is one file, readable by its owner only (it holds personal data), written under a
temporary name and renamed when complete, with its fingerprint beside it (`<file>.json`, see
core/fingerprint.py). A restore refuses a database that already has tables, and compares what it
restored with that fingerprint. docs/operations.md, "Backups", has the commands and the drill.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils import timezone

from core.fingerprint import (
    Fingerprint,
    connection_to,
    database_fingerprint,
    differences,
    from_json,
    to_json,
)

VENDORS = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
# digipunt-20261207-031500.dump: what `backup_prune` may remove in a folder of backups.
BACKUP_NAME = re.compile(r"^digipunt-\d{8}-\d{6}\.(dump|sqlite3)$")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    fingerprint: Fingerprint


@dataclass(frozen=True)
class Restore:
    fingerprint: Fingerprint
    expected: Fingerprint | None  # the backup's own fingerprint, when it was beside the file
    differences: list[str]


def vendor_of(settings_dict: dict[str, Any]) -> str:
    engine = str(settings_dict["ENGINE"])
    if engine not in VENDORS:
        raise BackupError(f"No backup method for the database engine {engine}.")
    return VENDORS[engine]


def backup_name(settings_dict: dict[str, Any], when: datetime | None = None) -> str:
    moment = timezone.localtime(when or timezone.now())
    return f"digipunt-{moment:%Y%m%d-%H%M%S}{SUFFIXES[vendor_of(settings_dict)]}"


def fingerprint_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def database_backup(*, path: Path) -> Backup:
    """Write a backup of the configured database to `path`, and its fingerprint beside it.
    Nothing is left at `path` unless the whole backup succeeded."""
    settings_dict = connections["default"].settings_dict
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if vendor_of(settings_dict) == "postgresql":
            fingerprint = _pg_dump(settings_dict, partial)
        else:
            fingerprint = _sqlite_backup(partial)
        partial.chmod(0o600)
        sidecar = fingerprint_path(path)
        sidecar.write_text(json.dumps(to_json(fingerprint), indent=1, sort_keys=True) + "\n")
        sidecar.chmod(0o600)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(path=path, fingerprint=fingerprint)


def database_restore(*, settings_dict: dict[str, Any], path: Path) -> Restore:
    """Restore the backup at `path` into the (empty) database `settings_dict` describes, then
    compare the result with the backup's fingerprint when it is beside the file."""
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    vendor = vendor_of(settings_dict)
    if path.suffix != SUFFIXES[vendor]:
        raise BackupError(f"{path.name} is not a {vendor} backup (expected {SUFFIXES[vendor]}).")
    if vendor == "sqlite" and not _sqlite_is_in_memory(settings_dict):
        Path(settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    with connection_to(settings_dict) as target:
        existing = target.introspection.table_names()
    if existing:
        raise BackupError(
            f"The database {settings_dict['NAME']} is not empty ({len(existing)} tables). "
            "Restore into a new, empty database."
        )
    if vendor == "sqlite" and _sqlite_is_in_memory(settings_dict):
        raise BackupError("Restore into a database file, not into memory.")
    if vendor == "postgresql":
        _pg_restore(settings_dict, path)
    else:
        _sqlite_restore(path, Path(settings_dict["NAME"]))
    with connection_to(settings_dict) as target:
        found = database_fingerprint(target)
    sidecar = fingerprint_path(path)
    expected = from_json(json.loads(sidecar.read_text())) if sidecar.is_file() else None
    return Restore(
        fingerprint=found,
        expected=expected,
        differences=differences(expected, found) if expected is not None else [],
    )


def backup_prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest backups (by their name's date) in `directory`, with
    their fingerprints; returns what was removed. Other files are left alone."""
    backups = sorted(p for p in directory.iterdir() if BACKUP_NAME.match(p.name))
    removed = backups[: max(len(backups) - keep, 0)]
    for path in removed:
        path.unlink()
        fingerprint_path(path).unlink(missing_ok=True)
    return removed


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection for pg_dump and pg_restore, in libpq's variables: the password never
    appears on a command line (where `ps` would show it). What the settings leave out comes from
    the environment, as it does for the application's own connection (libpq reads both)."""
    env = dict(os.environ)
    values = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if options.get(option):
            values[f"PG{option.upper()}"] = options[option]
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _pg_run(command: list[str], settings_dict: dict[str, Any]) -> None:
    result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        command, env=_pg_environment(settings_dict), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _pg_dump(settings_dict: dict[str, Any], path: Path) -> Fingerprint:
    dump = _pg_tool("pg_dump")
    with connection_to(settings_dict) as source, source.cursor() as cursor:
        # One snapshot for the fingerprint and the dump: pg_dump joins this transaction's.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            fingerprint = database_fingerprint(source)
            _pg_run(
                [
                    dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={path}",
                ],
                settings_dict,
            )
        finally:
            cursor.execute("COMMIT")
    return fingerprint


def _pg_restore(settings_dict: dict[str, Any], path: Path) -> None:
    # Owners and grants are left out: the restoring role owns everything, as the application's
    # role owned everything before. One transaction: a failed restore leaves the database empty.
    _pg_run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--no-password",
            f"--dbname={settings_dict['NAME']}",
            str(path),
        ],
        settings_dict,
    )
    with connection_to(settings_dict) as target, target.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics are not part of a dump


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_is_in_memory(settings_dict: dict[str, Any]) -> bool:
    name = str(settings_dict["NAME"])
    return name == ":memory:" or "mode=memory" in name


def _sqlite_backup(path: Path) -> Fingerprint:
    # Through the application's own connection: it may be the test suite's in-memory database.
    source = connections["default"]
    if source.in_atomic_block:
        # The backup would wait for ever for this connection's own transaction to end.
        raise BackupError("An SQLite backup cannot be taken inside a transaction.")
    source.ensure_connection()
    target = sqlite3.connect(path)
    try:
        source.connection.backup(target)
        # One self-contained file: no -wal or -shm beside the backup.
        target.execute("PRAGMA journal_mode=DELETE")
        (check,) = target.execute("PRAGMA quick_check").fetchone()
        if check != "ok":
            raise BackupError(f"The backup copy failed its integrity check: {check}")
    finally:
        target.close()
    with connection_to({**source.settings_dict, "NAME": str(path), "OPTIONS": {}}) as copy:
        return database_fingerprint(copy)


def _sqlite_restore(path: Path, target_path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        # The application's journal mode (digipunt/settings.py).
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
        target.close()
    target_path.chmod(0o600)
