"""The evidence pages in a real browser: a network analyst picks a scope and months without
JavaScript, reads the charts and their tables and downloads one as CSV; axe-core finds nothing on
the dashboard, coverage and the funding cliff (Dutch, 320 and 1280 px) nor on the public report
(Dutch, French, English at both widths); the report prints on A4 without the site's navigation.

The demo network (loaded by the browser server) has contacts and refreshed rollups; the analyst,
a network-wide role without personal data (so without a second factor), is added here.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import REPO_ROOT, SERVER_ENV, StaffPerson, assert_no_csp_violations
from tests.cast import PASSWORD

if TYPE_CHECKING:
    from tests.browser.conftest import StaffData

pytestmark = pytest.mark.browser

axe = Axe()
WIDTHS = (320, 1280)

_ANALYST_SETUP = r"""
from accounts.models import Membership, Role, User

user = User.objects.filter(email="analist@example.org").first()
if user is None:
    user = User.objects.create_user(
        email="analist@example.org", password=__PASSWORD__, full_name="Ali Analist"
    )
Membership.objects.get_or_create(user=user, organisation=None, site=None, role=Role.ANALYST)
print("ANALYST_OK")
"""


@pytest.fixture(scope="module")
def analyst(staff: StaffData) -> StaffPerson:
    """A network analyst in the browser server's database (after the staff data)."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            _ANALYST_SETUP.replace("__PASSWORD__", repr(PASSWORD)),
        ],
        cwd=REPO_ROOT,
        env=SERVER_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "ANALYST_OK" in result.stdout, result.stdout[-2000:]
    return StaffPerson("analist@example.org", "Ali Analist", PASSWORD, None)


def _months_before(today: date, n: int) -> str:
    index = today.year * 12 + today.month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _charts_have_text_and_tables(page: Page) -> int:
    """Every chart is an image named by its title (and described), with its table after it."""
    figures = page.locator("main figure.evidence")
    charts = 0
    for n in range(figures.count()):
        figure = figures.nth(n)
        if figure.locator("svg").count() == 0:
            expect(figure.locator("table")).to_have_count(1)
            continue
        charts += 1
        svg = figure.locator("svg").first
        expect(svg).to_have_attribute("role", "img")
        assert svg.locator("title").first.text_content().strip()
        assert svg.locator("desc").count() == 1
        name = svg.evaluate(
            "(el) => (el.getAttribute('aria-labelledby') || '').split(' ')"
            ".map((id) => document.getElementById(id)?.textContent || '').join(' ').trim()"
        )
        assert name, "the chart has no accessible name"
        after = figure.evaluate(
            "(f) => { const s = f.querySelector('svg'), t = f.querySelector('table');"
            " return !!(s && t && (s.compareDocumentPosition(t)"
            " & Node.DOCUMENT_POSITION_FOLLOWING)); }"
        )
        assert after, "the chart's table does not follow it"
    return charts


def _open_details(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


def _no_axe_violations(page: Page, where: str) -> None:
    _open_details(page)
    results = axe.run(page)
    assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"
    assert_no_csp_violations(page, where)


def _no_sideways_scroll(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{where} scrolls sideways ({width} px)"


# --- the analyst's journey -----------------------------------------------------------------------


def test_the_analyst_picks_a_scope_and_months_without_javascript_and_downloads_a_table(
    open_page: Callable[..., Page],
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    analyst: StaffPerson,
) -> None:
    page = open_page(javascript=False, storage_state=staff_state(analyst), accept_downloads=True)
    page.goto("/nl/staff/insights/")
    expect(page.locator("main h1")).to_be_visible()
    # The network by default; then an organisation and two months, through the form.
    expect(page.locator("#id_scope")).to_have_value("network")
    option = page.locator("#id_scope option[value^='organisation:']").first
    scope, label = option.get_attribute("value"), option.text_content().strip()
    page.locator("#id_scope").select_option(scope)
    today = date.today()  # noqa: DTZ011 - a month or two back, the server's day is near enough
    first, last = _months_before(today, 3), _months_before(today, 1)
    page.locator("#id_from").fill(first)
    page.locator("#id_to").fill(last)
    with page.expect_navigation():
        page.locator("main form.figures-period button[type=submit]").click()

    query = parse_qs(urlsplit(page.url).query)
    assert query["scope"] == [scope]
    assert query["from"] == [first]
    assert query["to"] == [last]
    expect(page.locator("main h1")).to_contain_text(label)
    expect(page.locator("#id_scope")).to_have_value(scope)
    expect(page.locator("#id_from")).to_have_value(first)
    expect(page.locator("main [role=alert]")).to_have_count(0)
    expect(page.locator("main table.figures").first).to_be_visible()
    assert _charts_have_text_and_tables(page) >= 1

    link = page.locator("#figure-months a[href*='export=csv']")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    body = download.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    headings = [th.strip() for th in page.locator("#figure-months thead th").all_text_contents()]
    assert rows[0] == headings
    assert len(rows) - 1 == page.locator("#figure-months tbody tr").count()


def test_impossible_months_are_explained_and_kept(
    open_page: Callable[..., Page],
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    analyst: StaffPerson,
) -> None:
    # With JavaScript on: axe-core runs in the page.
    page = open_page(storage_state=staff_state(analyst))
    page.goto("/nl/staff/insights/?scope=network&from=2026-13&to=2026-02")

    expect(page.locator("main [role=alert]")).to_be_visible()
    expect(page.locator("#id_from")).to_have_value("2026-13")
    expect(page.locator("#id_from")).to_have_attribute("aria-invalid", "true")
    _no_axe_violations(page, "dashboard with errors")


# --- accessibility -------------------------------------------------------------------------------

STAFF_PAGES = {
    "dashboard": "/nl/staff/insights/",
    "dashboard-organisation": None,  # the first organisation, found on the dashboard
    "coverage": "/nl/staff/insights/coverage/",
    "cliff": "/nl/staff/insights/funding-cliff/",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", STAFF_PAGES)
def test_no_axe_violations_on_the_evidence_pages(
    open_page: Callable[..., Page],
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    analyst: StaffPerson,
    kind: str,
    width: int,
) -> None:
    page = open_page(width=width, storage_state=staff_state(analyst))
    path = STAFF_PAGES[kind]
    if path is None:
        page.goto("/nl/staff/insights/")
        scope = page.locator("#id_scope option[value^='organisation:']").first.get_attribute(
            "value"
        )
        path = f"/nl/staff/insights/?scope={scope}"
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{kind}: {response.status}"
    where = f"{kind} ({page.url}) at {width} px"
    _no_axe_violations(page, where)
    if width == 320:
        _no_sideways_scroll(page, where)
    if kind.startswith("dashboard"):
        _charts_have_text_and_tables(page)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_no_axe_violations_on_the_public_report(
    open_page: Callable[..., Page], language: str, width: int
) -> None:
    page = open_page(width=width)
    response = page.goto(f"/{language}/report/")
    assert response is not None
    assert response.status == 200
    assert "public" in (response.headers.get("cache-control") or "")
    assert page.context.cookies() == []
    expect(page.locator("html")).to_have_attribute("lang", language)
    where = f"report ({page.url}) at {width} px"
    _no_axe_violations(page, where)
    if width == 320:
        _no_sideways_scroll(page, where)
    _charts_have_text_and_tables(page)


# --- the printed report --------------------------------------------------------------------------


def test_the_report_prints_without_the_sites_navigation(open_page: Callable[..., Page]) -> None:
    page = open_page()
    page.goto("/nl/report/")
    expect(page.locator("header.top")).to_be_visible()
    expect(page.locator("footer.foot")).to_be_visible()

    page.emulate_media(media="print")

    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("footer.foot")).to_be_hidden()
    expect(page.locator("main .downloads").first).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main table.figures").first).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
