"""Group loans booked ahead: the Digibib's rules, and never two bookings of one device on the same
day, refused by the service and, behind it, by the database (an exclusion constraint on
PostgreSQL, a trigger on SQLite)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lending import services
from lending.models import Booking, BookingItem, Borrower, LendingRules
from tests import factories
from tests.lending.helpers import borrower, device, lend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
IN_TWO_WEEKS = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)


@pytest.fixture
def site():
    return factories.site()


def school(site):
    return borrower(site, "Basisschool De Linde", kind=Borrower.Kind.ORGANISATION)


def book(site, who, devices, starts_on=IN_TWO_WEEKS, days=5):
    return services.booking_create(
        actor=None,
        site=site,
        borrower=who,
        devices=devices,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
    )


def messages(error) -> dict[str, str]:
    return {field: " ".join(texts) for field, texts in error.value.message_dict.items()}


def test_an_organisation_books_devices_for_a_workshop(site):
    laptops = [device(site, f"LAP-{n}") for n in range(3)]

    booking = book(site, school(site), laptops)

    assert booking.status == Booking.Status.BOOKED
    assert BookingItem.objects.filter(booking=booking, active=True).count() == 3


def test_the_digibib_rules_are_kept(site):
    laptop = device(site, "LAP-1")
    who = school(site)

    with pytest.raises(ValidationError) as error:
        book(site, who, [laptop], starts_on=MONDAY.date() + timedelta(days=6))
    assert "at least 7 days ahead" in messages(error)["starts_on"]
    with pytest.raises(ValidationError) as error:
        book(site, who, [laptop], days=22)
    assert "at most 21 days" in messages(error)["ends_on"]
    with pytest.raises(ValidationError) as error:
        book(site, borrower(site, "Marie"), [laptop])
    assert "for organisations" in messages(error)["borrower"]

    LendingRules.objects.create(organisation=site.organisation, group_max_per_year=2)
    book(site, who, [laptop], starts_on=date(2026, 12, 7), days=2)
    book(site, who, [laptop], starts_on=date(2026, 12, 14), days=2)
    with pytest.raises(ValidationError) as error:
        book(site, who, [laptop], starts_on=date(2026, 12, 21), days=2)
    assert "2 group loans that year" in messages(error)["borrower"]
    # The next year counts afresh.
    book(site, who, [laptop], starts_on=date(2027, 1, 11), days=2)


def test_a_device_booked_on_one_of_the_days_is_refused_and_nothing_is_booked(site):
    laptops = [device(site, f"LAP-{n}") for n in range(2)]
    book(site, school(site), [laptops[0]], starts_on=date(2026, 12, 7), days=5)  # 7 to 11

    with pytest.raises(ValidationError) as error:
        book(site, borrower(site, "Jeugdhuis", kind="organisation"), laptops, date(2026, 12, 11))

    assert "Already booked on some of these days: LAP-0." in messages(error)["devices"]
    assert Booking.objects.count() == 1
    # The day after the last day is free.
    book(site, borrower(site, "Jeugdhuis", kind="organisation"), laptops, date(2026, 12, 12))


def test_a_cancelled_booking_frees_its_days(site):
    laptop = device(site, "LAP-1")
    first = book(site, school(site), [laptop])
    services.booking_cancel(actor=None, booking=first)

    second = book(site, borrower(site, "Jeugdhuis", kind="organisation"), [laptop])

    assert second.status == Booking.Status.BOOKED


@pytest.mark.parametrize("overlap", [(7, 11), (11, 15), (5, 20), (9, 9)])
def test_the_database_refuses_overlapping_bookings_of_one_device(site, overlap):
    laptop = device(site, "LAP-1")
    booking = book(site, school(site), [laptop], starts_on=date(2026, 12, 7), days=5)  # 7 to 11
    first, last = overlap

    with pytest.raises(IntegrityError), transaction.atomic():
        BookingItem.objects.create(
            booking=booking,
            device=laptop,
            starts_on=date(2026, 12, first),
            ends_on=date(2026, 12, last),
        )
    # Not overlapping, or not active: allowed.
    BookingItem.objects.create(
        booking=booking, device=laptop, starts_on=date(2026, 12, 12), ends_on=date(2026, 12, 13)
    )
    BookingItem.objects.create(
        booking=booking,
        device=laptop,
        starts_on=date(2026, 12, 7),
        ends_on=date(2026, 12, 11),
        active=False,
    )


def test_a_booked_device_is_not_lent_to_someone_else_over_the_booked_days(site):
    laptop = device(site, "LAP-1")
    who = school(site)
    book(site, who, [laptop], starts_on=date(2026, 12, 7), days=5)

    with pytest.raises(ValidationError) as error:
        lend(None, site, laptop, borrower(site, "Marie"))
    assert "booked for a group loan from 07/12/2026" in messages(error)["asset_tag"]

    loan, _token = lend(None, site, laptop, who)  # the school picks it up
    assert loan.borrower == who
