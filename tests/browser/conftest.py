"""Browser tests: a real Digipunt server in a subprocess, driven by Debian's Chromium.

The server runs against its own throwaway database (SQLite in a temp dir, or a fresh PostgreSQL
database when DATABASE_URL points at PostgreSQL), loaded with the real territory and the
deterministic demo network. It is independent of pytest-django's test database, which is flushed
or rolled back per test and so cannot be shared with another process. Under xdist every worker
starts its own server and database.

One Chromium per session (per worker); every test gets a fresh context, so cookies and state never
leak between tests.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, Dialog, Page, Playwright, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 30
# Playwright waits up to 30 s by default; a local server answers in milliseconds, so fail sooner.
DEFAULT_TIMEOUT_MS = 10_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def _pg_connect(url: str, dbname: str):  # -> psycopg.Connection
    """An autocommit connection to `dbname` on the server `url` names (same user and password)."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or None,
        port=parts.port or None,
        user=parts.username or None,
        password=parts.password or None,
        dbname=dbname,
        autocommit=True,
    )


def _pg_database_url(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@dataclass
class _Database:
    url: str
    drop: str | None = None  # a PostgreSQL database to drop at the end
    outer_url: str = ""

    def cleanup(self) -> None:
        if self.drop is None:
            return
        from psycopg import sql

        with _pg_connect(self.outer_url, "postgres") as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.drop))
            )


def _make_database(tmp: Path) -> _Database:
    outer = os.environ.get("DATABASE_URL", "")
    if not _is_postgres(outer):
        return _Database(url=f"sqlite:///{tmp / 'browser.sqlite3'}")
    from psycopg import sql

    base = urlsplit(outer).path.lstrip("/") or "digipunt"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # PostgreSQL identifiers are at most 63 bytes.
    name = f"{base}_browser_{worker}_{os.getpid()}"[-63:]
    with _pg_connect(outer, "postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _Database(url=_pg_database_url(outer, name), drop=name, outer_url=outer)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"The server stopped with code {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not with 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.1)
    raise RuntimeError(
        f"The server did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-4000:]}"
    )


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Base URL (no trailing slash) of a real Digipunt server loaded with the demo network."""
    tmp = Path(tempfile.mkdtemp(prefix="digipunt-browser-"))
    try:
        database = _make_database(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    env = os.environ.copy()
    env.update(
        {
            "DIGIPUNT_VAR_DIR": str(tmp),
            "DEBUG": "false",
            # A test server: no real secret signs anything here.
            "SECRET_KEY": "browser-tests-only-" + secrets.token_hex(16),
            "MAP_TILE_URL": "",
            "DATABASE_URL": database.url,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py sets it; pytest-django may have set it too
    process: subprocess.Popen[bytes] | None = None
    try:
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["load_territory"],
            ["load_demo_network"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=REPO_ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env["SITE_URL"] = url
        log = tmp / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=REPO_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(url + "/nl/", process, log)
        yield url
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        try:
            database.cleanup()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    p = sync_playwright().start()
    try:
        yield p
    finally:
        p.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass
class PageProblems:
    """What went wrong in the page outside the test's own assertions."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _open_page(
    browser: Browser,
    server_url: str,
    *,
    javascript: bool,
    width: int = 1280,
    height: int = 900,
    **options: Any,
) -> tuple[Page, PageProblems]:
    context = browser.new_context(
        base_url=server_url,
        java_script_enabled=javascript,
        viewport={"width": width, "height": height},
        **options,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems()

    def on_dialog(dialog: Dialog) -> None:
        problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    return page, problems


def _close_page(page: Page, problems: PageProblems) -> None:
    page.context.close()
    if problems.dialogs:
        pytest.fail(f"A dialog opened in the page: {problems.dialogs}")
    if problems.errors:
        pytest.fail(f"JavaScript errors in the page: {problems.errors}")


@pytest.fixture(params=["js", "nojs"])
def any_page(request: pytest.FixtureRequest, browser: Browser, server_url: str) -> Iterator[Page]:
    """A page with JavaScript on (`js`) and off (`nojs`): every journey must work both ways."""
    page, problems = _open_page(browser, server_url, javascript=request.param == "js")
    yield page
    _close_page(page, problems)


@pytest.fixture
def js_page(browser: Browser, server_url: str) -> Iterator[Page]:
    page, problems = _open_page(browser, server_url, javascript=True)
    yield page
    _close_page(page, problems)


@pytest.fixture
def nojs_page(browser: Browser, server_url: str) -> Iterator[Page]:
    page, problems = _open_page(browser, server_url, javascript=False)
    yield page
    _close_page(page, problems)


@pytest.fixture
def open_page(browser: Browser, server_url: str) -> Iterator[Callable[..., Page]]:
    """A factory for pages of a given viewport and context options, closed after the test."""
    opened: list[tuple[Page, PageProblems]] = []

    def make(
        *, javascript: bool = True, width: int = 1280, height: int = 900, **options: Any
    ) -> Page:
        page, problems = _open_page(
            browser, server_url, javascript=javascript, width=width, height=height, **options
        )
        opened.append((page, problems))
        return page

    yield make
    for page, problems in opened:
        _close_page(page, problems)


@pytest.fixture(scope="session")
def first_site_path(server_url: str) -> str:
    """Path (without language) of the first result near 9000 Gent, found the way a visitor would."""
    with urllib.request.urlopen(server_url + "/nl/search/?q=9000", timeout=10) as response:  # noqa: S310
        html = response.read().decode()
    # The results list is the first place on the page that links to a Digipunt.
    match = re.search(r'href="/nl(/digipunt/[^"/]+/)"', html)
    assert match, "No result link on /nl/search/?q=9000"
    return match.group(1)
