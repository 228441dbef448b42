"""Forged dates at the edges of the calendar (9999-12-31, 0001-01-01) on every page and endpoint
that reads a date: a clear answer, never a 500. One day after 9999-12-31 does not exist, so any
arithmetic on such a date would raise OverflowError; `core.dates` refuses them first."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from django.test import Client

from accounts.api_tokens import api_token_create
from network.hours_document import closure, extra_opening
from tests.appointments.helpers import EVERY_DAY, book, enable_booking, tomorrow_at
from tests.cast import sign_in, url
from tests.questions.api_support import body, post

pytestmark = pytest.mark.django_db

FAR_CODES = ["99991231T2359Z", "00010101T0000Z"]
FAR_DAYS = ["9999-12-31", "0001-01-01"]


@pytest.fixture
def site(cast):
    site = cast.gent_a
    site.opening_hours = copy.deepcopy(EVERY_DAY)
    site.closed_on_public_holidays = False
    site.save()
    enable_booking(site)
    return site


@pytest.mark.parametrize("code", FAR_CODES)
def test_the_public_booking_pages_refuse_a_slot_code_far_away(client, site, code):
    page = url("appointments:online-book", slug=site.slug)
    assert client.get(page, {"time": code}).status_code == 200
    posted = client.post(page, {"starts_at": code, "name": "Jan", "phone": "0470123456"})
    assert posted.status_code == 200
    assert "Jan" in posted.content.decode()  # what was typed comes back
    _appointment, token = book(site, tomorrow_at(10))
    manage = url("appointments:online-manage", token=token)
    assert client.post(manage, {"action": "move", "starts_at": code}).status_code in (200, 302)


@pytest.mark.parametrize("day", FAR_DAYS)
def test_weeks_far_away_are_not_shown(client, site, day):
    assert (
        client.get(url("appointments:online-book", slug=site.slug), {"week": day}).status_code
        == 200
    )


@pytest.mark.parametrize("day", FAR_DAYS)
def test_the_staff_agenda_and_booking_refuse_a_day_far_away(cast, site, day):
    client = sign_in(client_for(), cast.coordinator)
    agenda = client.get(url("appointments:agenda", site_id=site.pk), {"date": day}, follow=True)
    assert agenda.status_code == 200
    assert "This is not a date" in agenda.content.decode()
    staff_book = url("appointments:book", site_id=site.pk)
    assert client.get(staff_book, {"week": day}).status_code == 200


@pytest.mark.parametrize("code", FAR_CODES)
def test_staff_booking_refuses_a_slot_code_far_away(cast, site, code):
    client = sign_in(client_for(), cast.coordinator)
    response = client.post(
        url("appointments:book", site_id=site.pk),
        {"starts_at": code, "name": "Jan", "phone": "0470123456", "language": "nl"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(("start", "end"), [(FAR_DAYS[0], FAR_DAYS[0]), (FAR_DAYS[1], FAR_DAYS[1])])
def test_figures_of_a_period_far_away_say_which_dates_can_be_counted(cast, start, end):
    client = sign_in(client_for(), cast.coordinator)
    for name in ("questions:figures", "questions:figures-csv"):
        response = client.get(url(name, site_id=cast.gent_a.pk), {"from": start, "to": end})
        assert response.status_code in (200, 400), name
    page = client.get(url("questions:figures", site_id=cast.gent_a.pk), {"from": start, "to": end})
    assert "Choose dates between 2000 and 2099." in page.content.decode()


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59+00:00"],
)
def test_the_api_refuses_a_moment_far_away_with_a_message(cast, moment):
    _token, plaintext = api_token_create(actor=cast.org_admin, organisation=cast.gent, name="T")
    response = post(plaintext, body(cast.gent_a, occurred_at=moment))
    assert response.status_code == 400
    assert response.json()["errors"]["occurred_at"]


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1)])
def test_a_closure_far_away_in_the_hours_breaks_no_page(cast, client, day):
    site = cast.gent_a
    site.opening_hours["exceptions"] = [closure(day), extra_opening(day, "09:00", "12:00")]
    site.save()
    staff = sign_in(client_for(), cast.coordinator)
    for page in (
        url("network:site", slug=site.slug),
        url("network:search") + "?q=9000",
        "/api/sites.geojson",
    ):
        assert client.get(page).status_code == 200, page
    for page in (
        url("workspace:today", site_id=site.pk),
        url("network:site-hours", site_id=site.pk),
    ):
        assert staff.get(page).status_code == 200, page


def client_for() -> Client:
    return Client()
