"""Devices for the demo network, so that `make run` shows the lending desk at work."""

from __future__ import annotations

from django.utils import timezone

from lending.models import Device, DeviceEvent
from lending.services import inventory_to_directory
from network.models import Site

# (kind, make and model, accessories) of the devices each demo site that lends has.
DEMO_DEVICES = (
    (Device.Kind.LAPTOP, "Lenovo ThinkPad E14 (demo)", ["charger", "bag"]),
    (Device.Kind.TABLET, "Samsung Galaxy Tab A9 (demo)", ["charger", "case"]),
    (Device.Kind.HOTSPOT, "TP-Link M7350 (demo)", ["charger"]),
)


def demo_devices_load() -> int:
    """Give every demo site that lends devices and has none yet three demo devices (a laptop,
    a tablet and a hotspot), tagged DEMO-<site>-<n>; returns how many. Real sites are never
    touched."""
    sites = Site.objects.filter(is_demo=True, offers_lending=True, devices__isnull=True)
    devices = [
        Device(
            site=site,
            organisation_id=site.organisation_id,
            kind=kind,
            make_model=model,
            asset_tag=f"DEMO-{site.pk}-{n}",
            source=Device.Source.REFURBISHED,
            source_note="Demo",
            accessories=accessories,
        )
        for site in sites.only("pk", "organisation_id")
        for n, (kind, model, accessories) in enumerate(DEMO_DEVICES, start=1)
    ]
    created = Device.objects.bulk_create(devices, batch_size=500)
    now = timezone.now()
    DeviceEvent.objects.bulk_create(
        [DeviceEvent(device=device, kind=DeviceEvent.Kind.ADDED, at=now) for device in created],
        batch_size=500,
    )
    for site_id in {device.site_id for device in created}:
        inventory_to_directory(site_id)
    return len(created)
