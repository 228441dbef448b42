"""The week in quarter hours: when a site may be open, as a short string the database can filter.

A site stores, next to its document, the quarter hours of the week in which it may be open
(`Site.open_slots`), so that "open now" can drop certainly-closed sites in SQL before any
document is read (docs/decisions/0003-open-now-slots.md). `weekly_slots` derives the mask from the
stored document (`network.hours_document`), `slot_of` says where a local time sits in it, and
`changes_clock` names the two days a year on which wall-clock hours do not map onto the mask.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

# One hexadecimal digit per hour of the week (168 digits, Monday 00:00 first); its bits 1, 2, 4
# and 8 are the hour's four quarters.
SLOT_MINUTES = 15
HOURS_PER_WEEK = 7 * 24
EVERY_SLOT = "f" * HOURS_PER_WEEK


def every_slot() -> str:
    """The mask of a site that may be open at any time (the safe default)."""
    return EVERY_SLOT


def weekly_slots(document: dict[str, Any] | None) -> str:
    """The quarter hours of the week in which the site may be open, as 168 hexadecimal digits
    (see above): a set bit where it may be open, a clear bit where it certainly is not.

    A quarter counts when any weekly period of that weekday (whatever its recurrence or
    validity) or any opening exception falling on that weekday touches it, so the mask only
    ever errs towards "may be open"; the engine decides. An unreadable document may be open
    at any time.
    """
    # Imported here: `network.hours_document` imports this module (for `changes_clock`).
    from network.hours_document import parse_document

    try:
        periods, exceptions = parse_document(document)
    except (ValueError, TypeError, AttributeError):
        return EVERY_SLOT
    quarters = [False] * (HOURS_PER_WEEK * 4)

    def mark(weekday: int, opens: time, closes: time) -> None:
        start = (opens.hour * 60 + opens.minute) // SLOT_MINUTES
        end_minute = 24 * 60 if closes == time(0, 0) else closes.hour * 60 + closes.minute
        if closes.second or closes.microsecond:
            end_minute += 1
        end = -(-end_minute // SLOT_MINUTES)  # the quarter that holds the closing minute
        base = weekday * 24 * 4
        quarters[base + start : base + end] = [True] * (end - start)

    for entry in periods:
        mark(entry.weekday, entry.opens, entry.closes)
    for exception in exceptions:
        if exception.closed or exception.opens is None or exception.closes is None:
            continue
        days = min((exception.end - exception.start).days + 1, 7)
        for weekday in {(exception.start + timedelta(days=i)).weekday() for i in range(days)}:
            mark(weekday, exception.opens, exception.closes)
    return "".join(
        f"{sum(1 << q for q in range(4) if quarters[hour * 4 + q]):x}"
        for hour in range(HOURS_PER_WEEK)
    )


def slot_of(local: datetime) -> tuple[int, str] | None:
    """Where the local time `local` sits in a `weekly_slots` mask: the index of its hour's digit
    and the digits whose bit for its quarter is set. None on the two days a year the clocks
    change, when wall-clock hours and real instants part ways."""
    if changes_clock(local):
        return None
    bit = 1 << (local.minute // SLOT_MINUTES)
    return local.weekday() * 24 + local.hour, "".join(f"{d:x}" for d in range(16) if d & bit)


def changes_clock(local: datetime) -> bool:
    """Whether the clocks change on the local date of `local` (its midnights differ in offset)."""
    if local.tzinfo is None:
        return False
    midnight = datetime.combine(local.date(), time(0, 0), tzinfo=local.tzinfo)
    next_midnight = datetime.combine(
        local.date() + timedelta(days=1), time(0, 0), tzinfo=local.tzinfo
    )
    return midnight.utcoffset() != next_midnight.utcoffset()
