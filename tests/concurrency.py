"""Helpers for tests where real threads hit the database at the same moment.

On PostgreSQL the threads use the test database. pytest-django's SQLite test database lives in
memory with a shared cache, whose table locks fail at once ("database table is locked") instead
of waiting; the application itself runs on a file in WAL mode with BEGIN IMMEDIATE and a busy
timeout (digipunt/settings.py). So on SQLite the threads run on a file copy of the test database,
opened with the application's own connection settings.

Such tests commit (`transaction=True`), so pytest-django empties every table after them, also
the territory and the theme and concern lists that the other tests of the worker expect. A test
module imports both fixtures below: `reference_data` loads them for its tests, and the module
fixture loads them again once the module is done. `at_once` releases several attempts together.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import translation

from network.models import Theme
from network.themes import themes_ensure
from questions.concerns import concerns_ensure
from questions.models import Concern
from territory.models import Municipality
from territory.services import territory_load


def load_reference_data() -> None:
    """The territory and the theme and concern lists, as the session and the migrations left
    them (each loader is idempotent)."""
    if not Municipality.objects.exists():
        territory_load()
    themes_ensure(Theme)
    concerns_ensure(Concern)


@pytest.fixture(scope="module", autouse=True)
def reference_data_back_after_the_flush(django_db_setup, django_db_blocker):
    """Runs after the module's tests and after pytest-django's flush of the last of them (a
    module fixture is torn down after the function-level ones), so the data stays for the
    tests that come next on this worker."""
    yield
    with django_db_blocker.unblock():
        _outside_an_event_loop(load_reference_data)


def _outside_an_event_loop(work: Callable[[], None]) -> None:
    """Run `work` here, or in a thread of its own when this thread has a running event loop:
    Playwright's sync API (the browser tests, on the same xdist worker) keeps one in the main
    thread, and Django refuses database calls there (SynchronousOnlyOperation)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        work()
        return
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


@pytest.fixture
def reference_data(transactional_db) -> None:
    """Within this module, a test after another one starts on an emptied database."""
    load_reference_data()


@contextmanager
def database_for_threads() -> Iterator[Callable[[], None]]:
    """Yields `use()`, which points the calling thread's default connection at the database the
    threads share: the test database itself, or a file copy of an in-memory SQLite one."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield lambda: None
        return
    directory = Path(tempfile.mkdtemp(prefix="digipunt-bookings-"))
    path = directory / "bookings.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    file_settings = {**connection.settings_dict, "NAME": str(path)}
    wrapper_class = type(connections["default"])  # the backend class, not the proxy

    def use() -> None:
        connections["default"] = wrapper_class(file_settings, "default")

    try:
        yield use
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def in_thread(use: Callable[[], None], work: Callable[[], object]) -> object:
    """Run `work` in a thread of its own on the shared database and return its result."""
    result: list[object] = []

    def run() -> None:
        use()
        try:
            result.append(work())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


def at_once(use: Callable[[], None], attempts: list[Callable[[], object]]) -> list[object]:
    """Run each attempt in a thread of its own on the shared database, released together by a
    barrier, with English active (each thread has its own language). Returns, in the order of
    `attempts`, what each returned or the exception it raised."""
    barrier = threading.Barrier(len(attempts), timeout=60)
    outcomes: list[object] = [None] * len(attempts)

    def run(n: int) -> None:
        use()
        translation.activate("en")
        try:
            barrier.wait()
            outcomes[n] = attempts[n]()
        except Exception as error:  # the test decides which exceptions were expected
            outcomes[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return outcomes
