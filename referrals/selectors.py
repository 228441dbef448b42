"""Reads of referrals, always within the reader's scope.

Two ways in, each starting from `accounts.permissions`: a site's inbox (the sites where one
handles referrals) and the referrals an organisation sent (the organisations one refers for). A
referral outside both is a 404, so its existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from accounts.models import User
from accounts.permissions import Can, organisations_for, sites_for
from audit.models import AuditEntry
from network.models import Site
from referrals.models import Referral

# The inbox filter: one status, every open one, or everything.
OPEN = "open"
ALL = "all"
INBOX_FILTERS = (ALL, OPEN, *Referral.Status.values)


def _with_relations(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related("site", "organisation", "referrer", "theme")


def referrals_for_site(user: User, site_id: int, status: str | None = None) -> QuerySet[Referral]:
    """The inbox of a site: new referrals first, then the others, newest first within each.

    `status` is one of the statuses, "open" (new and contacted) or None / "all". A site where
    `user` does not handle referrals gives an empty list (the view checks the site first).
    """
    qs = Referral.objects.filter(site__in=sites_for(user, Can.HANDLE_REFERRALS).filter(pk=site_id))
    if status == OPEN:
        qs = qs.exclude(status__in=Referral.CLOSED)
    elif status in Referral.Status.values:
        qs = qs.filter(status=status)
    new_first = Case(
        When(status=Referral.Status.NEW, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return _with_relations(qs).order_by(new_first, "-created_at", "-pk")


def new_count(user: User, site_id: int) -> int:
    return referrals_for_site(user, site_id, Referral.Status.NEW).count()


def referral_for_site(user: User, site_id: int, referral_id: int) -> Referral:
    """One referral of the site's inbox; another site's referral (or none) is a 404."""
    referral = referrals_for_site(user, site_id).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral


def referrals_sent_by(user: User) -> QuerySet[Referral]:
    """The referrals of every organisation `user` refers for, newest first.

    Why the organisation's and not only one's own: social services work as a team. When the
    social worker who sent someone is away, a colleague answers the resident's call and must see
    whether the Digipunt reached them. The resident consented to the organisation passing on
    their data, and whoever refers for the organisation already works with such data. Each row
    says who sent it.
    """
    return _with_relations(
        Referral.objects.filter(organisation__in=organisations_for(user, Can.REFER))
    ).order_by("-created_at", "-pk")


def referral_sent(user: User, referral_id: int) -> Referral:
    """One referral sent by one of the user's organisations; any other is a 404."""
    referral = referrals_sent_by(user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral


def destination_for_referral(site_id: int) -> Site:
    """A Digipunt a resident can be referred to: published and offering help; else a 404.

    Any such site in the network, whichever organisation runs it: residents go where it suits
    them, not where the referrer's organisation has a site.
    """
    site = (
        Site.objects.published()
        .offering("help")
        .select_related("organisation", "municipality")
        .filter(pk=site_id)
        .first()
    )
    if site is None:
        raise Http404
    return site


@dataclass(frozen=True)
class StatusStep:
    status: str  # "sent", or one of Referral.Status
    at: datetime


def status_history(referral: Referral) -> list[StatusStep]:
    """When the referral was sent and every status it got since, oldest first.

    Read from the audit trail, where `referral_set_status` records each change (one query).
    """
    steps = [StatusStep(status="sent", at=referral.created_at)]
    entries = AuditEntry.objects.filter(
        object_type=Referral._meta.label_lower,
        object_id=str(referral.pk),
        action="referral.status_changed",
    ).order_by("created_at", "pk")
    for entry in entries:
        change = (entry.changes or {}).get("status")
        if isinstance(change, list) and len(change) == 2:
            steps.append(StatusStep(status=str(change[1]), at=entry.created_at))
    return steps
