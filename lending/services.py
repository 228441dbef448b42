"""The writing services of lending: the inventory, borrowers, and a loan from checkout to wipe.

Every service takes the acting user, validates, takes the row locks it needs inside one
transaction, writes, adds a line to the device's history (`DeviceEvent`) and one audit entry. The
audit entry and the history never hold a borrower's name or contact details: only the device's
tag and the loan's reference.

A device is never lent twice: the checkout locks the device's row (`select_for_update`) while it
checks that the device is available and writes the loan, and the database refuses a second open
loan of one device (`loan_one_open_per_device`), which the checkout turns into the same clear
message. A brought-back device waits for its wipe; only `device_wipe` makes it available again.

Invalid input raises `django.core.exceptions.ValidationError`, keyed by field where there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import field_changes, log_action
from core import links
from core.facts import facts_changed
from core.references import new_reference
from lending import agreements, borrower_messages, holds
from lending.models import (
    Booking,
    BookingItem,
    Borrower,
    Device,
    DeviceEvent,
    LendingRules,
    Loan,
    LoanAgreement,
    Wipe,
)
from network.models import Organisation, Site
from network.services import site_lending_from_inventory
from notifications.phones import clean_phone_and_email
from questions.personal_data import validate_no_personal_data

DEVICE_FIELDS = (
    "kind",
    "make_model",
    "serial_number",
    "asset_tag",
    "source",
    "source_note",
    "accessories",
    "condition",
    "notes",
)
# How far ahead a due date may move to find a day the site is open.
DUE_DATE_HORIZON_DAYS = 60
NAME_MAX_LENGTH = 120


def normalise_tag(text: str) -> str:
    """An asset tag as stored and compared: without spaces around it, in capitals (a scanner
    and a person typing it give the same)."""
    return " ".join((text or "").split()).upper()


def rules_of(organisation: Organisation) -> LendingRules:
    """The organisation's lending rules, or unsaved defaults when it has set none."""
    found = LendingRules.objects.filter(organisation=organisation).first()
    return found if found is not None else LendingRules(organisation=organisation)


# What an organisation may choose for each number of its rules: (lowest, highest).
RULE_LIMITS: dict[str, tuple[int, int]] = {
    "loan_days": (1, 180),
    "renewal_days": (1, 90),
    "max_renewals": (0, 10),
    "max_devices": (1, 50),
    "deposit_euros": (0, 1000),
    "group_min_notice_days": (0, 60),
    "group_max_days": (1, 90),
    "group_max_per_year": (1, 365),
}
RULE_SWITCHES = ("residents_may_borrow", "organisations_may_borrow", "block_when_overdue")


def rules_set(*, actor: User, organisation: Organisation, data: Mapping[str, Any]) -> LendingRules:
    """Change the organisation's lending rules (the fields of `RULE_LIMITS` and
    `RULE_SWITCHES`); one audit entry with what changed, none when nothing did."""
    unknown = set(data) - set(RULE_LIMITS) - set(RULE_SWITCHES)
    if unknown:
        raise ValueError(f"rules_set cannot change {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    for name, (lowest, highest) in RULE_LIMITS.items():
        value = data.get(name)
        if value is not None and not (isinstance(value, int) and lowest <= value <= highest):
            errors[name] = [
                _("Choose a number from %(lowest)d to %(highest)d.")
                % {"lowest": lowest, "highest": highest}
            ]
    if data.get("residents_may_borrow") is False and data.get("organisations_may_borrow") is False:
        errors["residents_may_borrow"] = [
            _("Let residents, organisations or both borrow; otherwise nobody can.")
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rules, _created = LendingRules.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        fields = [*RULE_LIMITS, *RULE_SWITCHES]
        before = {name: getattr(rules, name) for name in fields}
        for name, value in data.items():
            setattr(rules, name, value)
        changes = field_changes(before, {name: getattr(rules, name) for name in fields})
        if changes:
            rules.save()
            log_action(
                actor=actor,
                action="lending.rules",
                target=rules,
                changes=changes,
                organisation=organisation,
            )
    return rules


def due_date(site: Site, start: date, days: int) -> date:
    """`days` days after `start`, moved on to the first day the site is open (its hours,
    closures and public holidays: `network.hours`), so the borrower can bring it back that
    day. Unchanged when the site opens on no day within `DUE_DATE_HORIZON_DAYS` after it."""
    target = start + timedelta(days=days)
    found = site.schedule().next_open_day(target, horizon_days=DUE_DATE_HORIZON_DAYS)
    return found if found is not None else target


def _event(
    device: Device,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    loan: Loan | None = None,
    note: str = "",
) -> None:
    DeviceEvent.objects.create(
        device=device,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "",
        loan=loan,
        note=note[:200],
    )


# --- the inventory ----------------------------------------------------------------------------


def inventory_to_directory(site_id: int) -> bool:
    """Tell the directory which kinds of device the site lends now, from its inventory, so the
    finder's "lends devices" and the open data follow it (`network.services.
    site_lending_from_inventory`). Called by every service that adds a device, changes its kind
    or takes it out of lending for good; writes only when the kinds change."""
    with transaction.atomic():
        # The site's row, locked, so that two changes at once write the kinds one after the
        # other, each from the inventory it sees.
        Site.objects.select_for_update().filter(pk=site_id).first()
        kinds = (
            Device.objects.filter(site_id=site_id)
            .exclude(status__in=Device.OUT_OF_LENDING)
            .values_list("kind", flat=True)
            .distinct()
        )
        return site_lending_from_inventory(site_id, list(kinds))


def device_add(*, actor: User, site: Site, data: Mapping[str, Any]) -> Device:
    """Add a device to the inventory of `site` (the fields in `DEVICE_FIELDS`)."""
    unknown = set(data) - set(DEVICE_FIELDS)
    if unknown:
        raise ValueError(f"device_add cannot set {sorted(unknown)}")
    device = Device(site=site, organisation_id=site.organisation_id, **data)
    device.asset_tag = normalise_tag(device.asset_tag)
    _check_device(device)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                device.save()
        except IntegrityError:
            raise _tag_taken(device.asset_tag) from None
        _event(device, DeviceEvent.Kind.ADDED, actor, now)
        log_action(actor=actor, action="device.add", target=device, site=site)
        holds.offer_to_next(device, actor, now)
        inventory_to_directory(site.pk)
    return device


def device_update(*, actor: User, device: Device, data: Mapping[str, Any]) -> Device:
    """Change a device's details (the fields in `DEVICE_FIELDS`); its status has services of
    its own. One history line and one audit entry with the changed fields."""
    unknown = set(data) - set(DEVICE_FIELDS)
    if unknown:
        raise ValueError(f"device_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        before = {name: getattr(locked, name) for name in DEVICE_FIELDS}
        for name, value in data.items():
            setattr(locked, name, value)
        locked.asset_tag = normalise_tag(locked.asset_tag)
        _check_device(locked)
        changes = field_changes(before, {name: getattr(locked, name) for name in DEVICE_FIELDS})
        if not changes:
            return locked
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise _tag_taken(locked.asset_tag) from None
        _event(locked, DeviceEvent.Kind.CHANGED, actor, timezone.now(), note=", ".join(changes))
        log_action(
            actor=actor, action="device.update", target=locked, changes=changes, site=locked.site
        )
        if "kind" in changes:
            inventory_to_directory(locked.site_id)
            # Loans are counted by the kind of their device: the rollups count them again.
            facts_changed(Loan, locked.loans.all())
    return locked


def _check_device(device: Device) -> None:
    errors: dict[str, list[str]] = {}
    if not device.asset_tag:
        errors["asset_tag"] = [_("Give the tag on the device's label.")]
    if not (device.make_model or "").strip():
        errors["make_model"] = [_("Say what it is, for example “Lenovo ThinkPad E14”.")]
    accessories = device.accessories
    if not isinstance(accessories, list) or not all(isinstance(a, str) for a in accessories):
        errors["accessories"] = [_("List the accessories, one per line.")]
    if errors:
        raise ValidationError(errors)
    try:
        device.full_clean(exclude=["organisation", "site"], validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


def _tag_taken(tag: str) -> ValidationError:
    return ValidationError(
        {
            "asset_tag": [
                _("Another device of your organisation has the tag %(tag)s.") % {"tag": tag}
            ]
        },
        code="tag_taken",
    )


def device_set_aside(*, actor: User, device: Device, status: str, note: str = "") -> Device:
    """Take a device out of lending: for repair, retired or lost. A device on loan is first
    brought back (or its loan marked lost)."""
    allowed = {Device.Status.IN_REPAIR, Device.Status.RETIRED, Device.Status.LOST}
    if status not in allowed:
        raise ValueError(f"device_set_aside cannot set {status!r}")
    kinds: dict[str, str] = {
        Device.Status.IN_REPAIR: DeviceEvent.Kind.REPAIR,
        Device.Status.RETIRED: DeviceEvent.Kind.RETIRED,
        Device.Status.LOST: DeviceEvent.Kind.LOST,
    }
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        if locked.status == Device.Status.ON_LOAN:
            raise ValidationError(
                _("This device is on loan. Take it back first, or mark the loan as lost."),
                code="on_loan",
            )
        if locked.status == status:
            return locked
        before = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        _event(locked, kinds[status], actor, timezone.now(), note=note)
        log_action(
            actor=actor,
            action="device.status",
            target=locked,
            changes={"status": [before, status]},
            site=locked.site,
        )
        if status in Device.OUT_OF_LENDING or before in Device.OUT_OF_LENDING:
            inventory_to_directory(locked.site_id)
    return locked


def device_repaired(*, actor: User, device: Device) -> Device:
    """A device is back from repair: it is wiped before anyone borrows it again."""
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        if locked.status != Device.Status.IN_REPAIR:
            raise ValidationError(_("This device is not being repaired."), code="not_in_repair")
        locked.status = Device.Status.TO_WIPE
        locked.save(update_fields=["status", "updated_at"])
        _event(locked, DeviceEvent.Kind.REPAIRED, actor, timezone.now())
        inventory_to_directory(locked.site_id)
        log_action(
            actor=actor,
            action="device.status",
            target=locked,
            changes={"status": [Device.Status.IN_REPAIR, Device.Status.TO_WIPE]},
            site=locked.site,
        )
    return locked


def device_wipe(*, actor: User, device: Device, method: str, note: str = "") -> Wipe:
    """Record that the device's data was erased (how, by `actor`, now). A device waiting for its
    wipe becomes available; a wipe of any other device (before it is first lent, say) is
    recorded without changing its status."""
    if method not in Wipe.Method.values:
        raise ValidationError({"method": [_("Choose how the device was wiped.")]})
    now = timezone.now()
    with transaction.atomic():
        locked = Device.objects.select_for_update().get(pk=device.pk)
        if locked.status == Device.Status.ON_LOAN:
            raise ValidationError(
                _("This device is on loan. Take it back first, then wipe it."), code="on_loan"
            )
        last_loan = locked.loans.exclude(status=Loan.Status.OPEN).order_by("-pk").first()
        wipe = Wipe.objects.create(
            device=locked,
            loan=last_loan,
            method=method,
            done_by=actor,
            done_by_label=str(actor),
            done_at=now,
            note=note[:200],
        )
        _event(locked, DeviceEvent.Kind.WIPED, actor, now, note=wipe.get_method_display())
        if locked.status == Device.Status.TO_WIPE:
            locked.status = Device.Status.AVAILABLE
            locked.save(update_fields=["status", "updated_at"])
            holds.offer_to_next(locked, actor, now)  # the first one waiting for this kind
        log_action(
            actor=actor,
            action="device.wipe",
            target=locked,
            changes={"method": method, "status": locked.status},
            site=locked.site,
        )
    return wipe


# --- borrowers --------------------------------------------------------------------------------


BORROWER_FIELDS = (
    "kind",
    "name",
    "contact_person",
    "phone",
    "email",
    "postal_code",
    "eligibility_note",
    "language",
)


def _clean_borrower(data: Mapping[str, Any]) -> dict[str, Any]:
    """A borrower's fields as stored, or a ValidationError keyed by field: a name, and a phone
    number or an email address to reach them when the device is due; the rest optional."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind", "")
    if kind not in Borrower.Kind.values:
        errors["kind"] = [_("Choose a resident or an organisation.")]
    language = data.get("language") or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose Dutch, French or English.")]
    name = " ".join((data.get("name") or "").split())
    if not name:
        errors["name"] = [_("Write the borrower's name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("Keep the name under %(max)d characters.") % {"max": NAME_MAX_LENGTH}]
    phone, email = clean_phone_and_email(
        errors,
        data.get("phone") or "",
        data.get("email") or "",
        neither=_("Give a phone number or an email address, to remind them when it is due."),
    )
    postal_code = (data.get("postal_code") or "").strip()
    if postal_code and not (len(postal_code) == 4 and postal_code.isdigit()):
        errors["postal_code"] = [_("A Belgian postal code has four digits, like 9000.")]
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "name": name,
        "phone": phone,
        "email": email,
        "postal_code": postal_code,
        "eligibility_note": " ".join((data.get("eligibility_note") or "").split())[:200],
        "contact_person": " ".join((data.get("contact_person") or "").split())[:120],
        "language": language,
    }


def _borrower_label(borrower: Borrower) -> str:
    """A borrower as the audit trail names them: by number, never by name (the trail is kept
    after their data is erased)."""
    return f"{borrower.get_kind_display()} #{borrower.pk}"


def borrower_add(*, actor: User, organisation: Organisation, data: Mapping[str, Any]) -> Borrower:
    """Add a borrower with the least data that lending needs (`BORROWER_FIELDS`: a name, and a
    phone number or an email address; a postal code and a note are optional)."""
    cleaned = _clean_borrower(data)
    with transaction.atomic():
        borrower = Borrower.objects.create(organisation=organisation, **cleaned)
        log_action(
            actor=actor,
            action="borrower.add",
            target=borrower,
            organisation=organisation,
            label=_borrower_label(borrower),
        )
    return borrower


def borrower_update(*, actor: User, borrower: Borrower, data: Mapping[str, Any]) -> Borrower:
    """Correct a borrower's details (a new phone number, the language of their messages); one
    audit entry naming the fields changed, never their values (personal data)."""
    cleaned = _clean_borrower(data)
    with transaction.atomic():
        locked = Borrower.objects.select_for_update().get(pk=borrower.pk)
        if locked.erased_at is not None:
            raise ValidationError(_("This borrower's data was erased."), code="erased")
        changed = sorted(name for name, value in cleaned.items() if getattr(locked, name) != value)
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, cleaned[name])
        locked.save(update_fields=changed)
        log_action(
            actor=actor,
            action="borrower.update",
            target=locked,
            changes={"fields": changed},
            organisation=locked.organisation,
            label=_borrower_label(locked),
        )
    return locked


# --- loans ------------------------------------------------------------------------------------


def _device_taken() -> ValidationError:
    return ValidationError(
        {"asset_tag": [_("This device has just been lent to someone else. Choose another one.")]},
        code="device_taken",
    )


def _status_refusal(device: Device) -> ValidationError:
    messages: dict[str, str] = {
        Device.Status.ON_LOAN: _("This device is on loan. Take it back first."),
        Device.Status.TO_WIPE: _(
            "This device has not been wiped since its last loan. Record the wipe first."
        ),
        Device.Status.IN_REPAIR: _("This device is being repaired."),
        Device.Status.RESERVED: _("This device is set aside for someone on the waiting list."),
        Device.Status.RETIRED: _("This device is retired."),
        Device.Status.LOST: _("This device is marked as lost."),
    }
    return ValidationError(
        {"asset_tag": [messages.get(device.status, _("This device cannot be lent now."))]},
        code="not_available",
    )


def loan_checkout(
    *,
    actor: User,
    site: Site,
    asset_tag: str,
    borrower: Borrower,
    agreement_accepted: bool,
    agreement_version: int | None = None,
    rules: LendingRules | None = None,
    tell_borrower: bool = False,
) -> tuple[Loan, str]:
    """Lend the device with `asset_tag` at `site` to `borrower`; returns the loan and the secret
    of the borrower's private link (shown once, never stored).

    Refused with a clear message when: the tag is not a device of this site; the device is not
    available; the borrower may not borrow under the organisation's rules (kind, devices at
    once, an overdue device); the loan agreement was not accepted; someone else booked the
    device for a group loan while this loan would run. The due date falls on a day the site is
    open. `rules` are the organisation's (read here when not given).

    The loan records the version of the loan agreement accepted: `agreement_version`, the one
    the borrower was shown, refused when a newer one was published meanwhile (the current one
    when not given). With `tell_borrower`, the borrower gets the address of their private page
    by email and/or SMS, with the due date.
    """
    tag = normalise_tag(asset_tag)
    errors: dict[str, list[str]] = {}
    if not tag:
        errors["asset_tag"] = [_("Scan or type the tag on the device's label.")]
    if not agreement_accepted:
        errors["agreement"] = [_("The borrower must accept the loan agreement.")]
    if borrower.organisation_id != site.organisation_id or borrower.erased_at is not None:
        errors["borrower"] = [_("Choose a borrower of your organisation.")]
    if errors:
        raise ValidationError(errors)
    rules = rules if rules is not None else rules_of(site.organisation)
    now = timezone.now()
    today = timezone.localdate(now)
    due_on = due_date(site, today, rules.loan_days)
    token = links.new_token()
    try:
        with transaction.atomic():
            # The device, locked, with what the rules ask about the borrower and the device's
            # bookings, in one query.
            device = (
                Device.objects.select_for_update()
                .filter(site=site, asset_tag=tag)
                .annotate(**_checkout_facts(borrower, today, due_on))
                .first()
            )
            if device is None:
                raise ValidationError(
                    {
                        "asset_tag": [
                            _("No device of this Digipunt has the tag %(tag)s.") % {"tag": tag}
                        ]
                    },
                    code="unknown_tag",
                )
            hold = None
            if device.status == Device.Status.RESERVED:
                # Set aside from the waiting list: only for the one it waits for.
                hold = holds.ready_hold_for(device)
                if hold is None or hold.borrower_id != borrower.pk:
                    raise _status_refusal(device)
            elif device.status != Device.Status.AVAILABLE:
                raise _status_refusal(device)
            facts = {name: getattr(device, name) for name in CHECKOUT_FACTS}
            _check_borrower_may_borrow(
                borrower, rules, facts["borrower_out"], facts["borrower_overdue"]
            )
            _check_not_booked(facts["booked_from"])
            accepted = _accepted_agreement(site, facts["agreement_now"], agreement_version)
            loan = Loan.objects.create(
                reference=new_reference("L"),
                token_hash=links.token_hash(token),
                device=device,
                borrower=borrower,
                site=site,
                checked_out_at=now,
                checked_out_by=actor,
                due_on=due_on,
                deposit_euros=rules.deposit_euros,
                agreement_version=accepted,
                agreement_accepted_at=now,
            )
            device.status = Device.Status.ON_LOAN
            device.save(update_fields=["status", "updated_at"])
            if hold is not None:
                holds.fulfil(hold)
            _event(device, DeviceEvent.Kind.LENT, actor, now, loan=loan, note=loan.reference)
            log_action(
                actor=actor,
                action="loan.checkout",
                target=loan,
                changes={"device": device.asset_tag, "due_on": loan.due_on.isoformat()},
                site=site,
            )
            if tell_borrower:
                _tell_lent(loan, device, borrower, site, token)
    except IntegrityError:
        # Another checkout of this device committed first (the constraint behind the lock).
        raise _device_taken() from None
    return loan, token


CHECKOUT_FACTS = ("borrower_out", "borrower_overdue", "booked_from", "agreement_now")


def _accepted_agreement(site: Site, current: int | None, shown: int | None) -> int:
    """The version of the agreement a checkout records: the current one (version 1, the
    standard text, is stored on an organisation's first loan), refused when the borrower was
    shown an older one."""
    if current is None:
        current = agreements.agreement_current(site.organisation).version
    if shown is not None and shown != current:
        changed = _(
            "The loan agreement has just changed (version %(version)d). Read the new version "
            "with the borrower, then lend again."
        ) % {"version": current}
        raise ValidationError({"agreement": ValidationError(changed, code="agreement_changed")})
    return current


def _tell_lent(loan: Loan, device: Device, borrower: Borrower, site: Site, token: str) -> None:
    language = borrower_messages.language_of(borrower)
    link = borrower_messages.absolute("lending:private", language, token=token)
    borrower_messages.tell(borrower, "lent", site, {"loan": loan, "device": device, "link": link})


def _checkout_facts(borrower: Borrower, today: date, due_on: date) -> dict[str, Any]:
    """What a checkout checks besides the device itself, as annotations of the device's row:
    how many devices the borrower has out and how many of those are overdue, the first day
    of a booking of this device by someone else while the loan would run, and the version of
    the organisation's loan agreement now."""
    out = Loan.objects.filter(borrower=borrower, status=Loan.Status.OPEN)
    counted = out.values("borrower").annotate(n=Count("pk")).values("n")
    overdue = out.filter(due_on__lt=today).values("borrower").annotate(n=Count("pk")).values("n")
    clash = (
        BookingItem.objects.filter(
            device=OuterRef("pk"), active=True, starts_on__lte=due_on, ends_on__gte=today
        )
        .exclude(booking__borrower=borrower)
        .order_by("starts_on")
        .values("starts_on")[:1]
    )
    newest = (
        LoanAgreement.objects.filter(organisation_id=OuterRef("organisation_id"))
        .order_by("-version")
        .values("version")[:1]
    )
    return {
        "borrower_out": Coalesce(Subquery(counted), 0),
        "borrower_overdue": Coalesce(Subquery(overdue), 0),
        "booked_from": Subquery(clash),
        "agreement_now": Subquery(newest),
    }


def _check_not_booked(booked_from: date | None) -> None:
    """A device booked for a group loan while this loan would run goes to that organisation
    only."""
    if booked_from is not None:
        raise ValidationError(
            {
                "asset_tag": [
                    _("This device is booked for a group loan from %(date)s. Lend another one.")
                    % {"date": booked_from.strftime("%d/%m/%Y")}
                ]
            },
            code="booked",
        )


def _check_borrower_may_borrow(
    borrower: Borrower, rules: LendingRules, out: int, overdue: int
) -> None:
    if borrower.kind == Borrower.Kind.RESIDENT and not rules.residents_may_borrow:
        raise ValidationError({"borrower": [_("Your organisation does not lend to residents.")]})
    if borrower.kind == Borrower.Kind.ORGANISATION and not rules.organisations_may_borrow:
        raise ValidationError(
            {"borrower": [_("Your organisation does not lend to organisations.")]}
        )
    if rules.block_when_overdue and overdue:
        raise ValidationError(
            {
                "borrower": [
                    _("This borrower has a device that is overdue. Take that one back first.")
                ]
            },
            code="overdue",
        )
    if borrower.kind == Borrower.Kind.RESIDENT and out >= rules.max_devices:
        raise ValidationError(
            {
                "borrower": [
                    _("This borrower already has %(count)d device(s), the most allowed at once.")
                    % {"count": rules.max_devices}
                ]
            },
            code="too_many",
        )


def loan_renew(*, actor: User, loan: Loan) -> Loan:
    """Give the borrower more time: the due date moves `renewal_days` on from today or from the
    current due date, whichever is later (and on to an open day). Refused when the loan is not
    open or has been renewed as often as the rules allow."""
    with transaction.atomic():
        locked = Loan.objects.select_for_update().select_related("site", "device").get(pk=loan.pk)
        if locked.status != Loan.Status.OPEN:
            raise ValidationError(_("This loan is closed."), code="closed")
        rules = rules_of(locked.site.organisation)
        if holds.someone_waits(locked.site, locked.device.kind):
            raise ValidationError(
                _(
                    "Someone is waiting for this kind of device, so this loan cannot be renewed. "
                    "It is due back on %(date)s."
                )
                % {"date": locked.due_on.strftime("%d/%m/%Y")},
                code="waited_for",
            )
        if locked.renewals >= rules.max_renewals:
            raise ValidationError(
                _("This loan cannot be renewed again (at most %(count)d time(s)).")
                % {"count": rules.max_renewals},
                code="renewals_used",
            )
        now = timezone.now()
        start = max(locked.due_on, timezone.localdate(now))
        before = locked.due_on
        locked.due_on = due_date(locked.site, start, rules.renewal_days)
        locked.renewals += 1
        # The reminders start again for the new date.
        locked.reminder_stage = Loan.Reminder.NONE
        locked.reminded_at = None
        locked.save(update_fields=["due_on", "renewals", "reminder_stage", "reminded_at"])
        _event(
            locked.device, DeviceEvent.Kind.RENEWED, actor, now, loan=locked, note=locked.reference
        )
        log_action(
            actor=actor,
            action="loan.renew",
            target=locked,
            changes={"due_on": [before.isoformat(), locked.due_on.isoformat()]},
            site=locked.site,
        )
    return locked


FOLLOW_UP_MAX_LENGTH = 200


def loan_follow_up(*, actor: User, loan: Loan, note: str) -> Loan:
    """Record that staff followed up an overdue loan (called, wrote, went by) and what was
    agreed, in a few words without personal data (no phone numbers, emails or national numbers:
    the note stays with the loan after the borrower's data is erased)."""
    text = " ".join((note or "").split())
    if not text:
        raise ValidationError(
            {"note": [_("Say in a few words what was agreed, for example “brings it Friday”.")]}
        )
    if len(text) > FOLLOW_UP_MAX_LENGTH:
        raise ValidationError(
            {"note": [_("Keep it under %(max)d characters.") % {"max": FOLLOW_UP_MAX_LENGTH}]}
        )
    try:
        validate_no_personal_data(text)
    except ValidationError as error:
        raise ValidationError({"note": error.messages}) from None
    with transaction.atomic():
        locked, _device = _lock_open_loan(loan)
        locked.followed_up_at = timezone.now()
        locked.followed_up_by = actor
        locked.follow_up_note = text
        locked.save(update_fields=["followed_up_at", "followed_up_by", "follow_up_note"])
        log_action(
            actor=actor,
            action="loan.follow_up",
            target=locked,
            changes={"follow_up_note": text},
            site=locked.site,
        )
    return locked


def _lock_open_loan(loan: Loan) -> tuple[Loan, Device]:
    """The loan and its device, locked for the rest of the transaction; refused when the loan
    was closed in the meantime."""
    locked = Loan.objects.select_for_update().get(pk=loan.pk)
    if locked.status != Loan.Status.OPEN:
        raise ValidationError(_("This loan is already closed."), code="closed")
    return locked, Device.objects.select_for_update().get(pk=locked.device_id)


def loan_return(
    *,
    actor: User,
    loan: Loan,
    accessories_back: list[str],
    condition: str,
    wipe_method: str = "",
    note: str = "",
) -> Loan:
    """Take a device back: what came back of its accessories, its condition, and, when it was
    wiped at the desk, how. A damaged device goes for repair; any other waits for its wipe
    unless `wipe_method` records it now. Either way it is not lent again before a wipe."""
    if condition not in Device.Condition.values:
        raise ValidationError({"condition": [_("Say in what condition it came back.")]})
    if wipe_method and wipe_method not in Wipe.Method.values:
        raise ValidationError({"wipe_method": [_("Choose how the device was wiped.")]})
    now = timezone.now()
    with transaction.atomic():
        locked, device = _lock_open_loan(loan)
        missing = [item for item in device.accessories if item not in accessories_back]
        locked.status = Loan.Status.RETURNED
        locked.returned_at = now
        locked.returned_by = actor
        locked.missing_accessories = missing
        locked.return_condition = condition
        locked.save()
        device.condition = condition
        damaged = condition == Device.Condition.DAMAGED
        device.status = Device.Status.IN_REPAIR if damaged else Device.Status.TO_WIPE
        device.save(update_fields=["status", "condition", "updated_at"])
        summary = ", ".join(
            [
                locked.reference,
                *([_("missing: %(items)s") % {"items": ", ".join(missing)}] if missing else []),
            ]
        )
        _event(device, DeviceEvent.Kind.RETURNED, actor, now, loan=locked, note=summary)
        if damaged:
            _event(device, DeviceEvent.Kind.REPAIR, actor, now, note=note)
        log_action(
            actor=actor,
            action="loan.return",
            target=locked,
            changes={"condition": condition, "missing": missing},
            site=locked.site,
        )
    if wipe_method and not damaged:
        device_wipe(actor=actor, device=device, method=wipe_method, note=note)
    return locked


def loan_mark_lost(*, actor: User, loan: Loan, note: str = "") -> Loan:
    """The borrower lost the device (or it was stolen): the loan closes, the device is lost."""
    now = timezone.now()
    with transaction.atomic():
        locked, device = _lock_open_loan(loan)
        locked.status = Loan.Status.LOST
        locked.lost_at = now
        locked.save(update_fields=["status", "lost_at"])
        device.status = Device.Status.LOST
        device.save(update_fields=["status", "updated_at"])
        _event(
            device, DeviceEvent.Kind.LOST, actor, now, loan=locked, note=note or locked.reference
        )
        log_action(actor=actor, action="loan.lost", target=locked, site=locked.site)
        inventory_to_directory(device.site_id)
    return locked


# --- group loans booked ahead -----------------------------------------------------------------


def _overlapping(devices: list[Device], starts_on: date, ends_on: date) -> list[str]:
    """The tags of those `devices` booked (actively) on any day from `starts_on` to `ends_on`."""
    items = BookingItem.objects.filter(
        device__in=devices, active=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    return sorted(set(items.values_list("device__asset_tag", flat=True)))


def _booked_elsewhere() -> ValidationError:
    return ValidationError(
        {"devices": [_("Some of these devices have just been booked on these days. Check again.")]},
        code="booked",
    )


def booking_create(
    *,
    actor: User,
    site: Site,
    borrower: Borrower,
    devices: list[Device],
    starts_on: date,
    ends_on: date,
    note: str = "",
) -> Booking:
    """Set `devices` of `site` aside for an organisation from `starts_on` to `ends_on` (both
    included), under the organisation's rules for group loans: asked at least
    `group_min_notice_days` ahead, at most `group_max_days` long, at most `group_max_per_year`
    a year per borrowing organisation. A device already booked on one of those days is refused
    (by the service under the devices' row locks, and by the database)."""
    rules = rules_of(site.organisation)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if (
        borrower.kind != Borrower.Kind.ORGANISATION
        or borrower.organisation_id != site.organisation_id
        or borrower.erased_at is not None
    ):
        errors["borrower"] = [_("Group loans are for organisations that borrow from you.")]
    if not devices:
        errors["devices"] = [_("Choose at least one device.")]
    elif any(device.site_id != site.pk for device in devices):
        errors["devices"] = [_("Choose devices of this Digipunt.")]
    earliest = today + timedelta(days=rules.group_min_notice_days)
    if starts_on < earliest:
        errors["starts_on"] = [
            _("Book at least %(days)d days ahead: from %(date)s on.")
            % {"days": rules.group_min_notice_days, "date": earliest.strftime("%d/%m/%Y")}
        ]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot come before the first.")]
    elif (ends_on - starts_on).days + 1 > rules.group_max_days:
        errors["ends_on"] = [
            _("A group loan lasts at most %(days)d days.") % {"days": rules.group_max_days}
        ]
    if "borrower" not in errors:
        this_year = Booking.objects.filter(
            borrower=borrower, status=Booking.Status.BOOKED, starts_on__year=starts_on.year
        ).count()
        if this_year >= rules.group_max_per_year:
            errors["borrower"] = [
                _("This organisation has %(count)d group loans that year, the most allowed.")
                % {"count": this_year}
            ]
    if errors:
        raise ValidationError(errors)
    unusable = {Device.Status.RETIRED, Device.Status.LOST}
    try:
        with transaction.atomic():
            locked = list(
                Device.objects.select_for_update()
                .filter(pk__in=[d.pk for d in devices])
                .order_by("pk")
            )
            gone = [device.asset_tag for device in locked if device.status in unusable]
            if gone:
                raise ValidationError(
                    {"devices": [_("Not lent any more: %(tags)s.") % {"tags": ", ".join(gone)}]}
                )
            taken = _overlapping(locked, starts_on, ends_on)
            if taken:
                raise ValidationError(
                    {
                        "devices": [
                            _("Already booked on some of these days: %(tags)s.")
                            % {"tags": ", ".join(taken)}
                        ]
                    },
                    code="booked",
                )
            booking = Booking.objects.create(
                site=site,
                borrower=borrower,
                starts_on=starts_on,
                ends_on=ends_on,
                note=" ".join(note.split())[:200],
                created_by=actor,
            )
            BookingItem.objects.bulk_create(
                [
                    BookingItem(
                        booking=booking, device=device, starts_on=starts_on, ends_on=ends_on
                    )
                    for device in locked
                ]
            )
            log_action(
                actor=actor,
                action="booking.create",
                target=booking,
                changes={
                    "devices": [device.asset_tag for device in locked],
                    "from": starts_on.isoformat(),
                    "until": ends_on.isoformat(),
                },
                site=site,
            )
    except IntegrityError:
        raise _booked_elsewhere() from None
    return booking


def booking_cancel(*, actor: User, booking: Booking) -> Booking:
    """Cancel a booking: its devices are free on those days again."""
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status == Booking.Status.CANCELLED:
            return locked
        locked.status = Booking.Status.CANCELLED
        locked.save(update_fields=["status"])
        BookingItem.objects.filter(booking=locked).update(active=False)
        log_action(actor=actor, action="booking.cancel", target=locked, site=locked.site)
    return locked
