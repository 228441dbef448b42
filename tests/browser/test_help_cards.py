"""Help cards in a real browser: a helper sends a card from the registration of a visit (with
JavaScript and without); a card prints on one page, A4 or A5, in Dutch, French and English
(Chromium's PDF, pages counted); axe-core on the public card pages, on a phone and a desktop."""

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


def _pdf_pages(page: Page) -> int:
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_helper_sends_a_help_card_from_a_registration(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    javascript: bool,
) -> None:
    page = open_page(javascript=javascript, storage_state=staff_state(staff.coordinator))
    page.goto(f"/en/staff/sites/{staff.site.id}/contacts/new/")
    page.locator("fieldset.choices.wide label.choice").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    entry = page.locator("section[aria-labelledby=h-entries] ul.entries > li").first
    with page.expect_navigation():
        entry.get_by_role("link", name=re.compile("Send a help card")).click()

    expect(page.locator("h1")).to_have_text("Send a help card")
    page.locator("#id_card").select_option(index=1)
    page.locator("#id_phone").fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    expect(page.locator("main .errorlist").first).to_be_visible()
    page.locator("#id_phone").fill("")
    page.locator("#id_email").fill("resident@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    expect(page.locator("[role=status]")).to_contain_text("The help card is sent.")


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_help_card_prints_on_one_page(
    open_page: Callable[..., Page], server_url: str, language: str, paper: str
) -> None:
    page = open_page()
    page.goto(f"/{language}/help-cards/demo-phishing/?paper={paper}")
    expect(page.locator("article.help-card ol.steps li")).to_have_count(5)

    assert _pdf_pages(page) == 1


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_help_card_pages_have_no_axe_violations(
    open_page: Callable[..., Page], server_url: str, language: str, width: int
) -> None:
    page = open_page(width=width, height=640 if width < 400 else 900)
    for path in (
        "/help-cards/",
        "/help-cards/demo-itsme/",
        "/help-cards/demo-ebox/",
        "/skills-check/",
    ):
        page.goto(f"/{language}{path}")
        results = axe.run(page)
        assert results.violations_count == 0, (
            f"{path} {language} {width}:\n{results.generate_report()}"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= max(width, 320)


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_self_check_and_its_result_have_no_axe_violations(
    open_page: Callable[..., Page], server_url: str, language: str, width: int
) -> None:
    page = open_page(width=width, height=640 if width < 400 else 900)
    page.goto(f"/{language}/skills-check/")
    page.locator("form.self-check button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main [role=alert]")).to_be_visible()
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    for group in page.locator("form.self-check fieldset").all():
        group.locator("label.choice").nth(1).click()
    with page.expect_navigation():
        page.locator("form.self-check button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= max(width, 320)
