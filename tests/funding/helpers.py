"""Funders, programmes and grants for the funding tests and the role × URL matrix."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from funding.models import Funder, Grant, PolicyDomain, Programme
from network.models import Organisation
from tests.cast import Cast


def programme(
    name: str = "Digibanken",
    *,
    domain: str = PolicyDomain.WORK_SOCIAL_ECONOMY,
    starts_on: date = date(2023, 9, 1),
    ends_on: date = date(2026, 7, 31),
    **fields: Any,
) -> Programme:
    funder = Funder.objects.get_or_create(
        name=f"Funder of {name}", defaults={"policy_domain": domain}
    )[0]
    return Programme.objects.create(
        funder=funder, name=name, starts_on=starts_on, ends_on=ends_on, **fields
    )


def grant(
    organisation: Organisation,
    *,
    item: Programme | None = None,
    starts_on: date = date(2023, 9, 1),
    ends_on: date = date(2026, 7, 31),
    amount: str = "30000.00",
    **fields: Any,
) -> Grant:
    return Grant.objects.create(
        programme=item or programme(),
        organisation=organisation,
        amount=Decimal(amount),
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,
    )


def matrix_grant(cast: Cast, *, other_org: bool = False) -> dict[str, object]:
    """A grant of Stad Gent (or of the other organisation) for the role × URL matrix."""
    return {"grant_id": grant(cast.aalst_org if other_org else cast.gent).pk}
