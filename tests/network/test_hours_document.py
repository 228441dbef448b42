"""Tests for the opening-hours document: the one gate every writer of opening hours goes through.

The engine itself is tested in test_hours.py; these tests are about reading the stored JSON
document: which entries are refused, with a message that names the bad entry, and that a good
document turns into the schedule it describes.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from network.hours import HoursException, Period, Schedule
from network.hours_document import (
    closure,
    extra_opening,
    may_be_open_at,
    parse_document,
    period,
    schedule_from_document,
    validate_document,
)
from network.week_mask import EVERY_SLOT, slot_of, weekly_slots

BRUSSELS = ZoneInfo("Europe/Brussels")
MONDAY = date(2026, 11, 23)  # an ordinary Monday, no public holiday that week


def weekly(weekday: int = 0, opens: str = "09:00", closes: str = "12:00", **extra: Any) -> dict:
    return {"weekday": weekday, "opens": opens, "closes": closes, **extra}


def refused(document: Any, message: str) -> None:
    """`validate_document` refuses `document` with a ValueError whose message is `message`."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        validate_document(document)


# --- Good documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("document", [None, {}, {"periods": [], "exceptions": []}])
def test_an_empty_document_is_valid_and_means_never_open(document):
    validate_document(document)
    schedule = schedule_from_document(document)
    assert schedule.periods == ()
    assert schedule.exceptions == ()
    assert schedule.next_opening(datetime(2026, 11, 23, 10, tzinfo=BRUSSELS)) is None


def test_the_document_helpers_build_entries_that_validate():
    document = {
        "periods": [
            period(0, "09:00", "12:00"),
            period(2, "14:00", "16:00", recurrence="biweekly", anchor=MONDAY),
            period(3, "13:30", "16:00", recurrence="monthly", nth=-1),
            period(4, "18:00", "00:00"),
        ],
        "exceptions": [
            closure(date(2026, 12, 24), date(2027, 1, 1), "Kerstvakantie"),
            extra_opening(date(2026, 11, 28), "10:00", "12:00", "Extra opening"),
        ],
    }
    validate_document(document)


def test_a_valid_document_round_trips_into_the_schedule_it_describes():
    document = {
        "periods": [
            period(0, "09:00", "12:00"),
            period(0, "13:00", "17:00"),
            period(2, "14:00", "16:00", recurrence="biweekly", anchor=MONDAY),
            period(3, "13:30", "16:00", recurrence="monthly", nth=-1),
        ],
        "exceptions": [
            closure(date(2026, 12, 24), date(2027, 1, 1), "Kerstvakantie"),
            extra_opening(date(2026, 11, 28), "10:00", "12:00", "Extra opening"),
        ],
    }

    periods, exceptions = parse_document(document)

    assert periods == [
        Period(0, time(9), time(12)),
        Period(0, time(13), time(17)),
        Period(2, time(14), time(16), recurrence="biweekly", anchor=MONDAY),
        Period(3, time(13, 30), time(16), recurrence="monthly", nth=-1),
    ]
    assert exceptions == [
        HoursException(date(2026, 12, 24), date(2027, 1, 1), closed=True, reason="Kerstvakantie"),
        HoursException(
            date(2026, 11, 28),
            date(2026, 11, 28),
            closed=False,
            opens=time(10),
            closes=time(12),
            reason="Extra opening",
        ),
    ]
    schedule = schedule_from_document(document, closed_on_public_holidays=False)
    assert isinstance(schedule, Schedule)
    assert schedule.closed_on_public_holidays is False
    assert schedule.is_open(datetime(2026, 11, 23, 10, tzinfo=BRUSSELS))
    assert not schedule.is_open(datetime(2026, 11, 23, 12, 30, tzinfo=BRUSSELS))
    # Wednesday of the anchor week is a fortnightly opening; the next Wednesday is not.
    assert schedule.is_open(datetime(2026, 11, 25, 15, tzinfo=BRUSSELS))
    assert not schedule.is_open(datetime(2026, 12, 2, 15, tzinfo=BRUSSELS))
    # The last Thursday of November 2026 is the 26th.
    assert schedule.is_open(datetime(2026, 11, 26, 14, tzinfo=BRUSSELS))
    assert not schedule.is_open(datetime(2026, 11, 19, 14, tzinfo=BRUSSELS))
    # The extra opening on a Saturday, and the Christmas closure on a Monday.
    assert schedule.is_open(datetime(2026, 11, 28, 11, tzinfo=BRUSSELS))
    assert not schedule.is_open(datetime(2026, 12, 28, 10, tzinfo=BRUSSELS))


def test_an_exception_without_an_end_covers_only_its_first_day():
    (exception,) = parse_document({"exceptions": [{"start": "2026-12-25", "closed": True}]})[1]
    assert (exception.start, exception.end) == (date(2026, 12, 25), date(2026, 12, 25))


def test_a_period_closing_at_midnight_is_valid():
    (only,) = parse_document({"periods": [weekly(4, "18:00", "00:00")]})[0]
    assert only.closes == time(0, 0)


def test_a_missing_recurrence_means_weekly_and_a_monthly_nth_is_dropped_from_other_kinds():
    (only,) = parse_document({"periods": [weekly(1, nth=3)]})[0]
    assert only.recurrence == "weekly"
    assert only.nth is None


# --- Bad entries, each with a message naming it ------------------------------------------------


@pytest.mark.parametrize("weekday", [7, -1, "0", "Monday", None, 1.0])
def test_a_bad_weekday_is_refused_naming_the_period(weekday):
    refused(
        {"periods": [weekly(0), weekly(weekday)]},
        "period 2: weekday must be 0 (Monday) to 6 (Sunday)",
    )


def test_a_boolean_is_not_a_weekday():
    # JSON `true` is not Tuesday: Python's bool is an int, so it has to be refused explicitly.
    refused(
        {"periods": [weekly(True)]},
        "period 1: weekday must be 0 (Monday) to 6 (Sunday)",
    )


@pytest.mark.parametrize(("opens", "closes"), [("12:00", "09:00"), ("09:00", "09:00")])
def test_a_period_closing_before_or_when_it_opens_is_refused(opens, closes):
    refused(
        {"periods": [weekly(0), weekly(1), weekly(2, opens, closes)]},
        "period 3: closing time must be after opening time",
    )


@pytest.mark.parametrize("value", ["9h", "25:00", "09:60", "", None, 9, "noon"])
def test_something_that_is_not_a_time_is_refused(value):
    refused({"periods": [weekly(0, opens=value)]}, f"period 1: {value!r} is not a time (HH:MM)")


def test_a_time_with_a_utc_offset_is_refused_as_not_a_time():
    # Opening hours are wall-clock times in Brussels; an offset would be silently ignored (or,
    # next to a plain time, crash the comparison with a TypeError instead of a clear message).
    refused(
        {"periods": [weekly(0, "09:00", "12:00+01:00")]},
        "period 1: '12:00+01:00' is not a time (HH:MM)",
    )


def test_an_unknown_recurrence_is_refused():
    refused(
        {"periods": [weekly(0, recurrence="daily")]},
        "period 1: recurrence must be one of weekly, biweekly, monthly",
    )


@pytest.mark.parametrize("anchor", [None, ""])
def test_a_fortnightly_period_without_an_anchor_date_is_refused(anchor):
    refused(
        {"periods": [weekly(0, recurrence="biweekly", anchor=anchor)]},
        "period 1: a fortnightly period needs a date in a week it is open",
    )


def test_a_fortnightly_period_with_a_bad_anchor_date_is_refused():
    refused(
        {"periods": [weekly(0, recurrence="biweekly", anchor="23/11/2026")]},
        "period 1: '23/11/2026' is not a date (YYYY-MM-DD)",
    )


@pytest.mark.parametrize("nth", [None, 0, 6, -2, "1"])
def test_a_monthly_period_with_a_bad_nth_is_refused(nth):
    refused(
        {"periods": [weekly(0, recurrence="monthly", nth=nth)]},
        "period 1: a monthly period needs which weekday of the month (1-5 or -1)",
    )


def test_a_period_valid_until_before_it_is_valid_from_is_refused():
    refused(
        {"periods": [weekly(0, valid_from="2026-12-01", valid_until="2026-11-01")]},
        "period 1: the end of validity is before its start",
    )


def test_an_exception_ending_before_it_starts_is_refused_naming_the_exception():
    refused(
        {
            "exceptions": [
                closure(date(2026, 12, 24), date(2027, 1, 1)),
                {"start": "2026-08-15", "end": "2026-07-15", "closed": True},
            ]
        },
        "exception 2: the last day is before the first day",
    )


@pytest.mark.parametrize("start", ["2026-13-01", "tomorrow", None, "2026-12-01T10:00"])
def test_an_exception_without_a_real_first_day_is_refused(start):
    refused(
        {"exceptions": [{"start": start, "closed": True}]},
        f"exception 1: {start!r} is not a date (YYYY-MM-DD)",
    )


def test_an_opening_exception_closing_before_it_opens_is_refused():
    refused(
        {
            "exceptions": [
                {"start": "2026-11-28", "closed": False, "opens": "12:00", "closes": "10:00"}
            ]
        },
        "exception 1: closing time must be after opening time",
    )


def test_an_opening_exception_without_hours_is_refused():
    refused(
        {"exceptions": [{"start": "2026-11-28", "closed": False, "opens": "10:00"}]},
        "exception 1: None is not a time (HH:MM)",
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"periods": ["Mo 09:00-12:00"]}, "period 1: "),
        ({"periods": [weekly(0), 3]}, "period 2: "),
        ({"exceptions": ["2026-12-25"]}, "exception 1: "),
        ({"periods": {"weekday": 0, "opens": "09:00", "closes": "12:00"}}, ""),
        (["Mo 09:00-12:00"], ""),
        ("Mo-Fr 09:00-17:00", ""),
    ],
)
def test_a_document_of_the_wrong_shape_is_refused_with_a_value_error(document, message):
    # An import or a hand-edited document must get the same clear ValueError as a bad value,
    # never an AttributeError from deep inside the parser.
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        validate_document(document)


def at(day: date, hh_mm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hh_mm), tzinfo=BRUSSELS)


def test_may_be_open_at_is_false_only_outside_every_period_and_opening_of_that_day():
    tuesday = MONDAY + timedelta(days=1)
    mondays = {"periods": [period(0, "09:00", "12:00")], "exceptions": []}
    assert not may_be_open_at(mondays, at(MONDAY, "08:59"))
    assert may_be_open_at(mondays, at(MONDAY, "09:00"))  # the opening minute counts
    assert may_be_open_at(mondays, at(MONDAY, "11:59"))
    assert not may_be_open_at(mondays, at(MONDAY, "12:00"))  # the closing minute does not
    assert not may_be_open_at(mondays, at(tuesday, "10:00"))
    assert not may_be_open_at({}, at(MONDAY, "10:00"))
    extra = {"periods": [], "exceptions": [extra_opening(tuesday, "10:00", "12:00")]}
    assert may_be_open_at(extra, at(tuesday, "10:30"))
    assert not may_be_open_at(extra, at(tuesday, "13:00"))
    assert not may_be_open_at(extra, at(MONDAY, "10:30"))
    closed = {"periods": [], "exceptions": [closure(MONDAY, tuesday)]}
    assert not may_be_open_at(closed, at(tuesday, "10:30"))


def test_may_be_open_at_reads_a_closing_midnight_as_the_end_of_the_day():
    evenings = {"periods": [period(0, "18:00", "00:00")], "exceptions": []}
    assert may_be_open_at(evenings, at(MONDAY, "23:59"))
    assert not may_be_open_at(evenings, at(MONDAY + timedelta(days=1), "00:00"))


def test_may_be_open_at_leaves_patterns_and_holidays_to_the_engine():
    # A fortnightly period in its week off still "may" be open: only the engine knows the weeks.
    off_week = MONDAY - timedelta(days=7)
    fortnightly = {"periods": [period(0, "09:00", "12:00", recurrence="biweekly", anchor=MONDAY)]}
    assert may_be_open_at(fortnightly, at(off_week, "10:00"))
    assert not schedule_from_document(fortnightly).is_open(at(off_week, "10:00"))


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_may_be_open_at_does_not_prune_on_the_days_the_clocks_change(day):
    sundays = {"periods": [period(6, "09:00", "10:00")], "exceptions": []}
    assert may_be_open_at(sundays, at(day, "20:00"))
    assert not may_be_open_at(sundays, at(day - timedelta(days=7), "20:00"))


def test_may_be_open_at_agrees_with_the_engine_in_the_hour_that_does_not_exist():
    # 02:00-02:45 on the spring-forward Sunday: the engine moves the non-existent wall times one
    # hour on, so the site is open at 03:15 although no period spans 03:15 on the clock.
    night = {"periods": [period(6, "02:00", "02:45")], "exceptions": []}
    moment = at(date(2026, 3, 29), "03:15")
    assert schedule_from_document(night).is_open(moment)
    assert may_be_open_at(night, moment)


@pytest.mark.parametrize("document", [["Mo 09:00-12:00"], {"periods": [{"weekday": 0}]}])
def test_may_be_open_at_leaves_an_unreadable_document_to_the_engine(document):
    assert may_be_open_at(document, at(MONDAY, "10:00"))


def random_document(rng: random.Random) -> dict[str, Any]:
    """Periods of every recurrence and exceptions of both kinds, on whole quarter hours."""

    def clock(quarter: int) -> str:
        return "00:00" if quarter == 96 else f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"

    def hours() -> tuple[str, str]:
        opens = rng.randrange(0, 95)
        return clock(opens), clock(rng.randrange(opens + 1, 97))

    periods = []
    for _ in range(rng.randrange(0, 6)):
        recurrence = rng.choice(["weekly", "weekly", "biweekly", "monthly"])
        opens, closes = hours()
        periods.append(
            period(
                rng.randrange(7),
                opens,
                closes,
                recurrence=recurrence,
                anchor=MONDAY if recurrence == "biweekly" else None,
                nth=rng.choice([1, 2, 3, 4, 5, -1]) if recurrence == "monthly" else None,
            )
        )
    exceptions = []
    for _ in range(rng.randrange(0, 4)):
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
        if rng.random() < 0.5:
            exceptions.append(closure(day, day + timedelta(days=rng.randrange(10))))
        else:
            exceptions.append(extra_opening(day, *hours()))
    return {"periods": periods, "exceptions": exceptions}


def test_neither_the_quick_check_nor_the_mask_says_closed_when_the_engine_says_open():
    # The finder skips a site when either says no, so a wrong "no" would hide an open Digipunt.
    rng = random.Random(2026)
    clock_changes = [date(2026, 3, 29), date(2026, 10, 25)]
    pruned = masked = 0
    for _ in range(400):
        document = random_document(rng)
        validate_document(document)
        schedule = schedule_from_document(document)
        mask = weekly_slots(document)
        for _ in range(40):
            day = rng.choice(
                [*clock_changes, date(2026, 1, 1) + timedelta(days=rng.randrange(365))]
            )
            instant = datetime.combine(day, time(0), tzinfo=BRUSSELS).astimezone(UTC) + timedelta(
                minutes=rng.randrange(0, 24 * 60, 5)
            )
            local = instant.astimezone(BRUSSELS)
            if not may_be_open_at(document, local):
                pruned += 1
                assert not schedule.is_open(instant), (document, local)
            slot = slot_of(local)
            if slot is not None and mask[slot[0]] not in slot[1]:
                masked += 1
                assert not schedule.is_open(instant), (document, local, slot)
    assert pruned > 3000  # the check does prune: many instants are outside every period
    assert masked > 3000


# --- The week in quarter hours (Site.open_slots) ------------------------------------------------


def open_quarters(mask: str) -> list[tuple[int, str, str]]:
    """The mask as (weekday, first quarter, end of last quarter) runs, to read in a test."""
    bits = [int(digit, 16) >> q & 1 for digit in mask for q in range(4)]
    runs, start = [], None
    for index, value in enumerate([*bits, 0]):
        if value and start is None:
            start = index
        elif not value and start is not None:
            day = start // 96
            first, end = start % 96, index - day * 96
            runs.append(
                (
                    day,
                    f"{first // 4:02d}:{first % 4 * 15:02d}",
                    f"{end // 4:02d}:{end % 4 * 15:02d}",
                )
            )
            start = None
    return runs


def test_weekly_slots_marks_the_quarters_of_every_period_whatever_its_recurrence():
    document = {
        "periods": [
            period(0, "09:00", "12:00"),
            period(0, "13:30", "16:00", recurrence="monthly", nth=1),
            period(2, "14:00", "16:00", recurrence="biweekly", anchor=MONDAY),
        ],
        "exceptions": [],
    }
    mask = weekly_slots(document)
    assert len(mask) == 7 * 24
    # Monday from 09:00: three whole hours, none from 12:00, the last half of 13:00 (bits 4
    # and 8), then two whole hours to 16:00.
    assert mask[9:17] == "fff0cff0"
    assert open_quarters(mask) == [
        (0, "09:00", "12:00"),
        (0, "13:30", "16:00"),
        (2, "14:00", "16:00"),
    ]


def test_weekly_slots_rounds_outwards_to_whole_quarters_and_reads_midnight_as_the_end():
    mask = weekly_slots({"periods": [period(4, "09:10", "12:05"), period(6, "18:00", "00:00")]})
    assert open_quarters(mask) == [(4, "09:00", "12:15"), (6, "18:00", "24:00")]


def test_weekly_slots_adds_opening_exceptions_on_their_weekdays_and_ignores_closures():
    tuesday = MONDAY + timedelta(days=1)
    document = {
        "periods": [period(0, "09:00", "12:00")],
        "exceptions": [
            extra_opening(tuesday, "18:00", "20:00"),
            closure(MONDAY, MONDAY + timedelta(days=30)),
        ],
    }
    assert open_quarters(weekly_slots(document)) == [(0, "09:00", "12:00"), (1, "18:00", "20:00")]
    # An opening exception of a week or longer covers every weekday.
    long = {
        "periods": [],
        "exceptions": [{**extra_opening(MONDAY, "10:00", "11:00"), "end": "2026-12-06"}],
    }
    assert [day for day, _first, _end in open_quarters(weekly_slots(long))] == list(range(7))


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (None, "0" * 168),
        ({}, "0" * 168),
        (["Mo 09:00-12:00"], EVERY_SLOT),
        ({"periods": [{}]}, EVERY_SLOT),
    ],
)
def test_weekly_slots_of_no_hours_is_never_and_of_unreadable_hours_is_always(document, expected):
    assert weekly_slots(document) == expected


def test_slot_of_names_the_hour_of_the_week_and_the_digits_with_its_quarter_set():
    assert slot_of(at(MONDAY, "00:00")) == (0, "13579bdf")  # first quarter: bit 1
    assert slot_of(at(MONDAY, "09:14")) == (9, "13579bdf")
    assert slot_of(at(MONDAY, "09:15")) == (9, "2367abef")  # second quarter: bit 2
    assert slot_of(at(MONDAY + timedelta(days=6), "23:59")) == (167, "89abcdef")  # last: bit 8
    assert slot_of(at(date(2026, 3, 29), "12:00")) is None
    assert slot_of(at(date(2026, 10, 25), "12:00")) is None
