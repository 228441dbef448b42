"""The waiting list: residents and organisations waiting for a kind of device at a site.

First come, first served. When a device of that kind becomes available (its wipe is recorded, or
the person it was set aside for did not come), it is set aside (`Device.Status.RESERVED`) for the
first one waiting, who gets a message (email and/or SMS, through `notifications`) and has until
`pickup_by` (`PICKUP_DAYS` on, moved to a day the site is open) to pick it up. Only they can
borrow it meanwhile; after that day `holds_expire` (daily, `manage.py expire_holds`) offers it to
the next one. While someone waits for a kind, a loan of that kind at the site is not renewed
(`lending.services.loan_renew`).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import log_action
from lending import borrower_messages
from lending.models import Borrower, Device, Hold
from network.models import Site

PICKUP_DAYS = 3


def hold_add(*, actor: User, site: Site, borrower: Borrower, kind: str) -> Hold:
    """Put `borrower` on the waiting list for a `kind` of device at `site`. Refused when a
    device of that kind is available now (lend it), or when they already wait for one."""
    errors: dict[str, list[str]] = {}
    if kind not in Device.Kind.values:
        errors["kind"] = [_("Choose a kind of device.")]
    if borrower.organisation_id != site.organisation_id or borrower.erased_at is not None:
        errors["borrower"] = [_("Choose a borrower of your organisation.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if Device.objects.filter(site=site, kind=kind, status=Device.Status.AVAILABLE).exists():
            raise ValidationError(
                {"kind": [_("A device of this kind is available now: lend it instead.")]},
                code="available",
            )
        if Hold.objects.filter(
            site=site,
            kind=kind,
            borrower=borrower,
            status__in=[Hold.Status.WAITING, Hold.Status.READY],
        ).exists():
            raise ValidationError(
                {"borrower": [_("This borrower is already waiting for this kind of device.")]},
                code="waiting",
            )
        hold = Hold.objects.create(
            site=site,
            kind=kind,
            borrower=borrower,
            language=borrower.language,
            created_at=timezone.now(),
        )
        log_action(actor=actor, action="hold.add", target=hold, site=site)
    return hold


def hold_cancel(*, actor: User, hold: Hold) -> Hold:
    """Take someone off the waiting list; a device set aside for them goes to the next one."""
    with transaction.atomic():
        locked = Hold.objects.select_for_update().get(pk=hold.pk)
        if locked.status not in (Hold.Status.WAITING, Hold.Status.READY):
            return locked
        device = locked.device if locked.status == Hold.Status.READY else None
        locked.status = Hold.Status.CANCELLED
        locked.save(update_fields=["status"])
        log_action(actor=actor, action="hold.cancel", target=locked, site=locked.site)
        if device is not None:
            _release(device, actor)
    return locked


def someone_waits(site: Site, kind: str) -> bool:
    return Hold.objects.filter(site=site, kind=kind, status=Hold.Status.WAITING).exists()


def offer_to_next(device: Device, actor: User | None, now: datetime) -> Hold | None:
    """Set an available `device` aside for the first one waiting for its kind at its site, and
    tell them; None when nobody waits. Call inside the transaction that made it available,
    with the device's row locked."""
    hold = (
        Hold.objects.select_for_update()
        .filter(site_id=device.site_id, kind=device.kind, status=Hold.Status.WAITING)
        .select_related("borrower", "site")
        .order_by("created_at", "pk")
        .first()
    )
    if hold is None:
        return None
    from lending.services import due_date

    hold.status = Hold.Status.READY
    hold.device = device
    hold.ready_at = now
    hold.pickup_by = due_date(hold.site, timezone.localdate(now), PICKUP_DAYS)
    hold.save(update_fields=["status", "device", "ready_at", "pickup_by"])
    device.status = Device.Status.RESERVED
    device.save(update_fields=["status", "updated_at"])
    log_action(
        actor=actor,
        action="hold.ready",
        target=hold,
        changes={"device": device.asset_tag, "pickup_by": hold.pickup_by.isoformat()},
        site=hold.site,
    )
    _tell_it_is_their_turn(hold)
    return hold


def ready_hold_for(device: Device) -> Hold | None:
    return Hold.objects.filter(device=device, status=Hold.Status.READY).first()


def fulfil(hold: Hold) -> None:
    """The device set aside was lent to the one it waited for (inside the checkout)."""
    hold.status = Hold.Status.LENT
    hold.save(update_fields=["status"])


def _release(device: Device, actor: User | None) -> None:
    """A device set aside that is not picked up: to the next one waiting, or available."""
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if locked.status != Device.Status.RESERVED:
        return
    locked.status = Device.Status.AVAILABLE
    locked.save(update_fields=["status", "updated_at"])
    offer_to_next(locked, actor, timezone.now())


def holds_expire(now: datetime | None = None) -> int:
    """Holds not picked up by their day end; their devices go to the next one waiting. Returns
    how many expired. Idempotent; run daily."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    expired = 0
    with transaction.atomic():
        for hold in Hold.objects.select_for_update().filter(
            status=Hold.Status.READY, pickup_by__lt=today
        ):
            hold.status = Hold.Status.EXPIRED
            hold.save(update_fields=["status"])
            log_action(actor=None, action="hold.expired", target=hold, site=hold.site)
            if hold.device is not None:
                _release(hold.device, None)
            expired += 1
    return expired


def _tell_it_is_their_turn(hold: Hold) -> None:
    borrower_messages.tell(hold.borrower, "turn", hold.site, {"hold": hold}, language=hold.language)
