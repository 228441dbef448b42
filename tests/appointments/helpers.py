"""Helpers for the appointment tests: a bookable site, times, bookings and pages."""

from __future__ import annotations

import copy
import itertools
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from appointments import services
from appointments.models import Appointment, BookingSettings, Slot
from core.links import new_token, token_hash
from network.hours_document import period
from network.models import Site, Theme
from tests import factories
from tests.cast import Cast

BRUSSELS = ZoneInfo("Europe/Brussels")
# Open every day, also on public holidays: any future day has the same slots.
EVERY_DAY = {"periods": [period(d, "09:00", "17:00") for d in range(7)], "exceptions": []}
_references = itertools.count(1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware Brussels time on `day`."""
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS)


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    return at(tomorrow(), hour, minute)


def enable_booking(site: Site, **fields: Any) -> BookingSettings:
    values: dict[str, Any] = {"is_enabled": True, "slot_minutes": 30, "capacity": 1}
    values.update(fields)
    settings, _created = BookingSettings.objects.update_or_create(site=site, defaults=values)
    return settings


def bookable_site(*, opening_hours: dict | None = None, booking: dict | None = None, **fields: Any):
    """A published site open every day 09:00-17:00 (also on holidays), online booking on:
    30-minute slots, one person at a time, 2 hours' notice, 28 days ahead."""
    defaults: dict[str, Any] = {"closed_on_public_holidays": False, "languages": ",nl,fr,"}
    defaults.update(fields)
    # A copy: a test that adds a closure to its site must not close every later test's site.
    hours = copy.deepcopy(opening_hours or EVERY_DAY)
    site = factories.site(opening_hours=hours, **defaults)
    enable_booking(site, **(booking or {}))
    return site


def person(**changes: Any) -> dict[str, Any]:
    """What a resident types, `changes` on top."""
    values: dict[str, Any] = {
        "name": "Jan Peeters",
        "phone": "0470 12 34 56",
        "email": "",
        "theme": Theme.objects.get(code="eid-itsme"),
        "language": "nl",
    }
    values.update(changes)
    return values


def book(site: Site, starts_at: datetime, *, by_staff: bool = False, actor=None, **changes: Any):
    """Book through the service as a resident (or staff); returns (appointment, token)."""
    return services.appointment_book(
        actor=actor, site=site, starts_at=starts_at, by_staff=by_staff, **person(**changes)
    )


def stored_appointment(
    site: Site,
    starts_at: datetime,
    *,
    minutes: int = 30,
    status: str = Appointment.Status.BOOKED,
    **fields: Any,
) -> tuple[Appointment, str]:
    """An appointment written straight to the database (for times a resident could not book,
    such as the past); returns it with its link's secret."""
    slot, _created = Slot.objects.get_or_create(
        site=site,
        starts_at=starts_at,
        defaults={"ends_at": starts_at + timedelta(minutes=minutes), "capacity": 1},
    )
    if status != Appointment.Status.CANCELLED:
        slot.booked += 1
        slot.save()
    token = new_token()
    values: dict[str, Any] = {
        "reference": f"T{next(_references):05d}",
        "token_hash": token_hash(token),
        "site": site,
        "slot": slot,
        "starts_at": starts_at,
        "name": "Mia Janssens",
        "phone": "+32470123456",
        "language": "nl",
        "status": status,
    }
    values.update(fields)
    return Appointment.objects.create(**values), token


def matrix_appointment(cast: Cast, *, other_org: bool = False) -> dict[str, object]:
    """URL kwargs of an action on an appointment at gent_a (or at Aalst, another organisation)."""
    site = cast.aalst if other_org else cast.gent_a
    appointment, _token = stored_appointment(site, tomorrow_at(10))
    return {"site_id": site.pk, "appointment_id": appointment.pk, "action": "cancel"}
