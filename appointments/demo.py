"""Online booking for the demo network, so that `make run` shows it at work."""

from __future__ import annotations

from appointments.models import BookingSettings
from core import public_cache
from network.models import Site


def demo_booking_enable() -> int:
    """Switch on online booking (the default settings) at every demo site that works by
    appointment; returns how many. Real sites are never touched."""
    sites = Site.objects.filter(is_demo=True, by_appointment=True, booking_settings__isnull=True)
    created = BookingSettings.objects.bulk_create(
        [BookingSettings(site=site, is_enabled=True) for site in sites.only("pk")],
        batch_size=500,
    )
    public_cache.bump()  # bulk_create sends no signals; the sites' pages now offer booking
    return len(created)
