"""The bookable times of a site, cut from its opening hours.

Each opening interval of a day (from the hours engine, so holidays, closures, fortnightly and
monthly periods are already applied) is cut into slots of `slot_minutes`; a slot must fit entirely
in its interval. Slots are cut in elapsed time (on UTC instants), so a slot is always that many
real minutes of a helper's time, also on the nights the clocks change; the engine's interval ends
are real instants (see `network.hours`). A resident cannot book a slot that starts sooner than
`min_notice_hours` from now; staff booking for a caller may book any slot that has not started.

Slots are not stored until someone books one (`appointments.models.Slot`); what is already booked
is read for the whole range in one query and subtracted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone

from appointments.models import BookingSettings, Slot
from network.models import Site


@dataclass(frozen=True)
class BookableSlot:
    """One time a resident can choose: its start and end (aware, Europe/Brussels) and how many
    places are still free (0 when it is full)."""

    starts_at: datetime
    ends_at: datetime
    free: int

    @property
    def day(self) -> date:
        return timezone.localdate(self.starts_at)


def cut(interval: tuple[datetime, datetime], minutes: int) -> list[tuple[datetime, datetime]]:
    """The slots of `minutes` that fit entirely in one opening interval, in elapsed time."""
    start, end = (moment.astimezone(UTC) for moment in interval)
    tz = interval[0].tzinfo
    length = timedelta(minutes=minutes)
    slots = []
    while start + length <= end:
        slots.append((start.astimezone(tz), (start + length).astimezone(tz)))
        start += length
    return slots


def earliest_start(settings: BookingSettings, now: datetime, *, by_staff: bool) -> datetime:
    """The first moment a slot may start: now for staff, now + the notice for residents."""
    if by_staff:
        return now
    return now + timedelta(hours=settings.min_notice_hours)


def last_day(settings: BookingSettings, now: datetime) -> date:
    """The last date on which a slot can be booked (`days_ahead` days from today)."""
    return timezone.localdate(now) + timedelta(days=settings.days_ahead)


def bookable_slots(
    site: Site,
    settings: BookingSettings,
    first: date,
    last: date,
    *,
    now: datetime | None = None,
    by_staff: bool = False,
) -> list[BookableSlot]:
    """Every slot of `site` from date `first` to date `last` (inclusive, local dates) that can
    still be booked now, with its free places (full slots are included, with `free=0`).

    Days after the booking horizon (`days_ahead`) are left out. One query (the stored slots of
    the range); the opening hours come from the site row.
    """
    now = now or timezone.now()
    last = min(last, last_day(settings, now))
    if last < first:
        return []
    schedule = site.schedule()
    not_before = earliest_start(settings, now, by_staff=by_staff).timestamp()
    cuts: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for interval in schedule.day(day).intervals:
            cuts.extend(
                (start, end)
                for start, end in cut(interval, settings.slot_minutes)
                if start.timestamp() >= not_before
            )
        day += timedelta(days=1)
    if not cuts:
        return []
    stored = list(
        Slot.objects.filter(
            site=site, starts_at__lt=cuts[-1][1], ends_at__gt=cuts[0][0], booked__gt=0
        ).values_list("starts_at", "ends_at", "capacity", "booked")
    )
    capacity_at = {starts_at.timestamp(): capacity for starts_at, _e, capacity, _b in stored}
    return [
        BookableSlot(
            start,
            end,
            max(
                capacity_at.get(start.timestamp(), settings.capacity)
                - occupied(stored, start, end),
                0,
            ),
        )
        for start, end in cuts
    ]


def occupied(
    stored: list[tuple[datetime, datetime, int, int]], start: datetime, end: datetime
) -> int:
    """How many people are booked in stored slots (starts_at, ends_at, capacity, booked) that
    overlap [start, end): the slot itself, and, after the length of appointments changed, the
    slots of the old length that still hold bookings (09:30-10:00 keeps 09:45 busy)."""
    return sum(booked for s_start, s_end, _c, booked in stored if s_start < end and s_end > start)


def find_slot(
    site: Site,
    settings: BookingSettings,
    starts_at: datetime,
    *,
    now: datetime | None = None,
    by_staff: bool = False,
) -> BookableSlot | None:
    """The bookable slot starting exactly at `starts_at`, or None when there is none now."""
    day = timezone.localdate(starts_at)
    stamp = starts_at.timestamp()
    for slot in bookable_slots(site, settings, day, day, now=now, by_staff=by_staff):
        if slot.starts_at.timestamp() == stamp:
            return slot
    return None


@dataclass(frozen=True)
class Week:
    """One week of free times, Monday to Sunday, for a page that lists them.

    `days` holds only the days with at least one free slot; `previous` and `following` are the
    Mondays of the neighbouring weeks within the booking horizon (None at either end).
    """

    monday: date
    days: list[tuple[date, list[BookableSlot]]]
    previous: date | None
    following: date | None


def free_week(
    site: Site,
    settings: BookingSettings,
    any_day: date | None = None,
    *,
    now: datetime | None = None,
    by_staff: bool = False,
    leave_out: datetime | None = None,
) -> Week:
    """The free slots of the week containing `any_day` (this week when None or out of range).

    `leave_out` drops one start time (the appointment being moved). One query.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = last_day(settings, now)
    this_monday = today - timedelta(days=today.weekday())
    last_monday = horizon - timedelta(days=horizon.weekday())
    wanted = any_day or today
    monday = min(max(wanted - timedelta(days=wanted.weekday()), this_monday), last_monday)
    found = bookable_slots(
        site,
        settings,
        max(monday, today),
        monday + timedelta(days=6),
        now=now,
        by_staff=by_staff,
    )
    skip = leave_out.timestamp() if leave_out is not None else None
    days: dict[date, list[BookableSlot]] = {}
    for slot in found:
        if slot.free > 0 and slot.starts_at.timestamp() != skip:
            days.setdefault(slot.day, []).append(slot)
    return Week(
        monday=monday,
        days=list(days.items()),
        previous=monday - timedelta(days=7) if monday > this_monday else None,
        following=monday + timedelta(days=7) if monday < last_monday else None,
    )


def first_free_week(
    site: Site,
    settings: BookingSettings,
    *,
    now: datetime | None = None,
    by_staff: bool = False,
    leave_out: datetime | None = None,
) -> Week:
    """This week if it has a free time, else the first later week that has one (one query per
    week looked at); this week when no week within the horizon has any."""
    now = now or timezone.now()
    first = week = free_week(site, settings, now=now, by_staff=by_staff, leave_out=leave_out)
    while not week.days and week.following is not None:
        week = free_week(
            site, settings, week.following, now=now, by_staff=by_staff, leave_out=leave_out
        )
    return week if week.days else first


def week_to_show(site: Site, settings: BookingSettings, day: date | None, **options: Any) -> Week:
    """The week of `day` when one is asked for, else the first week with a free time."""
    if day is None:
        return first_free_week(site, settings, **options)
    return free_week(site, settings, day, **options)
