"""Cutting a site's opening hours into bookable slots: periods, fortnights, holidays, closures,
the nights the clocks change, the notice period, the horizon and the places already booked."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest

from appointments.models import BookingSettings, Slot
from appointments.slots import bookable_slots, first_free_week, free_week
from network.hours_document import closure, extra_opening, period
from tests import factories
from tests.appointments.helpers import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

MONDAY = date(2027, 3, 1)
# Easter Sunday as well: the sites of these tests open on public holidays.
SUNDAY_SPRING = date(2027, 3, 28)  # clocks go forward at 02:00
SUNDAY_AUTUMN = date(2027, 10, 31)  # clocks go back at 03:00


def before(day: date):
    """A "now" the morning before `day` (well within the horizon, beyond the notice)."""
    return at(day - timedelta(days=1), 8)


def site_with(periods: list, exceptions: list | None = None, **fields):
    return factories.site(
        opening_hours={"periods": periods, "exceptions": exceptions or []}, **fields
    )


def settings_for(site, **fields) -> BookingSettings:
    values = {"is_enabled": True, "slot_minutes": 30, "capacity": 1, "days_ahead": 120}
    values.update(fields)
    return BookingSettings.objects.create(site=site, **values)


def local_starts(slots) -> list[str]:
    return [slot.starts_at.strftime("%H:%M") for slot in slots]


def test_each_opening_period_is_cut_into_slots_that_fit_entirely():
    site = site_with([period(0, "09:00", "12:00"), period(0, "13:00", "17:00")])
    settings = settings_for(site, slot_minutes=45)

    slots = bookable_slots(site, settings, MONDAY, MONDAY, now=before(MONDAY))

    # 12:00 would need 11:15-12:00 (fits) but 12:00-12:45 would cross the lunch break.
    assert local_starts(slots) == [
        "09:00", "09:45", "10:30", "11:15", "13:00", "13:45", "14:30", "15:15", "16:00",
    ]  # fmt: skip
    assert all(slot.ends_at - slot.starts_at == timedelta(minutes=45) for slot in slots)
    assert all(slot.free == 1 for slot in slots)


def test_days_without_opening_hours_have_no_slots():
    site = site_with([period(0, "09:00", "12:00")])
    settings = settings_for(site)

    slots = bookable_slots(site, settings, MONDAY, MONDAY + timedelta(days=6), now=before(MONDAY))

    assert {slot.day for slot in slots} == {MONDAY}


def test_a_fortnightly_period_gives_slots_every_other_week():
    site = site_with([period(2, "10:00", "11:00", recurrence="biweekly", anchor=MONDAY)])
    settings = settings_for(site)

    slots = bookable_slots(site, settings, MONDAY, MONDAY + timedelta(days=27), now=before(MONDAY))

    assert sorted({slot.day for slot in slots}) == [date(2027, 3, 3), date(2027, 3, 17)]
    assert len(slots) == 4


def test_a_public_holiday_closes_the_slots_unless_an_exception_opens_it():
    armistice = date(2027, 11, 11)  # a Thursday
    site = site_with([period(3, "09:00", "12:00")])
    settings = settings_for(site)
    assert bookable_slots(site, settings, armistice, armistice, now=before(armistice)) == []

    site.opening_hours["exceptions"] = [extra_opening(armistice, "10:00", "11:00")]
    site.save()

    slots = bookable_slots(site, settings, armistice, armistice, now=before(armistice))
    assert local_starts(slots) == ["10:00", "10:30"]


def test_a_closed_day_has_no_slots():
    site = site_with([period(0, "09:00", "12:00")], [closure(MONDAY, reason="Training")])
    settings = settings_for(site)

    assert bookable_slots(site, settings, MONDAY, MONDAY, now=before(MONDAY)) == []


@pytest.mark.parametrize(
    ("day", "utc_hour", "offset"),
    [(SUNDAY_SPRING, 7, 2), (SUNDAY_AUTUMN, 8, 1)],
    ids=["spring", "autumn"],
)
def test_slots_keep_their_local_time_on_the_days_the_clocks_change(day, utc_hour, offset):
    site = site_with([period(6, "09:00", "12:00")], closed_on_public_holidays=False)
    settings = settings_for(site)

    slots = bookable_slots(site, settings, day, day, now=before(day))

    assert local_starts(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert slots[0].starts_at.astimezone(UTC).hour == utc_hour
    assert slots[0].starts_at.utcoffset() == timedelta(hours=offset)


def test_a_night_opening_across_the_spring_change_has_one_hour_less_of_slots():
    site = site_with([period(6, "00:00", "04:00")], closed_on_public_holidays=False)
    settings = settings_for(site)

    slots = bookable_slots(site, settings, SUNDAY_SPRING, SUNDAY_SPRING, now=before(SUNDAY_SPRING))

    # 02:00-03:00 does not exist that night: three real hours, six slots of 30 real minutes.
    assert local_starts(slots) == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"]
    assert all(
        slot.ends_at.astimezone(UTC) - slot.starts_at.astimezone(UTC) == timedelta(minutes=30)
        for slot in slots
    )


def test_a_night_opening_across_the_autumn_change_has_one_hour_more_of_slots():
    site = site_with([period(6, "00:00", "04:00")], closed_on_public_holidays=False)
    settings = settings_for(site)

    slots = bookable_slots(site, settings, SUNDAY_AUTUMN, SUNDAY_AUTUMN, now=before(SUNDAY_AUTUMN))

    # 02:00-03:00 happens twice: five real hours, ten slots, each a distinct instant.
    assert len(slots) == 10
    assert len({slot.starts_at.astimezone(UTC) for slot in slots}) == 10
    assert local_starts(slots).count("02:00") == 2


def test_residents_cannot_book_within_the_notice_period_but_staff_can():
    site = site_with([period(0, "09:00", "17:00")])
    settings = settings_for(site, min_notice_hours=2)
    now = at(MONDAY, 9, 10)

    resident = bookable_slots(site, settings, MONDAY, MONDAY, now=now)
    staff = bookable_slots(site, settings, MONDAY, MONDAY, now=now, by_staff=True)

    assert local_starts(resident)[0] == "11:30"  # 11:10 at the earliest
    assert local_starts(staff)[0] == "09:30"  # anything that has not started


def test_nothing_is_bookable_beyond_the_days_ahead():
    site = site_with([period(d, "09:00", "10:00") for d in range(7)])
    settings = settings_for(site, days_ahead=3)
    now = at(MONDAY, 8)

    slots = bookable_slots(site, settings, MONDAY, MONDAY + timedelta(days=10), now=now)

    assert max(slot.day for slot in slots) == MONDAY + timedelta(days=3)


def test_booked_places_are_subtracted_in_one_query(django_assert_num_queries):
    site = site_with([period(0, "09:00", "11:00")])
    settings = settings_for(site, capacity=2)
    Slot.objects.create(
        site=site, starts_at=at(MONDAY, 9), ends_at=at(MONDAY, 9, 30), capacity=2, booked=1
    )
    Slot.objects.create(
        site=site, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 10, 30), capacity=2, booked=2
    )
    other = site_with([period(0, "09:00", "11:00")])
    Slot.objects.create(
        site=other, starts_at=at(MONDAY, 9, 30), ends_at=at(MONDAY, 10), capacity=2, booked=2
    )

    with django_assert_num_queries(1):
        slots = bookable_slots(site, settings, MONDAY, MONDAY, now=before(MONDAY))

    assert [(s.starts_at.strftime("%H:%M"), s.free) for s in slots] == [
        ("09:00", 1), ("09:30", 2), ("10:00", 0), ("10:30", 2),
    ]  # fmt: skip


def test_a_week_lists_only_days_with_free_slots_and_links_the_next_week():
    site = site_with([period(0, "09:00", "09:30"), period(1, "09:00", "09:30")])
    settings = settings_for(site, days_ahead=20)
    Slot.objects.create(
        site=site, starts_at=at(MONDAY, 9), ends_at=at(MONDAY, 9, 30), capacity=1, booked=1
    )

    week = free_week(site, settings, MONDAY, now=at(MONDAY, 7))

    assert [day for day, _slots in week.days] == [MONDAY + timedelta(days=1)]
    assert week.previous is None
    assert week.following == MONDAY + timedelta(days=7)


def test_a_week_beyond_the_horizon_shows_the_last_bookable_week():
    site = site_with([period(d, "09:00", "09:30") for d in range(7)])
    settings = settings_for(site, days_ahead=10)
    now = at(MONDAY, 8)

    week = free_week(site, settings, MONDAY + timedelta(days=60), now=now)

    assert week.monday == MONDAY + timedelta(days=7)
    assert week.following is None
    assert week.previous == MONDAY
    assert week.days[-1][0] == MONDAY + timedelta(days=10)


def test_without_a_week_asked_the_first_week_with_a_free_time_is_shown():
    site = site_with([period(0, "09:00", "09:30")])  # Mondays only
    settings = settings_for(site, days_ahead=20)
    Slot.objects.create(
        site=site, starts_at=at(MONDAY, 9), ends_at=at(MONDAY, 9, 30), capacity=1, booked=1
    )

    week = first_free_week(site, settings, now=at(MONDAY, 7))

    assert week.monday == MONDAY + timedelta(days=7)
    assert [day for day, _slots in week.days] == [MONDAY + timedelta(days=7)]
