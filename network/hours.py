"""Opening-hours engine: when is a Digipunt open?

Digipunten open in real-world ways: several periods a day, every other week, the first Tuesday of
the month, with closures, extra openings and Belgian public holidays on top. This module turns
that description into concrete, timezone-aware intervals and answers the questions the site asks
("open now?", "next opening", "this week", "closed soon?"). Its exports to OpenStreetMap
`opening_hours` and schema.org live in `network.hours_formats`.

It is pure Python on purpose (no ORM): `network.hours_document` builds the values from the stored
JSON document, and the finder evaluates hundreds of schedules per request, so a `Schedule`
precomputes per-weekday period lists and caches each computed day.

Time handling: every local datetime is built from a date and a wall-clock time with zoneinfo
(never by adding a timedelta to a local datetime, which goes wrong across a DST switch), and all
comparisons are made on POSIX timestamps, because Python compares two datetimes that share a
tzinfo by wall-clock time and would get the repeated hour of an autumn switch wrong.

Words are left to the templates: the engine returns structured data (dates, datetimes, the
exception that decided a day, the holiday name from the `holidays` library).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

Recurrence = Literal["weekly", "biweekly", "monthly"]
RECURRENCES: tuple[str, ...] = ("weekly", "biweekly", "monthly")

Interval = tuple[datetime, datetime]
# A span of one local day as offsets from that day's midnight; an end of one full day means
# "until midnight". Offsets (not datetimes) so that merging never touches time zones.
Span = tuple[timedelta, timedelta]

_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0, 0)
# Bound on the per-schedule day cache so a long-lived schedule cannot grow without limit.
_DAY_CACHE_SIZE = 1024


@dataclass(frozen=True)
class Period:
    """A recurring opening period on one weekday.

    `closes` must be after `opens`; `time(0, 0)` as `closes` means "until midnight" (end of day).
    `biweekly` periods apply in the week containing `anchor` and every second (Monday-based) week
    from there, in both directions. `monthly` periods apply on the `nth` (1..5, or -1 for the
    last) such weekday of the month. `valid_from`/`valid_until` bound the period (inclusive).
    """

    weekday: int
    opens: time
    closes: time
    recurrence: str = "weekly"
    anchor: date | None = None
    nth: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        _check_times(self.opens, self.closes)
        if self.recurrence not in RECURRENCES:
            raise ValueError(f"recurrence must be one of {', '.join(RECURRENCES)}")
        if self.recurrence == "biweekly" and self.anchor is None:
            raise ValueError("a biweekly period needs an anchor date")
        if self.recurrence == "monthly" and self.nth not in (1, 2, 3, 4, 5, -1):
            raise ValueError("a monthly period needs nth in 1..5 or -1")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")

    def applies_on(self, d: date) -> bool:
        """Whether this period gives opening hours on date `d`."""
        if d.weekday() != self.weekday:
            return False
        if self.valid_from is not None and d < self.valid_from:
            return False
        if self.valid_until is not None and d > self.valid_until:
            return False
        if self.recurrence == "biweekly":
            return _weeks_between(self.anchor, d) % 2 == 0  # type: ignore[arg-type]
        if self.recurrence == "monthly":
            return _is_nth_weekday_of_month(d, self.nth)  # type: ignore[arg-type]
        return True


@dataclass(frozen=True)
class HoursException:
    """A deviation from the regular hours on the days `start`..`end` (inclusive).

    `closed=True` closes those days completely (it beats everything, also opening exceptions).
    Otherwise `opens`/`closes` replace the regular hours on those days, which is also how a site
    opens on a public holiday.
    """

    start: date
    end: date
    closed: bool
    opens: time | None = None
    closes: time | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("an exception's end is before its start")
        if not self.closed:
            if self.opens is None or self.closes is None:
                raise ValueError("an opening exception needs opens and closes")
            _check_times(self.opens, self.closes)

    def covers(self, d: date) -> bool:
        """Whether date `d` falls within this exception."""
        return self.start <= d <= self.end


@dataclass(frozen=True)
class Status:
    """What a visitor wants to know right now: open until when, or when it opens next."""

    open_now: bool
    closes_at: datetime | None
    next_opening: datetime | None

    @property
    def next_change(self) -> datetime | None:
        """When this status stops being true: the closing if open, else the next opening."""
        return self.closes_at if self.open_now else self.next_opening


@dataclass(frozen=True)
class DayHours:
    """The concrete opening hours of one date.

    `intervals` are timezone-aware (schedule tz), sorted and non-overlapping; a period closing at
    midnight ends at the next day's 00:00. `holiday` is the public-holiday name when the date is
    one (whether or not the site closes for it); `exception` is the exception that decided the
    day, if any.
    """

    date: date
    intervals: tuple[Interval, ...]
    holiday: str | None = None
    exception: HoursException | None = None

    @property
    def is_open_day(self) -> bool:
        """Whether the site opens at all on this date."""
        return bool(self.intervals)


# --- public holidays -------------------------------------------------------------------------

_HOLIDAY_CACHE: dict[tuple[int, str | None], dict[date, str]] = {}


def belgian_holidays(year: int, language: str | None = None) -> dict[date, str]:
    """Belgian public holidays of `year` as {date: name}, cached per year and language.

    `language=None` gives the library's English names; "nl", "fr", "de" give translated ones.
    """
    key = (year, language)
    cached = _HOLIDAY_CACHE.get(key)
    if cached is None:
        cached = dict(holidays.Belgium(years=year, language=language).items())
        _HOLIDAY_CACHE[key] = cached
    return cached


# --- the schedule ----------------------------------------------------------------------------


class Schedule:
    """The opening hours of one site: periods, exceptions and public holidays combined.

    Precedence on a date: a closed exception; else opening exceptions (their hours replace the
    regular ones, also on a public holiday); else closed on a public holiday (when
    `closed_on_public_holidays`); else the regular periods that apply.
    """

    def __init__(
        self,
        periods: Sequence[Period],
        exceptions: Sequence[HoursException] = (),
        *,
        tz: str = "Europe/Brussels",
        closed_on_public_holidays: bool = True,
        holiday_language: str | None = None,
    ) -> None:
        self.periods: tuple[Period, ...] = tuple(periods)
        self.exceptions: tuple[HoursException, ...] = tuple(
            sorted(exceptions, key=lambda e: (e.start, e.end))
        )
        self.tz = ZoneInfo(tz)
        self.closed_on_public_holidays = closed_on_public_holidays
        self.holiday_language = holiday_language
        by_weekday: list[list[Period]] = [[] for _ in range(7)]
        for period in self.periods:
            by_weekday[period.weekday].append(period)
        self._by_weekday = tuple(tuple(ps) for ps in by_weekday)
        # For the common "no exceptions near this date" case, skip the scan entirely.
        self._exceptions_until = max((e.end for e in self.exceptions), default=date.min)
        # date -> (DayHours, intervals as (start, end) POSIX timestamps)
        self._days: dict[date, tuple[DayHours, tuple[tuple[float, float], ...]]] = {}

    def __repr__(self) -> str:
        return (
            f"Schedule({len(self.periods)} periods, {len(self.exceptions)} exceptions, "
            f"tz={self.tz.key!r}, closed_on_public_holidays={self.closed_on_public_holidays})"
        )

    # -- single days ---------------------------------------------------------------------------

    def day(self, d: date) -> DayHours:
        """The concrete opening hours of date `d`."""
        return self._day(d)[0]

    def week(self, any_day: date) -> list[DayHours]:
        """The seven days, Monday to Sunday, of the week containing `any_day`."""
        monday = any_day - timedelta(days=any_day.weekday())
        return [self.day(monday + timedelta(days=i)) for i in range(7)]

    def holiday(self, d: date) -> str | None:
        """The public-holiday name of date `d`, or None."""
        return belgian_holidays(d.year, self.holiday_language).get(d)

    def regular_spans(self, d: date) -> list[Span]:
        """The hours the periods alone would give on `d` (ignoring exceptions and holidays)."""
        return merge_spans(
            [span(p.opens, p.closes) for p in self._by_weekday[d.weekday()] if p.applies_on(d)]
        )

    # -- instants ------------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether the site is open at the aware datetime `at` (start inclusive, end exclusive)."""
        return self.current_interval(at) is not None

    def status(self, at: datetime) -> Status:
        current = self.current_interval(at)
        if current is not None:
            return Status(open_now=True, closes_at=current[1], next_opening=None)
        return Status(open_now=False, closes_at=None, next_opening=self.next_opening(at))

    def current_interval(self, at: datetime) -> Interval | None:
        """The opening interval containing `at`, or None when closed at that instant."""
        local = self._local(at)
        stamp = at.timestamp()
        # No interval crosses midnight (the latest end is the next day's 00:00, exclusive), so
        # only the local date of `at` can contain it.
        day, stamps = self._day(local.date())
        for interval, (start, end) in zip(day.intervals, stamps, strict=True):
            if start <= stamp < end:
                return interval
        return None

    def next_opening(self, after: datetime, *, horizon_days: int = 400) -> datetime | None:
        """The start of the first interval starting strictly after `after`.

        When the site is open at `after` this is the start of the next interval, not of the
        current one. Returns None when nothing opens within `horizon_days` days.
        """
        stamp = after.timestamp()
        for d in days_from(self._local(after).date(), horizon_days + 1):
            day, stamps = self._day(d)
            for (start, _end), (start_stamp, _end_stamp) in zip(day.intervals, stamps, strict=True):
                if start_stamp > stamp:
                    return start
        return None

    def next_open_day(self, after: date, *, horizon_days: int = 400) -> date | None:
        """The first date on or after `after` (so `after` itself counts) with opening hours.

        Lending uses it to move a due date to a day the site is open. Returns None when no day
        within `horizon_days` days opens.
        """
        for d in days_from(after, horizon_days + 1):
            if self._day(d)[0].intervals:
                return d
        return None

    # -- closures ------------------------------------------------------------------------------

    def upcoming_closures(self, start: date, days: int = 28) -> list[tuple[date, date, str]]:
        """Closures within [start, start + days) as (first day, last day, reason) ranges.

        Listed are closed exceptions and public holidays, but only where they close the site on
        a day it would otherwise be open: a holiday on a day without hours is not news, and a
        closed exception is listed (over its whole range, clipped to the window) only if it hides
        at least one regular opening in the window. Consecutive days closed for the same reason
        merge into one range. The reason is the exception's reason, else the holiday name.
        """
        closures: list[tuple[date, date, str]] = []
        first = last = None
        reason, hides = "", False
        for d in days_from(start, days):
            closure = self._closure_on(d)
            if closure is not None and first is not None and closure[0] == reason:
                last, hides = d, hides or closure[1]
                continue
            if first is not None and last is not None and hides:
                closures.append((first, last, reason))
            first = last = None
            if closure is not None:
                first, last, (reason, hides) = d, d, closure
        if first is not None and last is not None and hides:
            closures.append((first, last, reason))
        return closures

    def _closure_on(self, d: date) -> tuple[str, bool] | None:
        """(reason, hides a regular opening) when `d` is closed by an exception or a holiday."""
        day = self.day(d)
        if day.intervals:
            return None
        if day.exception is not None and day.exception.closed:
            reason = day.exception.reason or day.holiday or ""
            return reason, bool(self.regular_spans(d))
        if (
            day.exception is None
            and day.holiday is not None
            and self.closed_on_public_holidays
            and self.regular_spans(d)
        ):
            return day.holiday, True
        return None

    # -- internals -----------------------------------------------------------------------------

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("datetimes given to the opening-hours engine must be timezone-aware")
        return at.astimezone(self.tz)

    def _day(self, d: date) -> tuple[DayHours, tuple[tuple[float, float], ...]]:
        cached = self._days.get(d)
        if cached is None:
            if len(self._days) >= _DAY_CACHE_SIZE:
                self._days.clear()
            day = self._compute_day(d)
            stamps = tuple((start.timestamp(), end.timestamp()) for start, end in day.intervals)
            cached = self._days[d] = (day, stamps)
        return cached

    def _compute_day(self, d: date) -> DayHours:
        holiday = self.holiday(d)
        covering = self._exceptions_on(d)
        closed = next((e for e in covering if e.closed), None)
        if closed is not None:
            return DayHours(d, (), holiday, closed)
        if covering:
            spans = merge_spans([span(e.opens, e.closes) for e in covering])  # type: ignore[arg-type]
            return DayHours(d, self._intervals(d, spans), holiday, covering[0])
        if holiday is not None and self.closed_on_public_holidays:
            return DayHours(d, (), holiday, None)
        return DayHours(d, self._intervals(d, self.regular_spans(d)), holiday, None)

    def _exceptions_on(self, d: date) -> list[HoursException]:
        if d > self._exceptions_until:
            return []
        found = []
        for exception in self.exceptions:
            if exception.start > d:
                break  # sorted by start: nothing later can cover d
            if d <= exception.end:
                found.append(exception)
        return found

    def _intervals(self, d: date, spans: list[Span]) -> tuple[Interval, ...]:
        return tuple((self._at(d, start), self._at(d, end)) for start, end in spans)

    def _at(self, d: date, offset: timedelta) -> datetime:
        """The aware local datetime `offset` after the midnight of `d`, as a wall-clock time."""
        if offset >= _ONE_DAY:
            return datetime.combine(d + _ONE_DAY, _MIDNIGHT, tzinfo=self.tz)
        wall = datetime.combine(d, _MIDNIGHT) + offset  # naive: plain wall-clock arithmetic
        # Round-trip through UTC so a wall time in the spring-forward gap (02:30) comes out as a
        # real instant (03:30 CEST) instead of a non-existent local time.
        return wall.replace(tzinfo=self.tz).astimezone(UTC).astimezone(self.tz)


# --- helpers ---------------------------------------------------------------------------------
# `span`, `merge_spans` and `days_from` are public because `network.hours_formats` uses them too.


def _check_times(opens: time, closes: time) -> None:
    if closes != _MIDNIGHT and closes <= opens:
        raise ValueError("closing time must be after opening time (or 00:00 for midnight)")


def _weeks_between(anchor: date, d: date) -> int:
    """Whole Monday-based weeks from the week of `anchor` to the week of `d` (may be negative)."""
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    monday = d - timedelta(days=d.weekday())
    return (monday - anchor_monday).days // 7


def _is_nth_weekday_of_month(d: date, nth: int) -> bool:
    if nth == -1:
        return (d + timedelta(days=7)).month != d.month
    return (d.day - 1) // 7 + 1 == nth


def span(opens: time, closes: time) -> Span:
    """`opens`..`closes` as offsets from the day's midnight (closing at 00:00 ends the day)."""
    start = timedelta(hours=opens.hour, minutes=opens.minute, seconds=opens.second)
    if closes == _MIDNIGHT:
        return start, _ONE_DAY
    return start, timedelta(hours=closes.hour, minutes=closes.minute, seconds=closes.second)


def merge_spans(spans: list[Span]) -> list[Span]:
    """Sort spans and merge those that overlap or touch."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def days_from(start: date, count: int) -> Iterator[date]:
    """`count` consecutive dates, `start` first."""
    for i in range(count):
        yield start + timedelta(days=i)
