"""Reads of appointments: a site's day, one appointment at a site, one by its manage link.

Staff reads start from a site the caller may see (`accounts.permissions.site_for`), so another
site's appointment is simply not there (a 404). A resident reaches one appointment only through
the secret of their link, compared by its hash.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.http import Http404
from django.utils import timezone

from appointments.models import Appointment, BookingSettings
from core.links import token_hash
from network.models import Site

# A manage-link secret is `secrets.token_urlsafe(24)`: 32 characters; anything far off is no link.
TOKEN_MAX_LENGTH = 64


def booking_enabled_site(slug: str) -> tuple[Site, BookingSettings]:
    """A published site with online booking on, and its settings (one query); else a 404."""
    site = (
        Site.objects.published()
        .select_related("booking_settings", "municipality")
        .filter(slug=slug, booking_settings__is_enabled=True)
        .first()
    )
    if site is None:
        raise Http404
    return site, site.booking_settings


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return start, end


def appointments_on(site: Site, day: date) -> list[Appointment]:
    """Every appointment at `site` on local date `day` (cancelled ones too), by time, with
    their theme and slot (one query)."""
    start, end = _day_bounds(day)
    return list(
        Appointment.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
        .select_related("theme", "slot", "contact")
        .order_by("starts_at", "pk")
    )


def active_appointments_on(site: Site, day: date) -> list[Appointment]:
    """The appointments at `site` on `day` that are not cancelled (one query): the "today" list
    of the site's page."""
    start, end = _day_bounds(day)
    return list(
        Appointment.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("theme")
        .order_by("starts_at", "pk")
    )


def appointment_at_site(site: Site, appointment_id: int) -> Appointment:
    """One appointment of `site`; an id of another site's appointment is a 404."""
    found = (
        Appointment.objects.filter(site=site, pk=appointment_id)
        .select_related("site", "theme", "slot")
        .first()
    )
    if found is None:
        raise Http404
    return found


def appointment_for_token(token: str) -> Appointment | None:
    """The appointment whose manage link has this secret, or None."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return (
        Appointment.objects.filter(token_hash=token_hash(token))
        .select_related("site__municipality", "site__booking_settings", "theme", "slot")
        .first()
    )
