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


def _choose_borrower(page: Page, name: str, *, search: bool = False) -> None:
    """Tick the borrower in the lending form; with `search`, find them by name first."""
    if search:
        page.get_by_label("Zoek de ontlener").fill(name.split()[-1].lower())
        _press(page, re.compile(r"^Zoek$"))
    page.get_by_label(re.compile(re.escape(name))).check()


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

    # Lend it to a resident (found by a search) who accepts the agreement.
    _choose_borrower(page, "Marie Peeters", search=True)
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
    desk.locator("input[name=borrower]").first.check()
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


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_csv_file_of_devices_is_uploaded_with_its_progress_shown(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    javascript: bool,
    tmp_path: Any,
) -> None:
    prefix = "UPJS" if javascript else "UPNOJS"
    rows = "".join(f"{prefix}-{n:04d},tablet,Samsung Galaxy Tab A9,,,,,,\n" for n in range(400))
    bad = rows + f"{prefix}-BAD,fridge,X,,,,,,\n"
    header = (
        "asset_tag,kind,make_model,serial_number,source,source_note,accessories,condition,notes\n"
    )
    page = open_page(javascript=javascript, storage_state=staff_state(staff.coordinator))
    page.goto(f"/nl/staff/sites/{staff.site.id}/lending/devices/import/")

    def send(name: str) -> None:
        page.locator("input[type=file]").set_input_files(str(tmp_path / name))
        if javascript:
            # Sent by the script (an XHR, so it can show the progress), which then shows the
            # answer in place.
            with page.expect_request(lambda request: request.method == "POST") as sent:
                page.get_by_role("button", name="Nakijken en toevoegen").click()
            assert sent.value.resource_type == "xhr"
        else:
            _press(page, "Nakijken en toevoegen")

    # One bad row among 400: nothing added, the row named.
    (tmp_path / "bad.csv").write_text(header + bad, encoding="utf-8")
    send("bad.csv")
    expect(page.locator("main [role=alert]")).to_contain_text("402")
    # The answer replaced the page as a normal post would: the form works again.
    expect(page.locator("progress")).to_be_hidden()

    (tmp_path / "good.csv").write_text(header + rows, encoding="utf-8")
    send("good.csv")
    expect(page.locator("main table")).to_be_visible()
    expect(page.locator("main")).to_contain_text("400")
    assert page.url.endswith("/lending/devices/"), page.url
    expect(page.locator("main table")).to_contain_text(f"{prefix}-0399")


def _pdf_pages(page: Page) -> int:
    """How many pages Chromium prints the page on (A4, with the page's own print styles)."""
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_loans_agreement_prints_on_one_a4_page(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    language: str,
) -> None:
    page = open_page(storage_state=staff_state(staff.coordinator))
    page.goto(f"/{language}/staff/sites/{staff.site.id}/lending/follow-up/")
    with page.expect_navigation():
        page.locator("main ol.entries h2 a").first.click()
    with page.expect_navigation():
        page.locator("main a[href$='/agreement/']").first.click()
    page.goto(f"{page.url}?lang={language}")
    expect(page.locator("main article.agreement")).to_contain_text("BROWSER-LATE")

    assert _pdf_pages(page) == 1


def test_the_qr_labels_print_one_sheet_per_a4_page(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
) -> None:
    page = open_page(storage_state=staff_state(staff.coordinator))
    # The smallest labels (65 per sheet) with all but two places used: the site's devices
    # need a second sheet.
    page.goto(f"/nl/staff/sites/{staff.site.id}/lending/devices/labels/?layout=L7651&skip=63")
    sheets = page.locator("main .sheet")
    count = sheets.count()

    assert count >= 2
    assert _pdf_pages(page) == count
