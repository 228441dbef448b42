"""Opening hours stored as one JSON document on a site, and its conversion to the engine.

The document is what staff edit and what the audit trail records:

    {"periods": [{"weekday": 0, "opens": "09:00", "closes": "12:00", "recurrence": "weekly",
                  "anchor": null, "nth": null, "valid_from": null, "valid_until": null}],
     "exceptions": [{"start": "2026-07-15", "end": "2026-08-15", "closed": true,
                     "opens": null, "closes": null, "reason": "Summer closure"}]}

`validate_document` turns a document into engine values and raises `ValueError` with a message
naming the bad entry; it is the one gate that every writer (staff forms, imports, demo data) uses.
The week mask of quarter hours derived from it for "open now" lives in `network.week_mask`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from network.week_mask import changes_clock

if TYPE_CHECKING:
    from network.hours import HoursException, Period, Schedule

logger = logging.getLogger(__name__)


def _time(value: Any, where: str) -> time:
    try:
        parsed = time.fromisoformat(str(value))
    except ValueError:
        parsed = None
    # Hours are local Belgian time; a UTC offset would silently mean something else.
    if parsed is None or parsed.tzinfo is not None:
        raise ValueError(f"{where}: {value!r} is not a time (HH:MM)")
    return parsed


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _optional_date(value: Any, where: str) -> date | None:
    return None if value in (None, "") else _date(value, where)


def _period(raw: dict[str, Any], index: int) -> Period:
    from network.hours import RECURRENCES, Period

    where = f"period {index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be an object with weekday, opens and closes")
    weekday = raw.get("weekday")
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValueError(f"{where}: weekday must be 0 (Monday) to 6 (Sunday)")
    opens = _time(raw.get("opens"), where)
    closes = _time(raw.get("closes"), where)
    if closes != time(0, 0) and closes <= opens:
        raise ValueError(f"{where}: closing time must be after opening time")
    recurrence = raw.get("recurrence") or "weekly"
    if recurrence not in RECURRENCES:
        raise ValueError(f"{where}: recurrence must be one of {', '.join(RECURRENCES)}")
    anchor = _optional_date(raw.get("anchor"), where)
    nth = raw.get("nth")
    if recurrence == "biweekly" and anchor is None:
        raise ValueError(f"{where}: a fortnightly period needs a date in a week it is open")
    if recurrence == "monthly" and (isinstance(nth, bool) or nth not in (1, 2, 3, 4, 5, -1)):
        raise ValueError(f"{where}: a monthly period needs which weekday of the month (1-5 or -1)")
    valid_from = _optional_date(raw.get("valid_from"), where)
    valid_until = _optional_date(raw.get("valid_until"), where)
    if valid_from and valid_until and valid_until < valid_from:
        raise ValueError(f"{where}: the end of validity is before its start")
    return Period(
        weekday=weekday,
        opens=opens,
        closes=closes,
        recurrence=recurrence,
        anchor=anchor,
        nth=nth if recurrence == "monthly" else None,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def _exception(raw: dict[str, Any], index: int) -> HoursException:
    from network.hours import HoursException

    where = f"exception {index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be an object with start, end and closed")
    start = _date(raw.get("start"), where)
    end = _date(raw.get("end") or raw.get("start"), where)
    if end < start:
        raise ValueError(f"{where}: the last day is before the first day")
    closed = bool(raw.get("closed"))
    opens = closes = None
    if not closed:
        opens = _time(raw.get("opens"), where)
        closes = _time(raw.get("closes"), where)
        if closes != time(0, 0) and closes <= opens:
            raise ValueError(f"{where}: closing time must be after opening time")
    return HoursException(
        start=start,
        end=end,
        closed=closed,
        opens=opens,
        closes=closes,
        reason=str(raw.get("reason") or "")[:200],
    )


def parse_document(document: dict[str, Any] | None) -> tuple[list[Period], list[HoursException]]:
    """Validate a stored document and return its periods and exceptions for the engine."""
    document = document or {}
    if not isinstance(document, dict):
        raise ValueError("opening hours must be an object with periods and exceptions")
    for key in ("periods", "exceptions"):
        if not isinstance(document.get(key) or [], list):
            raise ValueError(f"{key} must be a list")
    periods = [_period(p, i) for i, p in enumerate(document.get("periods") or [])]
    exceptions = [_exception(e, i) for i, e in enumerate(document.get("exceptions") or [])]
    return periods, exceptions


def may_be_open_at(document: dict[str, Any] | None, local: datetime) -> bool:
    """False only when the site is certainly closed at the local wall-clock time `local`: no
    weekly period of that weekday and no opening exception covering that day spans the time.

    A cheap first look at the raw document before the engine gives the real answer: every
    pattern the engine knows (fortnightly, monthly, validity dates, holidays, closures) can
    only take hours away from what this sees, and no period crosses midnight. On the two
    daylight-saving days it does not prune at all, so the engine alone decides there.
    """
    if not document:
        return False
    if not isinstance(document, dict) or changes_clock(local):
        return True  # unreadable, or a daylight-saving day: let the engine decide
    try:
        day, moment = local.date(), local.time().replace(tzinfo=None)
        weekday, iso = day.weekday(), day.isoformat()
        for entry in document.get("periods") or []:
            if entry.get("weekday") == weekday and _spans(entry, moment):
                return True
        return any(
            not entry.get("closed")
            and str(entry.get("start")) <= iso <= str(entry.get("end") or entry.get("start"))
            and _spans(entry, moment)
            for entry in document.get("exceptions") or []
        )
    except (AttributeError, TypeError, ValueError):
        return True  # an entry of the wrong shape: the engine logs it and shows no hours


def _spans(entry: dict[str, Any], moment: time) -> bool:
    """Whether `moment` falls in the entry's [opens, closes) (a closing 00:00 is midnight)."""
    opens = time.fromisoformat(str(entry.get("opens")))
    closes = time.fromisoformat(str(entry.get("closes")))
    return opens <= moment and (closes == time(0, 0) or moment < closes)


def readable(document: Any) -> tuple[list[Period], list[HoursException]] | None:
    """The periods and exceptions of a stored document, or None when it does not parse.

    Writers validate every document, so None means old or hand-edited data; readers then show
    the site without hours instead of failing (one rule for the pages, the finder and the API).
    """
    try:
        return parse_document(document)
    except (ValueError, TypeError, AttributeError):
        logger.warning("Opening hours that do not parse: %.200r", document, exc_info=True)
        return None


def validate_document(document: dict[str, Any] | None) -> None:
    parse_document(document)


def schedule_from_document(
    document: dict[str, Any] | None,
    *,
    closed_on_public_holidays: bool = True,
    holiday_language: str | None = None,
) -> Schedule:
    from network.hours import Schedule

    periods, exceptions = parse_document(document)
    return Schedule(
        periods,
        exceptions,
        closed_on_public_holidays=closed_on_public_holidays,
        holiday_language=holiday_language,
    )


def period(
    weekday: int,
    opens: str,
    closes: str,
    *,
    recurrence: str = "weekly",
    anchor: date | None = None,
    nth: int | None = None,
) -> dict[str, Any]:
    """Build one period entry of a document (used by the demo data and tests)."""
    return {
        "weekday": weekday,
        "opens": opens,
        "closes": closes,
        "recurrence": recurrence,
        "anchor": anchor.isoformat() if anchor else None,
        "nth": nth,
        "valid_from": None,
        "valid_until": None,
    }


def closure(start: date, end: date | None = None, reason: str = "") -> dict[str, Any]:
    """Build one closed-days exception entry of a document."""
    return {
        "start": start.isoformat(),
        "end": (end or start).isoformat(),
        "closed": True,
        "opens": None,
        "closes": None,
        "reason": reason,
    }


def extra_opening(day: date, opens: str, closes: str, reason: str = "") -> dict[str, Any]:
    """Build one opening exception: these hours *replace* the regular hours of that day (on a
    day without regular hours that is an extra opening; it is also how a site opens on a
    public holiday)."""
    return {
        "start": day.isoformat(),
        "end": day.isoformat(),
        "closed": False,
        "opens": opens,
        "closes": closes,
        "reason": reason,
    }
