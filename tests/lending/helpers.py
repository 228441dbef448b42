"""Devices, borrowers and loans for the lending tests."""

from __future__ import annotations

from typing import Any

from lending import services
from lending.models import Borrower, Device, Loan
from network.models import Site
from tests.cast import Cast


def device(site: Site, tag: str = "LAP-001", **fields: Any) -> Device:
    """An available device of `site`, written directly (its history starts empty)."""
    values: dict[str, Any] = {
        "kind": Device.Kind.LAPTOP,
        "make_model": "Lenovo ThinkPad E14",
        "accessories": ["charger"],
        **fields,
    }
    return Device.objects.create(
        site=site, organisation_id=site.organisation_id, asset_tag=tag, **values
    )


def borrower(site: Site, name: str = "Marie Peeters", **fields: Any) -> Borrower:
    values: dict[str, Any] = {"kind": Borrower.Kind.RESIDENT, "phone": "+32470123456", **fields}
    return Borrower.objects.create(organisation_id=site.organisation_id, name=name, **values)


def lend(actor: Any, site: Site, item: Device, who: Borrower) -> tuple[Loan, str]:
    return services.loan_checkout(
        actor=actor, site=site, asset_tag=item.asset_tag, borrower=who, agreement_accepted=True
    )


def matrix_device(cast: Cast, *, other_org: bool = False, action: str = "") -> dict[str, object]:
    """URL kwargs of a device at gent_a (or at Aalst, another organisation)."""
    site = cast.aalst if other_org else cast.gent_a
    item = device(site, tag=f"M-{Device.objects.count() + 1}")
    kwargs: dict[str, object] = {"site_id": site.pk, "device_id": item.pk}
    if action:
        kwargs["action"] = action
    return kwargs


def matrix_borrower(cast: Cast, *, other_org: bool = False) -> dict[str, object]:
    """URL kwargs of a borrower seen from gent_a (of Aalst's organisation for `other_org`)."""
    who = borrower(cast.aalst if other_org else cast.gent_a)
    return {"site_id": cast.gent_a.pk, "borrower_id": who.pk}


def matrix_loan(cast: Cast, *, other_org: bool = False, action: str = "") -> dict[str, object]:
    """URL kwargs of an open loan at gent_a (or at Aalst, another organisation)."""
    site = cast.aalst if other_org else cast.gent_a
    item = device(site, tag=f"M-{Device.objects.count() + 1}")
    loan, _token = lend(None, site, item, borrower(site))
    kwargs: dict[str, object] = {"site_id": site.pk, "loan_id": loan.pk}
    if action:
        kwargs["action"] = action
    return kwargs


def matrix_booking(cast: Cast, *, other_org: bool = False) -> dict[str, object]:
    """URL kwargs of a booking at gent_a (or at Aalst, another organisation), made directly."""
    from datetime import timedelta

    from django.utils import timezone

    from lending.models import Booking

    site = cast.aalst if other_org else cast.gent_a
    day = timezone.localdate() + timedelta(days=30)
    booking = Booking.objects.create(
        site=site,
        borrower=borrower(site, "Basisschool", kind=Borrower.Kind.ORGANISATION),
        starts_on=day,
        ends_on=day,
    )
    return {"site_id": site.pk, "booking_id": booking.pk}


def matrix_hold(cast: Cast, *, other_org: bool = False) -> dict[str, object]:
    """URL kwargs of someone waiting at gent_a (or at Aalst, another organisation)."""
    from django.utils import timezone

    from lending.models import Hold

    site = cast.aalst if other_org else cast.gent_a
    hold = Hold.objects.create(
        site=site, kind=Device.Kind.TABLET, borrower=borrower(site), created_at=timezone.now()
    )
    return {"site_id": site.pk, "hold_id": hold.pk}
