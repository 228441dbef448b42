"""Opening hours for other programs: OpenStreetMap `opening_hours` and schema.org.

Maps, search engines and open-data users read a Digipunt's hours in their own formats:
`to_osm` writes the OpenStreetMap `opening_hours` value of the GeoJSON export and `to_schema_org`
the `OpeningHoursSpecification`s of the JSON-LD on the public site page. Both only read a
`network.hours.Schedule` (its periods, exceptions and computed days); the engine itself knows
nothing of these formats, which have their own rules (OSM's "later rule wins", schema.org's
closed-day and midnight conventions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from network.hours import HoursException, Period, Schedule, Span, days_from, merge_spans, span

_MIDNIGHT = time(0, 0)
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_OSM_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_OSM_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- OpenStreetMap ---------------------------------------------------------------------------


def to_osm(schedule: Schedule, *, since: date | None = None) -> str:
    """The schedule as an OpenStreetMap `opening_hours` value.

    Regular rules come first, then `PH off` (when closed on public holidays), then opening
    exceptions and finally closures, so that in OSM's "later rule wins" reading a closure
    beats an opening and an opening exception beats `PH off` and the regular hours. Rules
    that add hours to a weekday already used by an earlier rule are joined with OSM's
    additive `,` separator instead of `;`, because our periods add up. Exceptions that
    ended before `since` are left out when it is given. An empty schedule is `off`.
    """
    rules = _osm_period_rules(schedule.periods, since)
    if rules and schedule.closed_on_public_holidays:
        rules.append((";", "PH off"))
    exception_rules = _osm_exception_rules(schedule.exceptions, since)
    if not rules and all(text.endswith(" off") for _separator, text in exception_rules):
        return "off"  # nothing ever opens: closures alone would add nothing
    rules.extend(exception_rules)
    return rules[0][1] + "".join(f"{separator} {text}" for separator, text in rules[1:])


def _osm_time_spans(spans: list[Span]) -> str:
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
    spans: dict[tuple[str, str, int, int, int | None], list[Span]] = {}
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
        spans.setdefault(key, []).append(span(p.opens, p.closes))

    # Weekdays with the same selector and identical hours share one rule ("Mo-Fr 09:00-17:00").
    grouped: dict[tuple[str, str, int, int | None, str], list[int]] = {}
    for (prefix, week, rank, weekday, nth), day_spans in spans.items():
        times = _osm_time_spans(merge_spans(day_spans))
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
    openings: dict[tuple[date, date], list[Span]] = {}
    for e in current:
        if not e.closed:
            openings.setdefault((e.start, e.end), []).append(span(e.opens, e.closes))  # type: ignore[arg-type]
    result: list[tuple[str, str]] = []
    earlier: list[tuple[date, date]] = []
    for (start, end), spans in sorted(openings.items()):
        # Overlapping opening exceptions add up, like on a single day.
        overlaps = any(start <= e_end and s <= end for s, e_end in earlier)
        earlier.append((start, end))
        text = f"{_osm_date_range(start, end)} {_osm_time_spans(merge_spans(spans))}"
        result.append(("," if overlaps else ";", text))
    closed_ranges = sorted({(e.start, e.end) for e in current if e.closed})
    result.extend((";", f"{_osm_date_range(start, end)} off") for start, end in closed_ranges)
    return result


# --- schema.org ------------------------------------------------------------------------------


def to_schema_org(
    schedule: Schedule, today: date, days_ahead: int = 60
) -> dict[str, list[dict[str, str]]]:
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
        for p in sorted(schedule.periods, key=lambda p: (p.weekday, p.opens))
        if p.recurrence == "weekly"
    ]
    special: list[dict[str, str]] = []
    for d in days_from(today, days_ahead):
        special.extend(_schema_special(schedule, d))
    return {
        "openingHoursSpecification": regular,
        "specialOpeningHoursSpecification": special,
    }


def _schema_special(schedule: Schedule, d: date) -> list[dict[str, str]]:
    """The special schema.org entries for date `d` (none when the regular ones suffice)."""
    day = schedule.day(d)
    holiday_closure = (
        day.exception is None
        and day.holiday is not None
        and schedule.closed_on_public_holidays
        and bool(schedule.regular_spans(d))
    )
    irregular = any(p.recurrence != "weekly" and p.applies_on(d) for p in schedule.periods)
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
