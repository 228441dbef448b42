"""A volunteer registers a contact in a real browser, in at most three interactions.

Issue 4's promise is that a typical contact (one question, the usual channel and duration, solved)
takes at most three interactions once the form is open: site, helper and time are filled in, the
most-used themes come first, and the defaults are the usual answers. The tests count every click
and key press after the page has loaded and check the new entry in the page's own list of the
helper's entries. The same with the keyboard alone (a number key chooses a theme, Enter saves),
and with JavaScript off (clicks only: the page works without its script). axe-core checks the
registration form (also with its errors), the correction and delete pages and the visitor cards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import REPO_ROOT, SERVER_ENV, StaffPerson
from tests.cast import PASSWORD, TOTP_SECRET

if TYPE_CHECKING:
    from tests.browser.conftest import StaffData

pytestmark = pytest.mark.browser

axe = Axe()
MAX_INTERACTIONS = 3

# Runs inside `manage.py shell` on the browser server's database: a volunteer of the staff
# site with an authenticator app (the shared fixtures' volunteer has none yet, on purpose).
_REGISTRAR_SETUP = r"""
import json
import os

from django.utils import timezone

from accounts.models import Membership, Role, TOTPDevice, User

given = json.loads(os.environ["DIGIPUNT_BROWSER_REGISTRAR"])
user = User.objects.filter(email=given["email"]).first()
if user is None:
    user = User.objects.create_user(
        email=given["email"], password=given["password"], full_name=given["name"]
    )
TOTPDevice.objects.update_or_create(
    user=user, defaults={"secret": given["secret"], "confirmed_at": timezone.now()}
)
Membership.objects.update_or_create(
    user=user, site_id=given["site"], defaults={"role": Role.VOLUNTEER}
)
print("REGISTRAR_OK")
"""


@pytest.fixture(scope="module")
def registrar(staff: StaffData) -> StaffPerson:
    """A volunteer at the staff site who signs in with an authenticator app."""
    person = StaffPerson("registreer@example.org", "Rik Registreerder", PASSWORD, TOTP_SECRET)
    given = {
        "email": person.email,
        "name": person.name,
        "password": person.password,
        "secret": person.totp_secret,
        "site": staff.site.id,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", _REGISTRAR_SETUP],
        cwd=REPO_ROOT,
        env={**SERVER_ENV, "DIGIPUNT_BROWSER_REGISTRAR": json.dumps(given)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "REGISTRAR_OK" in result.stdout, result.stderr[-4000:]
    return person


class Interactions:
    """Every click and key press the test makes on the page, counted."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def click(self, locator: Locator) -> None:
        self.count += 1
        locator.click()

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)


def _form_path(staff: StaffData) -> str:
    return f"/en/staff/sites/{staff.site.id}/contacts/new/"


def _open_form(page: Page, staff: StaffData) -> None:
    path = _form_path(staff)
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, path
    assert urlsplit(page.url).path == path, f"{path} went to {page.url}"
    expect(page.locator("h1")).to_have_text("Register a contact")


def _entries(page: Page) -> Locator:
    return page.locator("section[aria-labelledby=h-entries] ul.entries > li")


def _first_theme(page: Page) -> tuple[Locator, str]:
    label = page.locator("fieldset.choices.wide label.choice").first
    return label, label.locator("span:not(.key)").inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_volunteer_registers_a_typical_contact_in_at_most_three_interactions(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    registrar: StaffPerson,
    javascript: bool,
) -> None:
    page = open_page(javascript=javascript, storage_state=staff_state(registrar))
    _open_form(page, staff)
    before = _entries(page).count()
    theme, theme_name = _first_theme(page)
    steps = Interactions(page)

    steps.click(theme)
    with page.expect_navigation():
        steps.click(page.get_by_role("button", name="Save"))

    assert steps.count <= MAX_INTERACTIONS
    assert urlsplit(page.url).path == _form_path(staff)  # back on an empty form
    expect(page.locator("[role=status]")).to_contain_text(f"Saved: 1 contact about {theme_name}.")
    expect(_entries(page)).to_have_count(before + 1)
    expect(_entries(page).first).to_contain_text(f"{theme_name}: solved")
    expect(page.locator("input[name=theme]:checked")).to_have_count(0)


def test_with_the_keyboard_alone_a_number_and_enter_register_a_contact(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    registrar: StaffPerson,
) -> None:
    page = open_page(storage_state=staff_state(registrar))
    _open_form(page, staff)
    before = _entries(page).count()
    _theme, theme_name = _first_theme(page)
    expect(page.locator("[data-shortcuts]")).to_be_visible()
    steps = Interactions(page)

    steps.press("1")
    expect(page.locator("input[name=theme]").first).to_be_checked()
    with page.expect_navigation():
        steps.press("Enter")

    assert steps.count <= MAX_INTERACTIONS
    expect(page.locator("[role=status]")).to_contain_text(f"Saved: 1 contact about {theme_name}.")
    expect(_entries(page)).to_have_count(before + 1)


def test_typing_a_number_in_the_note_does_not_choose_a_theme(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    registrar: StaffPerson,
) -> None:
    page = open_page(storage_state=staff_state(registrar))
    _open_form(page, staff)

    page.locator("#id_note").click()
    page.keyboard.type("2 vragen")

    expect(page.locator("input[name=theme]:checked")).to_have_count(0)
    expect(page.locator("#id_note")).to_have_value("2 vragen")


def test_referred_to_shows_only_for_a_referral_with_javascript(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    registrar: StaffPerson,
) -> None:
    page = open_page(storage_state=staff_state(registrar))
    _open_form(page, staff)
    partner = page.locator("#id_referred_to")

    expect(partner).to_be_hidden()
    page.locator("input[name=outcome][value=referred]").check()
    expect(partner).to_be_visible()


# -- accessibility ---------------------------------------------------------------------------


def _register_one(page: Page, staff: StaffData) -> None:
    _open_form(page, staff)
    page.locator("fieldset.choices.wide label.choice").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def _form_with_errors(page: Page, staff: StaffData) -> None:
    _open_form(page, staff)
    page.locator("#id_note").fill("Bel 0470 12 34 56")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator("main [role=alert]")).to_be_visible()


def _edit_page(page: Page, staff: StaffData) -> None:
    _register_one(page, staff)
    with page.expect_navigation():
        _entries(page).first.get_by_role("link", name="Correct").click()
    expect(page.locator("h1")).to_have_text("Correct a contact")


def _delete_page(page: Page, staff: StaffData) -> None:
    _register_one(page, staff)
    with page.expect_navigation():
        _entries(page).first.get_by_role("link", name="Delete").click()
    expect(page.locator("h1")).to_have_text("Delete this contact?")


def _cards_form(page: Page, staff: StaffData) -> None:
    response = page.goto(f"/en/staff/sites/{staff.site.id}/visitor-codes/")
    assert response is not None
    assert response.status == 200


def _cards(page: Page, staff: StaffData) -> None:
    _cards_form(page, staff)
    page.locator("#id_count").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the cards").click()
    expect(page.locator(".card")).to_have_count(3)


PAGES: dict[str, tuple[str, Callable[[Page, StaffData], None]]] = {
    "form": ("registrar", _open_form),
    "form-errors": ("registrar", _form_with_errors),
    "edit": ("registrar", _edit_page),
    "delete": ("registrar", _delete_page),
    "cards-form": ("coordinator", _cards_form),
    "cards": ("coordinator", _cards),
}
CASES = [(kind, width) for kind in PAGES for width in (320, 1280)]


def _load(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    registrar: StaffPerson,
    kind: str,
    width: int,
) -> Page:
    who, then = PAGES[kind]
    person = registrar if who == "registrar" else getattr(staff, who)
    page = open_page(
        width=width, height=640 if width < 400 else 900, storage_state=staff_state(person)
    )
    then(page, staff)
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    return page


@pytest.mark.parametrize(("kind", "width"), CASES, ids=[f"{k}-{w}px" for k, w in CASES])
def test_no_axe_violations(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    registrar: StaffPerson,
    kind: str,
    width: int,
) -> None:
    page = _load(open_page, staff, staff_state, registrar, kind, width)

    results = axe.run(page)

    assert results.violations_count == 0, (
        f"{kind} ({page.url}) at {width} px:\n{results.generate_report()}"
    )


@pytest.mark.parametrize("kind", PAGES)
def test_no_horizontal_scroll_at_320px(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    registrar: StaffPerson,
    kind: str,
) -> None:
    page = _load(open_page, staff, staff_state, registrar, kind, 320)

    width = page.evaluate("document.documentElement.scrollWidth")

    culprits = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > 320.5)
            .slice(0, 6)
            .map((el) => el.outerHTML.slice(0, 160))"""
    )
    assert width <= 320, f"{kind} ({page.url}) scrolls sideways at 320 px ({width} px): {culprits}"


def test_targets_on_the_form_are_at_least_44_pixels_high(
    open_page: Callable[..., Page],
    staff: StaffData,
    staff_state: Callable[[StaffPerson], dict[str, Any]],
    registrar: StaffPerson,
) -> None:
    page = _load(open_page, staff, staff_state, registrar, "form", 320)

    small = page.evaluate(
        """() => [...document.querySelectorAll(
                'form[data-register] label.choice, form[data-register] select,'
                + ' form[data-register] input:not([type=radio]):not([type=hidden]),'
                + ' form[data-register] button, form[data-register] summary')]
            .filter((el) => el.getClientRects().length > 0)  // shown, not hidden
            .filter((el) => el.getBoundingClientRect().height < 44)
            .map((el) => el.outerHTML.slice(0, 120))"""
    )

    assert small == []
