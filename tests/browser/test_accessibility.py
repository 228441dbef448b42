"""Accessibility: axe-core finds nothing on the finder's pages, in every language, narrow and wide,
and the Content-Security-Policy blocks nothing on them.

Every <details> is opened before axe runs, so the filter controls (closed by default) are checked
too. At 320 px (WCAG 1.4.10 Reflow) nothing may scroll sideways.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_csp_violations

pytestmark = pytest.mark.browser

LANGUAGES = ("nl", "fr", "en")
WIDTHS = (320, 1280)
# "choice": a name only villages bear (Haren); "namesakes": a town with a namesake village (Aalst).
PAGES = ("home", "results", "choice", "namesakes", "site", "privacy")

axe = Axe()


def _path(kind: str, language: str, first_site_path: str) -> str:
    if kind == "home":
        return f"/{language}/"
    if kind == "results":
        return f"/{language}/search/?q=9000"
    if kind == "choice":
        return f"/{language}/search/?q=Haren"
    if kind == "namesakes":
        return f"/{language}/search/?q=Aalst"
    if kind == "privacy":
        return f"/{language}/privacy/"
    return f"/{language}{first_site_path}"


def _load(page: Page, path: str, language: str) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, (path, response.status)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_be_visible()
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGES)
def test_no_axe_violations(
    open_page: Callable[..., Page], first_site_path: str, kind: str, language: str, width: int
) -> None:
    page = open_page(width=width)
    path = _path(kind, language, first_site_path)
    _load(page, path, language)
    results = axe.run(page)
    assert results.violations_count == 0, f"{path} at {width} px:\n{results.generate_report()}"
    assert_no_csp_violations(page, f"{path} at {width} px")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGES)
def test_no_horizontal_scroll_at_320px(
    open_page: Callable[..., Page], first_site_path: str, kind: str, language: str
) -> None:
    page = open_page(width=320, height=640)
    path = _path(kind, language, first_site_path)
    _load(page, path, language)
    # WCAG 1.4.10 reflow: the language links must wrap and long e-mail addresses must break.
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 320:
        culprits = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > 320.5)
                .slice(0, 8)
                .map((el) => el.outerHTML.slice(0, 160))"""
        )
        pytest.fail(f"{path} scrolls sideways at 320 px (scrollWidth {width}): {culprits}")


def test_skip_link_is_first_and_moves_focus_to_the_content(any_page: Page) -> None:
    page = any_page
    page.goto("/nl/search/?q=9000")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None, "The skip link has no box when focused"
    assert box["x"] >= 0, "The skip link stays off-screen when focused"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab goes into the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
