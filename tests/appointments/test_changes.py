"""Cancelling, moving and marking appointments, turning one into a contact, and reminders: the
slot counters stay right and every refusal says why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments import changes, contacts, reminders
from appointments.models import Appointment, Slot
from audit.models import AuditEntry
from network.models import Theme
from questions.models import Channel, Contact, Duration, Outcome, Source
from tests.appointments.helpers import at, book, bookable_site, stored_appointment, tomorrow_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory", "english")]


def booked(slot_start) -> int:
    return Slot.objects.get(starts_at=slot_start).booked


# --- cancel -------------------------------------------------------------------------------------


def test_cancelling_frees_the_place_for_someone_else():
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(10))

    cancelled = changes.appointment_cancel(actor=None, appointment=appointment)

    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancelled_at is not None
    assert booked(tomorrow_at(10)) == 0
    other, _token = book(site, tomorrow_at(10), name="Mia Janssens")
    assert booked(tomorrow_at(10)) == 1
    assert other.slot_id == appointment.slot_id


def test_an_appointment_cannot_be_cancelled_twice():
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(10))
    changes.appointment_cancel(actor=None, appointment=appointment)

    with pytest.raises(ValidationError) as error:
        changes.appointment_cancel(actor=None, appointment=appointment)

    assert "can no longer be changed" in " ".join(error.value.messages)
    assert booked(tomorrow_at(10)) == 0


def test_a_past_appointment_cannot_be_cancelled():
    site = bookable_site()
    past = timezone.now() - timedelta(hours=3)
    appointment, _token = stored_appointment(site, past)

    with pytest.raises(ValidationError) as error:
        changes.appointment_cancel(actor=None, appointment=appointment)

    assert "already started or passed" in " ".join(error.value.messages)
    assert Slot.objects.get(pk=appointment.slot_id).booked == 1


def test_a_cancellation_by_staff_is_audited_without_personal_data(cast):
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(10))

    changes.appointment_cancel(actor=cast.volunteer, appointment=appointment)

    entry = AuditEntry.objects.get(action="appointment.cancel")
    assert entry.actor == cast.volunteer
    assert entry.changes["reference"] == appointment.reference
    assert "Peeters" not in str(entry.changes)


# --- move ---------------------------------------------------------------------------------------


def test_moving_takes_the_new_place_and_frees_the_old_one():
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(10))

    moved = changes.appointment_move(actor=None, appointment=appointment, starts_at=tomorrow_at(14))

    assert moved.starts_at == tomorrow_at(14)
    assert moved.slot.starts_at == tomorrow_at(14)
    assert booked(tomorrow_at(10)) == 0
    assert booked(tomorrow_at(14)) == 1
    assert moved.reference == appointment.reference
    assert moved.token_hash == appointment.token_hash


def test_moving_to_a_full_time_is_refused_and_nothing_changes():
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(10))
    book(site, tomorrow_at(14), name="Mia Janssens")

    with pytest.raises(ValidationError) as error:
        changes.appointment_move(actor=None, appointment=appointment, starts_at=tomorrow_at(14))

    assert "Someone just booked the last place" in " ".join(error.value.messages)
    assert Appointment.objects.get(pk=appointment.pk).starts_at == tomorrow_at(10)
    assert (booked(tomorrow_at(10)), booked(tomorrow_at(14))) == (1, 1)


def test_moving_to_the_same_time_or_to_no_slot_is_refused():
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(10))

    with pytest.raises(ValidationError) as same:
        changes.appointment_move(actor=None, appointment=appointment, starts_at=tomorrow_at(10))
    with pytest.raises(ValidationError) as forged:
        changes.appointment_move(actor=None, appointment=appointment, starts_at=tomorrow_at(10, 7))

    assert "already at this time" in " ".join(same.value.messages)
    assert "Choose a time from the list" in " ".join(forged.value.messages)
    assert booked(tomorrow_at(10)) == 1


def test_moving_back_and_forth_keeps_the_counters_right():
    site = bookable_site(booking={"capacity": 2})
    appointment, _token = book(site, tomorrow_at(10))
    for target in (tomorrow_at(11), tomorrow_at(12), tomorrow_at(10)):
        appointment = changes.appointment_move(
            actor=None, appointment=appointment, starts_at=target
        )

    counts = dict(Slot.objects.values_list("starts_at", "booked"))
    assert counts == {tomorrow_at(10): 1, tomorrow_at(11): 0, tomorrow_at(12): 0}


def test_a_moved_appointment_is_reminded_again():
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(10))
    Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=timezone.now())
    appointment.refresh_from_db()

    moved = changes.appointment_move(actor=None, appointment=appointment, starts_at=tomorrow_at(15))

    assert moved.reminder_sent_at is None


# --- mark ---------------------------------------------------------------------------------------


def test_did_not_come_is_only_possible_once_the_appointment_started(cast):
    site = bookable_site()
    future, _token = book(site, tomorrow_at(10))
    started, _token = stored_appointment(site, timezone.now() - timedelta(minutes=5))

    with pytest.raises(ValidationError) as error:
        changes.appointment_mark(
            actor=cast.volunteer, appointment=future, status=Appointment.Status.NO_SHOW
        )
    marked = changes.appointment_mark(
        actor=cast.volunteer, appointment=started, status=Appointment.Status.NO_SHOW
    )

    assert "has not started yet" in " ".join(error.value.messages)
    assert marked.status == Appointment.Status.NO_SHOW
    assert Slot.objects.get(pk=started.slot_id).booked == 1  # the time was used up


# --- helped: register as a contact ---------------------------------------------------------------


def test_an_appointment_becomes_a_contact_in_one_call(cast):
    site = bookable_site()
    starts_at = timezone.now() - timedelta(minutes=20)
    appointment, _token = stored_appointment(site, starts_at, minutes=60, theme=None)

    contact = contacts.appointment_register_contact(actor=cast.volunteer, appointment=appointment)

    assert contact.site == site
    assert contact.channel == Channel.APPOINTMENT
    assert contact.duration == Duration.FROM_30_TO_60
    assert contact.occurred_at == starts_at
    assert contact.helper == cast.volunteer
    assert contact.created_by == cast.volunteer
    assert contact.source == Source.APPOINTMENT
    question = contact.questions.get()
    assert (question.theme.code, question.outcome) == ("basics", Outcome.SOLVED)
    appointment.refresh_from_db()
    assert appointment.contact == contact
    assert appointment.status == Appointment.Status.DONE
    assert appointment.done_at is not None


def test_the_contact_keeps_the_theme_the_resident_chose(cast):
    site = bookable_site()
    appointment, _token = stored_appointment(
        site,
        timezone.now() - timedelta(minutes=5),
        theme=Theme.objects.get(code="taxes"),
    )

    contact = contacts.appointment_register_contact(actor=cast.volunteer, appointment=appointment)

    assert contact.duration == Duration.FROM_15_TO_30
    assert contact.questions.get().theme.code == "taxes"


def test_a_second_registration_of_the_same_appointment_is_refused(cast):
    site = bookable_site()
    appointment, _token = stored_appointment(site, timezone.now() - timedelta(minutes=5))
    contacts.appointment_register_contact(actor=cast.volunteer, appointment=appointment)

    with pytest.raises(ValidationError) as error:
        contacts.appointment_register_contact(actor=cast.coordinator, appointment=appointment)

    assert "already registered as a contact" in " ".join(error.value.messages)
    assert Contact.objects.count() == 1


def test_a_resident_helped_before_the_booked_time_counts_from_now(cast):
    site = bookable_site()
    now = timezone.now()
    midnight = at(timezone.localdate(now) + timedelta(days=1), 0)
    # Later today (an hour, or half the time left before midnight): still today's appointment.
    starts_at = now + min(timedelta(hours=1), (midnight - now) / 2)
    appointment, _token = stored_appointment(site, starts_at)

    contact = contacts.appointment_register_contact(actor=cast.volunteer, appointment=appointment)

    assert now <= contact.occurred_at <= timezone.now()


def test_a_cancelled_or_later_appointment_cannot_become_a_contact(cast):
    site = bookable_site()
    cancelled, _token = stored_appointment(
        site, timezone.now() - timedelta(hours=1), status=Appointment.Status.CANCELLED
    )
    later, _token = book(site, at(timezone.localdate() + timedelta(days=2), 10))

    for appointment, message in ((cancelled, "was cancelled"), (later, "on a later day")):
        with pytest.raises(ValidationError) as error:
            contacts.appointment_register_contact(actor=cast.volunteer, appointment=appointment)
        assert message in " ".join(error.value.messages)
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("minutes", "band"),
    [(10, Duration.UNDER_15), (15, Duration.FROM_15_TO_30), (30, Duration.FROM_15_TO_30),
     (45, Duration.FROM_30_TO_60), (60, Duration.FROM_30_TO_60), (90, Duration.OVER_60)],
)  # fmt: skip
def test_the_duration_band_follows_the_length_of_the_slot(minutes, band):
    assert contacts.duration_band(minutes) == band


# --- reminders -----------------------------------------------------------------------------------


def test_reminders_go_once_to_appointments_starting_in_12_to_36_hours(
    mailoutbox, django_capture_on_commit_callbacks
):
    site = bookable_site()
    now = timezone.now()
    soon, _token = stored_appointment(site, now + timedelta(hours=6), email="soon@example.be")
    due, _token = stored_appointment(site, now + timedelta(hours=20), email="due@example.be")
    later, _token = stored_appointment(site, now + timedelta(hours=40), email="late@example.be")
    stored_appointment(
        site,
        now + timedelta(hours=21),
        status=Appointment.Status.CANCELLED,
        email="gone@example.be",
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.appointments_send_reminders(now=now) == 1
        assert reminders.appointments_send_reminders(now=now) == 0
        assert reminders.appointments_send_reminders(now=now + timedelta(minutes=30)) == 0

    due.refresh_from_db()
    soon.refresh_from_db()
    later.refresh_from_db()
    assert due.reminder_sent_at == now
    assert soon.reminder_sent_at is None
    assert later.reminder_sent_at is None
    assert [message.to for message in mailoutbox] == [["due@example.be"]]
