"""Inviting someone to a team, and the single-use, expiring link that makes their account."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from accounts.services import invitation_create
from accounts.sessions import start_session
from audit.models import AuditEntry
from tests.cast import PASSWORD, sign_in

NEW_PASSWORD = "tea with milk at the digipunt"
LINK = re.compile(r"(https?://\S+/(nl|fr|en)/staff/invitation/([\w-]+)/)")


def invite_url(organisation, lang: str = "en") -> str:
    return f"/{lang}/staff/organisations/{organisation.pk}/team/invite/"


def link_in(message) -> tuple[str, str, str]:
    """(the whole link, its language, the token) from an invitation email."""
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1), found.group(2), found.group(3)


def path_of(link: str) -> str:
    return link.removeprefix(settings.SITE_URL)


@pytest.fixture
def invite(cast, django_capture_on_commit_callbacks):
    """Invite through the service as the org admin of Stad Gent; returns the link's path."""

    def make(email: str = "nieuw@example.org", role: str = Role.VOLUNTEER, site=None) -> str:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(
                actor=cast.org_admin,
                organisation=cast.gent,
                email=email,
                role=role,
                site=site,
                language="en",
            )
        return path_of(link_in(mail.outbox[-1])[0])

    return make


def new_account(name: str = "Nora Nieuw", password: str = NEW_PASSWORD) -> dict[str, str]:
    return {"full_name": name, "password": password, "password_again": password}


# -- inviting ------------------------------------------------------------------------------------


def test_inviting_sends_one_email_with_a_link_that_works(
    client, cast, django_capture_on_commit_callbacks
):
    sign_in(client, cast.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(cast.gent),
            {"email": "Nora@Example.org", "role": "coordinator", "site": cast.gent_b.pk},
        )
    assert response.status_code == 302
    assert response.url == f"/en/staff/organisations/{cast.gent.pk}/team/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nora@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Anna Admin" in message.body
    assert "Digipunt Gent B" in message.body
    link, lang, token = link_in(message)
    assert link.startswith(settings.SITE_URL + "/en/staff/invitation/")
    assert lang == "en"

    invitation = Invitation.objects.get()
    assert invitation.email == "nora@example.org"
    assert invitation.role == Role.COORDINATOR
    assert invitation.site == cast.gent_b
    assert invitation.organisation is None
    assert invitation.invited_by == cast.org_admin
    # Only the hash of the token is kept.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    expected_end = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    assert abs((invitation.expires_at - expected_end).total_seconds()) < 60

    page = Client().get(path_of(link))
    assert page.status_code == 200
    assert "Anna Admin invited you to help at Digipunt Gent B" in page.content.decode()


def test_inviting_is_in_the_audit_trail_of_the_organisation(client, cast):
    sign_in(client, cast.org_admin)
    client.post(invite_url(cast.gent), {"email": "nora@example.org", "role": "volunteer"})
    entry = AuditEntry.objects.get()
    assert entry.action == "invitation.created"
    assert entry.actor == cast.org_admin
    assert entry.organisation == cast.gent
    assert entry.changes["email"] == [None, "nora@example.org"]
    assert entry.changes["role"] == [None, "volunteer"]


def test_the_invitation_email_is_in_the_language_of_the_inviter(
    client, cast, django_capture_on_commit_callbacks
):
    sign_in(client, cast.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            invite_url(cast.gent, lang="fr"), {"email": "nora@example.org", "role": "volunteer"}
        )
    _link, lang, _token = link_in(mail.outbox[0])
    assert lang == "fr"


def test_the_invite_page_offers_only_the_assignable_roles_and_this_organisations_sites(
    client, cast
):
    sign_in(client, cast.org_admin)
    form = client.get(invite_url(cast.gent)).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == [
        "volunteer",
        "coordinator",
        "org_admin",
        "referrer",
    ]
    assert set(form.fields["site"].queryset) == {cast.gent_a, cast.gent_b}


def test_a_forged_site_of_another_organisation_is_refused(
    client, cast, django_capture_on_commit_callbacks
):
    sign_in(client, cast.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(cast.gent),
            {"email": "nora@example.org", "role": "volunteer", "site": cast.aalst.pk},
        )
    assert response.status_code == 200
    assert response.context["form"].has_error("site")
    assert not Invitation.objects.exists()
    assert not mail.outbox
    assert not AuditEntry.objects.exists()


def test_the_service_refuses_a_site_of_another_organisation_too(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        invitation_create(
            actor=cast.org_admin,
            organisation=cast.gent,
            email="nora@example.org",
            role=Role.VOLUNTEER,
            site=cast.aalst,
        )
    assert not Invitation.objects.exists()


def test_the_service_refuses_someone_who_does_not_manage_the_team(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=cast.coordinator,
            organisation=cast.gent,
            email="nora@example.org",
            role=Role.VOLUNTEER,
            site=cast.gent_a,
        )


@pytest.mark.parametrize("role", ["platform_admin", "analyst", "superhero"])
def test_a_role_outside_the_list_cannot_be_invited(client, cast, role):
    sign_in(client, cast.org_admin)
    response = client.post(invite_url(cast.gent), {"email": "nora@example.org", "role": role})
    assert response.status_code == 200
    assert response.context["form"].has_error("role")
    assert not Invitation.objects.exists()


def test_an_organisation_admin_is_invited_for_the_whole_organisation_only(client, cast):
    sign_in(client, cast.org_admin)
    response = client.post(
        invite_url(cast.gent),
        {"email": "nora@example.org", "role": "org_admin", "site": cast.gent_a.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("role")
    assert not Invitation.objects.exists()


def test_a_bad_email_address_is_refused_and_the_choices_are_kept(client, cast):
    sign_in(client, cast.org_admin)
    response = client.post(
        invite_url(cast.gent),
        {"email": "nora at example", "role": "coordinator", "site": cast.gent_b.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="nora at example"' in html
    assert 'value="coordinator" selected' in html
    assert f'value="{cast.gent_b.pk}" selected' in html


def test_someone_who_already_works_there_is_not_invited_again(client, cast):
    sign_in(client, cast.org_admin)
    response = client.post(
        invite_url(cast.gent),
        {"email": "VOLUNTEER@example.org", "role": "coordinator", "site": cast.gent_a.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("email")
    assert not Invitation.objects.exists()


def test_inviting_again_replaces_the_earlier_link(client, cast, invite):
    first = invite()
    second = invite()
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200


# -- accepting -----------------------------------------------------------------------------------


def test_accepting_creates_the_account_and_membership_and_is_in_the_audit_trail(
    cast, invite, django_capture_on_commit_callbacks
):
    path = invite(email="nora@example.org", role=Role.VOLUNTEER, site=cast.gent_b)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, new_account())
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")

    person = User.objects.get(email="nora@example.org")
    assert person.full_name == "Nora Nieuw"
    assert person.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=person)
    assert (membership.role, membership.site, membership.organisation) == (
        Role.VOLUNTEER,
        cast.gent_b,
        None,
    )
    assert membership.is_active
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == person
    entry = AuditEntry.objects.get(action="invitation.accepted")
    assert entry.actor == person
    assert entry.organisation == cast.gent
    assert entry.site == cast.gent_b
    assert entry.object_id == str(membership.pk)
    assert entry.changes["role"] == [None, "volunteer"]
    # A welcome email tells the owner of the address that the account now exists.
    assert mail.outbox[-1].to == ["nora@example.org"]


def test_a_new_member_is_asked_for_two_factors_before_any_staff_page(cast, invite):
    path = invite(email="nora@example.org", role=Role.COORDINATOR, site=cast.gent_a)
    client = Client()
    client.post(path, new_account())
    client.force_login(User.objects.get(email="nora@example.org"))
    # Signed in with the password only: a session started, but no second factor yet.
    session = client.session
    start_session(type("Holder", (), {"session": session})())
    session.save()
    response = client.get(f"/en/staff/organisations/{cast.gent.pk}/team/")
    assert response.status_code == 302
    assert reverse("accounts:two-factor-setup") in response.url


def test_the_link_cannot_be_used_twice(cast, invite):
    path = invite()
    assert Client().post(path, new_account()).status_code == 302
    again = Client().get(path)
    assert again.status_code == 410
    assert "This link was already used" in again.content.decode()
    second = Client().post(path, new_account(name="Somebody Else"))
    assert second.status_code == 410
    assert User.objects.filter(email="nieuw@example.org").count() == 1
    assert User.objects.get(email="nieuw@example.org").full_name == "Nora Nieuw"
    assert AuditEntry.objects.filter(action="invitation.accepted").count() == 1


def test_an_expired_invitation_is_refused_and_creates_nothing(cast, invite):
    path = invite()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    users_before = User.objects.count()
    page = Client().get(path)
    assert page.status_code == 410
    assert "ask the person who invited you to send a new invitation" in page.content.decode()
    response = Client().post(path, new_account())
    assert response.status_code == 410
    assert User.objects.count() == users_before
    assert not Membership.objects.filter(user__email="nieuw@example.org").exists()
    assert not AuditEntry.objects.filter(action="invitation.accepted").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_unknown_link_is_not_found_in_plain_words(cast):
    response = Client().get("/en/staff/invitation/not-a-real-token/")
    assert response.status_code == 404
    assert "We do not know this link" in response.content.decode()


def test_a_weak_password_is_refused_with_the_reason_and_the_name_is_kept(cast, invite):
    path = invite()
    response = Client().post(
        path,
        {"full_name": "Nora Nieuw", "password": "password123", "password_again": "password123"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too common." in html
    assert "This password is too short. It must contain at least 12 characters." in html
    assert 'value="Nora Nieuw"' in html
    assert "password123" not in html
    assert not User.objects.filter(email="nieuw@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_two_different_passwords_are_refused(cast, invite):
    path = invite()
    data = new_account() | {"password_again": NEW_PASSWORD + "!"}
    response = Client().post(path, data)
    assert response.status_code == 200
    assert "The two passwords are not the same." in response.content.decode()
    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_a_name_is_needed(cast, invite):
    response = Client().post(invite(), new_account(name="   "))
    assert response.status_code == 200
    assert response.context["form"].has_error("full_name")
    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_someone_with_an_account_confirms_their_password_and_gets_the_membership(cast, invite):
    path = invite(email="coordinator@example.org", role=Role.VOLUNTEER, site=cast.gent_b)
    page = Client().get(path)
    assert page.status_code == 200
    assert "full_name" not in page.context["form"].fields
    assert "You already have an account" in page.content.decode()

    wrong = Client().post(path, {"password": "not my password at all"})
    assert wrong.status_code == 200
    assert "This is not the password of your account." in wrong.content.decode()
    assert not Membership.objects.filter(user=cast.coordinator, site=cast.gent_b).exists()

    right = Client().post(path, {"password": PASSWORD})
    assert right.status_code == 302
    added = Membership.objects.get(user=cast.coordinator, site=cast.gent_b)
    assert added.role == Role.VOLUNTEER
    assert added.is_active
    assert Membership.objects.get(user=cast.coordinator, site=cast.gent_a).role == Role.COORDINATOR
    assert User.objects.filter(email="coordinator@example.org").count() == 1


def test_guessing_an_accounts_password_through_the_link_is_paused(cast, invite):
    path = invite(email="coordinator@example.org", role=Role.VOLUNTEER, site=cast.gent_b)
    for _attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        Client().post(path, {"password": "a wrong guess of a password"})
    response = Client().post(path, {"password": PASSWORD})
    assert response.status_code == 200
    assert "Too many wrong passwords" in response.content.decode()
    assert not Membership.objects.filter(user=cast.coordinator, site=cast.gent_b).exists()


def test_a_switched_off_member_invited_again_comes_back_with_the_new_role(cast, invite):
    Membership.objects.filter(user=cast.volunteer).update(is_active=False)
    path = invite(email="volunteer@example.org", role=Role.COORDINATOR, site=cast.gent_a)
    assert Client().post(path, {"password": PASSWORD}).status_code == 302
    membership = Membership.objects.get(user=cast.volunteer)
    assert membership.is_active
    assert membership.role == Role.COORDINATOR
    entry = AuditEntry.objects.get(action="invitation.accepted")
    assert entry.changes["role"] == ["volunteer", "coordinator"]
    assert entry.changes["is_active"] == [False, True]


def test_accepting_on_a_shared_tablet_signs_out_whoever_was_signed_in(cast, invite):
    client = sign_in(Client(), cast.coordinator)
    client.post(invite(), new_account())
    assert "_auth_user_id" not in client.session


def test_the_invitation_pages_are_never_cached_or_indexed(cast, invite):
    response = Client().get(invite())
    assert "no-store" in response.headers["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_accepting_is_refused_without_a_csrf_token(cast, invite):
    path = invite()
    client = Client(enforce_csrf_checks=True)
    assert client.post(path, new_account()).status_code == 403
    assert not User.objects.filter(email="nieuw@example.org").exists()
    client.get(path)
    data = new_account() | {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    assert client.post(path, data).status_code == 302
    assert User.objects.filter(email="nieuw@example.org").exists()
