"""A referrer refers a resident and sees the status change, in a real browser.

Issue 4's journey: a social worker signs in with two factors, looks for a Digipunt near 9000,
chooses one, fills in the resident's details with their consent (first forgetting the consent:
the form comes back with everything typed), and sees the referral as "New". A volunteer of that
Digipunt, in a second browser, opens the inbox and marks it "Contacted"; the referrer reloads and
sees "Contacted". axe-core checks every page of the journey (also the error states) at 1280 and
320 px, and nothing scrolls sideways at 320 px. The rules behind each step have their own
server-side tests in tests/referrals/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import REPO_ROOT, SERVER_ENV, StaffPerson
from tests.cast import PASSWORD, TOTP_SECRET

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.browser

axe = Axe()
NARROW = 320
WIDE = 1280
RESIDENT = {
    "name": "Marie Peeters",
    "phone": "0470 12 34 56",
    "email": "marie@example.org",
    "question": "She cannot log in to MyMinfin with itsme on her new phone.",
}

# Runs inside `manage.py shell` on the browser server's database. The Digipunt the referrer will
# choose is the nearest one that helps near 9000, found as the referral page finds it; a social
# services organisation gets a referrer, and that Digipunt a volunteer, both with an
# authenticator app. Prints one line: REFERRAL_JSON <json>.
_SETUP = r"""
import json
import os

from django.utils import timezone

from accounts.models import Membership, Role, TOTPDevice, User
from network.finder import Filters, find_sites
from network.models import Organisation
from territory.selectors import resolve_place

given = json.loads(os.environ["DIGIPUNT_BROWSER_REFERRAL"])
now = timezone.now()
site = find_sites(resolve_place("9000").place, Filters(service="help"), now=now).hits[0].site


def person(data):
    user = User.objects.filter(email=data["email"]).first()
    if user is None:
        user = User.objects.create_user(
            email=data["email"], password=given["password"], full_name=data["name"]
        )
    TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret": given["secret"], "confirmed_at": now}
    )
    return user


ocmw, _created = Organisation.objects.get_or_create(
    name="OCMW Teststad", defaults={"kind": Organisation.Kind.OCMW}
)
Membership.objects.update_or_create(
    user=person(given["referrer"]), organisation=ocmw, defaults={"role": Role.REFERRER}
)
Membership.objects.update_or_create(
    user=person(given["volunteer"]), site=site, defaults={"role": Role.VOLUNTEER}
)
print("REFERRAL_JSON", json.dumps({"site_id": site.pk, "site_name": site.name}))
"""


@dataclass(frozen=True)
class ReferralPeople:
    referrer: StaffPerson
    volunteer: StaffPerson
    site_id: int
    site_name: str


@pytest.fixture(scope="module")
def people(server_url: str) -> ReferralPeople:
    referrer = StaffPerson("maatschappelijk@example.org", "Sara Sociaal", PASSWORD, TOTP_SECRET)
    volunteer = StaffPerson("inbox@example.org", "Ivo Inbox", PASSWORD, TOTP_SECRET)
    given = {
        "password": PASSWORD,
        "secret": TOTP_SECRET,
        "referrer": {"email": referrer.email, "name": referrer.name},
        "volunteer": {"email": volunteer.email, "name": volunteer.name},
    }
    assert SERVER_ENV, "server_url did not record the server's environment"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", _SETUP],
        cwd=REPO_ROOT,
        env={**SERVER_ENV, "DIGIPUNT_BROWSER_REFERRAL": json.dumps(given)},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("REFERRAL_JSON ")]
    assert result.returncode == 0, result.stderr[-4000:]
    assert len(lines) == 1, result.stdout[-4000:]
    data = json.loads(lines[0].removeprefix("REFERRAL_JSON "))
    return ReferralPeople(referrer, volunteer, data["site_id"], data["site_name"])


class Checked:
    """Every page (and state) of the journey, checked by axe-core when it is reached."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, str]] = []  # (what, path with query)

    def check(self, page: Page, what: str, *, record: bool = True) -> None:
        expect(page.locator("h1")).to_be_visible()
        results = axe.run(page)
        assert results.violations_count == 0, f"{what} ({page.url}):\n{results.generate_report()}"
        if record:
            parts = urlsplit(page.url)
            self.pages.append((what, parts.path + (f"?{parts.query}" if parts.query else "")))


def _submit(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").last.click()


def _fill_resident(page: Page) -> None:
    for field, value in RESIDENT.items():
        page.locator(f"#id_{field}").fill(value)
    page.locator("#id_language").select_option("fr")


def _no_sideways_scroll(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW, f"{what} ({page.url}) scrolls sideways at {NARROW} px ({width} px)"


def test_a_referrer_refers_a_resident_and_sees_the_status_change(
    open_page: Callable[..., Page],
    staff_sign_in: Callable[..., None],
    people: ReferralPeople,
) -> None:
    checked = Checked()
    referrer_page = open_page(width=WIDE)

    # The referrer signs in (password and code from the app) and lands on the staff home.
    staff_sign_in(referrer_page, people.referrer, "en")
    assert urlsplit(referrer_page.url).path == "/en/staff/", referrer_page.url
    checked.check(referrer_page, "staff home of a referrer")
    with referrer_page.expect_navigation():
        referrer_page.get_by_role("link", name="Refer a resident").click()
    checked.check(referrer_page, "step 1, empty")

    # A misspelt place first: suggestions, as in the public finder.
    referrer_page.locator("#id_q").fill("Gnet")
    with referrer_page.expect_navigation():
        referrer_page.get_by_role("button", name="Search").click()
    expect(referrer_page.get_by_text("Did you mean:")).to_be_visible()
    checked.check(referrer_page, "step 1, unknown place")

    referrer_page.locator("#id_q").fill("9000")
    with referrer_page.expect_navigation():
        referrer_page.get_by_role("button", name="Search").click()
    choice = referrer_page.locator(f'main a[href*="/referrals/new/{people.site_id}/"]')
    expect(choice).to_contain_text("Refer to this Digipunt")
    checked.check(referrer_page, "step 1, Digipunten near 9000")
    with referrer_page.expect_navigation():
        choice.click()

    # Step 2: the chosen Digipunt on top; the form refused without consent, nothing lost.
    expect(referrer_page.locator(".destination h2")).to_have_text(people.site_name)
    checked.check(referrer_page, "step 2, the form")
    _fill_resident(referrer_page)
    _submit(referrer_page)
    expect(referrer_page.locator("main [role=alert]")).to_be_visible()
    for field, value in RESIDENT.items():
        expect(referrer_page.locator(f"#id_{field}")).to_have_value(value)
    expect(referrer_page.locator("#id_language")).to_have_value("fr")
    checked.check(referrer_page, "step 2, refused without consent")
    referrer_page.locator("#id_consent").check()
    _submit(referrer_page)

    # The referral, with status "New".
    assert "/en/staff/referrals/" in referrer_page.url, referrer_page.url
    detail_path = urlsplit(referrer_page.url).path
    status = referrer_page.locator("main .big-status strong")
    expect(status).to_have_text("New")
    reference = referrer_page.locator("h1").inner_text().removeprefix("Referral ").strip()
    checked.check(referrer_page, "a sent referral")
    with referrer_page.expect_navigation():
        referrer_page.get_by_role("link", name="Back to my referrals").click()
    row = referrer_page.locator("main table.data tbody tr", has_text=reference)
    expect(row).to_contain_text("New")
    expect(row).to_contain_text(people.site_name)
    checked.check(referrer_page, "my referrals")

    # The volunteer of that Digipunt, in another browser, opens the inbox and calls the resident.
    volunteer_page = open_page(width=WIDE)
    staff_sign_in(volunteer_page, people.volunteer, "en")
    inbox_path = f"/en/staff/sites/{people.site_id}/referrals/"
    volunteer_page.goto(inbox_path)
    assert urlsplit(volunteer_page.url).path == inbox_path, volunteer_page.url
    checked.check(volunteer_page, "the inbox")
    with volunteer_page.expect_navigation():
        volunteer_page.get_by_role("link", name=RESIDENT["name"]).click()
    expect(volunteer_page.get_by_text(RESIDENT["question"])).to_be_visible()
    checked.check(volunteer_page, "a referral in the inbox")
    volunteer_page.get_by_label("Contacted").check()
    _submit(volunteer_page)
    expect(volunteer_page.locator("main .big-status strong")).to_have_text("Contacted")
    checked.check(volunteer_page, "a referral after its status changed")

    # The referrer reloads and sees the new status, and when it changed.
    referrer_page.goto(detail_path)
    expect(status).to_have_text("Contacted")
    expect(referrer_page.locator("main .history")).to_contain_text("Contacted on")
    checked.check(referrer_page, "a sent referral after the site's change", record=False)

    # Every page once more at 320 px, each with the cookies of whoever saw it.
    states: dict[str, dict[str, Any]] = {
        "referrer": referrer_page.context.storage_state(),
        "volunteer": volunteer_page.context.storage_state(),
    }
    for what, path in checked.pages:
        who = "volunteer" if path.startswith(inbox_path) else "referrer"
        narrow = open_page(width=NARROW, height=640, storage_state=states[who])
        response = narrow.goto(path)
        assert response is not None, (what, path)
        assert response.status == 200, (what, path)
        if what == "step 2, refused without consent":
            _fill_resident(narrow)
            _submit(narrow)
            expect(narrow.locator("main [role=alert]")).to_be_visible()
        checked.check(narrow, f"{what} at {NARROW} px", record=False)
        _no_sideways_scroll(narrow, what)
