"""The staff side of appointments through the HTTP client: the agenda, its one-click actions,
booking for a caller, the settings, and the site's "today" page."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.models import Appointment, BookingSettings
from appointments.public.forms import slot_code
from network.models import Theme
from questions.models import Channel, Contact
from tests.appointments.helpers import (
    EVERY_DAY,
    at,
    book,
    enable_booking,
    stored_appointment,
    tomorrow,
    tomorrow_at,
)
from tests.cast import signed_in, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent_a(cast):
    """The cast's site gent_a, open every day, online booking on."""
    cast.gent_a.opening_hours = copy.deepcopy(EVERY_DAY)
    cast.gent_a.closed_on_public_holidays = False
    cast.gent_a.save()
    enable_booking(cast.gent_a)
    return cast.gent_a


def agenda_url(site, day=None) -> str:
    base = url("appointments:agenda", site_id=site.pk)
    return f"{base}?date={day.isoformat()}" if day else base


def action_url(appointment, action: str) -> str:
    return url(
        "appointments:action",
        site_id=appointment.site_id,
        appointment_id=appointment.pk,
        action=action,
    )


# --- the agenda ---------------------------------------------------------------------------------


def test_the_agenda_shows_the_day_with_name_phone_theme_language_and_status(cast, gent_a):
    book(gent_a, tomorrow_at(10), theme=Theme.objects.get(code="taxes"), language="nl")

    html = signed_in(cast.volunteer).get(agenda_url(gent_a, tomorrow())).content.decode()

    assert "10:00" in html
    assert "Jan Peeters" in html
    assert "0470 12 34 56" in html
    assert Theme.objects.get(code="taxes").name_en in html
    assert "Dutch" in html
    assert "Booked" in html
    assert f"date={(tomorrow() + timedelta(days=1)).isoformat()}" in html


def test_the_agenda_opens_on_today_and_explains_a_bad_date(cast, gent_a):
    client = signed_in(cast.volunteer)
    stored_appointment(gent_a, at(timezone.localdate(), 12), name="Vandaag Persoon")

    assert "Vandaag Persoon" in client.get(agenda_url(gent_a)).content.decode()
    html = client.get(agenda_url(gent_a) + "?date=31-02-2027", follow=True).content.decode()
    assert "This is not a date" in html
    assert "Vandaag Persoon" in html


def test_helped_registers_the_contact_in_one_click_and_only_once(cast, gent_a):
    appointment, _token = stored_appointment(gent_a, timezone.now() - timedelta(minutes=10))
    client = signed_in(cast.volunteer)

    response = client.post(action_url(appointment, "register"))
    again = client.post(action_url(appointment, "register"), follow=True)

    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.channel == Channel.APPOINTMENT
    assert contact.helper == cast.volunteer
    html = again.content.decode()
    assert "already registered as a contact" in html
    assert url("questions:contact-edit", site_id=gent_a.pk, contact_id=contact.pk) in html
    assert Contact.objects.count() == 1


def test_did_not_come_marks_a_started_appointment(cast, gent_a):
    appointment, _token = stored_appointment(gent_a, timezone.now() - timedelta(minutes=10))

    signed_in(cast.volunteer).post(action_url(appointment, "no-show"))

    assert Appointment.objects.get().status == Appointment.Status.NO_SHOW


def test_staff_cancel_after_a_confirmation(cast, gent_a):
    appointment, _token = book(gent_a, tomorrow_at(10))
    client = signed_in(cast.coordinator)

    asked = client.post(action_url(appointment, "cancel"))
    assert "Cancel the appointment?" in asked.content.decode()
    assert Appointment.objects.get().status == Appointment.Status.BOOKED

    client.post(action_url(appointment, "cancel"), {"confirm": "yes"})
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED


def test_an_appointment_of_another_site_answers_404_even_with_a_known_site_id(cast, gent_a):
    other, _token = stored_appointment(cast.aalst, tomorrow_at(10))
    client = signed_in(cast.volunteer)

    response = client.post(
        url(
            "appointments:action",
            site_id=gent_a.pk,
            appointment_id=other.pk,
            action="cancel",
        ),
        {"confirm": "yes"},
    )

    assert response.status_code == 404
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_an_unknown_action_is_a_404(cast, gent_a):
    appointment, _token = book(gent_a, tomorrow_at(10))

    response = signed_in(cast.volunteer).post(action_url(appointment, "delete"))

    assert response.status_code == 404


# --- booking for a caller ------------------------------------------------------------------------


def test_staff_book_for_a_caller_within_the_notice_and_with_online_booking_off(cast, gent_a):
    enable_booking(gent_a, is_enabled=False, min_notice_hours=48)
    client = signed_in(cast.volunteer)
    page = client.get(url("appointments:book", site_id=gent_a.pk), {"week": tomorrow()})
    assert slot_code(tomorrow_at(10)) in page.content.decode()

    response = client.post(
        url("appointments:book", site_id=gent_a.pk),
        {
            "starts_at": slot_code(tomorrow_at(10)),
            "name": "Beller Bert",
            "phone": "",
            "email": "bert@example.be",
            "theme": "",
            "language": "nl",
        },
        follow=True,
    )

    appointment = Appointment.objects.get()
    assert appointment.booked_by == cast.volunteer
    html = response.content.decode()
    assert appointment.reference in html
    assert "Beller Bert" in html


def test_staff_booking_errors_keep_what_was_typed(cast, gent_a):
    response = signed_in(cast.volunteer).post(
        url("appointments:book", site_id=gent_a.pk),
        {"starts_at": "", "name": "Beller Bert", "phone": "12", "email": "", "language": "nl"},
    )

    html = response.content.decode()
    assert "Choose a time." in html
    assert "Write it like 0470 12 34 56" in html
    assert 'value="Beller Bert"' in html
    assert 'value="12"' in html
    assert not Appointment.objects.exists()


def test_a_double_click_on_book_for_a_caller_books_once_and_says_so_to_the_helper(cast, gent_a):
    enable_booking(gent_a, capacity=3)
    client = signed_in(cast.volunteer)
    data = {
        "starts_at": slot_code(tomorrow_at(10)),
        "name": "Beller Bert",
        "phone": "0470 12 34 56",
        "email": "",
        "theme": "",
        "language": "nl",
    }

    client.post(url("appointments:book", site_id=gent_a.pk), data)
    again = client.post(url("appointments:book", site_id=gent_a.pk), data, follow=True)

    appointment = Appointment.objects.get()
    html = again.content.decode()
    assert (
        f"Beller Bert was already booked at this time (reference {appointment.reference})" in html
    )
    assert "Look for the confirmation" not in html  # that is what a resident reads


# --- settings -----------------------------------------------------------------------------------


def test_a_coordinator_turns_online_booking_on(cast):
    client = signed_in(cast.coordinator)
    settings_url = url("appointments:settings", site_id=cast.gent_a.pk)
    assert client.get(settings_url).status_code == 200

    response = client.post(
        settings_url,
        {
            "is_enabled": "on",
            "slot_minutes": "45",
            "capacity": "2",
            "days_ahead": "14",
            "min_notice_hours": "4",
        },
    )

    assert response.status_code == 302
    saved = BookingSettings.objects.get(site=cast.gent_a)
    assert (saved.is_enabled, saved.slot_minutes, saved.capacity) == (True, 45, 2)
    assert (saved.days_ahead, saved.min_notice_hours) == (14, 4)


def test_impossible_settings_are_explained(cast):
    response = signed_in(cast.coordinator).post(
        url("appointments:settings", site_id=cast.gent_a.pk),
        {"slot_minutes": "30", "capacity": "50", "days_ahead": "0", "min_notice_hours": "2"},
    )

    html = response.content.decode()
    assert "Enter a number from 1 to 20." in html
    assert "Enter a number from 1 to 120." in html
    assert 'value="50"' in html
    assert "Constraint" not in html
    assert not BookingSettings.objects.exists()


def test_a_volunteer_may_not_change_the_settings(cast):
    response = signed_in(cast.volunteer).post(
        url("appointments:settings", site_id=cast.gent_a.pk), {"capacity": "5"}
    )

    assert response.status_code == 403


# --- the site's "today" page ---------------------------------------------------------------------


def test_the_site_page_lists_todays_appointments_and_links_the_agenda(cast, gent_a):
    stored_appointment(gent_a, at(timezone.localdate(), 12), name="Vandaag Persoon")
    stored_appointment(
        gent_a,
        at(timezone.localdate(), 12, 30),
        name="Afgezegd Persoon",
        status=Appointment.Status.CANCELLED,
    )
    book(gent_a, tomorrow_at(10), name="Morgen Persoon")

    html = signed_in(cast.volunteer).get(url("workspace:today", site_id=gent_a.pk)).content.decode()

    assert "Vandaag Persoon" in html
    assert "Afgezegd Persoon" not in html
    assert "Morgen Persoon" not in html
    assert url("appointments:agenda", site_id=gent_a.pk) in html


def test_the_site_page_reads_todays_appointments_in_one_query(cast, gent_a):
    client = signed_in(cast.org_admin)
    page = url("workspace:today", site_id=gent_a.pk)
    client.get(page)  # sessions and caches warm

    with CaptureQueriesContext(connection) as without:
        client.get(page)
    for hour in (10, 11, 12):
        stored_appointment(gent_a, at(timezone.localdate(), hour), theme=Theme.objects.first())
    with CaptureQueriesContext(connection) as with_three:
        response = client.get(page)

    assert response.content.decode().count("Mia Janssens") == 3
    assert len(with_three) == len(without)
    appointment_queries = [q for q in with_three if "appointments_appointment" in q["sql"]]
    assert len(appointment_queries) == 1
