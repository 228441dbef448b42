"""Issue 13's journey in a real browser, with JavaScript on and off: a coordinator finds a device
by its tag at the lending desk, lends it, renews the loan, takes the device back and records its
wipe; the device is available only then. The borrower opens their private loan page, which axe
checks in Dutch, French and English, narrow and wide. The rules behind each step have their own
server-side tests (tests/lending/); this file checks that the pages work together."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from tests.browser.conftest import StaffData, StaffPerson

pytestmark = pytest.mark.browser

axe = Axe()


def _press(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _choose_borrower(page: Page, name: str) -> None:
    value = page.locator("#id_borrower option", has_text=name).first.get_attribute("value")
    assert value, f"{name} is not offered"
    page.get_by_label("Ontlener", exact=True).select_option(value)


def _no_axe_violations(page: Page, where: str) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, f"{where} ({page.url}):\n{results.generate_report()}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_device_is_lent_renewed_taken_back_and_wiped_before_it_is_lent_again(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    javascript: bool,
) -> None:
    tag = "BROWSER-JS" if javascript else "BROWSER-NOJS"
    page = open_page(javascript=javascript, storage_state=staff_state(staff.coordinator))
    page.goto(f"/nl/staff/sites/{staff.site.id}/lending/")

    # The desk: the tag as a scanner types it (then Enter).
    page.get_by_label("Scan of typ het label op het toestel").fill(tag.lower())
    with page.expect_navigation():
        page.get_by_label("Scan of typ het label op het toestel").press("Enter")
    expect(page.locator("h1")).to_contain_text(tag)
    expect(page.locator("main")).to_contain_text("Beschikbaar")

    # Lend it to a resident who accepts the agreement.
    _choose_borrower(page, "Marie Peeters")
    page.get_by_label(re.compile("leenovereenkomst")).check()
    _press(page, "Dit toestel uitlenen")
    expect(page.locator("main")).to_contain_text("/loans/")
    link = page.locator("main a[href*='/loans/']").first.get_attribute("href")
    assert link

    # Renew, then take it back with everything; it now waits for its wipe.
    _press(page, re.compile("dagen extra|dag extra"))
    expect(page.locator("main")).to_contain_text("1 / 1")
    _press(page, "Terugnemen")
    expect(page.locator("main")).to_contain_text("kan pas uitgeleend worden")

    # The desk refuses to lend it before the wipe.
    page.goto(f"/nl/staff/sites/{staff.site.id}/lending/lend/?tag={tag}")
    _choose_borrower(page, "Marie Peeters")
    page.get_by_label(re.compile("leenovereenkomst")).check()
    _press(page, "Dit toestel uitlenen")
    expect(page.locator("main .errorlist")).to_contain_text("gewist")

    # Record the wipe: available again.
    page.goto(f"/nl/staff/sites/{staff.site.id}/lending/?tag={tag}")
    page.get_by_label(re.compile("Hoe is het gewist")).select_option("factory_reset")
    _press(page, re.compile("gewist"))
    expect(page.locator("main")).to_contain_text("Beschikbaar")

    # The borrower's private page, without an account.
    borrower = open_page(javascript=javascript)
    borrower.goto(link)
    expect(borrower.locator("h1")).to_be_visible()
    expect(borrower.locator("main")).to_contain_text(tag)


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_private_loan_page_has_no_axe_violations(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    language: str,
    width: int,
) -> None:
    desk = open_page(storage_state=staff_state(staff.coordinator))
    desk.goto(f"/{language}/staff/sites/{staff.site.id}/lending/lend/?tag=BROWSER-SHOWN")
    desk.locator("#id_borrower").select_option(index=1)
    desk.locator("#id_agreement").check()
    with desk.expect_navigation():
        desk.locator("main form[method=post] button[type=submit]").last.click()
    link = desk.locator("main a[href*='/loans/']").first.get_attribute("href")
    assert link, desk.content()[:2000]
    # Back, so that the next case can lend it again (taken back and wiped at the desk).
    desk.locator("#id_wipe_method").select_option("factory_reset")
    with desk.expect_navigation():
        desk.locator("main form[action$='/return/'] button[type=submit]").click()

    page = open_page(width=width, height=640 if width < 400 else 900)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", language)
    _no_axe_violations(page, f"private loan page, {language}, {width} px")
    assert page.evaluate("document.documentElement.scrollWidth") <= max(width, 320)
