"""Tests for the staff pages of Digipunten, through the front door and for every role in the cast.

Who may do what: a site outside one's scope answers 404 (its existence is not revealed), a site
one sees without the right to do this answers 403. Text is checked on the English pages (the
source language), so that translating never breaks these tests.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from network.hours_document import period
from network.models import Site
from tests import factories
from tests.cast import signed_in, url
from tests.referrals.helpers import refer

pytestmark = pytest.mark.django_db

ROLES = (
    "volunteer",
    "coordinator",
    "org_admin",
    "referrer",
    "analyst",
    "platform_admin",
    "outsider",
    "other_coordinator",
)


def site_of(cast, name: str) -> Site:
    return getattr(cast, name)


def audit_count() -> int:
    return AuditEntry.objects.count()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def information_data(site: Site, **changes: Any) -> dict[str, Any]:
    """What the edit form posts when nothing is changed, with `changes` on top."""
    site.refresh_from_db()
    data: dict[str, Any] = {
        name: getattr(site, name)
        for name in (
            "name",
            "brand",
            "description",
            "kind",
            "street",
            "postal_code",
            "locality",
            "latitude",
            "longitude",
            "location_note",
            "phone",
            "email",
            "website",
        )
    }
    for flag in (
        "offers_help",
        "offers_access",
        "offers_lending",
        "offers_learning",
        "has_wifi",
        "has_computers",
        "has_printing",
        "step_free",
        "accessible_toilet",
        "hearing_loop",
        "accessible_parking",
        "walk_in",
        "by_appointment",
        "closed_on_public_holidays",
        "is_published",
    ):
        if getattr(site, flag):
            data[flag] = "on"
    data["languages"] = site.language_codes
    data["themes"] = [theme.pk for theme in site.themes.all()]
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def formset_rows(prefix: str, rows: list[dict[str, Any]], *, initial: int, blank: int = 2) -> dict:
    """POST data of one formset: `rows` filled in (the first `initial` of them existing lines),
    then `blank` untouched empty lines, as the browser sends them."""
    untouched = {"recurrence": "weekly"} if prefix == "periods" else {"closed": "closed"}
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + blank),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate([*rows, *([untouched] * blank)]):
        for name, value in row.items():
            if value is not None:
                data[f"{prefix}-{index}-{name}"] = value
    return data


def period_row(weekday: int, opens: str, closes: str, **more: Any) -> dict[str, Any]:
    return {"weekday": str(weekday), "opens": opens, "closes": closes, "recurrence": "weekly"} | {
        key: str(value) for key, value in more.items()
    }


def existing_period_rows(site: Site) -> list[dict[str, Any]]:
    rows = []
    for entry in site.opening_hours["periods"]:
        rows.append(period_row(entry["weekday"], entry["opens"], entry["closes"]))
    return rows


def hours_data(site: Site, *, periods=(), exceptions=(), button: str = "preview") -> dict:
    """The hours editor's POST: the site's current lines, plus new `periods` and `exceptions`."""
    existing = existing_period_rows(site)
    data = formset_rows("periods", [*existing, *periods], initial=len(existing))
    data |= formset_rows("exceptions", list(exceptions), initial=0)
    data[button] = "1"
    return data


def next_weekday(weekday: int, *, after_days: int = 2) -> Any:
    """A date at least `after_days` from today that falls on `weekday` (0 = Monday)."""
    day = timezone.localdate() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


# --- who may see what -------------------------------------------------------------------------

SITE_PAGE = {
    # role: status of the site's "today" page for gent_a, gent_b, aalst
    "volunteer": (200, 404, 404),
    "coordinator": (200, 404, 404),
    "org_admin": (200, 200, 404),
    "referrer": (404, 404, 404),
    "analyst": (404, 404, 404),
    "platform_admin": (200, 200, 200),
    "outsider": (404, 404, 404),
    "other_coordinator": (404, 404, 200),
}
EDIT_PAGES = {
    # role: status of the edit and hours pages for gent_a, gent_b, aalst
    "volunteer": (403, 404, 404),
    "coordinator": (200, 404, 404),
    "org_admin": (200, 200, 404),
    "referrer": (404, 404, 404),
    "analyst": (404, 404, 404),
    "platform_admin": (200, 200, 200),
    "outsider": (404, 404, 404),
    "other_coordinator": (404, 404, 200),
}
SITES = ("gent_a", "gent_b", "aalst")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_a_site_today_page_only_within_its_scope(cast, role):
    client = signed_in(cast.by_role()[role])
    for name, expected in zip(SITES, SITE_PAGE[role], strict=True):
        response = client.get(url("workspace:today", site_id=site_of(cast, name).pk))
        assert response.status_code == expected, (role, name)


@pytest.mark.parametrize("page", ["network:site-edit", "network:site-hours"])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_the_edit_pages_only_where_it_may_edit(cast, role, page):
    client = signed_in(cast.by_role()[role])
    for name, expected in zip(SITES, EDIT_PAGES[role], strict=True):
        response = client.get(url(page, site_id=site_of(cast, name).pk))
        assert response.status_code == expected, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_mark_a_site_verified_only_where_it_may_edit(cast, role):
    client = signed_in(cast.by_role()[role])
    for name, expected in zip(SITES, EDIT_PAGES[role], strict=True):
        site = site_of(cast, name)
        response = client.post(url("network:site-verify", site_id=site.pk))
        assert response.status_code == (302 if expected == 200 else expected), (role, name)
        site.refresh_from_db()
        assert (site.last_verified == timezone.localdate()) == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_only_organisation_admins_and_platform_admins_see_an_organisations_sites(cast, role):
    client = signed_in(cast.by_role()[role])
    gent = client.get(url("network:organisation-sites", organisation_id=cast.gent.pk))
    aalst = client.get(url("network:organisation-sites", organisation_id=cast.aalst_org.pk))
    expected_gent = 200 if role in ("org_admin", "platform_admin") else 404
    expected_aalst = 200 if role == "platform_admin" else 404
    assert (gent.status_code, aalst.status_code) == (expected_gent, expected_aalst)


def test_a_site_that_does_not_exist_is_a_404_for_everyone(cast):
    client = signed_in(cast.platform_admin)
    assert client.get(url("workspace:today", site_id=999_999)).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(cast, client):
    response = client.get(url("workspace:today", site_id=cast.gent_a.pk))
    assert response.status_code == 302
    assert "/staff/" in response["Location"]
    assert "next=" in response["Location"]


def test_staff_pages_are_never_cached(cast):
    response = signed_in(cast.volunteer).get(url("workspace:today", site_id=cast.gent_a.pk))
    assert response["Cache-Control"] == "no-store"


# --- my Digipunten ------------------------------------------------------------------------------


def test_someone_working_at_one_site_goes_straight_to_it(cast):
    response = signed_in(cast.volunteer).get(url("workspace:home"))
    assert response.status_code == 302
    assert response["Location"] == url("workspace:today", site_id=cast.gent_a.pk)


def test_an_organisation_admin_sees_its_sites_and_the_organisation(cast):
    html = signed_in(cast.org_admin).get(url("workspace:home")).content.decode()
    assert "Digipunt Gent A" in html
    assert "Digipunt Gent B" in html
    assert "Digipunt Aalst" not in html
    assert url("network:organisation-sites", organisation_id=cast.gent.pk) in html
    assert url("audit:organisation-audit", organisation_id=cast.gent.pk) in html


def test_an_outsider_sees_an_empty_home(cast):
    response = signed_in(cast.outsider).get(url("workspace:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You do not work for a Digipunt here yet" in html
    assert "Digipunt Gent" not in html
    assert "Digipunt Aalst" not in html


def test_the_home_page_takes_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for n in range(5):
        factories.site(name=f"Digipunt Gent extra {n}", organisation=cast.gent)
    client = signed_in(cast.org_admin)
    # Two of them ask whether the reader sees the network's figures and which scope is theirs,
    # for the link to the evidence's dashboard.
    with django_assert_max_num_queries(9):
        response = client.get(url("workspace:home"))
    assert response.content.decode().count("Digipunt Gent extra") == 5


# --- a site's day -------------------------------------------------------------------------------


def test_the_today_page_shows_the_hours_closures_and_honest_placeholders(cast):
    closed_on = next_weekday(2)
    cast.gent_a.opening_hours["exceptions"] = [
        {
            "start": closed_on.isoformat(),
            "end": closed_on.isoformat(),
            "closed": True,
            "opens": None,
            "closes": None,
            "reason": "Staff training",
        }
    ]
    cast.gent_a.save()
    html = (
        signed_in(cast.volunteer)
        .get(url("workspace:today", site_id=cast.gent_a.pk))
        .content.decode()
    )
    assert "Opening hours today:" in html
    assert "Staff training" in html
    for section in ("Appointments today", "Loans due", "Sessions today"):
        assert section in html
    assert "Nothing here yet." not in html  # every pillar has its panel now
    assert "No course meets here today." in html
    assert "No device is due back today." in html
    assert url("lending:desk", site_id=cast.gent_a.pk) in html
    assert url("network:site", slug=cast.gent_a.slug) in html


def test_the_today_page_links_to_the_work_each_role_may_do(cast):
    page = url("workspace:today", site_id=cast.gent_a.pk)
    register = url("questions:contact-new", site_id=cast.gent_a.pk)
    inbox = url("referrals:inbox", site_id=cast.gent_a.pk)
    figures = url("questions:figures", site_id=cast.gent_a.pk)
    cards = url("questions:visitor-codes", site_id=cast.gent_a.pk)

    volunteer = signed_in(cast.volunteer).get(page).content.decode()
    coordinator = signed_in(cast.coordinator).get(page).content.decode()

    for link in (register, inbox):
        assert f'href="{link}"' in volunteer
        assert f'href="{link}"' in coordinator
    for link in (figures, cards):
        assert f'href="{link}"' not in volunteer
        assert f'href="{link}"' in coordinator


def test_the_today_page_counts_the_new_referrals(cast):
    refer(cast, cast.gent_a)
    html = (
        signed_in(cast.volunteer)
        .get(url("workspace:today", site_id=cast.gent_a.pk))
        .content.decode()
    )
    assert "Referred residents (1 new)" in html


def test_a_volunteer_gets_no_edit_links_and_a_coordinator_does(cast):
    edit = url("network:site-edit", site_id=cast.gent_a.pk)
    page = url("workspace:today", site_id=cast.gent_a.pk)
    assert edit not in signed_in(cast.volunteer).get(page).content.decode()
    html = signed_in(cast.coordinator).get(page).content.decode()
    assert edit in html
    assert url("network:site-hours", site_id=cast.gent_a.pk) in html
    assert url("network:site-verify", site_id=cast.gent_a.pk) in html


def test_the_site_switcher_lists_only_ones_own_sites_and_works_without_javascript(cast):
    client = signed_in(cast.org_admin)
    html = client.get(url("workspace:today", site_id=cast.gent_a.pk)).content.decode()
    assert f'action="{url("workspace:switch")}"' in html
    assert 'method="get"' in html
    assert f'<option value="{cast.gent_b.pk}"' in html
    assert f'<option value="{cast.aalst.pk}"' not in html
    response = client.get(url("workspace:switch"), {"site": cast.gent_b.pk})
    assert response["Location"] == url("workspace:today", site_id=cast.gent_b.pk)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("chosen", ["", "abc", "-1", "١"])
def test_switching_without_a_proper_site_goes_home(cast, chosen):
    response = signed_in(cast.org_admin).get(url("workspace:switch"), {"site": chosen})
    assert response["Location"] == url("workspace:home")


def test_switching_to_a_site_of_another_organisation_ends_in_a_404(cast):
    client = signed_in(cast.coordinator)
    response = client.get(url("workspace:switch"), {"site": cast.aalst.pk}, follow=True)
    assert response.status_code == 404


def test_the_site_page_takes_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for n in range(5):
        factories.site(name=f"Digipunt Gent extra {n}", organisation=cast.gent)
    client = signed_in(cast.org_admin)
    with django_assert_max_num_queries(11):
        response = client.get(url("workspace:today", site_id=cast.gent_a.pk))
    assert response.status_code == 200


# --- editing the information --------------------------------------------------------------------


def test_a_coordinator_changes_the_information_and_the_public_page_shows_it(cast):
    client = signed_in(cast.coordinator)
    data = information_data(
        cast.gent_a,
        name="Digipunt Gent Centrum",
        phone="09 123 45 67",
        languages=["nl", "fr"],
        step_free="on",
    )
    response = client.post(url("network:site-edit", site_id=cast.gent_a.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url("workspace:today", site_id=cast.gent_a.pk)
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.name == "Digipunt Gent Centrum"
    assert cast.gent_a.languages == ",nl,fr,"
    assert cast.gent_a.step_free is True
    [entry] = AuditEntry.objects.all()
    assert set(entry.changes) == {"name", "phone", "languages", "step_free"}
    public = client.get(url("network:site", slug=cast.gent_a.slug)).content.decode()
    assert "Digipunt Gent Centrum" in public
    assert "09 123 45 67" in public


def test_the_edit_form_shows_the_current_information(cast):
    html = signed_in(cast.coordinator).get(url("network:site-edit", site_id=cast.gent_a.pk))
    html = html.content.decode()
    assert 'value="Digipunt Gent A"' in html
    assert re.search(r'<input[^>]*name="languages" value="nl"[^>]*checked', html)
    assert not re.search(r'<input[^>]*name="languages" value="fr"[^>]*checked', html)


def test_the_edit_form_keeps_what_was_typed_on_an_error_and_saves_nothing(cast):
    client = signed_in(cast.coordinator)
    data = information_data(
        cast.gent_a,
        name="A name I typed",
        latitude="99",
        email="not an email",
        description="Words I do not want to type again",
    )
    response = client.post(url("network:site-edit", site_id=cast.gent_a.pk), data)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert 'value="A name I typed"' in html
    assert 'value="99"' in html
    assert 'value="not an email"' in html
    assert "Words I do not want to type again" in html
    assert "Belgium lies between latitude 49.4 and 51.6" in html
    assert 'aria-invalid="true"' in html
    # The page frame still shows the site's real name.
    assert ">Digipunt Gent A</a>" in html
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.name == "Digipunt Gent A"
    assert audit_count() == 0


def test_a_site_must_say_how_people_come(cast):
    data = information_data(cast.gent_a)
    data.pop("walk_in", None)
    data.pop("by_appointment", None)
    response = signed_in(cast.coordinator).post(
        url("network:site-edit", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 200
    assert "Tick how people come" in response.content.decode()
    assert audit_count() == 0


def test_an_unknown_postal_code_is_shown_on_the_form(cast):
    data = information_data(cast.gent_a, postal_code="0001")
    response = signed_in(cast.coordinator).post(
        url("network:site-edit", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 200
    assert "We do not know this postal code" in response.content.decode()
    assert audit_count() == 0


def test_an_organisation_admin_edits_another_site_of_the_organisation(cast):
    data = information_data(cast.gent_b, brand="Digicafé")
    response = signed_in(cast.org_admin).post(
        url("network:site-edit", site_id=cast.gent_b.pk), data
    )
    assert response.status_code == 302
    cast.gent_b.refresh_from_db()
    assert cast.gent_b.brand == "Digicafé"


def test_a_volunteer_cannot_post_changes(cast):
    data = information_data(cast.gent_a, name="Hacked")
    response = signed_in(cast.volunteer).post(
        url("network:site-edit", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 403
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.name == "Digipunt Gent A"


def test_a_coordinator_of_gent_a_cannot_post_changes_to_gent_b(cast):
    data = information_data(cast.gent_b, name="Hacked")
    response = signed_in(cast.coordinator).post(
        url("network:site-edit", site_id=cast.gent_b.pk), data
    )
    assert response.status_code == 404
    cast.gent_b.refresh_from_db()
    assert cast.gent_b.name == "Digipunt Gent B"


# --- CSRF ---------------------------------------------------------------------------------------


def test_the_edit_form_refuses_a_post_without_its_csrf_token(cast):
    client = signed_in(cast.coordinator, csrf=True)
    edit = url("network:site-edit", site_id=cast.gent_a.pk)
    data = information_data(cast.gent_a, name="Changed")
    assert client.post(edit, data).status_code == 403
    assert Site.objects.get(pk=cast.gent_a.pk).name == "Digipunt Gent A"
    token = csrf_token(client.get(edit).content.decode())
    assert client.post(edit, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Site.objects.get(pk=cast.gent_a.pk).name == "Changed"


def test_the_hours_editor_refuses_a_post_without_its_csrf_token(cast):
    client = signed_in(cast.coordinator, csrf=True)
    hours = url("network:site-hours", site_id=cast.gent_a.pk)
    data = hours_data(cast.gent_a, periods=[period_row(5, "10:00", "12:00")], button="save")
    assert client.post(hours, data).status_code == 403
    assert audit_count() == 0
    token = csrf_token(client.get(hours).content.decode())
    assert client.post(hours, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert audit_count() == 1


def test_marking_verified_refuses_a_post_without_a_csrf_token(cast):
    client = signed_in(cast.coordinator, csrf=True)
    verify = url("network:site-verify", site_id=cast.gent_a.pk)
    assert client.post(verify).status_code == 403
    token = csrf_token(client.get(url("workspace:today", site_id=cast.gent_a.pk)).content.decode())
    assert client.post(verify, {"csrfmiddlewaretoken": token}).status_code == 302
    assert Site.objects.get(pk=cast.gent_a.pk).last_verified == timezone.localdate()


# --- the opening-hours editor -------------------------------------------------------------------


def test_the_hours_editor_shows_the_current_lines_and_empty_ones(cast):
    html = signed_in(cast.coordinator).get(url("network:site-hours", site_id=cast.gent_a.pk))
    html = html.content.decode()
    # 10 existing lines (Monday to Friday, morning and afternoon) and 2 empty ones.
    assert 'name="periods-TOTAL_FORMS" value="12"' in html
    assert 'name="periods-INITIAL_FORMS" value="10"' in html
    assert 'name="periods-0-opens" value="09:00"' in html
    assert 'name="exceptions-TOTAL_FORMS" value="2"' in html
    assert "Opening hours, line 12" in html


def test_preview_shows_a_new_period_and_closure_and_saves_nothing(cast):
    closed_on = next_weekday(2)
    data = hours_data(
        cast.gent_a,
        periods=[period_row(5, "10:00", "11:30")],
        exceptions=[{"start": closed_on.isoformat(), "closed": "closed", "reason": "Inventory"}],
    )
    before = Site.objects.get(pk=cast.gent_a.pk).opening_hours
    response = signed_in(cast.coordinator).post(
        url("network:site-hours", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    preview = html[html.index('id="preview"') :]
    assert "10:00 – 11:30" in preview
    assert "(Inventory)" in preview
    assert "Closed on" in preview
    # What was typed stays in the form, so that "Save" saves exactly what was previewed.
    assert 'name="periods-10-opens" value="10:00"' in html
    assert Site.objects.get(pk=cast.gent_a.pk).opening_hours == before
    assert audit_count() == 0


def test_saving_hours_changes_the_public_page(cast, client):
    closed_on = next_weekday(2)
    data = hours_data(
        cast.gent_a,
        periods=[period_row(5, "10:00", "11:30")],
        exceptions=[
            {"start": closed_on.isoformat(), "closed": "closed", "reason": "Staff training day"}
        ],
        button="save",
    )
    response = signed_in(cast.coordinator).post(
        url("network:site-hours", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 302
    cast.gent_a.refresh_from_db()
    assert period(5, "10:00", "11:30") in cast.gent_a.opening_hours["periods"]
    assert len(cast.gent_a.opening_hours["periods"]) == 11
    assert cast.gent_a.opening_hours["exceptions"][0]["reason"] == "Staff training day"
    [entry] = AuditEntry.objects.all()
    assert entry.action == "site.set_opening_hours"
    public = client.get(f"/nl/digipunt/{cast.gent_a.slug}/").content.decode()
    assert "Staff training day" in public


def test_a_line_can_be_removed(cast):
    data = hours_data(cast.gent_a, button="save")
    data["periods-0-DELETE"] = "on"
    response = signed_in(cast.coordinator).post(
        url("network:site-hours", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 302
    cast.gent_a.refresh_from_db()
    assert len(cast.gent_a.opening_hours["periods"]) == 9


def test_an_extra_opening_with_other_hours_is_saved(cast):
    sunday = next_weekday(6)
    data = hours_data(
        cast.gent_a,
        exceptions=[
            {
                "start": sunday.isoformat(),
                "closed": "open",
                "opens": "14:00",
                "closes": "16:00",
                "reason": "Open day",
            }
        ],
        button="save",
    )
    signed_in(cast.coordinator).post(url("network:site-hours", site_id=cast.gent_a.pk), data)
    cast.gent_a.refresh_from_db()
    [extra] = cast.gent_a.opening_hours["exceptions"]
    assert extra == {
        "start": sunday.isoformat(),
        "end": sunday.isoformat(),
        "closed": False,
        "opens": "14:00",
        "closes": "16:00",
        "reason": "Open day",
    }


def test_bad_hours_lines_are_named_and_nothing_is_saved(cast):
    data = hours_data(
        cast.gent_a,
        periods=[
            period_row(5, "12:00", "10:00"),
            period_row(3, "18:00", "20:00", recurrence="biweekly"),
        ],
        exceptions=[
            {"start": "2027-01-10", "end": "2027-01-05", "closed": "closed"},
            {"start": "2027-02-01", "closed": "open"},
        ],
        button="save",
    )
    data["periods-11-recurrence"] = "biweekly"
    before = Site.objects.get(pk=cast.gent_a.pk).opening_hours
    response = signed_in(cast.coordinator).post(
        url("network:site-hours", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    summary = html[: html.index('id="h-periods"')]
    assert '<a href="#periods-10">Opening hours, line 11</a>: The closing time must be later' in (
        summary
    )
    assert '<a href="#periods-11">Opening hours, line 12</a>: Every other week needs a date' in (
        summary
    )
    assert '<a href="#exceptions-0">Closure or other hours, line 1</a>: The last day is before' in (
        summary
    )
    assert "Closure or other hours, line 2</a>: Enter the opening time" in summary
    assert 'id="periods-10"' in html
    assert Site.objects.get(pk=cast.gent_a.pk).opening_hours == before
    assert audit_count() == 0


def test_a_monthly_line_needs_which_week(cast):
    data = hours_data(
        cast.gent_a, periods=[period_row(1, "13:00", "15:00", recurrence="monthly")], button="save"
    )
    response = signed_in(cast.coordinator).post(
        url("network:site-hours", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 200
    assert "Once a month needs which one" in unescape(response.content.decode())
    data["periods-10-nth"] = "-1"
    response = signed_in(cast.coordinator).post(
        url("network:site-hours", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 302
    cast.gent_a.refresh_from_db()
    assert (
        period(1, "13:00", "15:00", recurrence="monthly", nth=-1)
        in (cast.gent_a.opening_hours["periods"])
    )


def test_a_volunteer_cannot_post_opening_hours(cast):
    data = hours_data(cast.gent_a, periods=[period_row(5, "10:00", "12:00")], button="save")
    response = signed_in(cast.volunteer).post(
        url("network:site-hours", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 403
    assert audit_count() == 0


# --- verifying ----------------------------------------------------------------------------------


def test_marking_verified_sets_today_and_writes_an_audit_entry(cast):
    response = signed_in(cast.coordinator).post(url("network:site-verify", site_id=cast.gent_a.pk))
    assert response.status_code == 302
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.last_verified == timezone.localdate()
    [entry] = AuditEntry.objects.all()
    assert entry.action == "site.mark_verified"
    assert entry.actor == cast.coordinator


def test_marking_verified_is_a_post_only(cast):
    response = signed_in(cast.coordinator).get(url("network:site-verify", site_id=cast.gent_a.pk))
    assert response.status_code == 405


# --- an organisation's sites --------------------------------------------------------------------


def test_the_organisation_list_flags_sites_not_checked_for_half_a_year(cast):
    today = timezone.localdate()
    Site.objects.filter(pk=cast.gent_a.pk).update(last_verified=today - timedelta(days=10))
    Site.objects.filter(pk=cast.gent_b.pk).update(last_verified=today - timedelta(days=181))
    html = signed_in(cast.org_admin).get(
        url("network:organisation-sites", organisation_id=cast.gent.pk)
    )
    html = html.content.decode()
    rows = html.split('<li class="result">')[1:]
    assert "Digipunt Gent A" in rows[0]
    assert "Check needed" not in rows[0]
    assert "Digipunt Gent B" in rows[1]
    assert "Check needed" in rows[1]
    assert "Digipunt Aalst" not in html


def test_a_site_never_checked_is_flagged(cast):
    Site.objects.filter(pk=cast.gent_a.pk).update(last_verified=None)
    html = signed_in(cast.org_admin).get(
        url("network:organisation-sites", organisation_id=cast.gent.pk)
    )
    assert "This information has not been checked yet." in html.content.decode()
    assert '<strong class="error">Check needed</strong>' in html.content.decode()


def test_saving_unchanged_opening_hours_writes_no_audit_entry(cast):
    cast.gent_a.opening_hours = {"periods": [period(0, "09:00", "12:00")], "exceptions": []}
    cast.gent_a.save()
    data = hours_data(cast.gent_a, button="save")
    response = signed_in(cast.coordinator).post(
        url("network:site-hours", site_id=cast.gent_a.pk), data
    )
    assert response.status_code == 302
    assert audit_count() == 0
