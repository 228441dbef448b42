"""Opening-hours engine: when is a Digipunt open?

Digipunten open in real-world ways: several periods a day, every other week, the first Tuesday of
the month, with closures, extra openings and Belgian public holidays on top. This module turns
that description into concrete, timezone-aware intervals and answers the questions the site asks
("open now?", "next opening", "this week", "closed soon?") plus exports to OpenStreetMap
`opening_hours` and schema.org.

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
_Span = tuple[timedelta, timedelta]

_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0, 0)
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_OSM_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_OSM_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
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

    def _regular_spans(self, d: date) -> list[_Span]:
        """The hours the periods alone would give on `d` (ignoring exceptions and holidays)."""
        return _merge(
            [_span(p.opens, p.closes) for p in self._by_weekday[d.weekday()] if p.applies_on(d)]
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
        for d in _dates(self._local(after).date(), horizon_days + 1):
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
        for d in _dates(after, horizon_days + 1):
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
        for d in _dates(start, days):
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
            return reason, bool(self._regular_spans(d))
        if (
            day.exception is None
            and day.holiday is not None
            and self.closed_on_public_holidays
            and self._regular_spans(d)
        ):
            return day.holiday, True
        return None

    # -- exports -------------------------------------------------------------------------------

    def to_osm(self, *, since: date | None = None) -> str:
        """The schedule as an OpenStreetMap `opening_hours` value.

        Regular rules come first, then `PH off` (when closed on public holidays), then opening
        exceptions and finally closures, so that in OSM's "later rule wins" reading a closure
        beats an opening and an opening exception beats `PH off` and the regular hours. Rules
        that add hours to a weekday already used by an earlier rule are joined with OSM's
        additive `,` separator instead of `;`, because our periods add up. Exceptions that
        ended before `since` are left out when it is given. An empty schedule is `off`.
        """
        rules = _osm_period_rules(self.periods, since)
        if rules and self.closed_on_public_holidays:
            rules.append((";", "PH off"))
        exception_rules = _osm_exception_rules(self.exceptions, since)
        if not rules and all(text.endswith(" off") for _separator, text in exception_rules):
            return "off"  # nothing ever opens: closures alone would add nothing
        rules.extend(exception_rules)
        return rules[0][1] + "".join(f"{separator} {text}" for separator, text in rules[1:])

    def to_schema_org(self, today: date, days_ahead: int = 60) -> dict[str, list[dict[str, str]]]:
        """schema.org opening hours: weekly specifications plus dated special ones.

        `openingHoursSpecification` lists the weekly periods (biweekly and monthly ones cannot be
        expressed there and are left out). `specialOpeningHoursSpecification` gives concrete
        entries for [today, today + days_ahead): every exception day, every public holiday that
        closes an otherwise open day, and every day on which a biweekly or monthly period
        applies. A special entry replaces the regular hours of its date for consumers, so it
        lists all of that day's intervals; a closed day is opens/closes "00:00".
        """
        regular = [
            _schema_spec(
                dayOfWeek=f"https://schema.org/{_WEEKDAY_NAMES[p.weekday]}",
                opens=_hhmm(p.opens),
                closes=_schema_closes(p.closes),
                validFrom=p.valid_from.isoformat() if p.valid_from else None,
                validThrough=p.valid_until.isoformat() if p.valid_until else None,
            )
            for p in sorted(self.periods, key=lambda p: (p.weekday, p.opens))
            if p.recurrence == "weekly"
        ]
        special: list[dict[str, str]] = []
        for d in _dates(today, days_ahead):
            special.extend(self._schema_special(d))
        return {
            "openingHoursSpecification": regular,
            "specialOpeningHoursSpecification": special,
        }

    def _schema_special(self, d: date) -> list[dict[str, str]]:
        """The special schema.org entries for date `d` (none when the regular ones suffice)."""
        day = self.day(d)
        holiday_closure = (
            day.exception is None
            and day.holiday is not None
            and self.closed_on_public_holidays
            and bool(self._regular_spans(d))
        )
        irregular = any(
            p.recurrence != "weekly" and p.applies_on(d) for p in self._by_weekday[d.weekday()]
        )
        if day.exception is None and not holiday_closure and not irregular:
            return []
        on = d.isoformat()
        if not day.intervals:
            return [_schema_spec(opens="00:00", closes="00:00", validFrom=on, validThrough=on)]
        return [
            _schema_spec(
                opens=_hhmm(start.time()),
                closes="23:59" if end.date() > d else _hhmm(end.time()),
                validFrom=on,
                validThrough=on,
            )
            for start, end in day.intervals
        ]

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
            spans = _merge([_span(e.opens, e.closes) for e in covering])  # type: ignore[arg-type]
            return DayHours(d, self._intervals(d, spans), holiday, covering[0])
        if holiday is not None and self.closed_on_public_holidays:
            return DayHours(d, (), holiday, None)
        return DayHours(d, self._intervals(d, self._regular_spans(d)), holiday, None)

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

    def _intervals(self, d: date, spans: list[_Span]) -> tuple[Interval, ...]:
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


def _span(opens: time, closes: time) -> _Span:
    start = timedelta(hours=opens.hour, minutes=opens.minute, seconds=opens.second)
    if closes == _MIDNIGHT:
        return start, _ONE_DAY
    return start, timedelta(hours=closes.hour, minutes=closes.minute, seconds=closes.second)


def _merge(spans: list[_Span]) -> list[_Span]:
    """Sort spans and merge those that overlap or touch."""
    merged: list[_Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _dates(start: date, count: int) -> Iterator[date]:
    for i in range(count):
        yield start + timedelta(days=i)


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _schema_closes(closes: time) -> str:
    # schema.org/Google read closes "00:00" together with opens "00:00" as "closed all day", and
    # "24:00" is not a valid Time there; 23:59 is the documented way to say "until midnight".
    return "23:59" if closes == _MIDNIGHT else _hhmm(closes)


def _schema_spec(**fields: str | None) -> dict[str, str]:
    spec = {"@type": "OpeningHoursSpecification"}
    spec.update({key: value for key, value in fields.items() if value is not None})
    return spec


# --- OpenStreetMap export --------------------------------------------------------------------


def _osm_time_spans(spans: list[_Span]) -> str:
    return ",".join(f"{_osm_offset(start)}-{_osm_offset(end)}" for start, end in spans)


def _osm_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60  # a full day comes out as 24:00
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _osm_date(d: date) -> str:
    return f"{d.year} {_OSM_MONTHS[d.month - 1]} {d.day:02d}"


def _osm_date_range(start: date, end: date) -> str:
    return _osm_date(start) if start == end else f"{_osm_date(start)}-{_osm_date(end)}"


def _osm_validity(valid_from: date | None, valid_until: date | None) -> str:
    if valid_from and valid_until:
        return _osm_date_range(valid_from, valid_until) + " "
    if valid_from:
        return f"{_osm_date(valid_from)}+ "
    if valid_until:
        # OSM has no "until" without a start; an early start date says the same thing.
        return f"{_osm_date(date(1970, 1, 1))}-{_osm_date(valid_until)} "
    return ""


def _osm_weekdays(weekdays: list[int]) -> str:
    """OSM weekday list, with runs of three or more written as a range (Mo-Fr)."""
    parts: list[str] = []
    run: list[int] = []
    for wd in [*sorted(weekdays), None]:
        if wd is not None and run and wd == run[-1] + 1:
            run.append(wd)
            continue
        if len(run) >= 3:
            parts.append(f"{_OSM_WEEKDAYS[run[0]]}-{_OSM_WEEKDAYS[run[-1]]}")
        else:
            parts.extend(_OSM_WEEKDAYS[r] for r in run)
        run = [] if wd is None else [wd]
    return ",".join(parts)


def _iso_week_parity(anchor: date, reference: date) -> int:
    """The parity (week number % 2) of the ISO weeks, in `reference`'s ISO year, in which a
    fortnightly period anchored on `anchor` opens."""
    weeks = (_monday(reference) - _monday(anchor)).days // 7
    week = reference.isocalendar().week
    return week % 2 if weeks % 2 == 0 else (week + 1) % 2


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _osm_period_rules(periods: Sequence[Period], since: date | None) -> list[tuple[str, str]]:
    """(separator, rule) pairs for the periods, in a stable, readable order."""
    # Collect the time spans per "day selector": (validity prefix, week prefix, rank, weekday, nth).
    spans: dict[tuple[str, str, int, int, int | None], list[_Span]] = {}
    for p in periods:
        prefix = _osm_validity(p.valid_from, p.valid_until)
        week, rank = "", 0
        if p.recurrence == "biweekly":
            # OSM alternates by ISO week number, we by weeks since the anchor. They agree within
            # one ISO year, not across a year with 53 weeks (2026 has one), so the parity is
            # taken from the ISO year of `since` (the anchor's when not given).
            parity = _iso_week_parity(p.anchor, since or p.anchor)  # type: ignore[arg-type]
            week, rank = ("week 01-53/2 " if parity else "week 02-52/2 "), 1
        elif p.recurrence == "monthly":
            rank = 2
        key = (prefix, week, rank, p.weekday, p.nth if p.recurrence == "monthly" else None)
        spans.setdefault(key, []).append(_span(p.opens, p.closes))

    # Weekdays with the same selector and identical hours share one rule ("Mo-Fr 09:00-17:00").
    grouped: dict[tuple[str, str, int, int | None, str], list[int]] = {}
    for (prefix, week, rank, weekday, nth), day_spans in spans.items():
        times = _osm_time_spans(_merge(day_spans))
        grouped.setdefault((prefix, week, rank, nth, times), []).append(weekday)

    rules = sorted(
        grouped.items(),
        key=lambda item: (min(item[1]), item[0][2], item[0][0], item[0][1], item[0][3] or 0),
    )
    result: list[tuple[str, str]] = []
    seen: set[int] = set()
    for (prefix, week, _rank, nth, times), weekdays in rules:
        if nth is None:
            days = _osm_weekdays(weekdays)
        else:
            days = ",".join(f"{_OSM_WEEKDAYS[wd]}[{nth}]" for wd in sorted(weekdays))
        # ";" would let this rule wipe earlier hours on the same weekday; "," adds to them.
        separator = "," if seen.intersection(weekdays) else ";"
        seen.update(weekdays)
        result.append((separator, f"{prefix}{week}{days} {times}"))
    return result


def _osm_exception_rules(
    exceptions: Sequence[HoursException], since: date | None
) -> list[tuple[str, str]]:
    """(separator, rule) pairs: opening exceptions first, then closures (which must win)."""
    current = [e for e in exceptions if since is None or e.end >= since]
    openings: dict[tuple[date, date], list[_Span]] = {}
    for e in current:
        if not e.closed:
            openings.setdefault((e.start, e.end), []).append(_span(e.opens, e.closes))  # type: ignore[arg-type]
    result: list[tuple[str, str]] = []
    earlier: list[tuple[date, date]] = []
    for (start, end), spans in sorted(openings.items()):
        # Overlapping opening exceptions add up, like on a single day.
        overlaps = any(start <= e_end and s <= end for s, e_end in earlier)
        earlier.append((start, end))
        text = f"{_osm_date_range(start, end)} {_osm_time_spans(_merge(spans))}"
        result.append(("," if overlaps else ";", text))
    closed_ranges = sorted({(e.start, e.end) for e in current if e.closed})
    result.extend((";", f"{_osm_date_range(start, end)} off") for start, end in closed_ranges)
    return result
