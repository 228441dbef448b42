"""`/health/`, and the site when its database does not answer (core/health.py, core/outage.py).

The outages are real, not mocked: a TCP forwarder in front of the PostgreSQL server that is
stopped (open connections cut, new ones refused) and started again on the same port, or an
SQLite file in a folder that is not there yet. The last test runs the application under
gunicorn, as in production, on a PostgreSQL database of its own, with connections kept between
requests (CONN_MAX_AGE=60): the site answers 503 while the database is away and 200 again as soon
as it is back, without a restart. PostgreSQL is on every machine of the project and in CI, so
that test runs in both runs of the suite.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
FRIENDLY = {
    "nl": "Digipunt is even niet beschikbaar",
    "fr": "Digipunt est momentanément indisponible",
    "en": "Digipunt is briefly unavailable",
}


class Forwarder:
    """Forwards TCP connections from 127.0.0.1:<port> to `target`, in threads of the test.

    `stop()` is an outage: the port is closed and every forwarded connection is cut. `start()`
    brings it back on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepting: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)  # so that the accepting thread sees `stop()` soon
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._accepting = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._accepting.start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        with self._lock:
            for sock in self._sockets:
                _cut(sock)
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _cut(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _cut(source)
        _cut(sink)


def _cut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@contextmanager
def forwarder(host: str, port: int) -> Iterator[Forwarder]:
    running = Forwarder((host, port))
    running.start()
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def default_connection(settings_dict: dict[str, Any]) -> Iterator[None]:
    """The application's `default` connection goes to `settings_dict`'s database meanwhile."""
    original = connections["default"]
    replacement = type(original)(settings_dict, "default")
    connections["default"] = replacement
    try:
        yield
    finally:
        replacement.close()
        connections["default"] = original


# --- /health/ -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_says_ok_and_sets_no_cookie_and_is_never_cached(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert client.post("/health/").status_code == 405


# --- in the application's process: both kinds of database ----------------------------------------


@pytest.fixture(scope="module")
def sqlite_copy(django_db_setup, django_db_blocker, tmp_path_factory) -> Path | None:
    """On SQLite, a file copy of the test database, taken before any test's transaction (the
    backup API waits for ever on a database whose connection is in a transaction)."""
    if connection.vendor != "sqlite":
        return None
    path = tmp_path_factory.mktemp("outage") / "digipunt.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
    return path


@contextmanager
def unreachable_database(folder: Path, sqlite_copy: Path | None) -> Iterator[Any]:
    """The application's database, unreachable until the `back()` this yields is called.

    PostgreSQL: the test database behind a stopped forwarder. SQLite: a copy of the test
    database, in a folder that only `back()` creates (SQLite cannot open a file there)."""
    settings_dict = connections["default"].settings_dict
    if sqlite_copy is None:
        host, port = settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)
        with forwarder(host, port) as through:
            through.stop()
            with default_connection({**settings_dict, "HOST": "127.0.0.1", "PORT": through.port}):
                yield through.start
        return
    path = folder / "not-yet" / "digipunt.sqlite3"

    def back() -> None:
        path.parent.mkdir()
        shutil.copyfile(sqlite_copy, path)

    with default_connection({**settings_dict, "NAME": str(path)}):
        yield back


@pytest.mark.django_db
def test_without_its_database_the_site_answers_a_friendly_503_and_then_recovers(
    tmp_path, sqlite_copy
):
    visitor = Client(raise_request_exception=False)
    # A signed-in person's session is read by the middleware before any view runs.
    staff = Client(raise_request_exception=False)
    staff.cookies["sessionid"] = "a-session-the-database-would-know"

    with unreachable_database(tmp_path, sqlite_copy) as back:
        health = visitor.get("/health/")
        pages = {lang: visitor.get(f"/{lang}/") for lang in FRIENDLY}
        staff_page = staff.get("/nl/staff/")

        assert health.status_code == 503
        assert health.json() == {"status": "error", "database": "unavailable"}
        assert health["Cache-Control"] == "no-store"
        for lang, page in [*pages.items(), ("nl", staff_page)]:
            assert page.status_code == 503, lang
            assert FRIENDLY[lang] in page.content.decode(), lang
            assert page["Content-Language"] == lang
            assert page["Retry-After"] == "30"
            assert page["Cache-Control"] == "no-store"
            assert page["Content-Type"] == "text/html; charset=utf-8"
            assert not page.cookies
        assert "1700" in pages["nl"].content.decode()  # the help line, for who needs help now

        back()

        assert visitor.get("/health/").status_code == 200
        assert visitor.get("/nl/").status_code == 200


# --- under gunicorn, as in production: PostgreSQL ---------------------------------------------


def _postgres_server() -> dict[str, Any]:
    """The suite's PostgreSQL server, or the machine's (postgres@127.0.0.1:5432) on SQLite runs."""
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        return {
            "host": settings_dict["HOST"] or "127.0.0.1",
            "port": int(settings_dict["PORT"] or 5432),
            "user": settings_dict["USER"] or "postgres",
            "password": settings_dict["PASSWORD"] or "",
            "base": str(settings_dict["NAME"]).removeprefix("test_")[:40],
        }
    return {
        "host": "127.0.0.1",
        "port": 5432,
        "user": "postgres",
        "password": "",
        "base": "digipunt",
    }


@contextmanager
def postgres_database(server: dict[str, Any]) -> Iterator[str]:
    """A new database on `server` for this test, dropped afterwards."""
    name = f"{server['base']}_outage_{uuid.uuid4().hex[:8]}"
    params = {key: server[key] for key in ("host", "port", "user", "password") if server[key]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 (our own server)
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[str]:
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    command = [
        str(bin_dir / "gunicorn"),
        "--workers=1",  # one process: its one kept connection is the one that breaks
        f"--bind=127.0.0.1:{port}",
        "--graceful-timeout=2",
        "digipunt.wsgi:application",
    ]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/health/")
                break
            except OSError:
                assert server.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_under_gunicorn_the_site_answers_503_while_postgresql_is_away_and_recovers_by_itself(
    tmp_path,
):
    server = _postgres_server()
    with postgres_database(server) as name, forwarder(server["host"], server["port"]) as db:
        credentials = server["user"] + (f":{server['password']}" if server["password"] else "")
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("PG")},
            "DATABASE_URL": f"postgres://{credentials}@127.0.0.1:{db.port}/{name}",
            "DATABASE_CONN_MAX_AGE": "60",
            # Production's shared cache: every public page asks the database for its version.
            "CACHE_BACKEND": "database",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DIGIPUNT_VAR_DIR": str(tmp_path),
        }
        env.pop("DIGIPUNT_INSECURE_DEV_KEY", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "--noinput"], ["createcachetable"]):
            subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)

        log = tmp_path / "gunicorn.log"
        with gunicorn(env, log) as site:

            def answers() -> tuple[int, int]:
                page_status, _headers, _body = get(f"{site}/nl/")
                health_status, _headers, _body = get(f"{site}/health/")
                return page_status, health_status

            try:
                assert answers() == (200, 200)

                db.stop()  # the kept connection is cut; new ones are refused
                status, headers, body = get(f"{site}/nl/")
                assert status == 503
                assert FRIENDLY["nl"] in body
                assert headers["Retry-After"] == "30"
                status, _headers, body = get(f"{site}/health/")
                assert (status, json.loads(body)["database"]) == (503, "unavailable")
                assert answers() == (503, 503)

                db.start()
                assert answers() == (200, 200)

                # Away and back between two requests: the kept connection is dead, and the
                # health check before its reuse (CONN_HEALTH_CHECKS) replaces it unseen.
                db.stop()
                db.start()
                assert answers() == (200, 200)
            except AssertionError:
                print(log.read_text()[-5000:])
                raise
