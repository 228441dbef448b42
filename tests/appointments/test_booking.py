"""Booking an appointment through the service: the rules, their messages and the counters."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments import changes, services, slots
from appointments.models import Appointment, Slot
from audit.models import AuditEntry
from core import references
from network.hours_document import closure
from tests.appointments.helpers import (
    at,
    book,
    bookable_site,
    enable_booking,
    tomorrow,
    tomorrow_at,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory", "english")]


def refusal(error: pytest.ExceptionInfo[ValidationError], field: str | None = None) -> str:
    """The messages of a refusal about `field` (all of them when None)."""
    if field is None:
        return " ".join(error.value.messages)
    return " ".join(error.value.message_dict.get(field, []))


def test_a_resident_books_a_free_slot_and_gets_a_reference_and_a_secret_link():
    site = bookable_site()

    appointment, token = book(site, tomorrow_at(10))

    assert appointment.status == Appointment.Status.BOOKED
    assert len(appointment.reference) == 6
    assert set(appointment.reference) <= set(references.ALPHABET)
    assert appointment.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(Appointment.objects.values()), default=str)
    assert appointment.phone == "+32470123456"
    assert appointment.booked_by is None
    slot = Slot.objects.get(site=site, starts_at=tomorrow_at(10))
    assert (slot.booked, slot.capacity) == (1, 1)
    assert slot.ends_at == tomorrow_at(10, 30)


def test_the_audit_entry_of_a_booking_holds_no_personal_data():
    site = bookable_site()

    appointment, _token = book(site, tomorrow_at(10), email="jan@example.be")

    entry = AuditEntry.objects.get(action="appointment.book")
    assert entry.site_id == site.pk
    assert entry.actor is None
    assert entry.changes["reference"] == appointment.reference
    text = json.dumps(entry.changes) + entry.object_label + entry.actor_label
    for personal in ("Jan", "Peeters", "470", "jan@example.be"):
        assert personal not in text


def test_residents_cannot_book_when_online_booking_is_off_but_staff_can(cast):
    site = bookable_site(booking={"is_enabled": False})

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10))
    assert "cannot be booked online" in refusal(error)

    appointment, _token = book(site, tomorrow_at(10), by_staff=True, actor=cast.volunteer)
    assert appointment.booked_by == cast.volunteer


def test_a_time_that_is_not_a_slot_is_refused():
    site = bookable_site()

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10, 15))

    assert "Choose a time from the list" in refusal(error, "starts_at")
    assert not Appointment.objects.exists()


def test_a_time_outside_the_opening_hours_is_refused():
    site = bookable_site()

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(18))

    assert "No appointment can be made at this time" in refusal(error, "starts_at")


def test_a_closed_day_cannot_be_booked():
    day = timezone.localdate() + timedelta(days=3)
    site = bookable_site()
    site.opening_hours["exceptions"] = [closure(day, reason="Staff training")]
    site.save()

    with pytest.raises(ValidationError) as error:
        book(site, at(day, 10))

    assert "No appointment can be made" in refusal(error, "starts_at")


def test_a_past_time_is_refused_with_its_own_message():
    site = bookable_site()
    yesterday = timezone.localdate() - timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        book(site, at(yesterday, 10))

    assert "This time has passed" in refusal(error, "starts_at")


def test_a_time_beyond_the_days_ahead_is_refused():
    site = bookable_site(booking={"days_ahead": 7})
    later = timezone.localdate() + timedelta(days=9)

    with pytest.raises(ValidationError) as error:
        book(site, at(later, 10))

    assert "No appointment can be made" in refusal(error, "starts_at")


def test_a_resident_cannot_book_within_the_notice_but_staff_can(cast):
    site = bookable_site(booking={"min_notice_hours": 48})

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10))
    assert "at least 48 hours ahead" in refusal(error, "starts_at")

    appointment, _token = book(site, tomorrow_at(10), by_staff=True, actor=cast.volunteer)
    assert appointment.pk


def test_a_full_slot_is_refused_with_a_clear_message_and_the_counter_stays():
    site = bookable_site()
    book(site, tomorrow_at(10))

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10), name="Mia Janssens", phone="0471 22 33 44")

    assert refusal(error, "starts_at") == (
        "Someone just booked the last place at this time. Choose another time."
    )
    assert Slot.objects.get(site=site).booked == 1
    assert Appointment.objects.count() == 1


def test_a_slot_takes_as_many_people_as_its_capacity():
    site = bookable_site(booking={"capacity": 2})
    book(site, tomorrow_at(10), name="Ann")
    book(site, tomorrow_at(10), name="Bert")

    with pytest.raises(ValidationError):
        book(site, tomorrow_at(10), name="Carla")

    assert Slot.objects.get(site=site).booked == 2


def test_a_higher_capacity_applies_to_times_already_booked():
    site = bookable_site()
    book(site, tomorrow_at(10), name="Ann")

    services.booking_settings_update(actor=None, site=site, data={"capacity": 3})
    book(site, tomorrow_at(10), name="Bert")

    slot = Slot.objects.get(site=site)
    assert (slot.booked, slot.capacity) == (2, 3)


def test_the_same_person_booking_the_same_time_twice_is_told_it_is_already_booked():
    site = bookable_site(booking={"capacity": 3})
    first, _token = book(site, tomorrow_at(10))

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10), phone="+32 470 12 34 56")

    assert error.value.code == "already_booked"
    assert first.reference in refusal(error)
    assert Appointment.objects.count() == 1
    assert Slot.objects.get(site=site).booked == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Write your name"),
        ("   ", "Write your name"),
        ("0470123456", "Write a name, not a number"),
        ("A" * 121, "under 120 characters"),
    ],
)
def test_a_name_is_required_and_must_be_a_name(name, message):
    site = bookable_site()

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10), name=name)

    assert message in refusal(error, "name")


def test_a_phone_number_or_an_email_address_is_required():
    site = bookable_site()

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10), phone="", email="")

    assert "Give a phone number or an email address" in refusal(error, "phone")


def test_an_email_address_alone_is_enough_and_a_bad_one_is_refused():
    site = bookable_site()

    appointment, _token = book(site, tomorrow_at(10), phone="", email="an@example.be")
    assert (appointment.phone, appointment.email) == ("", "an@example.be")

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(11), phone="", email="an@example")
    assert "not an email address" in refusal(error, "email")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("+32470123456", "+32470123456"),
        ("+32 470 12 34 56", "+32470123456"),
        ("0032 470 12 34 56", "+32470123456"),
        ("0032470123456", "+32470123456"),
        ("09 266 11 11", "+3292661111"),
        ("+31 6 12345678", "+31612345678"),
    ],
)
def test_phone_numbers_in_their_usual_spellings_are_stored_as_e164(typed, stored):
    site = bookable_site()

    appointment, _token = book(site, tomorrow_at(10), phone=typed)

    assert appointment.phone == stored


@pytest.mark.parametrize("typed", ["123", "abc", "phone me", "0470 12 34 5", "+32 0000"])
def test_malformed_phone_numbers_are_refused_with_an_example(typed):
    site = bookable_site()

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10), phone=typed)

    assert "Write it like 0470 12 34 56" in refusal(error, "phone")
    assert not Appointment.objects.exists()


def test_the_language_must_be_one_of_the_site():
    site = bookable_site(languages=",nl,")

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10), language="fr")

    assert "languages of this place" in refusal(error, "language")


def test_every_problem_is_reported_at_once():
    site = bookable_site()

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(10, 15), name="", phone="123")

    assert set(error.value.message_dict) == {"name", "phone", "starts_at"}


def test_references_are_unique():
    site = bookable_site(booking={"capacity": 20})
    references = {book(site, tomorrow_at(10), name=f"Person {n}")[0].reference for n in range(20)}

    assert len(references) == 20


def test_after_the_length_changes_a_booked_time_keeps_its_overlapping_new_times_busy():
    site = bookable_site()  # 30 minutes, one person at a time
    book(site, tomorrow_at(9, 30))  # 09:30-10:00
    enable_booking(site, slot_minutes=45)  # now 09:00, 09:45, 10:30, ...

    week = slots.bookable_slots(site, services.booking_settings_of(site), tomorrow(), tomorrow())
    free = {slot.starts_at: slot.free for slot in week}
    assert free[tomorrow_at(9)] == 0  # 09:00-09:45 overlaps 09:30-10:00
    assert free[tomorrow_at(9, 45)] == 0  # 09:45-10:30 too
    assert free[tomorrow_at(10, 30)] == 1

    with pytest.raises(ValidationError) as error:
        book(site, tomorrow_at(9, 45), name="Second Person")
    assert "Someone just booked the last place" in refusal(error, "starts_at")
    book(site, tomorrow_at(10, 30), name="Third Person")


def test_an_appointment_may_move_to_a_new_time_that_overlaps_only_its_own_old_one():
    site = bookable_site()
    appointment, _token = book(site, tomorrow_at(9, 30))
    enable_booking(site, slot_minutes=45)

    moved = changes.appointment_move(actor=None, appointment=appointment, starts_at=tomorrow_at(9))

    assert moved.starts_at == tomorrow_at(9)
