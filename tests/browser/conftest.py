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
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Playwright, sync_playwright

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
            # Playwright fills forms faster than a person, and every test books and registers
            # from 127.0.0.1: the time check and the public forms' limits make room (their own
            # tests are tests/test_abuse_public_forms.py).
            "FORM_MIN_SECONDS": "0",
            "RATE_LIMIT_BOOKING_ADDRESS": "10000/600",
            "RATE_LIMIT_BOOKING_ADDRESS_DAY": "10000/86400",
            "RATE_LIMIT_BOOKING_CONTACT": "10000/86400",
            "RATE_LIMIT_REGISTRATION_ADDRESS": "10000/600",
            "RATE_LIMIT_REGISTRATION_ADDRESS_DAY": "10000/86400",
            "RATE_LIMIT_REGISTRATION_CONTACT": "10000/86400",
            "RATE_LIMIT_SELF_CHECK_ADDRESS": "10000/3600",
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
        SERVER_ENV.clear()
        SERVER_ENV.update(env)  # the staff fixtures (below) run manage.py on this same database
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
    # What the Content-Security-Policy blocked (or a policy header the browser could not read).
    policy: list[str] = field(default_factory=list)


# Every page's problems, so that a test may ask about its own page (`assert_no_csp_violations`).
_PROBLEMS: dict[int, PageProblems] = {}

# Runs in every document before its own scripts (Playwright injects it; the page's policy does
# not apply to it): each violation of the Content-Security-Policy is written to the console, with
# what was blocked and where. With JavaScript off, Chromium's own console errors still tell.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "Content Security Policy violation: " + event.effectiveDirective + " blocked " +
    (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber +
    (event.sample ? " (" + event.sample + ")" : "")
  );
});
"""
_POLICY_MESSAGE = re.compile(r"Content[- ]Security[- ]Policy|Permissions[- ]Policy", re.I)


def _blocked(messages: list[str]) -> str:
    shown = "\n".join(messages[:5])
    more = f"\n… and {len(messages) - 5} more" if len(messages) > 5 else ""
    return f"{len(messages)} blocked by the Content-Security-Policy:\n{shown}{more}"


def _on_console(problems: PageProblems, message: ConsoleMessage) -> None:
    if message.type in {"error", "warning"} and _POLICY_MESSAGE.search(message.text):
        problems.policy.append(f"{message.text} [{message.location.get('url', '')}]")


def assert_no_csp_violations(page: Page, where: str = "") -> None:
    """Fails the test if the Content-Security-Policy blocked anything on `page` so far (the
    console messages arrive with the page's other events, so ask after the page did its work)."""
    problems = _PROBLEMS.get(id(page))
    assert problems is not None, "not a page of the browser fixtures"
    page.title()  # a round trip: the console messages sent before it have arrived
    assert not problems.policy, f"{where or page.url}: {_blocked(problems.policy)}"


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
    context.add_init_script(_REPORT_VIOLATIONS)
    page.on("console", lambda message: _on_console(problems, message))
    _PROBLEMS[id(page)] = problems
    return page, problems


def _close_page(page: Page, problems: PageProblems) -> None:
    page.context.close()
    _PROBLEMS.pop(id(page), None)
    if problems.policy:
        pytest.fail(_blocked(problems.policy))
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


# -- staff: people in the server's database, and signing in ---------------------------------------

# The environment the server runs with (its database, var dir and secret key); `server_url` fills
# it, so that the staff fixtures below run `manage.py` against that same database.
SERVER_ENV: dict[str, str] = {}

TOTP_STEP_SECONDS = 30

# Runs inside `manage.py shell` on the server's database. Picks the first organisation (by id)
# with two published demo sites that have no Saturday hours and are open on some day from 10 days
# ahead to the end of the hours editor's four-week preview, and adds the people the staff tests
# sign in as. Prints one line: STAFF_JSON <json>.
_STAFF_SETUP = r"""
import json
import os
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, TOTPDevice, User
from accounts.services import invitation_create
from network.models import Organisation, Site
from network.services import site_mark_verified

given = json.loads(os.environ["DIGIPUNT_BROWSER_STAFF"])
today = timezone.localdate()
# The preview shows four weeks from this week's Monday.
last = today - timedelta(days=today.weekday()) + timedelta(days=27)


def open_dates(site):
    # Days open by the regular hours (not by an exception, which a closure would replace).
    schedule = site.schedule()
    days = (schedule.day(today + timedelta(days=n)) for n in range(10, (last - today).days + 1))
    return [day.date.isoformat() for day in days if day.intervals and day.exception is None]


def fits(site):
    periods = (site.opening_hours or {}).get("periods") or []
    return not any(p.get("weekday") == 5 for p in periods) and bool(open_dates(site))


chosen = None
for organisation in Organisation.objects.order_by("pk"):
    sites = [
        s
        for s in Site.objects.published().filter(organisation=organisation).order_by("pk")
        if fits(s)
    ]
    if len(sites) >= 2:
        chosen = organisation, sites[0], sites[1]
        break
assert chosen is not None, "No organisation with two suitable published demo sites"
organisation, site, other_site = chosen


def person(key, *, device):
    data = given["people"][key]
    user = User.objects.filter(email=data["email"]).first()
    if user is None:
        user = User.objects.create_user(
            email=data["email"], password=given["password"], full_name=data["name"]
        )
    if device:
        TOTPDevice.objects.update_or_create(
            user=user,
            defaults={"secret": given["secret"], "confirmed_at": timezone.now()},
        )
    return user


with transaction.atomic():
    admin = person("org_admin", device=True)
    coordinator = person("coordinator", device=True)
    other_coordinator = person("other_coordinator", device=True)
    volunteer = person("volunteer", device=False)
    Membership.objects.update_or_create(
        user=admin, organisation=organisation, defaults={"role": Role.ORG_ADMIN}
    )
    Membership.objects.update_or_create(
        user=coordinator, site=site, defaults={"role": Role.COORDINATOR}
    )
    Membership.objects.update_or_create(
        user=other_coordinator, site=other_site, defaults={"role": Role.COORDINATOR}
    )
    Membership.objects.update_or_create(
        user=volunteer, site=site, defaults={"role": Role.VOLUNTEER}
    )
# Something in the audit trail and an open invitation, so those pages show their tables.
site_mark_verified(actor=admin, site=other_site, today=today)
invitation_create(
    actor=admin,
    organisation=organisation,
    email=given["invitee"],
    role=Role.VOLUNTEER,
    site=site,
    language="nl",
)

# Devices and borrowers for the lending pages: one device per journey (with and without
# JavaScript), one shown on the device page, and a resident and a school who borrow.
from lending.models import Borrower, Device

for tag in ("BROWSER-JS", "BROWSER-NOJS", "BROWSER-SHOWN"):
    Device.objects.get_or_create(
        organisation=organisation,
        asset_tag=tag,
        defaults={
            "site": site,
            "kind": Device.Kind.LAPTOP,
            "make_model": "Lenovo ThinkPad E14",
            "accessories": ["lader", "tas"],
        },
    )
for name, kind in (("Marie Peeters", "resident"), ("Basisschool De Linde", "organisation")):
    Borrower.objects.get_or_create(
        organisation=organisation, name=name, defaults={"kind": kind, "phone": "+32470123456"}
    )

# A loan ten days overdue, for the follow-up list and the printed agreement of a loan.
from datetime import timedelta

from lending.models import Loan
from lending.services import loan_checkout

if not Loan.objects.filter(device__asset_tag="BROWSER-LATE").exists():
    late, _created = Device.objects.get_or_create(
        organisation=organisation,
        asset_tag="BROWSER-LATE",
        defaults={"site": site, "kind": Device.Kind.TABLET, "make_model": "Samsung Galaxy Tab"},
    )
    resident, _created = Borrower.objects.get_or_create(
        organisation=organisation,
        name="Jan Laat",
        defaults={"kind": "resident", "phone": "+32470999888"},
    )
    loan, _token = loan_checkout(
        actor=admin, site=site, asset_tag=late.asset_tag, borrower=resident, agreement_accepted=True
    )
    Loan.objects.filter(pk=loan.pk).update(due_on=today - timedelta(days=10))

# A course at the site: a date next week for the residents' journeys, and one that starts in half
# an hour with twenty people registered, for taking attendance.
from django.utils import timezone as _tz

from learning.models import Course, Meeting, Registration, Session

course, _created = Course.objects.get_or_create(
    slug="browser-banking",
    defaults={
        "organisation": organisation,
        "title": "Veilig online bankieren (browser)",
        "summary": "Je betaalt veilig met de app van je bank.",
        "competences": ",4.2,",
        "language": "nl",
    },
)


def planned(starts, capacity):
    made = Session.objects.create(
        course=course,
        site=site,
        capacity=capacity,
        registration_closes_at=starts,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        trainer_name="Koen",
    )
    Meeting.objects.create(session=made, starts_at=made.starts_at, ends_at=made.ends_at)
    return made


if not course.sessions.exists():
    # Six days ahead at 10:00, before every demo date (a week and two weeks ahead at 14:00), so
    # that it is the first result of a search near the site whatever the time of the run.
    from datetime import datetime as _datetime
    from datetime import time as _time
    from zoneinfo import ZoneInfo as _Zone

    _day = _tz.localdate() + timedelta(days=6)
    planned(_datetime.combine(_day, _time(10, 0), tzinfo=_Zone("Europe/Brussels")), 200)
    soon = planned(_tz.now() + timedelta(minutes=30), 25)
    for n in range(20):
        Registration.objects.create(
            session=soon,
            reference=f"CBROWSER{n:02d}",
            token_hash=f"{n:064d}",
            status="confirmed",
            created_at=_tz.now(),
            name=f"Deelnemer {n + 1:02d}",
            phone=f"+324700000{n:02d}",
        )
    # Registration has closed: the residents' journeys take next week's date.
    Session.objects.filter(pk=soon.pk).update(confirmed=20, registration_closes_at=_tz.now())
soon_id = course.sessions.order_by("starts_at").first().pk


def described(s):
    return {
        "id": s.pk,
        "slug": s.slug,
        "name": s.name,
        "postal_code": s.postal_code,
        "open_dates": open_dates(s),
    }


print(
    "STAFF_JSON",
    json.dumps(
        {
            "organisation_id": organisation.pk,
            "site": described(site),
            "other_site": described(other_site),
            "course_slug": course.slug,
            "session_today_id": soon_id,
        }
    ),
)
"""


@dataclass(frozen=True)
class StaffPerson:
    email: str
    name: str
    password: str
    totp_secret: str | None  # None: no authenticator app yet


@dataclass(frozen=True)
class StaffSite:
    id: int
    slug: str
    name: str
    # Days (ISO) from 10 days ahead to the end of the four-week preview on which the site opens
    # by its regular hours, with no exception yet: a closure there is news on the public page.
    open_dates: tuple[str, ...]
    postal_code: str = ""


@dataclass(frozen=True)
class StaffData:
    """The organisation, two of its sites and the people the staff browser tests sign in as."""

    organisation_id: int
    site: StaffSite
    other_site: StaffSite
    org_admin: StaffPerson  # organisation admin of the organisation, with an app
    coordinator: StaffPerson  # coordinator of `site`, with an app
    other_coordinator: StaffPerson  # coordinator of `other_site`, with an app
    volunteer: StaffPerson  # volunteer at `site`: needs two factors but has no app yet
    course_slug: str = ""  # a course of the organisation, with a date next week at `site`
    session_today_id: int = 0  # a date of it starting in half an hour, twenty people registered


@pytest.fixture(scope="session")
def staff(server_url: str) -> StaffData:
    """Staff people and sites, created in the browser server's own database."""
    import json

    from tests.cast import PASSWORD, TOTP_SECRET

    people = {
        "org_admin": ("beheerder@example.org", "Bea Beheerder"),
        "coordinator": ("coordinator@example.org", "Koen Coördinator"),
        "other_coordinator": ("coordinator2@example.org", "Kato Coördinator"),
        "volunteer": ("vrijwilliger@example.org", "Vera Vrijwilliger"),
    }
    given = {
        "password": PASSWORD,
        "secret": TOTP_SECRET,
        "invitee": "nieuwe.helper@example.org",
        "people": {key: {"email": e, "name": n} for key, (e, n) in people.items()},
    }
    assert SERVER_ENV, "server_url did not record the server's environment"
    env = {**SERVER_ENV, "DIGIPUNT_BROWSER_STAFF": json.dumps(given)}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", _STAFF_SETUP],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("STAFF_JSON ")]
    if result.returncode != 0 or len(lines) != 1:
        raise RuntimeError(
            f"Creating the staff data failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    data = json.loads(lines[0].removeprefix("STAFF_JSON "))

    def site(raw: dict[str, Any]) -> StaffSite:
        return StaffSite(
            id=raw["id"],
            slug=raw["slug"],
            name=raw["name"],
            open_dates=tuple(raw["open_dates"]),
            postal_code=raw["postal_code"],
        )

    def person(key: str, *, device: bool = True) -> StaffPerson:
        email, name = people[key]
        return StaffPerson(email, name, PASSWORD, TOTP_SECRET if device else None)

    return StaffData(
        organisation_id=data["organisation_id"],
        site=site(data["site"]),
        other_site=site(data["other_site"]),
        org_admin=person("org_admin"),
        coordinator=person("coordinator"),
        other_coordinator=person("other_coordinator"),
        volunteer=person("volunteer", device=False),
        course_slug=data["course_slug"],
        session_today_id=data["session_today_id"],
    )


class TotpCodes:
    """Codes from each person's authenticator app, as the server will accept them.

    The server accepts a code one time step early or late, but each step only once per device
    (no replay). So a person gets the current step's code, then the next step's, and only a third
    sign-in within the same 30 seconds waits for the clock.
    """

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def code(self, person: StaffPerson) -> str:
        import pyotp

        assert person.totp_secret, f"{person.email} has no authenticator app"
        current = int(time.time() // TOTP_STEP_SECONDS)
        step = max(current, self._used.get(person.email, 0) + 1)
        if step > current + 1:
            time.sleep(max(0.0, (step - 1) * TOTP_STEP_SECONDS - time.time()) + 0.2)
        self._used[person.email] = step
        return pyotp.TOTP(person.totp_secret).at(step * TOTP_STEP_SECONDS)

    def refused(self, person: StaffPerson) -> None:
        """After a refused code (a step used elsewhere): the next code is of a step the server
        cannot have accepted yet, two steps on, which may mean waiting for the clock once."""
        current = int(time.time() // TOTP_STEP_SECONDS)
        self._used[person.email] = max(self._used.get(person.email, 0), current + 1)


@pytest.fixture(scope="session")
def totp_codes() -> TotpCodes:
    return TotpCodes()


def _staff_sign_in(page: Page, person: StaffPerson, codes: TotpCodes, language: str) -> None:
    """Email and password, then (for someone with an app) the code, as a person would."""
    page.goto(f"/{language}/staff/login/")
    page.locator("#id_email").fill(person.email)
    page.locator("#id_password").fill(person.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if person.totp_secret is None:
        return
    code_path = f"/{language}/staff/login/code/"
    assert urlsplit(page.url).path == code_path, f"Not asked for a code: {page.url}"
    for _attempt in range(2):
        page.locator("#id_code").fill(codes.code(person))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        if urlsplit(page.url).path != code_path:
            return
        # Refused: most likely a step used just before, at the 30 s boundary. Once more, with the
        # code of a later step.
        codes.refused(person)
    pytest.fail(f"The code was refused twice for {person.email}")


@pytest.fixture(scope="session")
def staff_sign_in(totp_codes: TotpCodes) -> Callable[..., None]:
    """`staff_sign_in(page, person, language="nl")`: signs in through the login pages."""

    def sign_in(page: Page, person: StaffPerson, language: str = "nl") -> None:
        _staff_sign_in(page, person, totp_codes, language)

    return sign_in


@pytest.fixture(scope="session")
def staff_state(
    browser: Browser, server_url: str, totp_codes: TotpCodes
) -> Callable[[StaffPerson], dict[str, Any]]:
    """`staff_state(person)`: a signed-in browser state (cookies), for `open_page(storage_state=)`.

    Each person signs in through the real pages once per session; the tests then start from their
    cookies. Signing in anew for every test would cost a fresh TOTP step (30 s) each time, as the
    server never accepts a step twice. Tests using this must not sign out.
    """
    states: dict[str, dict[str, Any]] = {}

    def state(person: StaffPerson) -> dict[str, Any]:
        if person.email not in states:
            page, problems = _open_page(browser, server_url, javascript=True)
            try:
                _staff_sign_in(page, person, totp_codes, "nl")
                states[person.email] = page.context.storage_state()
            finally:
                _close_page(page, problems)
        return states[person.email]

    return state
