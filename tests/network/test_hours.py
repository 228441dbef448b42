"""Tests for the opening-hours engine (pure Python, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from network.hours import DayHours, HoursException, Period, Schedule, belgian_holidays
from network.hours_formats import to_osm, to_schema_org

BRUSSELS = ZoneInfo("Europe/Brussels")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    """An aware Brussels datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BRUSSELS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def weekly(weekday: int, opens: str, closes: str, **kwargs) -> Period:
    return Period(weekday, time.fromisoformat(opens), time.fromisoformat(closes), **kwargs)


def closed(start: date, end: date | None = None, reason: str = "") -> HoursException:
    return HoursException(start, end or start, closed=True, reason=reason)


def opening(day: date, opens: str, closes: str, reason: str = "") -> HoursException:
    hours = {"opens": time.fromisoformat(opens), "closes": time.fromisoformat(closes)}
    return HoursException(day, day, closed=False, reason=reason, **hours)


def real_duration(interval: tuple[datetime, datetime]) -> timedelta:
    """Elapsed time of an interval, measured in UTC (not wall-clock)."""
    start, end = interval
    return end.astimezone(UTC) - start.astimezone(UTC)


def split_day_schedule() -> Schedule:
    return Schedule([weekly(MON, "09:00", "12:00"), weekly(MON, "13:00", "17:00")])


# --- several periods a day ---------------------------------------------------------------------


def test_a_site_with_a_lunch_break_is_open_in_the_morning_and_afternoon_but_not_at_lunch():
    schedule = split_day_schedule()  # 2026-06-01 is a Monday
    assert schedule.is_open(local(2026, 6, 1, 10, 30))
    assert not schedule.is_open(local(2026, 6, 1, 12, 30))
    assert schedule.is_open(local(2026, 6, 1, 15, 0))
    assert not schedule.is_open(local(2026, 6, 1, 8, 59, 59))
    assert not schedule.is_open(local(2026, 6, 1, 17, 30))


def test_an_interval_includes_its_opening_instant_and_excludes_its_closing_instant():
    schedule = split_day_schedule()
    assert schedule.is_open(local(2026, 6, 1, 9, 0))
    assert schedule.is_open(local(2026, 6, 1, 11, 59, 59))
    assert not schedule.is_open(local(2026, 6, 1, 12, 0))
    assert schedule.is_open(local(2026, 6, 1, 13, 0))
    assert not schedule.is_open(local(2026, 6, 1, 17, 0))


def test_the_day_lists_both_periods_in_order_as_aware_local_datetimes():
    schedule = Schedule([weekly(MON, "13:00", "17:00"), weekly(MON, "09:00", "12:00")])
    day = schedule.day(date(2026, 6, 1))
    assert day.intervals == (
        (local(2026, 6, 1, 9), local(2026, 6, 1, 12)),
        (local(2026, 6, 1, 13), local(2026, 6, 1, 17)),
    )
    assert all(start.tzinfo == BRUSSELS for start, _end in day.intervals)
    assert day.is_open_day
    assert day.holiday is None
    assert day.exception is None


def test_overlapping_and_touching_periods_are_merged_into_one_interval():
    schedule = Schedule(
        [
            weekly(TUE, "09:00", "11:00"),
            weekly(TUE, "10:00", "12:00"),
            weekly(TUE, "12:00", "13:00"),
        ]
    )
    assert schedule.day(date(2026, 6, 2)).intervals == (
        (local(2026, 6, 2, 9), local(2026, 6, 2, 13)),
    )


def test_current_interval_is_the_interval_containing_the_instant_or_none():
    schedule = split_day_schedule()
    assert schedule.current_interval(local(2026, 6, 1, 14)) == (
        local(2026, 6, 1, 13),
        local(2026, 6, 1, 17),
    )
    assert schedule.current_interval(local(2026, 6, 1, 12, 30)) is None


def test_a_day_without_periods_is_closed():
    schedule = split_day_schedule()
    day = schedule.day(date(2026, 6, 2))
    assert day.intervals == ()
    assert not day.is_open_day


# --- every other week --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "anchor",
    [
        date(2026, 6, 3),  # the open Wednesday itself
        date(2026, 6, 7),  # any day of that (Monday-based) week, here its Sunday
        date(2025, 1, 15),  # 72 weeks earlier: anchor in the past
        date(2026, 12, 16),  # 28 weeks later: anchor in the future
    ],
)
def test_a_fortnightly_period_is_open_this_week_closed_next_week_and_open_the_week_after(anchor):
    schedule = Schedule([weekly(WED, "09:00", "12:00", recurrence="biweekly", anchor=anchor)])
    assert schedule.is_open(local(2026, 6, 3, 10))
    assert not schedule.is_open(local(2026, 6, 10, 10))
    assert schedule.is_open(local(2026, 6, 17, 10))
    assert not schedule.is_open(local(2026, 6, 24, 10))


def test_a_fortnightly_period_anchored_in_the_other_week_opens_in_the_other_weeks():
    schedule = Schedule(
        [weekly(WED, "09:00", "12:00", recurrence="biweekly", anchor=date(2025, 1, 8))]
    )
    assert not schedule.is_open(local(2026, 6, 3, 10))
    assert schedule.is_open(local(2026, 6, 10, 10))


def test_fortnightly_alternation_continues_across_a_53_week_iso_year():
    # 2026 has ISO week 53; our alternation counts real weeks, so it does not skip a beat.
    schedule = Schedule(
        [weekly(WED, "09:00", "12:00", recurrence="biweekly", anchor=date(2026, 12, 30))]
    )
    assert schedule.day(date(2026, 12, 30)).is_open_day  # ISO week 53
    assert not schedule.day(date(2027, 1, 6)).is_open_day  # ISO week 1 of 2027
    assert schedule.day(date(2027, 1, 13)).is_open_day


# --- monthly -----------------------------------------------------------------------------------


def test_a_first_tuesday_period_opens_only_on_the_first_tuesday_of_the_month():
    schedule = Schedule([weekly(TUE, "14:00", "16:00", recurrence="monthly", nth=1)])
    assert schedule.day(date(2026, 6, 2)).is_open_day  # 1 June is a Monday
    assert not schedule.day(date(2026, 6, 9)).is_open_day
    assert not schedule.day(date(2026, 6, 30)).is_open_day
    assert schedule.day(date(2026, 7, 7)).is_open_day  # 1 July is a Wednesday
    assert not schedule.day(date(2026, 7, 14)).is_open_day


def test_a_last_friday_period_opens_only_on_the_last_friday_of_the_month():
    schedule = Schedule([weekly(FRI, "09:00", "12:00", recurrence="monthly", nth=-1)])
    assert schedule.day(date(2026, 6, 26)).is_open_day
    assert not schedule.day(date(2026, 6, 19)).is_open_day
    assert schedule.day(date(2026, 5, 29)).is_open_day
    assert not schedule.day(date(2026, 5, 22)).is_open_day


def test_a_fifth_weekday_period_opens_only_in_months_that_have_one():
    schedule = Schedule([weekly(TUE, "09:00", "12:00", recurrence="monthly", nth=5)])
    assert schedule.day(date(2026, 6, 30)).is_open_day  # June 2026 has five Tuesdays
    assert schedule.next_open_day(date(2026, 7, 1)) == date(2026, 9, 29)


# --- validity ----------------------------------------------------------------------------------


def test_a_period_applies_only_between_valid_from_and_valid_until_inclusive():
    schedule = Schedule(
        [weekly(MON, "09:00", "12:00", valid_from=date(2026, 6, 8), valid_until=date(2026, 6, 22))]
    )
    assert not schedule.day(date(2026, 6, 1)).is_open_day
    assert schedule.day(date(2026, 6, 8)).is_open_day
    assert schedule.day(date(2026, 6, 15)).is_open_day
    assert schedule.day(date(2026, 6, 22)).is_open_day
    assert not schedule.day(date(2026, 6, 29)).is_open_day


def test_new_hours_from_a_date_replace_old_hours_until_the_day_before():
    schedule = Schedule(
        [
            weekly(MON, "09:00", "12:00", valid_until=date(2026, 6, 30)),
            weekly(MON, "13:00", "16:00", valid_from=date(2026, 7, 1)),
        ]
    )
    assert schedule.day(date(2026, 6, 29)).intervals == (
        (local(2026, 6, 29, 9), local(2026, 6, 29, 12)),
    )
    assert schedule.day(date(2026, 7, 6)).intervals == (
        (local(2026, 7, 6, 13), local(2026, 7, 6, 16)),
    )


# --- public holidays and exceptions ------------------------------------------------------------


def test_easter_monday_2026_is_closed_and_named():
    schedule = split_day_schedule()
    day = schedule.day(date(2026, 4, 6))
    assert day.intervals == ()
    assert day.holiday == "Easter Monday"
    assert day.exception is None
    assert not schedule.is_open(local(2026, 4, 6, 10))
    assert schedule.is_open(local(2026, 4, 13, 10))


def test_a_site_that_does_not_close_on_public_holidays_is_open_on_easter_monday():
    schedule = Schedule([weekly(MON, "09:00", "12:00")], closed_on_public_holidays=False)
    day = schedule.day(date(2026, 4, 6))
    assert day.is_open_day
    assert day.holiday == "Easter Monday"


def test_holiday_names_can_be_asked_in_dutch():
    schedule = Schedule([weekly(MON, "09:00", "12:00")], holiday_language="nl")
    assert schedule.day(date(2026, 4, 6)).holiday == "Paasmaandag"


def test_belgian_holidays_are_cached_per_year():
    assert belgian_holidays(2026) is belgian_holidays(2026)
    assert date(2026, 11, 11) in belgian_holidays(2026)
    assert date(2026, 7, 21) in belgian_holidays(2026)


def test_an_opening_exception_opens_the_site_on_a_public_holiday():
    extra = opening(date(2026, 11, 11), "10:00", "12:00", "Open day")
    schedule = Schedule([weekly(WED, "09:00", "17:00")], [extra])
    day = schedule.day(date(2026, 11, 11))  # Armistice Day, a Wednesday
    assert day.intervals == ((local(2026, 11, 11, 10), local(2026, 11, 11, 12)),)
    assert day.holiday == "Armistice Day"
    assert day.exception == extra
    assert schedule.is_open(local(2026, 11, 11, 11))
    assert not schedule.is_open(local(2026, 11, 11, 14))  # exception replaces the regular hours


def test_an_opening_exception_replaces_the_regular_hours_on_an_ordinary_day():
    schedule = Schedule(
        [weekly(MON, "09:00", "17:00")], [opening(date(2026, 6, 1), "13:00", "15:00")]
    )
    assert schedule.day(date(2026, 6, 1)).intervals == (
        (local(2026, 6, 1, 13), local(2026, 6, 1, 15)),
    )


def test_a_closed_exception_overrides_the_regular_hours():
    closure = closed(date(2026, 6, 1), reason="Staff training")
    schedule = Schedule([weekly(MON, "09:00", "17:00")], [closure])
    day = schedule.day(date(2026, 6, 1))
    assert day.intervals == ()
    assert day.exception == closure
    assert schedule.day(date(2026, 6, 8)).is_open_day


def test_a_summer_closure_closes_every_day_of_its_range():
    schedule = Schedule(
        [weekly(MON, "09:00", "12:00"), weekly(WED, "09:00", "12:00")],
        [closed(date(2026, 7, 15), date(2026, 8, 15), "Summer closure")],
    )
    assert schedule.day(date(2026, 7, 13)).is_open_day
    assert not schedule.day(date(2026, 7, 15)).is_open_day  # first day
    assert not schedule.day(date(2026, 7, 27)).is_open_day
    assert not schedule.day(date(2026, 8, 12)).is_open_day
    assert schedule.day(date(2026, 8, 17)).is_open_day
    assert schedule.next_open_day(date(2026, 7, 15)) == date(2026, 8, 17)


def test_a_closed_exception_beats_an_opening_exception_on_the_same_day():
    closure = closed(date(2026, 12, 20), date(2026, 12, 31), "Christmas break")
    schedule = Schedule(
        [weekly(THU, "09:00", "12:00")], [opening(date(2026, 12, 24), "10:00", "12:00"), closure]
    )
    day = schedule.day(date(2026, 12, 24))
    assert day.intervals == ()
    assert day.exception == closure


def test_a_closed_exception_beats_an_opening_exception_on_a_public_holiday():
    schedule = Schedule(
        [weekly(WED, "09:00", "12:00")],
        [opening(date(2026, 11, 11), "10:00", "12:00"), closed(date(2026, 11, 11))],
    )
    assert not schedule.day(date(2026, 11, 11)).is_open_day


def test_several_opening_exceptions_on_one_day_add_up():
    schedule = Schedule(
        [weekly(THU, "09:00", "17:00")],
        [
            opening(date(2026, 12, 24), "14:00", "16:00"),
            opening(date(2026, 12, 24), "10:00", "12:00"),
            opening(date(2026, 12, 24), "11:00", "12:30"),
        ],
    )
    assert schedule.day(date(2026, 12, 24)).intervals == (
        (local(2026, 12, 24, 10), local(2026, 12, 24, 12, 30)),
        (local(2026, 12, 24, 14), local(2026, 12, 24, 16)),
    )


def test_invalid_periods_and_exceptions_are_refused():
    with pytest.raises(ValueError, match="closing time must be after opening time"):
        weekly(MON, "12:00", "09:00")
    with pytest.raises(ValueError, match="a biweekly period needs an anchor date"):
        weekly(MON, "09:00", "12:00", recurrence="biweekly")
    with pytest.raises(ValueError, match="a monthly period needs nth"):
        weekly(MON, "09:00", "12:00", recurrence="monthly", nth=6)
    with pytest.raises(ValueError, match="an exception's end is before its start"):
        HoursException(date(2026, 6, 2), date(2026, 6, 1), closed=True)
    with pytest.raises(ValueError, match="an opening exception needs opens and closes"):
        HoursException(date(2026, 6, 1), date(2026, 6, 1), closed=False)


# --- daylight-saving time ----------------------------------------------------------------------


def test_on_the_spring_dst_day_a_morning_period_lasts_three_real_hours_in_summer_time():
    schedule = Schedule([weekly(SUN, "09:00", "12:00")])
    (interval,) = schedule.day(date(2026, 3, 29)).intervals
    assert real_duration(interval) == timedelta(hours=3)
    assert interval[0] == utc(2026, 3, 29, 7)  # 09:00 CEST is UTC+2
    assert not schedule.is_open(utc(2026, 3, 29, 6, 59, 59))
    assert schedule.is_open(utc(2026, 3, 29, 7))
    assert schedule.is_open(utc(2026, 3, 29, 9, 59, 59))
    assert not schedule.is_open(utc(2026, 3, 29, 10))


def test_on_the_autumn_dst_day_a_morning_period_lasts_three_real_hours_in_winter_time():
    schedule = Schedule([weekly(SUN, "09:00", "12:00")])
    (interval,) = schedule.day(date(2026, 10, 25)).intervals
    assert real_duration(interval) == timedelta(hours=3)
    assert interval[0] == utc(2026, 10, 25, 8)  # 09:00 CET is UTC+1
    assert not schedule.is_open(utc(2026, 10, 25, 7, 59, 59))
    assert schedule.is_open(utc(2026, 10, 25, 8))
    assert not schedule.is_open(utc(2026, 10, 25, 11))


def test_a_period_spanning_the_switch_is_an_hour_shorter_in_spring_and_longer_in_autumn():
    schedule = Schedule([weekly(SUN, "01:00", "05:00")])
    (spring,) = schedule.day(date(2026, 3, 29)).intervals
    (autumn,) = schedule.day(date(2026, 10, 25)).intervals
    assert real_duration(spring) == timedelta(hours=3)
    assert real_duration(autumn) == timedelta(hours=5)


def test_the_repeated_autumn_hour_is_judged_by_real_time_not_wall_clock():
    # 01:30-02:30 on 25 Oct 2026: 02:30 is the first (summer-time) 02:30, i.e. 00:30 UTC.
    schedule = Schedule([weekly(SUN, "01:30", "02:30")])
    assert schedule.is_open(utc(2026, 10, 25, 0, 15))  # 02:15 CEST
    # 02:15 CET, the second pass through the same wall-clock time, is after closing.
    assert not schedule.is_open(utc(2026, 10, 25, 1, 15))


def test_next_opening_from_saturday_evening_crosses_the_spring_switch_correctly():
    schedule = Schedule([weekly(MON, "09:00", "12:00")])
    after = local(2026, 3, 28, 20)  # Saturday, still winter time
    assert schedule.next_opening(after) == utc(2026, 3, 30, 7)  # Monday 09:00 CEST


def test_next_opening_from_saturday_evening_crosses_the_autumn_switch_correctly():
    schedule = Schedule([weekly(MON, "09:00", "12:00")])
    after = local(2026, 10, 24, 20)  # Saturday, still summer time
    assert schedule.next_opening(after) == utc(2026, 10, 26, 8)  # Monday 09:00 CET


# --- midnight ----------------------------------------------------------------------------------


def test_a_period_closing_at_midnight_is_open_until_the_last_second_of_the_day():
    schedule = Schedule([weekly(FRI, "20:00", "00:00")])
    day = schedule.day(date(2026, 6, 5))
    assert day.intervals == ((local(2026, 6, 5, 20), local(2026, 6, 6, 0)),)
    assert schedule.is_open(local(2026, 6, 5, 23, 59, 59))
    assert not schedule.is_open(local(2026, 6, 6, 0, 0))
    assert not schedule.day(date(2026, 6, 6)).is_open_day


def test_next_opening_just_after_midnight_is_the_next_evening_period():
    schedule = Schedule([weekly(FRI, "20:00", "00:00")])
    assert schedule.next_opening(local(2026, 6, 6, 0, 0, 1)) == local(2026, 6, 12, 20)


def test_a_period_from_midnight_to_midnight_is_open_all_day():
    schedule = Schedule([weekly(SAT, "00:00", "00:00")])
    assert schedule.is_open(local(2026, 6, 6, 0, 0))
    assert schedule.is_open(local(2026, 6, 6, 23, 59, 59))
    assert not schedule.is_open(local(2026, 6, 7, 0, 0))


# --- next opening and next open day ------------------------------------------------------------


def test_next_opening_while_open_is_the_start_of_the_next_interval():
    schedule = split_day_schedule()
    assert schedule.next_opening(local(2026, 6, 1, 10)) == local(2026, 6, 1, 13)
    assert schedule.next_opening(local(2026, 6, 1, 14)) == local(2026, 6, 8, 9)


def test_next_opening_at_an_opening_instant_is_strictly_later():
    schedule = split_day_schedule()
    assert schedule.next_opening(local(2026, 6, 1, 9)) == local(2026, 6, 1, 13)
    assert schedule.next_opening(local(2026, 6, 1, 8, 59)) == local(2026, 6, 1, 9)


def test_next_opening_skips_a_public_holiday():
    schedule = split_day_schedule()
    assert schedule.next_opening(local(2026, 4, 3, 12)) == local(2026, 4, 13, 9)


def test_next_opening_without_periods_is_none():
    assert Schedule([]).next_opening(local(2026, 6, 1, 10)) is None


def test_next_opening_beyond_the_horizon_is_none():
    schedule = Schedule(
        [weekly(MON, "09:00", "12:00")], [closed(date(2026, 6, 1), date(2026, 12, 31))]
    )
    assert schedule.next_opening(local(2026, 6, 1), horizon_days=30) is None
    assert schedule.next_opening(local(2026, 6, 1)) == local(2027, 1, 4, 9)


def test_next_open_day_counts_the_given_day_itself():
    schedule = split_day_schedule()
    assert schedule.next_open_day(date(2026, 6, 1)) == date(2026, 6, 1)
    assert schedule.next_open_day(date(2026, 6, 2)) == date(2026, 6, 8)


def test_next_open_day_skips_a_public_holiday():
    schedule = split_day_schedule()
    assert schedule.next_open_day(date(2026, 4, 6)) == date(2026, 4, 13)  # Easter Monday


def test_next_open_day_without_periods_is_none():
    assert Schedule([]).next_open_day(date(2026, 6, 1)) is None


# --- time zones of the input -------------------------------------------------------------------


def test_instants_given_in_utc_are_interpreted_in_brussels_time():
    schedule = Schedule([weekly(MON, "09:00", "12:00")])
    # 1 June 2026 09:00 in Brussels is 07:00 UTC (summer time).
    assert not schedule.is_open(utc(2026, 6, 1, 6, 59))
    assert schedule.is_open(utc(2026, 6, 1, 7, 0))
    assert not schedule.is_open(utc(2026, 6, 1, 10, 0))
    # 23:30 UTC on Sunday is already Monday 01:30 in Brussels; next opening is that Monday.
    assert schedule.next_opening(utc(2026, 5, 31, 23, 30)) == local(2026, 6, 1, 9)


def test_instants_in_another_zone_are_converted_too():
    schedule = Schedule([weekly(MON, "09:00", "12:00")])
    new_york = ZoneInfo("America/New_York")
    assert schedule.is_open(datetime(2026, 6, 1, 4, 0, tzinfo=new_york))  # 10:00 in Brussels


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="must be timezone-aware"):
        split_day_schedule().is_open(datetime(2026, 6, 1, 10))  # noqa: DTZ001 (naive on purpose)


# --- week --------------------------------------------------------------------------------------


def test_week_gives_monday_to_sunday_of_the_week_containing_the_day():
    schedule = split_day_schedule()
    week = schedule.week(date(2026, 4, 9))  # a Thursday
    assert [d.date for d in week] == [date(2026, 4, 6) + timedelta(days=i) for i in range(7)]
    assert all(isinstance(d, DayHours) for d in week)
    assert week[0].holiday == "Easter Monday"
    assert not week[0].is_open_day
    assert [d.is_open_day for d in schedule.week(date(2026, 4, 19))] == [
        True, False, False, False, False, False, False,
    ]  # fmt: skip


# --- upcoming closures -------------------------------------------------------------------------


def test_upcoming_closures_merge_a_summer_closure_into_one_range():
    schedule = Schedule(
        [
            weekly(MON, "09:00", "12:00"),
            weekly(TUE, "09:00", "12:00"),
            weekly(WED, "09:00", "12:00"),
        ],
        [closed(date(2026, 7, 15), date(2026, 8, 15), "Summer closure")],
    )
    # 21 July (National Day) and 15 August fall inside the closure and are not listed apart.
    assert schedule.upcoming_closures(date(2026, 7, 1), 60) == [
        (date(2026, 7, 15), date(2026, 8, 15), "Summer closure")
    ]


def test_upcoming_closures_clip_a_range_to_the_window():
    schedule = Schedule(
        [weekly(MON, "09:00", "12:00")],
        [closed(date(2026, 7, 15), date(2026, 8, 15), "Summer closure")],
    )
    assert schedule.upcoming_closures(date(2026, 8, 1), 28) == [
        (date(2026, 8, 1), date(2026, 8, 15), "Summer closure")
    ]
    assert schedule.upcoming_closures(date(2026, 6, 1), 28) == []


def test_upcoming_closures_list_holidays_only_on_days_that_would_be_open():
    schedule = split_day_schedule()  # Mondays only
    # Easter Sunday (5 April) has no hours anyway; Easter Monday has.
    assert schedule.upcoming_closures(date(2026, 3, 30), 14) == [
        (date(2026, 4, 6), date(2026, 4, 6), "Easter Monday")
    ]


def test_upcoming_closures_skip_a_closure_on_days_without_hours():
    schedule = Schedule([weekly(MON, "09:00", "12:00")], [closed(date(2026, 6, 2), reason="x")])
    assert schedule.upcoming_closures(date(2026, 6, 1), 14) == []


def test_upcoming_closures_ignore_holidays_when_the_site_opens_on_them():
    schedule = Schedule([weekly(MON, "09:00", "12:00")], closed_on_public_holidays=False)
    assert schedule.upcoming_closures(date(2026, 3, 30), 14) == []


# --- OpenStreetMap export ----------------------------------------------------------------------


def test_to_osm_writes_a_typical_schedule():
    schedule = Schedule(
        [
            weekly(MON, "09:00", "12:00"),
            weekly(MON, "13:00", "17:00"),
            weekly(TUE, "14:00", "16:00", recurrence="monthly", nth=1),
            weekly(WED, "09:00", "12:00", recurrence="biweekly", anchor=date(2026, 1, 7)),
        ],
        [
            closed(date(2026, 7, 15), date(2026, 8, 15), "Summer closure"),
            opening(date(2026, 12, 24), "10:00", "12:00"),
        ],
    )
    assert to_osm(schedule) == (
        "Mo 09:00-12:00,13:00-17:00; Tu[1] 14:00-16:00; week 02-52/2 We 09:00-12:00; PH off; "
        "2026 Dec 24 10:00-12:00; 2026 Jul 15-2026 Aug 15 off"
    )


def test_to_osm_groups_weekdays_with_the_same_hours():
    schedule = Schedule([weekly(day, "09:00", "17:00") for day in (MON, TUE, WED, THU, FRI)])
    assert to_osm(schedule) == "Mo-Fr 09:00-17:00; PH off"


def test_to_osm_writes_last_weekday_odd_weeks_and_midnight():
    schedule = Schedule(
        [
            weekly(FRI, "09:00", "12:00", recurrence="monthly", nth=-1),
            weekly(SAT, "20:00", "00:00"),
            weekly(SUN, "10:00", "12:00", recurrence="biweekly", anchor=date(2026, 1, 4)),
        ],
        closed_on_public_holidays=False,
    )
    # 4 January 2026 is in ISO week 1, so the odd weeks.
    assert to_osm(schedule) == "Fr[-1] 09:00-12:00; Sa 20:00-24:00; week 01-53/2 Su 10:00-12:00"


def test_to_osm_adds_rather_than_overrides_hours_on_a_shared_weekday():
    schedule = Schedule(
        [weekly(TUE, "09:00", "12:00"), weekly(TUE, "14:00", "16:00", recurrence="monthly", nth=1)]
    )
    assert to_osm(schedule) == "Tu 09:00-12:00, Tu[1] 14:00-16:00; PH off"


def test_to_osm_writes_validity_ranges():
    schedule = Schedule(
        [weekly(MON, "09:00", "12:00", valid_from=date(2026, 9, 1), valid_until=date(2027, 6, 30))],
        closed_on_public_holidays=False,
    )
    assert to_osm(schedule) == "2026 Sep 01-2027 Jun 30 Mo 09:00-12:00"


def test_to_osm_of_an_empty_schedule_is_off():
    assert to_osm(Schedule([])) == "off"
    assert to_osm(Schedule([], [closed(date(2026, 7, 1))])) == "off"


def test_to_osm_can_leave_out_past_exceptions():
    schedule = Schedule([weekly(MON, "09:00", "12:00")], [closed(date(2025, 7, 1))])
    assert to_osm(schedule, since=date(2026, 1, 1)) == "Mo 09:00-12:00; PH off"


# --- schema.org export -------------------------------------------------------------------------


def test_to_schema_org_lists_weekly_periods_and_dated_special_days():
    schedule = Schedule(
        [
            weekly(MON, "09:00", "12:00", valid_from=date(2026, 1, 1)),
            weekly(FRI, "20:00", "00:00"),
            weekly(TUE, "14:00", "16:00", recurrence="monthly", nth=1),
        ],
        [closed(date(2026, 4, 10), reason="Staff day")],
    )
    data = to_schema_org(schedule, date(2026, 4, 1), days_ahead=14)
    assert data["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Monday",
            "opens": "09:00",
            "closes": "12:00",
            "validFrom": "2026-01-01",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Friday",
            "opens": "20:00",
            "closes": "23:59",
        },
    ]
    special = data["specialOpeningHoursSpecification"]
    by_date = {spec["validFrom"]: spec for spec in special}
    assert all(spec["validFrom"] == spec["validThrough"] for spec in special)
    assert all(spec["@type"] == "OpeningHoursSpecification" for spec in special)
    # Easter Monday closes a Monday; the staff day closes a Friday: both as 00:00-00:00.
    assert by_date["2026-04-06"]["opens"] == by_date["2026-04-06"]["closes"] == "00:00"
    assert by_date["2026-04-10"]["opens"] == by_date["2026-04-10"]["closes"] == "00:00"
    # The first Tuesday of April 2026 is the 7th; the window ends before May's.
    assert by_date["2026-04-07"]["opens"] == "14:00"
    assert by_date["2026-04-07"]["closes"] == "16:00"
    assert sorted(by_date) == ["2026-04-06", "2026-04-07", "2026-04-10"]


def test_to_schema_org_lists_every_interval_of_a_special_day():
    schedule = Schedule(
        [weekly(TUE, "09:00", "12:00"), weekly(TUE, "14:00", "16:00", recurrence="monthly", nth=1)]
    )
    special = to_schema_org(schedule, date(2026, 6, 1), days_ahead=7)[
        "specialOpeningHoursSpecification"
    ]
    assert [(s["validFrom"], s["opens"], s["closes"]) for s in special] == [
        ("2026-06-02", "09:00", "12:00"),
        ("2026-06-02", "14:00", "16:00"),
    ]


def test_osm_export_of_a_fortnightly_period_follows_the_iso_year_of_since():
    # 2026 has 53 ISO weeks: a period that opens in even weeks of late 2026 opens in odd weeks
    # of 2027. The export for 2027 must say so, and agree with the engine.
    schedule = Schedule(
        [Period(0, time(9), time(12), recurrence="biweekly", anchor=date(2026, 11, 23))]
    )
    assert schedule.day(date(2027, 1, 4)).intervals  # ISO week 1 of 2027
    assert not schedule.day(date(2027, 1, 11)).intervals  # ISO week 2
    assert "week 01-53/2 Mo 09:00-12:00" in to_osm(schedule, since=date(2027, 1, 15))
    assert "week 02-52/2 Mo 09:00-12:00" in to_osm(schedule, since=date(2026, 12, 1))
