"""A resident books an appointment and cancels it in a real browser, with JavaScript on and off,
and the staff agenda shows it; axe-core finds nothing on the booking pages, the confirmation, the
manage page and the agenda (Dutch, 320 px and desktop).

Controls are found by name, value, class and href rather than by their words, so the journeys hold
whatever the translation catalogues say.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import REPO_ROOT, SERVER_ENV

if TYPE_CHECKING:
    from tests.browser.conftest import StaffData, StaffPerson

pytestmark = pytest.mark.browser

axe = Axe()
BRUSSELS = ZoneInfo("Europe/Brussels")
WIDTHS = (320, 1280)

# Runs inside `manage.py shell` on the browser server's database: online booking on at the staff
# site, and one appointment booked by staff (from tomorrow on) for the pages that need one.
# Prints one line: BOOKING_JSON <json>.
_BOOKING_SETUP = r"""
import json
import os
from datetime import timedelta

from django.utils import timezone

from appointments.models import BookingSettings
from appointments.public.forms import slot_code
from appointments.services import appointment_book
from appointments.slots import bookable_slots
from network.models import Site, Theme

site = Site.objects.get(pk=int(os.environ["DIGIPUNT_BROWSER_SITE"]))
settings, _created = BookingSettings.objects.update_or_create(
    site=site,
    defaults={
        "is_enabled": True,
        "slot_minutes": 30,
        "capacity": 20,
        "days_ahead": 28,
        "min_notice_hours": 2,
    },
)
today = timezone.localdate()
slots = bookable_slots(site, settings, today + timedelta(days=1), today + timedelta(days=28))
assert slots, "The staff site has no bookable slots in the next four weeks"
appointment, token = appointment_book(
    actor=None,
    site=site,
    starts_at=slots[0].starts_at,
    name="Axel Toegankelijk",
    phone="0470 12 34 56",
    email="",
    theme=Theme.objects.order_by("position").first(),
    language="nl",
    by_staff=True,
)
print(
    "BOOKING_JSON",
    json.dumps(
        {
            "slug": site.slug,
            "token": token,
            "reference": appointment.reference,
            "date": timezone.localdate(appointment.starts_at).isoformat(),
            "code": slot_code(appointment.starts_at),
        }
    ),
)
"""


@dataclass(frozen=True)
class Booking:
    """The staff site with online booking on, and one appointment booked there."""

    site_id: int
    slug: str
    token: str
    reference: str
    date: str


@pytest.fixture(scope="module")
def booking(staff: StaffData) -> Booking:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", _BOOKING_SETUP],
        cwd=REPO_ROOT,
        env={**SERVER_ENV, "DIGIPUNT_BROWSER_SITE": str(staff.site.id)},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BOOKING_JSON ")]
    assert result.returncode == 0, result.stderr[-4000:]
    assert len(lines) == 1, result.stdout[-4000:]
    data = json.loads(lines[0].removeprefix("BOOKING_JSON "))
    return Booking(
        site_id=staff.site.id,
        slug=data["slug"],
        token=data["token"],
        reference=data["reference"],
        date=data["date"],
    )


def _navigate(page: Page, click: Callable[[], None]) -> None:
    with page.expect_navigation():
        click()


def _choose_first_free_time(page: Page) -> str:
    """On step 1: the first free time (going to later weeks if this one is full); its code."""
    for _week in range(5):
        radios = page.locator("form.booking input[type=radio][name=time]")
        if radios.count():
            first = radios.first
            page.locator("form.booking label.slot").first.click()
            expect(first).to_be_checked()
            return first.get_attribute("value") or ""
        _navigate(page, lambda: page.locator("nav.pager a[rel=next]").click())
    pytest.fail("No free time in five weeks on the booking page")


def _local_date(code: str) -> str:
    moment = datetime.strptime(code, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    return moment.astimezone(BRUSSELS).date().isoformat()


def _agenda_path(booking: Booking, date: str) -> str:
    return f"/nl/staff/sites/{booking.site_id}/appointments/?date={date}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_resident_books_sees_the_reference_and_cancels_through_the_link(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    booking: Booking,
    javascript: bool,
) -> None:
    page = open_page(javascript=javascript)
    page.goto(f"/nl/digipunt/{booking.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    _navigate(page, lambda: page.locator(f"a[href='/nl/digipunt/{booking.slug}/book/']").click())

    code = _choose_first_free_time(page)
    _navigate(page, lambda: page.locator("form.booking button[type=submit]").click())
    assert f"time={code}" in page.url
    name = f"Rosa {'Script' if javascript else 'Zonder'}"
    page.locator("#id_name").fill(name)
    page.locator("#id_phone").fill("0470 12 34 56")
    _navigate(page, lambda: page.locator("button[name=book]").click())

    # The confirmation is the answer to the booking: the secret link is on the page, never in
    # the address the browser went to (access logs, history).
    assert urlsplit(page.url).path.endswith("/book/"), page.url
    assert "/appointments/" not in page.url
    reference = page.locator(".reference").inner_text().strip()
    assert len(reference) == 6, reference
    expect(page.locator(".appointment-summary")).to_contain_text(reference)

    # The coordinator's agenda of that day lists the appointment.
    agenda = open_page(storage_state=staff_state(staff.coordinator))
    agenda.goto(_agenda_path(booking, _local_date(code)))
    item = agenda.locator("li.agenda-item", has_text=reference)
    expect(item).to_contain_text(name)
    expect(item).to_have_class("agenda-item status-booked")

    _navigate(page, lambda: page.locator("a.manage-link").click())
    expect(page.locator(".reference")).to_have_text(reference)
    _navigate(page, lambda: page.locator("form:has(input[value=cancel]) button").click())
    _navigate(page, lambda: page.locator("button[name=confirm][value=yes]").click())
    assert "done=cancelled" in page.url
    expect(page.locator(".appointment-summary .status-cancelled")).to_be_visible()
    expect(page.locator("form:has(input[value=cancel])")).to_have_count(0)

    agenda.reload()
    expect(agenda.locator("li.agenda-item", has_text=reference)).to_have_class(
        "agenda-item status-cancelled"
    )


# -- accessibility ---------------------------------------------------------------------------------


def _step_one(page: Page, booking: Booking) -> None:
    page.goto(f"/nl/digipunt/{booking.slug}/book/")


def _details(page: Page, booking: Booking) -> None:
    _step_one(page, booking)
    _choose_first_free_time(page)
    _navigate(page, lambda: page.locator("form.booking button[type=submit]").click())


def _details_with_errors(page: Page, booking: Booking) -> None:
    _details(page, booking)
    page.locator("#id_phone").fill("123")
    _navigate(page, lambda: page.locator("button[name=book]").click())
    expect(page.locator("main [role=alert]")).to_be_visible()


def _confirmation(page: Page, booking: Booking) -> None:
    _details(page, booking)
    # Each run books as someone else (one person books a time once).
    number = random.randrange(10_000)
    page.locator("#id_name").fill("Rosa Toegankelijk")
    page.locator("#id_phone").fill(f"0471 11 {number // 100:02d} {number % 100:02d}")
    _navigate(page, lambda: page.locator("button[name=book]").click())
    expect(page.locator(".reference")).to_be_visible()


def _manage(page: Page, booking: Booking) -> None:
    page.goto(f"/nl/appointments/{booking.token}/")


def _manage_confirm_cancel(page: Page, booking: Booking) -> None:
    _manage(page, booking)
    _navigate(page, lambda: page.locator("form:has(input[value=cancel]) button").click())
    expect(page.locator("button[name=confirm]")).to_be_visible()


def _manage_move(page: Page, booking: Booking) -> None:
    page.goto(f"/nl/appointments/{booking.token}/?move=1")


def _unknown_link(page: Page, booking: Booking) -> None:
    page.goto("/nl/appointments/no-such-link/")


PAGES: dict[str, Callable[[Page, Booking], None]] = {
    "book": _step_one,
    "details": _details,
    "details-errors": _details_with_errors,
    "confirmation": _confirmation,
    "manage": _manage,
    "manage-cancel": _manage_confirm_cancel,
    "manage-move": _manage_move,
    "unknown-link": _unknown_link,
}
CASES = [(kind, width) for kind in [*PAGES, "agenda"] for width in WIDTHS]


@pytest.mark.parametrize(("kind", "width"), CASES, ids=[f"{k}-{w}px" for k, w in CASES])
def test_no_axe_violations_and_no_sideways_scrolling(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    booking: Booking,
    kind: str,
    width: int,
) -> None:
    height = 640 if width < 400 else 900
    if kind == "agenda":
        page = open_page(width=width, height=height, storage_state=staff_state(staff.coordinator))
        page.goto(_agenda_path(booking, booking.date))
        expect(page.locator("li.agenda-item", has_text=booking.reference)).to_be_visible()
    else:
        page = open_page(width=width, height=height)
        PAGES[kind](page, booking)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_be_visible()

    results = axe.run(page)

    assert results.violations_count == 0, f"{kind} ({page.url}) at {width} px:\n" + (
        results.generate_report()
    )
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{kind} ({page.url}) scrolls sideways at {width} px"
