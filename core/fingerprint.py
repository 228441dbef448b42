"""What a database holds, table by table: its row count and a checksum of its rows.

Two databases with the same fingerprint hold the same rows in every table (and, on PostgreSQL,
their sequences stand at the same values): the backup drill compares the database it dumped with
the one it restored, and `restore_database` compares what it restored with the fingerprint that
`backup_database` wrote beside the dump (see core/backups.py).

Rows are read in primary-key order, so the checksum does not depend on where the rows lie on
disk; a table without a primary key is read in the order of its rows' own hashes. Fingerprints
are only compared between databases of one kind: PostgreSQL hashes each row's text in the
database (no row crosses the network), SQLite hashes the rows in Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import dj_database_url
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

# An alias for the row in PostgreSQL's queries that no column of ours is called.
ROW = "fingerprint_row"


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


Fingerprint = dict[str, TableFingerprint]


def database_fingerprint(connection: BaseDatabaseWrapper) -> Fingerprint:
    """Every table of `connection`'s database (and every sequence, on PostgreSQL), by name."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor, include_views=False)
        if connection.vendor == "sqlite":
            # Django leaves out SQLite's own table of AUTOINCREMENT counters; it is data too.
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
            if cursor.fetchone():
                tables.append("sqlite_sequence")
        found = {
            table: _table_fingerprint(connection, cursor, table) for table in sorted(set(tables))
        }
        if connection.vendor == "postgresql":
            found.update(_sequences(cursor))
    return found


def _table_fingerprint(
    connection: BaseDatabaseWrapper, cursor: Any, table: str
) -> TableFingerprint:
    quote = connection.ops.quote_name
    keys = connection.introspection.get_primary_key_columns(cursor, table) or []
    if connection.vendor == "postgresql":
        order = ", ".join(f"{ROW}.{quote(key)}" for key in keys) or f"md5({ROW}::text)"
        # Names from the database's own catalogue, quoted: no one's input (S608).
        checksum_sql = f"md5(coalesce(string_agg(md5({ROW}::text), '' ORDER BY {order}), ''))"
        cursor.execute(f"SELECT count(*), {checksum_sql} FROM {quote(table)} AS {ROW}")  # noqa: S608
        rows, checksum = cursor.fetchone()
        return TableFingerprint(rows=rows, checksum=checksum)
    order = ", ".join(quote(key) for key in keys)
    ordered = f" ORDER BY {order}" if order else ""
    cursor.execute(f"SELECT * FROM {quote(table)}{ordered}")  # noqa: S608 (names, quoted)
    row_hashes: Iterable[bytes] = (
        hashlib.sha256(repr(row).encode()).digest() for row in iter(cursor.fetchone, None)
    )
    if not keys:
        row_hashes = sorted(row_hashes)
    digest = hashlib.sha256()
    rows = 0
    for row_hash in row_hashes:
        digest.update(row_hash)
        rows += 1
    return TableFingerprint(rows=rows, checksum=digest.hexdigest())


def _sequences(cursor: Any) -> Fingerprint:
    """Where each sequence stands: a restore that lost them would hand out used ids again."""
    cursor.execute(
        "SELECT sequencename, last_value FROM pg_sequences"
        " WHERE schemaname = current_schema() ORDER BY sequencename"
    )
    return {
        f"sequence:{name}": TableFingerprint(rows=1, checksum=str(value))
        for name, value in cursor.fetchall()
    }


def differences(expected: Fingerprint, found: Fingerprint) -> list[str]:
    """One line per table that is missing, extra or different; empty when they match."""
    lines = []
    for table in sorted(expected.keys() | found.keys()):
        if table not in found:
            lines.append(f"{table}: missing")
        elif table not in expected:
            lines.append(f"{table}: not in the backup")
        elif expected[table] != found[table]:
            lines.append(
                f"{table}: {found[table].rows} rows (expected {expected[table].rows}),"
                f" checksum {found[table].checksum} (expected {expected[table].checksum})"
            )
    return lines


def summary(fingerprint: Fingerprint) -> str:
    """ "57 tables (7054 rows) and 53 sequences", for the commands' reports."""
    tables = {name: t for name, t in fingerprint.items() if not name.startswith("sequence:")}
    text = f"{len(tables)} tables ({sum(t.rows for t in tables.values())} rows)"
    sequences = len(fingerprint) - len(tables)
    return f"{text} and {sequences} sequences" if sequences else text


def to_json(fingerprint: Fingerprint) -> dict[str, dict[str, object]]:
    return {table: asdict(entry) for table, entry in fingerprint.items()}


def from_json(data: dict[str, dict[str, Any]]) -> Fingerprint:
    return {
        table: TableFingerprint(rows=int(entry["rows"]), checksum=str(entry["checksum"]))
        for table, entry in data.items()
    }


def settings_for(database_url: str | None) -> dict[str, Any]:
    """The configured database's settings, or those of `database_url` (another database, for
    a restore or a drill), complete as Django's connection handler needs them."""
    configured = dict(connections["default"].settings_dict)
    if not database_url:
        return configured
    # The configured OPTIONS (SQLite's WAL pragmas) belong to the configured database only.
    return {**configured, "OPTIONS": {}, **dj_database_url.parse(database_url)}


@contextmanager
def connection_to(settings_dict: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to the database `settings_dict` describes, closed afterwards."""
    backend = load_backend(settings_dict["ENGINE"])
    connection: BaseDatabaseWrapper = backend.DatabaseWrapper(
        settings_dict, alias=f"fingerprint-{id(settings_dict)}"
    )
    try:
        yield connection
    finally:
        connection.close()
