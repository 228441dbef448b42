"""Writes on grants: an organisation admin records, changes and removes the organisation's grants.

Every service takes the acting user, validates with `full_clean` (the site must belong to the
organisation, the period must run forwards, the services must be known), writes inside one
transaction and appends one audit entry with the changed fields. Invalid input raises
`django.core.exceptions.ValidationError`, keyed by field, so a form can show it. Who may call
them is the views' question (`funding.selectors.grant_to_manage`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from audit.services import field_changes, log_action
from funding.models import Grant
from network.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User

# What the staff form may set on a grant (the organisation is the page's, the rest is derived).
GRANT_FIELDS: tuple[str, ...] = (
    "programme",
    "site",
    "amount",
    "starts_on",
    "ends_on",
    "services",
    "weekly_hours",
    "note",
)


def _values(grant: Grant) -> dict[str, Any]:
    """The grant as the audit trail records it."""
    return {name: getattr(grant, name) for name in GRANT_FIELDS}


def _check(data: Mapping[str, Any]) -> None:
    unknown = set(data) - set(GRANT_FIELDS)
    if unknown:
        raise ValueError(f"grants cannot set {sorted(unknown)}")


def grant_create(*, actor: User, organisation: Organisation, data: Mapping[str, Any]) -> Grant:
    """Record a grant of `organisation` (for one of its sites, or for all of them when `site`
    is None). Returns the new grant."""
    _check(data)
    with transaction.atomic():
        grant = Grant(organisation=organisation)
        for name, value in data.items():
            setattr(grant, name, value)
        grant.full_clean()
        grant.save()
        log_action(
            actor=actor,
            action="grant.created",
            target=grant,
            changes=field_changes({}, _values(grant)),
            organisation=organisation,
        )
    return grant


def grant_update(*, actor: User, grant: Grant, data: Mapping[str, Any]) -> Grant:
    """Change a grant; nothing is saved or logged when nothing changes. Returns the grant."""
    _check(data)
    with transaction.atomic():
        locked = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
        before = _values(locked)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean()
        changes = field_changes(before, _values(locked))
        if not changes:
            return locked
        locked.save()
        log_action(
            actor=actor,
            action="grant.updated",
            target=locked,
            changes=changes,
            organisation=locked.organisation,
        )
    return locked


def grant_delete(*, actor: User, grant: Grant) -> None:
    """Remove a grant recorded by mistake (an ended grant stays: it is the funding history)."""
    with transaction.atomic():
        locked = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
        log_action(
            actor=actor,
            action="grant.deleted",
            target=locked,
            changes=field_changes(_values(locked), dict.fromkeys(GRANT_FIELDS)),
            organisation=locked.organisation,
        )
        locked.delete()
