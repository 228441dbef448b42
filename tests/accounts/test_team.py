"""The team pages of an organisation: who may open them, changing a role, switching access off."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Role
from accounts.permissions import Can, sites_for
from audit.models import AuditEntry
from tests.cast import sign_in, user


def team_url(organisation, lang: str = "en") -> str:
    return f"/{lang}/staff/organisations/{organisation.pk}/team/"


def invite_url(organisation) -> str:
    return f"{team_url(organisation)}invite/"


def member_url(organisation, membership) -> str:
    return f"{team_url(organisation)}{membership.pk}/"


def membership_of(person) -> Membership:
    return Membership.objects.get(user=person)


def as_(client: Client, person) -> Client:
    return sign_in(client, person)


# -- who may open the team pages -----------------------------------------------------------------

ALLOWED = {"org_admin", "platform_admin"}
ROLES = [
    "volunteer",
    "coordinator",
    "org_admin",
    "referrer",
    "analyst",
    "platform_admin",
    "outsider",
    "other_coordinator",
]


def test_the_urls_are_where_the_rest_of_the_staff_side_links_to(cast):
    assert (
        reverse("accounts:team", kwargs={"organisation_id": 7}) == "/nl/staff/organisations/7/team/"
    )
    assert reverse("accounts:team-invite", kwargs={"organisation_id": 7}).endswith(
        "/7/team/invite/"
    )
    assert reverse(
        "accounts:team-member", kwargs={"organisation_id": 7, "membership_id": 3}
    ).endswith("/7/team/3/")
    assert reverse("accounts:invitation", kwargs={"token": "abc"}) == "/nl/staff/invitation/abc/"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_org_admin_and_the_platform_admin_open_the_team_pages_of_stad_gent(
    client, cast, role
):
    as_(client, cast.by_role()[role])
    expected = 200 if role in ALLOWED else 404
    target = membership_of(cast.volunteer)
    for url in (team_url(cast.gent), invite_url(cast.gent), member_url(cast.gent, target)):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", sorted(set(ROLES) - ALLOWED))
def test_no_other_role_can_post_to_the_team_pages(client, cast, role):
    as_(client, cast.by_role()[role])
    target = membership_of(cast.volunteer)
    posts = [
        (invite_url(cast.gent), {"email": "new@example.org", "role": "volunteer"}),
        (member_url(cast.gent, target), {"action": "role", "role": "coordinator"}),
        (member_url(cast.gent, target), {"action": "deactivate"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    target.refresh_from_db()
    assert target.role == Role.VOLUNTEER
    assert target.is_active
    assert not AuditEntry.objects.exists()


def test_the_team_of_another_organisation_is_not_found(client, cast):
    as_(client, cast.org_admin)
    assert client.get(team_url(cast.aalst_org)).status_code == 404
    assert client.get(invite_url(cast.aalst_org)).status_code == 404
    assert client.get(team_url(cast.gent).replace(str(cast.gent.pk), "999999")).status_code == 404


def test_a_membership_of_another_organisation_is_not_found_through_my_organisation(client, cast):
    as_(client, cast.org_admin)
    theirs = membership_of(cast.other_coordinator)
    url = member_url(cast.gent, theirs)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "deactivate"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_a_network_wide_membership_belongs_to_no_team(client, cast):
    as_(client, cast.platform_admin)
    assert client.get(member_url(cast.gent, membership_of(cast.analyst))).status_code == 404


def test_a_membership_is_only_found_under_its_own_organisation(client, cast):
    as_(client, cast.platform_admin)
    # The platform admin sees both teams, but the URL must still name the right organisation.
    url = member_url(cast.aalst_org, membership_of(cast.volunteer))
    assert client.get(url).status_code == 404


def test_someone_not_signed_in_is_sent_to_sign_in(client, cast):
    response = client.get(team_url(cast.gent))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


# -- what the team page shows --------------------------------------------------------------------


def test_the_team_page_lists_the_people_of_the_organisation_and_its_sites(client, cast):
    Membership.objects.filter(user=cast.referrer).update(is_active=False)
    html = as_(client, cast.org_admin).get(team_url(cast.gent)).content.decode()
    for person in (cast.volunteer, cast.coordinator, cast.org_admin, cast.referrer):
        assert person.email in html
    assert "Digipunt Gent A" in html
    assert "The whole organisation" in html
    assert "Switched off" in html  # the referrer
    for person in (cast.other_coordinator, cast.analyst, cast.platform_admin, cast.outsider):
        assert person.email not in html


def test_the_team_page_lists_pending_invitations_but_not_used_or_expired_ones(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Invitation

    now = timezone.now()
    Invitation.objects.create(
        email="pending@example.org",
        role=Role.VOLUNTEER,
        site=cast.gent_b,
        token_hash="a" * 64,
        expires_at=now + timedelta(days=3),
    )
    Invitation.objects.create(
        email="expired@example.org",
        role=Role.VOLUNTEER,
        organisation=cast.gent,
        token_hash="b" * 64,
        expires_at=now - timedelta(days=1),
    )
    Invitation.objects.create(
        email="used@example.org",
        role=Role.VOLUNTEER,
        organisation=cast.gent,
        token_hash="c" * 64,
        expires_at=now + timedelta(days=3),
        accepted_at=now,
    )
    Invitation.objects.create(
        email="aalst@example.org",
        role=Role.VOLUNTEER,
        site=cast.aalst,
        token_hash="d" * 64,
        expires_at=now + timedelta(days=3),
    )
    html = as_(client, cast.org_admin).get(team_url(cast.gent)).content.decode()
    assert "pending@example.org" in html
    for email in ("expired@example.org", "used@example.org", "aalst@example.org"):
        assert email not in html


def test_the_team_page_needs_no_more_queries_for_a_bigger_team(client, cast):
    as_(client, cast.org_admin)
    url = team_url(cast.gent)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(6):
        person = user(f"extra{n}@example.org", f"Extra {n}", two_factor=False)
        Membership.objects.create(user=person, site=cast.gent_b, role=Role.VOLUNTEER)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)


# -- changing a role -----------------------------------------------------------------------------


def test_changing_a_role_saves_it_and_writes_the_old_and_new_role_to_the_audit_trail(
    client, cast, django_capture_on_commit_callbacks
):
    as_(client, cast.org_admin)
    target = membership_of(cast.volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            member_url(cast.gent, target), {"action": "role", "role": "coordinator"}
        )
    assert response.status_code == 302
    assert response.url == team_url(cast.gent)
    target.refresh_from_db()
    assert target.role == Role.COORDINATOR
    entry = AuditEntry.objects.get()
    assert entry.action == "membership.role_changed"
    assert entry.actor == cast.org_admin
    assert entry.organisation == cast.gent
    assert entry.site == cast.gent_a
    assert entry.object_id == str(target.pk)
    assert entry.changes == {"role": ["volunteer", "coordinator"]}
    assert [m.to for m in mail.outbox] == [[cast.volunteer.email]]
    assert sites_for(cast.volunteer, Can.EDIT_SITE).get() == cast.gent_a


def test_choosing_the_same_role_changes_nothing_and_logs_nothing(client, cast):
    as_(client, cast.org_admin)
    target = membership_of(cast.volunteer)
    response = client.post(member_url(cast.gent, target), {"action": "role", "role": "volunteer"})
    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["platform_admin", "analyst", "boss", ""])
def test_a_role_outside_the_list_is_refused(client, cast, role):
    as_(client, cast.org_admin)
    target = membership_of(cast.volunteer)
    response = client.post(member_url(cast.gent, target), {"action": "role", "role": role})
    assert response.status_code == 200
    assert response.context["role_form"].errors
    target.refresh_from_db()
    assert target.role == Role.VOLUNTEER
    assert not AuditEntry.objects.exists()


def test_someone_at_one_site_cannot_become_organisation_admin(client, cast):
    as_(client, cast.org_admin)
    target = membership_of(cast.coordinator)
    response = client.post(member_url(cast.gent, target), {"action": "role", "role": "org_admin"})
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.role == Role.COORDINATOR


def test_an_unknown_action_is_a_bad_request(client, cast):
    as_(client, cast.org_admin)
    target = membership_of(cast.volunteer)
    assert client.post(member_url(cast.gent, target), {"action": "delete"}).status_code == 400


# -- switching access off ------------------------------------------------------------------------


def test_switching_access_off_ends_it_at_once_and_is_in_the_audit_trail(
    client, cast, django_capture_on_commit_callbacks
):
    as_(client, cast.org_admin)
    target = membership_of(cast.volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(member_url(cast.gent, target), {"action": "deactivate"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert not sites_for(cast.volunteer, Can.VIEW_SITE).exists()
    entry = AuditEntry.objects.get()
    assert entry.action == "membership.deactivated"
    assert entry.actor == cast.org_admin
    assert entry.organisation == cast.gent
    assert entry.changes == {"is_active": [True, False]}
    assert len(mail.outbox) == 1
    # The page of a switched-off member offers no more changes.
    html = client.get(member_url(cast.gent, target)).content.decode()
    assert 'value="deactivate"' not in html


def test_the_last_org_admin_cannot_switch_off_their_own_access(client, cast):
    as_(client, cast.org_admin)
    mine = membership_of(cast.org_admin)
    response = client.post(member_url(cast.gent, mine), {"action": "deactivate"})
    assert response.status_code == 200
    assert "You are the last organisation admin of Stad Gent" in response.content.decode()
    mine.refresh_from_db()
    assert mine.is_active
    assert not AuditEntry.objects.exists()


def test_the_last_org_admin_cannot_demote_themselves(client, cast):
    as_(client, cast.org_admin)
    mine = membership_of(cast.org_admin)
    response = client.post(member_url(cast.gent, mine), {"action": "role", "role": "coordinator"})
    assert response.status_code == 200
    assert "You are the last organisation admin of Stad Gent" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == Role.ORG_ADMIN


def test_nobody_can_remove_the_last_org_admin_of_an_organisation(client, cast):
    as_(client, cast.platform_admin)
    theirs = membership_of(cast.org_admin)
    response = client.post(member_url(cast.gent, theirs), {"action": "deactivate"})
    assert response.status_code == 200
    assert "is the last organisation admin of Stad Gent" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.is_active


def test_an_org_admin_can_step_down_when_another_org_admin_remains(client, cast):
    second = user("second-admin@example.org", "Sam Tweede")
    Membership.objects.create(user=second, organisation=cast.gent, role=Role.ORG_ADMIN)
    as_(client, cast.org_admin)
    mine = membership_of(cast.org_admin)
    response = client.post(member_url(cast.gent, mine), {"action": "deactivate"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert not mine.is_active
    # Having stepped down, the team pages are gone for them.
    assert client.get(team_url(cast.gent)).status_code == 404


def test_a_switched_off_org_admin_does_not_count_as_the_remaining_admin(client, cast):
    second = user("second-admin@example.org", "Sam Tweede")
    Membership.objects.create(
        user=second, organisation=cast.gent, role=Role.ORG_ADMIN, is_active=False
    )
    as_(client, cast.org_admin)
    mine = membership_of(cast.org_admin)
    assert client.post(member_url(cast.gent, mine), {"action": "deactivate"}).status_code == 200
    mine.refresh_from_db()
    assert mine.is_active


# -- CSRF ----------------------------------------------------------------------------------------


def csrf_client(person) -> Client:
    return sign_in(Client(enforce_csrf_checks=True), person)


def csrf_token(client: Client, url: str) -> str:
    assert client.get(url).status_code == 200
    return client.cookies["csrftoken"].value


def test_the_team_posts_are_refused_without_a_csrf_token(cast):
    client = csrf_client(cast.org_admin)
    target = membership_of(cast.volunteer)
    posts = [
        (invite_url(cast.gent), {"email": "new@example.org", "role": "volunteer"}),
        (member_url(cast.gent, target), {"action": "role", "role": "coordinator"}),
        (member_url(cast.gent, target), {"action": "deactivate"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    target.refresh_from_db()
    assert target.role == Role.VOLUNTEER
    assert target.is_active
    assert not AuditEntry.objects.exists()


def test_the_team_posts_work_with_the_csrf_token_of_the_page(cast):
    client = csrf_client(cast.org_admin)
    target = membership_of(cast.volunteer)
    url = member_url(cast.gent, target)
    token = csrf_token(client, url)
    data = {"action": "role", "role": "coordinator", "csrfmiddlewaretoken": token}
    assert client.post(url, data).status_code == 302
    token = csrf_token(client, url)
    data = {"action": "deactivate", "csrfmiddlewaretoken": token}
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.role == Role.COORDINATOR
    assert not target.is_active
