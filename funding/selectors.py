"""Reads of grants, scoped by the reader's rights.

An organisation admin sees and manages the grants of their organisations
(`Can.MANAGE_FUNDING`); a network-wide reader of figures (the analyst) sees every grant and
changes none. A grant outside the reader's scope is simply not there: a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import Can, organisations_for
from funding.models import Grant
from network.models import Organisation

# A grant that ends within this many days is shown as ending soon.
ENDING_SOON_DAYS = 90
# An organisation without grants is listed (to add one) when the reader manages at most this
# many organisations; a platform admin, who manages all of them, sees those with grants.
LIST_EMPTY_ORGANISATIONS_UP_TO = 20


def organisations_to_manage(user: User) -> QuerySet[Organisation]:
    """The organisations whose grants `user` may record and change."""
    return organisations_for(user, Can.MANAGE_FUNDING)


def organisations_to_read(user: User) -> QuerySet[Organisation]:
    """The organisations whose grants `user` may read: those they manage, and every one for a
    network-wide reader of figures (`organisations_for` counts no site membership, so a site
    coordinator reads none)."""
    return organisations_to_manage(user) | organisations_for(user, Can.VIEW_FIGURES)


def grants_for(user: User) -> QuerySet[Grant]:
    """Every grant `user` may read, with what a list shows."""
    return Grant.objects.filter(organisation__in=organisations_to_read(user)).select_related(
        "programme__funder", "organisation", "site"
    )


def grant_to_manage(user: User, grant_id: int) -> Grant:
    """The grant `grant_id` if `user` may change it; otherwise a 404 (read-only readers get no
    edit pages at all, and another organisation's grant is not revealed)."""
    grant = (
        Grant.objects.filter(pk=grant_id, organisation__in=organisations_to_manage(user))
        .select_related("programme__funder", "organisation", "site")
        .first()
    )
    if grant is None:
        raise Http404
    return grant


@dataclass(frozen=True)
class GrantRow:
    grant: Grant
    can_change: bool
    ended: bool
    ending_soon: bool


@dataclass(frozen=True)
class OrganisationGrants:
    organisation: Organisation
    can_add: bool
    rows: list[GrantRow]


def grants_by_organisation(user: User, today: date) -> list[OrganisationGrants]:
    """The grants `user` may read, grouped by organisation, each marked: may change, ended,
    ending within `ENDING_SOON_DAYS` of `today`. The organisations they manage are listed even
    without grants (up to `LIST_EMPTY_ORGANISATIONS_UP_TO` of them), so a first grant can be
    added."""
    managed = set(organisations_to_manage(user).values_list("pk", flat=True))
    soon = today + timedelta(days=ENDING_SOON_DAYS)
    groups: dict[int, OrganisationGrants] = {}
    if len(managed) <= LIST_EMPTY_ORGANISATIONS_UP_TO:
        for organisation in Organisation.objects.filter(pk__in=managed):
            groups[organisation.pk] = OrganisationGrants(organisation, True, [])
    for grant in grants_for(user).order_by("organisation__name", "organisation_id", "-ends_on"):
        group = groups.get(grant.organisation_id)
        if group is None:
            can_add = grant.organisation_id in managed
            group = groups[grant.organisation_id] = OrganisationGrants(
                grant.organisation, can_add, []
            )
        group.rows.append(
            GrantRow(
                grant=grant,
                can_change=grant.organisation_id in managed,
                ended=grant.ends_on < today,
                ending_soon=today <= grant.ends_on <= soon,
            )
        )
    return sorted(groups.values(), key=lambda group: group.organisation.name)
