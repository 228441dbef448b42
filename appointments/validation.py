"""Checks of what a resident (or a helper for a caller) typed to book an appointment.

Each check adds plain-language messages to an `errors` dict keyed by form field, so the booking
service can report every problem at once and a form can show each next to its field.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from appointments import slots as slot_rules
from appointments.models import BookingSettings
from network.models import Site
from notifications import phones


def slot_full_message() -> str:
    return _("Someone just booked the last place at this time. Choose another time.")


def clean_person(
    errors: dict[str, list[str]], name: str, phone: str, email: str
) -> tuple[str, str, str]:
    return phones.clean_person(
        errors,
        name,
        phone,
        email,
        missing_name=_("Write your name, so the helper knows who comes."),
        neither=_("Give a phone number or an email address, so we can send you the confirmation."),
    )


def check_starts_at(
    errors: dict[str, list[str]],
    site: Site,
    booking: BookingSettings,
    starts_at: datetime | None,
    now: datetime,
    *,
    by_staff: bool,
) -> slot_rules.BookableSlot | None:
    """The bookable slot at `starts_at`, or an error saying why that time cannot be booked."""
    if starts_at is None:
        errors.setdefault("starts_at", []).append(_("Choose a time."))
        return None
    if starts_at <= now:
        errors.setdefault("starts_at", []).append(_("This time has passed. Choose another time."))
        return None
    found = slot_rules.find_slot(site, booking, starts_at, now=now, by_staff=by_staff)
    if found is None:
        if not by_staff and starts_at < slot_rules.earliest_start(booking, now, by_staff=False):
            message = _(
                "This time is too soon: book at least %(hours)d hours ahead, or call the Digipunt."
            ) % {"hours": booking.min_notice_hours}
        else:
            message = _("No appointment can be made at this time. Choose a time from the list.")
        errors.setdefault("starts_at", []).append(message)
    return found


def check_language(errors: dict[str, list[str]], site: Site, language: str) -> None:
    if language not in (site.language_codes or [settings.LANGUAGE_CODE]):
        errors.setdefault("language", []).append(_("Choose one of the languages of this place."))
