"""The dates the application works with.

Dates come from query strings and forms (an agenda day, a slot code, a period of figures). A
forged one such as 9999-12-31 is a valid `date`, but one day later overflows; anything outside
these years is refused as "not a date" before any arithmetic is done with it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def clock(moment: datetime) -> str:
    """An instant's time of day in Brussels, as people read it: "09:30"."""
    return timezone.localtime(moment).strftime("%H:%M")


def within_range(value: date | datetime) -> bool:
    """Whether `value` (a date, or the date of an instant) is one the application can use."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST
