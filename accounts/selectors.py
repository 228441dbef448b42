"""Reading people, memberships and invitations, always within one organisation's scope.

An organisation's team is everyone with a membership of the organisation itself or of one of its
sites. Network-wide memberships (analysts, platform admins) belong to no team. Callers first
decide who may look (`accounts.permissions.organisation_for`); these functions only read.
"""

from __future__ import annotations

import hashlib

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from network.models import Organisation, Site


def hash_token(token: str) -> str:
    """The SHA-256 hex of an invitation token: all that is stored of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def _in_organisation(organisation: Organisation) -> Q:
    return Q(organisation=organisation) | Q(site__organisation=organisation)


def team_of(organisation: Organisation) -> QuerySet[Membership]:
    """Memberships of the organisation and of its sites, with their people and sites (one query).

    Active ones first, then by name, so the people who work there now lead the list.
    """
    return (
        Membership.objects.filter(_in_organisation(organisation))
        .select_related("user", "site", "organisation")
        .order_by("-is_active", "user__full_name", "user__email", "site__name")
    )


def membership_in(organisation: Organisation, membership_id: int) -> Membership:
    """One membership of the organisation's team; a 404 for any other membership id."""
    membership = team_of(organisation).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def active_org_admins(organisation: Organisation) -> QuerySet[Membership]:
    """Active organisation admins of the organisation as a whole (not of one of its sites)."""
    return Membership.objects.active().filter(organisation=organisation, role=Role.ORG_ADMIN)


def pending_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations for the organisation or its sites that are neither used nor expired."""
    return (
        Invitation.objects.filter(_in_organisation(organisation))
        .filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("site", "organisation", "invited_by")
        .order_by("expires_at", "email")
    )


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to (used or not, expired or not), or None."""
    return (
        Invitation.objects.filter(token_hash=hash_token(token))
        .select_related("site__organisation", "organisation", "invited_by")
        .first()
    )


def user_by_email(email: str) -> User | None:
    """The account with this email address, whatever its letter case."""
    return User.objects.filter(email__iexact=email.strip()).first()


def sites_of(organisation: Organisation) -> QuerySet[Site]:
    """The organisation's sites, for choosing the scope of an invitation."""
    return Site.objects.filter(organisation=organisation).order_by("name")
