"""accounts.permissions, the one place that decides, for every member of the cast."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Membership, Role
from accounts.permissions import (
    ASSIGNABLE_ROLES,
    ROLE_CAPABILITIES,
    Can,
    needs_two_factor,
    organisation_for,
    organisations_for,
    site_for,
    sites_for,
)
from tests.cast import user


def names(sites) -> set[str]:
    return {site.name for site in sites}


GENT = {"Digipunt Gent A", "Digipunt Gent B"}
ALL = {"Digipunt Gent A", "Digipunt Gent B", "Digipunt Aalst"}

# For each member of the cast and capability: the sites where they have it.
EXPECTED_SITES = {
    "volunteer": {
        Can.VIEW_SITE: {"Digipunt Gent A"},
        Can.EDIT_SITE: set(),
        Can.MANAGE_TEAM: set(),
        Can.REFER: set(),
        Can.VIEW_FIGURES: set(),
    },
    "coordinator": {
        Can.VIEW_SITE: {"Digipunt Gent A"},
        Can.EDIT_SITE: {"Digipunt Gent A"},
        Can.MANAGE_TEAM: set(),
        Can.REFER: set(),
        Can.VIEW_FIGURES: {"Digipunt Gent A"},
    },
    "org_admin": {
        Can.VIEW_SITE: GENT,
        Can.EDIT_SITE: GENT,
        Can.MANAGE_TEAM: GENT,
        Can.REFER: set(),
        Can.VIEW_FIGURES: GENT,
    },
    "referrer": {
        Can.VIEW_SITE: set(),
        Can.EDIT_SITE: set(),
        Can.MANAGE_TEAM: set(),
        Can.REFER: GENT,
        Can.VIEW_FIGURES: set(),
    },
    "analyst": {
        Can.VIEW_SITE: set(),
        Can.EDIT_SITE: set(),
        Can.MANAGE_TEAM: set(),
        Can.REFER: set(),
        Can.VIEW_FIGURES: ALL,
    },
    "platform_admin": dict.fromkeys(Can, ALL),
    "outsider": {capability: set() for capability in Can},
    "other_coordinator": {
        Can.VIEW_SITE: {"Digipunt Aalst"},
        Can.EDIT_SITE: {"Digipunt Aalst"},
        Can.MANAGE_TEAM: set(),
        Can.REFER: set(),
        Can.VIEW_FIGURES: {"Digipunt Aalst"},
    },
}


@pytest.mark.parametrize("role", sorted(EXPECTED_SITES))
def test_each_person_has_each_capability_exactly_at_their_own_sites(cast, role):
    person = cast.by_role()[role]
    for capability, expected in EXPECTED_SITES[role].items():
        assert names(sites_for(person, capability)) == expected, capability


def test_only_the_org_admin_and_the_platform_admin_manage_a_team(cast):
    managers = {
        role
        for role, person in cast.by_role().items()
        if organisations_for(person, Can.MANAGE_TEAM).filter(pk=cast.gent.pk).exists()
    }
    assert managers == {"org_admin", "platform_admin"}
    assert list(organisations_for(cast.org_admin, Can.MANAGE_TEAM)) == [cast.gent]


def test_a_site_membership_gives_no_say_over_the_whole_organisation(cast):
    # The coordinator edits gent_a, but "the organisation as a whole" needs an organisation role.
    assert not organisations_for(cast.coordinator, Can.EDIT_SITE).exists()


def test_site_for_returns_the_site_where_the_role_allows_it(cast):
    assert site_for(cast.coordinator, cast.gent_a.pk, Can.EDIT_SITE) == cast.gent_a
    assert site_for(cast.org_admin, cast.gent_b.pk, Can.MANAGE_TEAM) == cast.gent_b
    assert site_for(cast.referrer, cast.gent_a.pk, Can.REFER) == cast.gent_a


def test_site_for_is_forbidden_at_a_visible_site_without_the_capability(cast):
    with pytest.raises(PermissionDenied):
        site_for(cast.volunteer, cast.gent_a.pk, Can.EDIT_SITE)
    with pytest.raises(PermissionDenied):
        site_for(cast.coordinator, cast.gent_a.pk, Can.MANAGE_TEAM)


def test_site_for_is_not_found_for_a_site_the_person_cannot_see(cast):
    cases = [
        (cast.volunteer, cast.gent_b, Can.VIEW_SITE),  # same organisation, other site
        (cast.coordinator, cast.aalst, Can.EDIT_SITE),  # other organisation
        (cast.other_coordinator, cast.gent_a, Can.VIEW_SITE),
        (cast.analyst, cast.gent_a, Can.VIEW_SITE),  # figures only, never a site's own pages
        (cast.referrer, cast.gent_a, Can.EDIT_SITE),
        (cast.outsider, cast.gent_a, Can.VIEW_SITE),
    ]
    for person, site, capability in cases:
        with pytest.raises(Http404):
            site_for(person, site.pk, capability)


def test_site_for_an_id_that_does_not_exist_is_not_found(cast):
    with pytest.raises(Http404):
        site_for(cast.platform_admin, 999_999, Can.VIEW_SITE)


def test_organisation_for_is_not_found_outside_the_scope(cast):
    assert organisation_for(cast.org_admin, cast.gent.pk, Can.MANAGE_TEAM) == cast.gent
    assert organisation_for(cast.platform_admin, cast.aalst_org.pk, Can.MANAGE_TEAM)
    for person, organisation in [
        (cast.org_admin, cast.aalst_org),
        (cast.coordinator, cast.gent),
        (cast.volunteer, cast.gent),
        (cast.referrer, cast.gent),
        (cast.analyst, cast.gent),
        (cast.outsider, cast.gent),
    ]:
        with pytest.raises(Http404):
            organisation_for(person, organisation.pk, Can.MANAGE_TEAM)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("volunteer", True),
        ("coordinator", True),
        ("org_admin", True),
        ("referrer", True),
        ("platform_admin", True),
        ("other_coordinator", True),
        ("analyst", False),  # aggregated figures only
        ("outsider", False),  # no role at all
    ],
)
def test_two_factors_are_needed_by_every_role_near_personal_data(cast, role, expected):
    assert needs_two_factor(cast.by_role()[role]) is expected


def test_a_switched_off_membership_gives_nothing(cast):
    Membership.objects.filter(user=cast.coordinator).update(is_active=False)
    for capability in Can:
        assert not sites_for(cast.coordinator, capability).exists()
    with pytest.raises(Http404):
        site_for(cast.coordinator, cast.gent_a.pk, Can.VIEW_SITE)
    assert needs_two_factor(cast.coordinator) is False


def test_a_switched_off_person_sees_nothing_whatever_their_memberships(cast):
    for person in (cast.org_admin, cast.volunteer):
        person.is_active = False
        person.save()
        for capability in Can:
            assert not sites_for(person, capability).exists()
        assert not organisations_for(person, Can.MANAGE_TEAM).exists()


def test_a_switched_off_platform_admin_sees_nothing(cast):
    cast.platform_admin.is_active = False
    cast.platform_admin.save()
    assert not sites_for(cast.platform_admin, Can.VIEW_SITE).exists()
    assert not organisations_for(cast.platform_admin, Can.MANAGE_TEAM).exists()


def test_someone_not_signed_in_sees_nothing(cast):
    anonymous = AnonymousUser()
    assert not sites_for(anonymous, Can.VIEW_SITE).exists()
    assert not organisations_for(anonymous, Can.MANAGE_TEAM).exists()
    assert needs_two_factor(anonymous) is False


def test_a_network_wide_platform_admin_role_sees_every_site(cast):
    person = user("network-admin@example.org", "Nina Netwerk")
    Membership.objects.create(user=person, role=Role.PLATFORM_ADMIN)
    assert names(sites_for(person, Can.EDIT_SITE)) == ALL


def test_an_organisation_admin_can_hand_out_no_network_wide_role():
    assert Role.PLATFORM_ADMIN not in ASSIGNABLE_ROLES
    assert Role.ANALYST not in ASSIGNABLE_ROLES


def test_the_analyst_role_reaches_no_personal_data():
    assert ROLE_CAPABILITIES[Role.ANALYST] == frozenset({Can.VIEW_FIGURES})
