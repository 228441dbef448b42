"""Issue 14's journeys in a real browser: a resident finds a course near them, registers without
an account and cancels through the private link (with JavaScript and without); a trainer takes
attendance of twenty people on a tablet. axe-core checks every page of the resident's journey in
Dutch, French and English, on a phone and a desktop."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from tests.browser.conftest import StaffData, StaffPerson

pytestmark = pytest.mark.browser

axe = Axe()
TITLE = "Veilig online bankieren (browser)"


def _press(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _no_axe_violations(page: Page, where: str) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, f"{where} ({page.url}):\n{results.generate_report()}"


def _to_registration(page: Page, staff: StaffData, language: str) -> None:
    """From the course finder, by the site's postal code, to the next date's registration."""
    page.goto(f"/{language}/courses/")
    page.locator("#id_q").fill(staff.site.postal_code)
    with page.expect_navigation():
        page.locator("form.course-search button[type=submit]").click()
    card = page.locator("ol.courses li", has_text=TITLE).first
    expect(card).to_be_visible()
    with page.expect_navigation():
        card.locator("a[href*='/register/']").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_resident_finds_a_course_registers_and_cancels(
    open_page: Callable[..., Page], staff: StaffData, javascript: bool
) -> None:
    page = open_page(javascript=javascript, width=390, height=844)
    _to_registration(page, staff, "nl")
    expect(page.locator("h1")).to_contain_text(TITLE)

    # A phone number that is not one: the message, and what was typed stays.
    page.locator("#id_name").fill("Marie Peeters")
    page.locator("#id_phone").fill("12")
    _press(page, re.compile("^Inschrijven$|^Zet me op de wachtlijst$"))
    expect(page.locator("main [role=alert]")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("Marie Peeters")

    name = f"Resident {'js' if javascript else 'nojs'} {time.time_ns() % 100000}"
    page.locator("#id_name").fill(name)
    page.locator("#id_phone").fill("0470 12 34 56")
    _press(page, re.compile("^Inschrijven$|^Zet me op de wachtlijst$"))
    link = page.locator("main a[href*='/courses/registration/']").first.get_attribute("href")
    assert link

    mine = open_page(javascript=javascript)
    mine.goto(link)
    _press(mine, re.compile("annuleer", re.I))
    expect(mine.locator("main [role=status]")).to_be_visible()


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_residents_course_pages_have_no_axe_violations(
    open_page: Callable[..., Page], staff: StaffData, language: str, width: int
) -> None:
    page = open_page(width=width, height=640 if width < 400 else 900)
    page.goto(f"/{language}/courses/")
    _no_axe_violations(page, f"course finder, {language}, {width} px")
    _to_registration(page, staff, language)
    results_url = page.url
    _no_axe_violations(page, f"registration, {language}, {width} px")
    # The form with its errors.
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main [role=alert]")).to_be_visible()
    _no_axe_violations(page, f"registration with errors, {language}, {width} px")
    page.goto(f"/{language}/courses/{staff.course_slug}/")
    _no_axe_violations(page, f"course page, {language}, {width} px")
    page.goto(results_url)
    page.locator("#id_name").fill(f"Axe {language} {width}")
    page.locator("#id_email").fill(f"axe-{language}-{width}@example.org")
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    _no_axe_violations(page, f"registered, {language}, {width} px")
    link = page.locator("main a[href*='/courses/registration/']").first.get_attribute("href")
    assert link
    page.goto(link)
    _no_axe_violations(page, f"own registration, {language}, {width} px")
    page.goto(f"/{language}/courses/registration/unknown/")
    _no_axe_violations(page, f"unknown link, {language}, {width} px")
    assert page.evaluate("document.documentElement.scrollWidth") <= max(width, 320)


def test_a_trainer_takes_attendance_of_twenty_on_a_tablet(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
) -> None:
    page = open_page(width=820, height=1180, storage_state=staff_state(staff.coordinator))
    page.goto(f"/nl/staff/sites/{staff.site.id}/courses/dates/{staff.session_today_id}/")
    boxes = page.locator("form.attendance input[type=checkbox]")
    expect(boxes).to_have_count(20)
    _no_axe_violations(page, "roster")

    # Twenty taps and one to save: every box is a large target.
    for n in range(20):
        box = boxes.nth(n)
        size = box.locator("xpath=..").bounding_box()
        assert size is not None
        assert size["height"] >= 44
        box.locator("xpath=..").click()
    _press(page, "Aanwezigheden bewaren")

    expect(page.locator("main [role=status], main .messages").first).to_be_visible()
    checked = page.locator("form.attendance input[type=checkbox]:checked")
    expect(checked).to_have_count(20)
