"""What the resident receives: the confirmation with the reference and the manage link, by
email and by a short SMS, in the appointment's language; and messages when it is moved,
cancelled or due tomorrow. Nothing is sent for a booking that failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from appointments import changes, reminders
from notifications import sms
from notifications.sms import sms_segments
from tests.appointments.helpers import book, bookable_site, stored_appointment, tomorrow_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemBackend"
    settings.SITE_URL = "https://digipunt.example"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def test_the_confirmation_goes_by_email_and_sms_with_reference_and_link(
    mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    site = bookable_site(name="Digipunt Kouter")
    with django_capture_on_commit_callbacks(execute=True):
        appointment, token = book(site, tomorrow_at(10), email="jan@example.be")

    link = f"https://digipunt.example/nl/appointments/{token}/"
    [email] = mailoutbox
    assert email.to == ["jan@example.be"]
    assert appointment.reference in email.body
    assert link in email.body
    assert "10:00" in email.subject
    assert "Digipunt Kouter" in email.body
    assert "Kouter 1" in email.body
    [text] = sms_outbox
    assert text.to == "+32470123456"
    assert appointment.reference in text.body
    assert link in text.body
    assert "10:00" in text.body
    assert sms_segments(text.body) <= 2, text.body


def test_the_link_follows_the_language_of_the_appointment(
    mailoutbox, django_capture_on_commit_callbacks
):
    site = bookable_site(languages=",nl,fr,de,")
    with django_capture_on_commit_callbacks(execute=True):
        _appointment, french = book(
            site, tomorrow_at(10), phone="", email="a@example.be", language="fr"
        )
        _appointment, german = book(
            site, tomorrow_at(11), phone="", email="b@example.be", language="de"
        )

    assert f"/fr/appointments/{french}/" in mailoutbox[0].body
    # No German website: the message comes in the default language.
    assert f"/{settings.LANGUAGE_CODE}/appointments/{german}/" in mailoutbox[1].body


def test_a_failed_booking_sends_nothing(mailoutbox, sms_outbox, django_capture_on_commit_callbacks):
    site = bookable_site()
    book(site, tomorrow_at(10))
    mailoutbox.clear()
    sms_outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        book(site, tomorrow_at(10), name="Mia Janssens", email="mia@example.be")

    assert mailoutbox == []
    assert sms_outbox == []


def test_moving_and_cancelling_are_confirmed(sms_outbox, django_capture_on_commit_callbacks):
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(10))
    sms_outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appointment = changes.appointment_move(
            actor=None, appointment=appointment, starts_at=tomorrow_at(15)
        )
    with django_capture_on_commit_callbacks(execute=True):
        changes.appointment_cancel(actor=None, appointment=appointment)

    moved, cancelled = sms_outbox
    assert "15:00" in moved.body
    assert appointment.reference in moved.body
    # In the language the resident booked in (Dutch here).
    assert "geannuleerd" in cancelled.body
    assert appointment.reference in cancelled.body


def test_the_reminder_is_a_short_sms(sms_outbox, django_capture_on_commit_callbacks):
    site = bookable_site()
    now = timezone.now()
    appointment, _token = stored_appointment(site, now + timedelta(hours=20))

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.appointments_send_reminders(now=now) == 1

    [reminder] = sms_outbox
    assert appointment.reference in reminder.body
    assert sms_segments(reminder.body) <= 2, reminder.body


def test_the_reminder_command_sends_once(sms_outbox, capsys, django_capture_on_commit_callbacks):
    site = bookable_site()
    stored_appointment(site, timezone.now() + timedelta(hours=20))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_appointment_reminders")
        call_command("send_appointment_reminders")

    assert len(sms_outbox) == 1
    assert capsys.readouterr().out.splitlines() == [
        "Sent 1 appointment reminder(s).",
        "Sent 0 appointment reminder(s).",
    ]
