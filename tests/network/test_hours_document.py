"""Tests for the opening-hours document: the one gate every writer of opening hours goes through.

The engine itself is tested in test_hours.py; these tests are about reading the stored JSON
document: which entries are refused, with a message that names the bad entry, and that a good
document turns into the schedule it describes.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from network.hours import HoursException, Period, Schedule
from network.hours_document import (
    closure,
    extra_opening,
    may_open_on,
    parse_document,
    period,
    schedule_from_document,
    validate_document,
)

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


def test_may_open_on_is_false_only_without_a_period_that_weekday_or_an_opening_exception():
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    mondays = {"periods": [period(0, "09:00", "12:00")], "exceptions": []}
    assert may_open_on(mondays, monday)
    assert not may_open_on(mondays, tuesday)
    assert not may_open_on({}, monday)
    extra = {"periods": [], "exceptions": [extra_opening(tuesday, "10:00", "12:00")]}
    assert may_open_on(extra, tuesday)
    assert not may_open_on(extra, monday)
    closed = {"periods": [], "exceptions": [closure(monday, tuesday)]}
    assert not may_open_on(closed, tuesday)
