"""Accessibility of the staff pages: axe-core finds nothing, narrow (320 px) and wide (1280 px).

Every page of signing in and of the staff area is checked in Dutch at both widths, the login page
and the hours editor in French too, and the forms also in their error state (after a submit that
the page refuses), so error messages and their links are checked as well. Every <details> is
opened before axe runs. At 320 px (WCAG 1.4.10 Reflow) nothing may scroll sideways. The
Content-Security-Policy blocks nothing on any of them (no inline script or style).

The staff pages are opened with the cookies of a person who signed in through the real pages once
per session (`staff_state`); the code page is reached by a password step of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_no_csp_violations

if TYPE_CHECKING:
    from tests.browser.conftest import StaffData, StaffPerson

pytestmark = pytest.mark.browser

axe = Axe()


# -- what a page needs before it is checked --------------------------------------------------------


def _submit(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").last.click()


def _submit_empty(page: Page, staff: StaffData, language: str) -> None:
    """Send the form as it is: the page answers with its error messages."""
    _submit(page)
    expect(page.locator("main .errorlist").first).to_be_visible()


def _password_step(page: Page, staff: StaffData, language: str) -> None:
    """The coordinator's right password: the page asking for the code from the app."""
    page.locator("#id_email").fill(staff.coordinator.email)
    page.locator("#id_password").fill(staff.coordinator.password)
    _submit(page)
    assert urlsplit(page.url).path == f"/{language}/staff/login/code/", page.url


def _password_step_then_bad_code(page: Page, staff: StaffData, language: str) -> None:
    # Letters are refused by the form itself: no failed attempt is recorded (no throttling).
    _password_step(page, staff, language)
    page.locator("#id_code").fill("abc")
    _submit_empty(page, staff, language)


def _preview_with_an_error(page: Page, staff: StaffData, language: str) -> None:
    """A new line of hours that closes before it opens, then "Show preview"."""
    row = page.locator("#id_periods-INITIAL_FORMS").input_value()
    page.locator(f"#id_periods-{row}-weekday").select_option("0")
    page.locator(f"#id_periods-{row}-opens").fill("12:00")
    page.locator(f"#id_periods-{row}-closes").fill("10:00")
    with page.expect_navigation():
        page.locator("button[name=preview]").click()
    expect(page.locator("main [role=alert]")).to_be_visible()
    expect(page.locator(f"#id_periods-{row}-closes")).to_have_attribute("aria-invalid", "true")


def _first_member(page: Page, staff: StaffData, language: str) -> None:
    """From the team list to the page of its first person (role and access)."""
    with page.expect_navigation():
        page.locator("main table.data tbody th[scope=row] a").first.click()
    assert "/team/" in page.url, page.url
    assert not page.url.endswith("/team/"), page.url


def _impossible_dates(page: Page, staff: StaffData, language: str) -> None:
    """The figures asked for dates that do not exist."""
    page.goto(f"{page.url}?from=2026-13-01&to=x")
    expect(page.locator("main [role=alert]")).to_be_visible()


def _unknown_tag(page: Page, staff: StaffData, language: str) -> None:
    """A tag that no device has, typed at the lending desk."""
    page.locator("#id_tag").fill("GEEN-TOESTEL")
    with page.expect_navigation():
        page.locator("#id_tag").press("Enter")  # as a scanner does
    expect(page.locator("main .errorlist").first).to_be_visible()


def _labels_already_used(page: Page, staff: StaffData, language: str) -> None:
    """The QR labels on the smallest labels, with more of them used than a sheet has."""
    page.goto(f"{page.url}?layout=L7651&skip=99")
    expect(page.locator("main [role=alert]")).to_be_visible()


def _borrower_search(page: Page, staff: StaffData, language: str) -> None:
    """The lending page after a search for the borrower that finds nobody."""
    page.locator("#search_q").fill("niemand")
    with page.expect_navigation():
        page.locator("button[name=find]").click()
    expect(page.locator("main [role=status]")).to_be_visible()


def _loan_agreement(page: Page, staff: StaffData, language: str) -> None:
    """From the follow-up list to the overdue loan, then its agreement to print."""
    with page.expect_navigation():
        page.locator("main ol.entries h2 a").first.click()
    with page.expect_navigation():
        page.locator("main a[href$='/agreement/']").first.click()
    expect(page.locator("main article.agreement")).to_be_visible()


def _follow_up_refused(page: Page, staff: StaffData, language: str) -> None:
    """A follow-up note with a phone number in it: refused, next to the field."""
    page.locator("main ol.entries input[name=note]").first.fill("Bel 0475 12 34 56")
    with page.expect_navigation():
        page.locator("main ol.entries button[type=submit]").first.click()
    expect(page.locator("main .errorlist").first).to_be_visible()


def _bad_rule(page: Page, staff: StaffData, language: str) -> None:
    """A loan length the rules do not allow."""
    page.locator("#id_loan_days").fill("400")
    with page.expect_navigation():
        page.locator("button[name=save_rules]").click()
    expect(page.locator("main .errorlist").first).to_be_visible()


def _plan_a_date(page: Page, staff: StaffData, language: str) -> None:
    """From the catalogue to planning a date of its first course."""
    with page.expect_navigation():
        page.locator("main a[href$='/new-date/']").first.click()
    assert page.url.endswith("/new-date/"), page.url


def _plan_a_date_wrongly(page: Page, staff: StaffData, language: str) -> None:
    """Planning a date with nothing filled in."""
    _plan_a_date(page, staff, language)
    _submit_empty(page, staff, language)


def _shown_device(page: Page, staff: StaffData, language: str) -> None:
    """From the desk to a device's page, by its tag."""
    page.locator("#id_tag").fill("browser-shown")
    with page.expect_navigation():
        page.locator("#id_tag").press("Enter")
    assert "/lending/devices/" in page.url, page.url


def _privacy_search(page: Page, staff: StaffData, language: str) -> None:
    """A privacy request for someone of whom nothing is kept."""
    page.locator("#id_name").fill("Niemand Anders")
    _submit(page)
    expect(page.locator("#h-found")).to_be_visible()


@dataclass(frozen=True)
class StaffPage:
    path: Callable[[StaffData], str]  # after the language prefix
    who: str | None = None  # whose cookies (an attribute of StaffData); None: nobody signed in
    then: Callable[[Page, StaffData, str], None] | None = None


def _site(tail: str = "") -> Callable[[StaffData], str]:
    return lambda s: f"/staff/sites/{s.site.id}/{tail}"


def _organisation(tail: str) -> Callable[[StaffData], str]:
    return lambda s: f"/staff/organisations/{s.organisation_id}/{tail}"


def _fixed(path: str) -> Callable[[StaffData], str]:
    return lambda s: path


PAGES: dict[str, StaffPage] = {
    "login": StaffPage(_fixed("/staff/login/")),
    "login-errors": StaffPage(_fixed("/staff/login/"), then=_submit_empty),
    "code": StaffPage(_fixed("/staff/login/"), then=_password_step),
    "code-errors": StaffPage(_fixed("/staff/login/"), then=_password_step_then_bad_code),
    "two-factor-setup": StaffPage(_fixed("/staff/two-factor/setup/"), who="volunteer"),
    "home": StaffPage(_fixed("/staff/"), who="org_admin"),
    "site": StaffPage(_site(), who="org_admin"),
    "site-edit": StaffPage(_site("edit/"), who="org_admin"),
    "hours": StaffPage(_site("hours/"), who="org_admin"),
    "hours-errors": StaffPage(_site("hours/"), who="org_admin", then=_preview_with_an_error),
    "organisation-sites": StaffPage(_organisation("sites/"), who="org_admin"),
    "site-create": StaffPage(_organisation("sites/new/"), who="org_admin"),
    "site-create-errors": StaffPage(
        _organisation("sites/new/"), who="org_admin", then=_submit_empty
    ),
    "team": StaffPage(_organisation("team/"), who="org_admin"),
    "member": StaffPage(_organisation("team/"), who="org_admin", then=_first_member),
    "invite": StaffPage(_organisation("team/invite/"), who="org_admin"),
    "invite-errors": StaffPage(_organisation("team/invite/"), who="org_admin", then=_submit_empty),
    "audit": StaffPage(_organisation("audit/"), who="org_admin"),
    "security": StaffPage(_fixed("/staff/two-factor/recovery-codes/"), who="org_admin"),
    "figures": StaffPage(_site("figures/"), who="org_admin"),
    "figures-errors": StaffPage(_site("figures/"), who="org_admin", then=_impossible_dates),
    "api-tokens": StaffPage(_organisation("api-tokens/"), who="org_admin"),
    "agenda-book": StaffPage(_site("appointments/new/"), who="org_admin"),
    "booking-settings": StaffPage(_site("appointments/settings/"), who="org_admin"),
    "referral-inbox": StaffPage(_site("referrals/"), who="org_admin"),
    "lending-desk": StaffPage(_site("lending/"), who="coordinator"),
    "lending-desk-errors": StaffPage(_site("lending/"), who="coordinator", then=_unknown_tag),
    "lending-device": StaffPage(_site("lending/"), who="coordinator", then=_shown_device),
    "lending-devices": StaffPage(_site("lending/devices/"), who="coordinator"),
    "lending-labels": StaffPage(_site("lending/devices/labels/"), who="coordinator"),
    "lending-labels-errors": StaffPage(
        _site("lending/devices/labels/"), who="coordinator", then=_labels_already_used
    ),
    "lending-device-add": StaffPage(_site("lending/devices/new/"), who="coordinator"),
    "lending-device-add-errors": StaffPage(
        _site("lending/devices/new/"), who="coordinator", then=_submit_empty
    ),
    "lending-import": StaffPage(_site("lending/devices/import/"), who="coordinator"),
    "lending-import-errors": StaffPage(
        _site("lending/devices/import/"), who="coordinator", then=_submit_empty
    ),
    "lending-lend": StaffPage(_site("lending/lend/"), who="coordinator"),
    "lending-lend-errors": StaffPage(_site("lending/lend/"), who="coordinator", then=_submit_empty),
    "lending-lend-search": StaffPage(
        _site("lending/lend/"), who="coordinator", then=_borrower_search
    ),
    "lending-follow-up": StaffPage(_site("lending/follow-up/"), who="coordinator"),
    "lending-follow-up-errors": StaffPage(
        _site("lending/follow-up/"), who="coordinator", then=_follow_up_refused
    ),
    "lending-loan-agreement": StaffPage(
        _site("lending/follow-up/"), who="coordinator", then=_loan_agreement
    ),
    "lending-agreement": StaffPage(_site("lending/agreement/"), who="coordinator"),
    "lending-figures": StaffPage(_site("lending/figures/"), who="coordinator"),
    "lending-rules": StaffPage(_organisation("lending/rules/"), who="org_admin"),
    "lending-rules-errors": StaffPage(
        _organisation("lending/rules/"), who="org_admin", then=_bad_rule
    ),
    "learning-sessions": StaffPage(_site("courses/"), who="coordinator"),
    "learning-cards": StaffPage(_site("help-cards/"), who="coordinator"),
    "learning-figures": StaffPage(_site("courses/figures/"), who="coordinator"),
    "learning-card-add": StaffPage(_site("help-cards/new/"), who="coordinator"),
    "learning-card-add-errors": StaffPage(
        _site("help-cards/new/"), who="coordinator", then=_submit_empty
    ),
    "learning-card-send": StaffPage(_site("help-cards/send/"), who="coordinator"),
    "learning-card-send-errors": StaffPage(
        _site("help-cards/send/"), who="coordinator", then=_submit_empty
    ),
    "learning-roster": StaffPage(
        lambda s: f"/staff/sites/{s.site.id}/courses/dates/{s.session_today_id}/",
        who="coordinator",
    ),
    "learning-catalogue": StaffPage(_site("courses/catalogue/"), who="coordinator"),
    "learning-course-add": StaffPage(_site("courses/catalogue/new/"), who="coordinator"),
    "learning-course-add-errors": StaffPage(
        _site("courses/catalogue/new/"), who="coordinator", then=_submit_empty
    ),
    "learning-session-add": StaffPage(
        _site("courses/catalogue/"), who="coordinator", then=_plan_a_date
    ),
    "learning-session-add-errors": StaffPage(
        _site("courses/catalogue/"), who="coordinator", then=_plan_a_date_wrongly
    ),
    "lending-borrowers": StaffPage(_site("lending/borrowers/"), who="coordinator"),
    "lending-borrowers-errors": StaffPage(
        _site("lending/borrowers/"), who="coordinator", then=_submit_empty
    ),
    "lending-waiting": StaffPage(_site("lending/waiting/"), who="coordinator"),
    "lending-waiting-errors": StaffPage(
        _site("lending/waiting/"), who="coordinator", then=_submit_empty
    ),
    "lending-bookings": StaffPage(_site("lending/bookings/"), who="coordinator"),
    "lending-bookings-errors": StaffPage(
        _site("lending/bookings/"), who="coordinator", then=_submit_empty
    ),
    "privacy-requests": StaffPage(_fixed("/staff/privacy/"), who="org_admin"),
    "privacy-requests-errors": StaffPage(
        _fixed("/staff/privacy/"), who="org_admin", then=_submit_empty
    ),
    "privacy-requests-search": StaffPage(
        _fixed("/staff/privacy/"), who="org_admin", then=_privacy_search
    ),
    "privacy-retention": StaffPage(_fixed("/staff/privacy/retention/"), who="org_admin"),
    "privacy-register": StaffPage(_fixed("/staff/privacy/register/"), who="org_admin"),
}

WIDTHS = (320, 1280)
CASES = (
    [(kind, "nl", width) for kind in PAGES for width in WIDTHS]
    + [
        ("login", "fr", 1280),
        ("hours", "fr", 1280),
    ]
    + [
        # The lending pages in the other two languages too (issue 13): French on a desktop,
        # English on a phone.
        (kind, language, width)
        for kind in PAGES
        if kind.startswith(("lending", "learning"))
        for language, width in (("fr", 1280), ("en", 320))
    ]
)


def _load(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    kind: str,
    language: str,
    width: int,
) -> Page:
    spec = PAGES[kind]
    options: dict[str, Any] = {}
    if spec.who is not None:
        options["storage_state"] = staff_state(getattr(staff, spec.who))
    page = open_page(width=width, height=640 if width < 400 else 900, **options)
    path = f"/{language}{spec.path(staff)}"
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, (path, response.status)
    # Not sent elsewhere (to the login page, or to set up two factors).
    assert urlsplit(page.url).path == path, f"{path} went to {page.url}"
    if spec.then is not None:
        spec.then(page, staff, language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_be_visible()
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    return page


@pytest.mark.parametrize(
    ("kind", "language", "width"), CASES, ids=[f"{k}-{lang}-{w}px" for k, lang, w in CASES]
)
def test_no_axe_violations(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    kind: str,
    language: str,
    width: int,
) -> None:
    page = _load(open_page, staff, staff_state, kind, language, width)
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"{kind} ({page.url}) at {width} px:\n{results.generate_report()}"
    )
    assert_no_csp_violations(page, f"{kind} ({page.url}) at {width} px")


@pytest.mark.parametrize("kind", PAGES)
def test_no_horizontal_scroll_at_320px(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    kind: str,
) -> None:
    page = _load(open_page, staff, staff_state, kind, "nl", 320)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 320:
        culprits = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > 320.5)
                .slice(0, 8)
                .map((el) => el.outerHTML.slice(0, 160))"""
        )
        pytest.fail(f"{kind} ({page.url}) scrolls sideways at 320 px ({width} px): {culprits}")
