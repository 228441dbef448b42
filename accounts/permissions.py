"""Who may do what, decided in one place.

Every staff view asks this module, and every staff query starts from `sites_for(user, ...)`, so
a site of another organisation is simply not there (a 404), and a role that lacks a capability
at a site it can see gets a 403.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Q, QuerySet
from django.http import Http404

from accounts.models import Membership, Role, User
from core.capabilities import Can
from network.models import Organisation, Site, SiteQuerySet

# `Can` is the vocabulary (core.capabilities); which role grants what is decided here.
__all__ = [
    "ASSIGNABLE_ROLES",
    "ROLE_CAPABILITIES",
    "Can",
    "capabilities_at",
    "capabilities_for_organisations",
    "is_platform_admin",
    "needs_two_factor",
    "organisation_for",
    "organisations_for",
    "roles_granting",
    "site_for",
    "sites_for",
]


# What everyone who works at a site does every day.
_SITE_WORK = frozenset(
    {
        Can.VIEW_SITE,
        Can.REGISTER_CONTACTS,
        Can.MANAGE_APPOINTMENTS,
        Can.HANDLE_REFERRALS,
        Can.LEND_DEVICES,
        Can.RUN_SESSIONS,
    }
)

ROLE_CAPABILITIES: dict[str, frozenset[Can]] = {
    Role.VOLUNTEER: _SITE_WORK,
    Role.COORDINATOR: _SITE_WORK
    | {
        Can.EDIT_SITE,
        Can.VIEW_FIGURES,
        Can.ISSUE_VISITOR_CODES,
        Can.MANAGE_DEVICES,
        Can.MANAGE_COURSES,
        Can.WRITE_HELP_CARDS,
    },
    Role.ORG_ADMIN: _SITE_WORK
    | {
        Can.EDIT_SITE,
        Can.MANAGE_SITES,
        Can.MANAGE_TEAM,
        Can.VIEW_AUDIT,
        Can.VIEW_FIGURES,
        Can.ISSUE_VISITOR_CODES,
        Can.MANAGE_TOKENS,
        Can.MANAGE_DEVICES,
        Can.SET_LENDING_RULES,
        Can.MANAGE_COURSES,
        Can.WRITE_HELP_CARDS,
        Can.MANAGE_PRIVACY,
        Can.MANAGE_FUNDING,
    },
    Role.REFERRER: frozenset({Can.REFER}),
    Role.ANALYST: frozenset({Can.VIEW_FIGURES}),
    Role.PLATFORM_ADMIN: frozenset(Can),
}

# Roles that can reach personal data of residents: they must use two-factor authentication.
ROLES_WITH_PERSONAL_DATA = frozenset(
    {Role.VOLUNTEER, Role.COORDINATOR, Role.ORG_ADMIN, Role.REFERRER, Role.PLATFORM_ADMIN}
)

# Which roles an organisation admin may hand out (never the network-wide ones).
ASSIGNABLE_ROLES = (Role.VOLUNTEER, Role.COORDINATOR, Role.ORG_ADMIN, Role.REFERRER)


def _memberships(user: User) -> QuerySet[Membership]:
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.active().filter(user=user)


def roles_granting(capability: Can) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


def is_platform_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def sites_for(user: User, capability: Can = Can.VIEW_SITE) -> SiteQuerySet:
    """The sites where `user` has `capability`: the start of every staff query on sites."""
    if is_platform_admin(user):
        return Site.objects.all()
    memberships = _memberships(user).filter(role__in=roles_granting(capability))
    # One query: a network-wide membership, or the sites and organisations of the others.
    return Site.objects.filter(
        Exists(memberships.filter(organisation__isnull=True, site__isnull=True))
        | Q(pk__in=memberships.filter(site__isnull=False).values("site"))
        | Q(organisation__in=memberships.filter(organisation__isnull=False).values("organisation"))
    )


def capabilities_at(user: User, site: Site) -> frozenset[Can]:
    """Everything `user` may do at `site`, in one query: for a page that offers several things
    and shows only the links its reader may follow (the views behind them still check)."""
    if is_platform_admin(user):
        return frozenset(Can)
    roles = _memberships(user).filter(
        Q(organisation__isnull=True, site__isnull=True)
        | Q(site=site)
        | Q(organisation_id=site.organisation_id)
    )
    return frozenset().union(
        *(ROLE_CAPABILITIES.get(role, ()) for role in roles.values_list("role", flat=True))
    )


def organisations_for(user: User, capability: Can) -> QuerySet[Organisation]:
    """Organisations where `user` has `capability` for the organisation as a whole."""
    if is_platform_admin(user):
        return Organisation.objects.all()
    memberships = _memberships(user).filter(role__in=roles_granting(capability))
    return Organisation.objects.filter(
        Exists(memberships.filter(organisation__isnull=True, site__isnull=True))
        | Q(pk__in=memberships.filter(organisation__isnull=False).values("organisation"))
    )


def capabilities_for_organisations(
    user: User, organisations: Iterable[Organisation]
) -> dict[int, frozenset[Can]]:
    """What `user` may do for each of `organisations` as a whole, in one query (the staff home
    shows each organisation's links from it; the views behind them still check)."""
    ids = [organisation.pk for organisation in organisations]
    if is_platform_admin(user):
        return dict.fromkeys(ids, frozenset(Can))
    rows = _memberships(user).filter(
        Q(organisation__isnull=True, site__isnull=True) | Q(organisation__in=ids)
    )
    found: dict[int, set[Can]] = {pk: set() for pk in ids}
    for organisation_id, role in rows.values_list("organisation_id", "role"):
        for pk in ids if organisation_id is None else [organisation_id]:
            found[pk] |= ROLE_CAPABILITIES.get(role, frozenset())
    return {pk: frozenset(caps) for pk, caps in found.items()}


def site_for(user: User, site_id: int, capability: Can) -> Site:
    """The site `site_id` if `user` may do `capability` there.

    A site the user cannot see at all is a 404 (its existence is not revealed); a site they see
    but where their role does not allow `capability` is a 403.
    """
    site = sites_for(user, capability).filter(pk=site_id).select_related("organisation").first()
    if site is not None:
        return site  # the usual case: one query
    if sites_for(user, Can.VIEW_SITE).filter(pk=site_id).exists():
        raise PermissionDenied
    raise Http404


def organisation_for(user: User, organisation_id: int, capability: Can) -> Organisation:
    """The organisation if `user` has `capability` for it as a whole; otherwise a 404."""
    organisation = organisations_for(user, capability).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    return organisation


def needs_two_factor(user: User) -> bool:
    """Whether this person must sign in with a second factor (any role near personal data)."""
    if is_platform_admin(user) or user.is_staff:
        return True
    return _memberships(user).filter(role__in=list(ROLES_WITH_PERSONAL_DATA)).exists()
