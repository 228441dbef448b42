"""Reports read from a read replica, when one is configured; everything else from the primary.

`DATABASE_REPLICA_URL` (optional) adds the database alias `replica` (digipunt/settings.py). Only
the code that asks for it reads there: the dashboards' figure selectors run inside `reporting()`
(or are decorated with `reporting_reads`). Every other read stays on the primary, because a
replica lags behind it: a page that reads back what its own request just wrote must not read a
copy that does not have it yet. A report may be a few seconds behind; nobody notices.

Writes always go to the primary, also inside `reporting()`. Without a replica, `reporting()`
changes nothing. Migrations run on the primary only (the replica copies them).

    with db_router.reporting():
        figures = compute(...)          # its queries go to the replica
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reporting: ContextVar[bool] = ContextVar("reporting_reads", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reporting() -> Iterator[str]:
    """Within this block, reads go to the replica when there is one. Yields the alias read."""
    token = _reporting.set(True)
    try:
        yield REPLICA if replica_configured() else DEFAULT_DB_ALIAS
    finally:
        _reporting.reset(token)


def reporting_reads(function: Callable[P, R]) -> Callable[P, R]:
    """Run a report's selector inside `reporting()`."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reporting():
            return function(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _reporting.get() and replica_configured():
            return REPLICA
        return None  # the primary

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one set of data, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
