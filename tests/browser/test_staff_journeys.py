"""What a coordinator does on the staff side, in a real browser, with JavaScript on and off.

Issue 3's journey: sign in with two factors, add opening hours and a closure in the hours editor,
check the preview, save, and find both on the public page of the Digipunt. With JavaScript on, the
sign-in is done with the keyboard alone (Tab, typing, Space and Enter): staff forms must work
without a mouse. The rules behind each step (permissions, throttling, validation, the audit trail)
have their own server-side tests; this file checks that the pages work together in a browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from tests.browser.conftest import StaffData, StaffPerson, StaffSite, TotpCodes

pytestmark = pytest.mark.browser

REASON = "Inventaris"
SATURDAY = 5
SATURDAY_HOURS = re.compile(r"10:00\s*–\s*12:00")
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
# Enough Tab presses to pass the skip link, the header and the language links.
MAX_TABS = 40


def _day_nl(day: date) -> str:
    """A day as the pages write it in Dutch: "maandag 7 december"."""
    return f"{WEEKDAYS_NL[day.weekday()]} {day.day} {MONTHS_NL[day.month - 1]}"


def _focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def _tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element with this id has the focus, as a keyboard user would."""
    for _ in range(MAX_TABS):
        if _focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} never got the focus with Tab (now on #{_focused_id(page)!r})")


def _sign_in_with_the_keyboard(page: Page, person: StaffPerson, codes: TotpCodes) -> None:
    """Email, password and code typed; fields reached with Tab; the buttons pressed with Space
    (the login form) and Enter (the code form)."""
    page.goto("/nl/staff/login/")
    _tab_to(page, "id_email")
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_password"
    page.keyboard.type(person.password)
    page.keyboard.press("Tab")
    expect(page.locator("main form button[type=submit]")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Space")
    code_path = "/nl/staff/login/code/"
    assert urlsplit(page.url).path == code_path, page.url
    for _attempt in range(2):
        _tab_to(page, "id_code")
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.type(codes.code(person))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if urlsplit(page.url).path != code_path:
            return
        # Refused (a step just used, at the 30 s boundary): once more with a later step's code.
        codes.refused(person)
    pytest.fail("The code from the app was refused twice")


def _first_empty_row(page: Page, prefix: str) -> int:
    """Index of the first extra (empty) line of a formset: right after the saved lines."""
    return int(page.locator(f"#id_{prefix}-INITIAL_FORMS").input_value())


def _add_saturday_and_closure(page: Page, closure: date) -> None:
    row = _first_empty_row(page, "periods")
    expect(page.locator(f"#id_periods-{row}-weekday")).to_have_value("")
    page.locator(f"#id_periods-{row}-weekday").select_option(str(SATURDAY))
    page.locator(f"#id_periods-{row}-opens").fill("10:00")
    page.locator(f"#id_periods-{row}-closes").fill("12:00")
    expect(page.locator(f"#id_periods-{row}-recurrence")).to_have_value("weekly")

    row = _first_empty_row(page, "exceptions")
    expect(page.locator(f"#id_exceptions-{row}-start")).to_have_value("")
    page.locator(f"#id_exceptions-{row}-start").fill(closure.isoformat())
    page.locator(f"#id_exceptions-{row}-closed_0").check()  # "closed all day"
    expect(page.locator(f"#id_exceptions-{row}-closed_0")).to_have_value("closed")
    page.locator(f"#id_exceptions-{row}-reason").fill(REASON)


def _saturday_rows(scope: Locator) -> list[tuple[str, str]]:
    """(date heading, hours) of every Saturday row in the hours tables of `scope`."""
    rows = scope.locator("table.hours tr", has=scope.page.locator("th", has_text="zaterdag"))
    return [(row.locator("th").inner_text(), row.locator("td").inner_text()) for row in rows.all()]


def _assert_saturday_hours(scope: Locator) -> None:
    rows = _saturday_rows(scope)
    assert rows, "No Saturday in the shown weeks"
    # A Saturday that is a public holiday (or another closure) shows why instead of hours.
    regular = [(day, hours) for day, hours in rows if "(" not in hours]
    assert regular, f"Every Saturday shown is an exception: {rows}"
    for day, hours in regular:
        assert SATURDAY_HOURS.search(hours), f"{day}: {hours!r}, not 10:00 – 12:00"


JOURNEYS = {
    # JavaScript on: signed in with the keyboard alone; JavaScript off: with the mouse.
    "js": ("coordinator", "site", True),
    "nojs": ("other_coordinator", "other_site", False),
}


@pytest.mark.parametrize("journey", JOURNEYS)
def test_coordinator_adds_hours_and_a_closure_and_the_public_page_shows_them(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_sign_in: Callable[..., None],
    totp_codes: TotpCodes,
    journey: str,
) -> None:
    who, where, javascript = JOURNEYS[journey]
    person: StaffPerson = getattr(staff, who)
    site: StaffSite = getattr(staff, where)
    # A day the site would be open, 10 days ahead or a little later, within the preview's weeks.
    closure = date.fromisoformat(site.open_dates[0])
    page = open_page(javascript=javascript)

    # 1. Two factors: password, then the code from the app. A coordinator of one site lands on
    #    that site's page.
    if javascript:
        _sign_in_with_the_keyboard(page, person, totp_codes)
    else:
        staff_sign_in(page, person)
    assert urlsplit(page.url).path == f"/nl/staff/sites/{site.id}/", page.url
    expect(page.locator("h1")).to_have_text(site.name)

    # 2. The hours editor, from the site's page.
    hours_path = f"/nl/staff/sites/{site.id}/hours/"
    with page.expect_navigation():
        page.locator(f"main a[href='{hours_path}']").click()
    assert urlsplit(page.url).path == hours_path
    _add_saturday_and_closure(page, closure)

    # 3. The preview shows the closure and the new Saturday hours; nothing is saved yet.
    with page.expect_navigation():
        page.locator("button[name=preview]").click()
    assert urlsplit(page.url).path == hours_path
    expect(page.locator("[role=alert]")).to_have_count(0)
    preview = page.locator("#preview")
    expect(preview).to_be_visible()
    expect(preview.locator("li", has_text=REASON)).to_have_text(f"{_day_nl(closure)}: {REASON}")
    expect(
        preview.locator("table.hours tr", has=page.locator("th", has_text=_day_nl(closure)))
    ).to_contain_text(REASON)
    _assert_saturday_hours(preview)

    # 4. Save: back on the site's page, which lists the closure among the next ones.
    with page.expect_navigation():
        page.locator("button[name=save]").first.click()
    assert urlsplit(page.url).path == f"/nl/staff/sites/{site.id}/", page.url
    expect(page.locator("main .notice[role=status]")).to_be_visible()
    expect(page.locator("section[aria-labelledby=h-closures] li", has_text=REASON)).to_have_text(
        f"{_day_nl(closure)}: {REASON}"
    )

    # 5. The public page, in the same browser, from the site page's link.
    public_path = f"/nl/digipunt/{site.slug}/"
    with page.expect_navigation():
        page.locator(f"main a[href='{public_path}']").click()
    assert urlsplit(page.url).path == public_path
    hours = page.locator("section[aria-labelledby=h-hours]")
    expect(hours.locator("h3")).to_have_text("Gesloten op")
    expect(hours.locator("h3 + ul > li", has_text=REASON)).to_have_text(
        f"{_day_nl(closure)}: {REASON}"
    )
    _assert_saturday_hours(hours)
    # The public page is not a staff page: no staff menu there.
    expect(page.locator("nav.staff-nav")).to_have_count(0)
