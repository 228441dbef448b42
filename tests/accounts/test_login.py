"""Signing in: the password step, throttling, safe redirects, CSRF, and the way into the admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from accounts.models import FailedLogin, Membership, Role, TOTPDevice, User
from accounts.sessions import SESSION_STARTED, TWO_FACTOR_VERIFIED, start_session
from audit.models import AuditEntry
from tests.cast import PASSWORD, TOTP_SECRET, current_code, is_signed_in, sign_in, user


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """The cast's eight Argon2 hashes take seconds per test; these tests are about the flow, not
    the hash (Argon2 stays listed, so hashes made with it, like recovery codes, still check)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _english():
    """The pages in English (/en/...), so that tests can read the messages."""
    translation.activate("en")


WRONG = "The email address or the password is not right."
PAUSED = "signing in is paused"


def login_url(**query: str) -> str:
    url = reverse("accounts:login")
    if query:
        url += "?" + urlencode(query)
    return url


def password_step(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(login_url(), {"email": email, "password": password}, **extra)


def csrf_token_from(response) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    assert match, "the page has no CSRF token"
    return match[1].decode()


# -- the happy paths -----------------------------------------------------------------------------


def test_volunteer_signs_in_with_password_and_code_and_reaches_staff_home(cast, client):
    response = password_step(client, "volunteer@example.org")
    assert response.status_code == 302
    assert response.url == reverse("accounts:two-factor-verify")
    assert not is_signed_in(client), "the password alone must not sign in someone with an app"

    response = client.post(reverse("accounts:two-factor-verify"), {"code": current_code()})

    assert response.status_code == 302
    assert response.url == reverse("workspace:home") == "/en/staff/"
    assert client.session[TWO_FACTOR_VERIFIED] is True
    assert client.session[SESSION_STARTED]
    assert client.get(reverse("workspace:home"), follow=True).status_code == 200


def test_email_address_is_matched_whatever_its_capitals_and_spaces(cast, client):
    response = password_step(client, "  Volunteer@Example.ORG ")
    assert response.url == reverse("accounts:two-factor-verify")


def test_analyst_without_personal_data_signs_in_with_the_password_alone(cast, client):
    response = password_step(client, "analyst@example.org")

    assert response.url == reverse("workspace:home")
    assert is_signed_in(client)
    assert SESSION_STARTED in client.session
    assert TWO_FACTOR_VERIFIED not in client.session


def test_someone_who_set_up_an_app_always_gives_a_code_even_if_the_role_does_not_need_it(
    cast, client
):
    TOTPDevice.objects.create(user=cast.analyst, secret=TOTP_SECRET, confirmed_at=timezone.now())
    response = password_step(client, "analyst@example.org")
    assert response.url == reverse("accounts:two-factor-verify")
    assert not is_signed_in(client)


def test_volunteer_without_an_app_is_signed_in_only_to_set_one_up(cast, client):
    person = user("nieuw@example.org", "Nina Nieuw", two_factor=False)
    Membership.objects.create(user=person, site=cast.gent_a, role=Role.VOLUNTEER)

    response = password_step(client, "nieuw@example.org")

    assert response.url == reverse("accounts:two-factor-setup")
    assert is_signed_in(client)
    assert TWO_FACTOR_VERIFIED not in client.session
    staff_page = client.get(reverse("workspace:home"))
    assert staff_page.status_code == 302
    assert staff_page.url.startswith(reverse("accounts:two-factor-setup"))


# -- wrong passwords and unknown addresses -------------------------------------------------------


def test_wrong_password_is_refused_with_a_clear_message_and_keeps_the_email(cast, client):
    response = password_step(client, "volunteer@example.org", "not the password at all")

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert 'value="volunteer@example.org"' in response.content.decode()
    assert "not the password at all" not in response.content.decode()
    assert not is_signed_in(client)
    assert FailedLogin.objects.filter(email="volunteer@example.org").count() == 1


def test_unknown_email_gets_the_same_message_as_a_wrong_password(cast, client):
    wrong = password_step(client, "volunteer@example.org", "not the password at all")
    unknown = password_step(client, "nobody@example.org", "not the password at all")

    def message(response) -> str:
        return re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', response.content.decode())[1]

    assert unknown.status_code == wrong.status_code == 200
    assert message(unknown) == message(wrong)
    assert FailedLogin.objects.filter(email="nobody@example.org").count() == 1


def test_switched_off_account_gets_the_same_message_as_a_wrong_password(cast, client):
    cast.volunteer.is_active = False
    cast.volunteer.save()
    response = password_step(client, "volunteer@example.org")
    assert WRONG in response.content.decode()
    assert not is_signed_in(client)


def test_an_empty_form_asks_for_both_fields(cast, client):
    response = client.post(login_url(), {"email": "", "password": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"email", "password"}
    assert FailedLogin.objects.count() == 0


# -- throttling ----------------------------------------------------------------------------------


def test_sixth_attempt_on_an_account_from_one_address_is_refused_even_with_the_right_password(
    cast, client
):
    for _ in range(5):
        response = password_step(client, "volunteer@example.org", "wrong", REMOTE_ADDR="10.0.0.1")
        assert WRONG in response.content.decode()

    response = password_step(client, "volunteer@example.org", REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 200
    assert PAUSED in response.content.decode()
    assert WRONG not in response.content.decode()
    assert not is_signed_in(client)
    assert "pending" not in str(dict(client.session))
    # Refused attempts are not counted, so the pause does not grow while someone retries.
    assert FailedLogin.objects.count() == 5


def test_too_many_failures_from_one_address_pause_every_account_from_there(cast, client, settings):
    allowed = settings.LOGIN_FAILURES_ALLOWED_PER_ADDRESS
    assert allowed > settings.LOGIN_FAILURES_ALLOWED  # volunteers often share one address
    for n in range(allowed):
        password_step(client, f"guess{n}@example.org", "wrong", REMOTE_ADDR="192.0.2.7")

    response = password_step(client, "coordinator@example.org", REMOTE_ADDR="192.0.2.7")
    assert PAUSED in response.content.decode()

    elsewhere = password_step(Client(), "coordinator@example.org", REMOTE_ADDR="192.0.2.8")
    assert elsewhere.url == reverse("accounts:two-factor-verify")


def test_pause_message_says_at_what_time_to_try_again(cast, client):
    for _ in range(5):
        password_step(client, "volunteer@example.org", "wrong")
    oldest = FailedLogin.objects.order_by("created_at").first().created_at
    until = timezone.localtime(oldest + timedelta(minutes=30))

    response = password_step(client, "volunteer@example.org")

    assert f"at {until:%H:%M}" in response.content.decode()


def test_pause_lifts_once_the_failures_leave_the_window(cast, client):
    for _ in range(5):
        password_step(client, "volunteer@example.org", "wrong")
    FailedLogin.objects.update(created_at=timezone.now() - timedelta(minutes=31))

    response = password_step(client, "volunteer@example.org")

    assert response.url == reverse("accounts:two-factor-verify")


def test_four_failures_still_let_the_right_password_in_and_are_then_forgotten(cast, client):
    for _ in range(4):
        password_step(client, "analyst@example.org", "wrong")

    response = password_step(client, "analyst@example.org")

    assert response.url == reverse("workspace:home")
    assert not FailedLogin.objects.filter(email="analyst@example.org").exists()


def test_failures_older_than_a_day_are_deleted_on_the_next_attempt(cast, client):
    FailedLogin.objects.create(
        email="old@example.org", created_at=timezone.now() - timedelta(days=2)
    )
    FailedLogin.objects.create(email="recent@example.org")

    password_step(client, "volunteer@example.org", "wrong")

    assert set(FailedLogin.objects.values_list("email", flat=True)) == {
        "recent@example.org",
        "volunteer@example.org",
    }


# -- where to go after signing in ----------------------------------------------------------------


def test_next_on_this_site_is_followed_after_both_steps(cast, client):
    target = reverse("workspace:today", kwargs={"site_id": cast.gent_a.pk})
    response = client.post(
        login_url(next=target), {"email": "volunteer@example.org", "password": PASSWORD}
    )
    assert (
        response.url == f"{reverse('accounts:two-factor-verify')}?next={target.replace('/', '%2F')}"
    )

    response = client.post(response.url, {"code": current_code()})

    assert response.url == target


@pytest.mark.parametrize(
    "evil",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_to_another_site_is_ignored(cast, client, evil):
    response = client.post(
        login_url(next=evil), {"email": "analyst@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("workspace:home")


def test_next_to_another_site_is_dropped_at_the_code_step_too(cast, client):
    password_step(client, "volunteer@example.org")
    response = client.post(
        reverse("accounts:two-factor-verify"),
        {"code": current_code(), "next": "https://evil.example/"},
    )
    assert response.url == reverse("workspace:home")


def test_login_page_says_why_when_a_staff_page_sent_someone_there(cast, client):
    response = client.get(reverse("workspace:home"))
    assert response.url.startswith(reverse("accounts:login"))

    page = client.get(response.url).content.decode()

    assert "Please sign in to see this page." in page
    assert "30 minutes without activity" in page


def test_login_page_says_the_session_ran_out_when_asked(client, db):
    page = client.get(login_url(expired="1")).content.decode()
    assert "You were signed out after 30 minutes without activity" in page


def test_login_page_is_translated(client, db):
    page = client.get("/fr/staff/login/").content.decode()
    assert "Se connecter" in page or "Connexion" in page


# -- CSRF ----------------------------------------------------------------------------------------


def test_login_post_without_the_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.get(login_url())
    response = password_step(client, "analyst@example.org")
    assert response.status_code == 403
    assert not is_signed_in(client)


def test_login_post_with_the_token_from_the_form_works(cast):
    client = Client(enforce_csrf_checks=True)
    token = csrf_token_from(client.get(login_url()))
    response = client.post(
        login_url(),
        {"email": "analyst@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert is_signed_in(client)


# -- the platform admin --------------------------------------------------------------------------


def test_platform_admin_past_two_factors_opens_the_admin(cast, client):
    sign_in(client, cast.platform_admin)
    assert client.get("/admin/").status_code == 200


def test_platform_admin_with_the_password_only_does_not_open_the_admin(cast, client):
    client.force_login(cast.platform_admin)
    session = client.session
    start_session(type("Holder", (), {"session": session})())  # type: ignore[arg-type]
    session.save()

    response = client.get("/admin/")

    assert response.status_code == 302
    assert is_signed_in(client), "still signed in: refused for the missing second factor"


def test_organisation_admin_is_sent_away_from_the_admin(cast, client):
    sign_in(client, cast.org_admin)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    onwards = client.get(response.url)
    assert onwards.status_code == 302
    assert "/staff/login/" in onwards.url


def test_django_admin_login_redirects_to_our_login(client, db):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response.url == "/nl/staff/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_django_admin_login_does_not_pass_on_a_foreign_next(client, db):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response.url == "/nl/staff/login/?next=%2Fadmin%2F"


def test_django_admin_login_form_cannot_be_posted_to(cast, client):
    response = client.post(
        "/admin/login/", {"username": "platform@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/membership/",
        "/admin/accounts/invitation/",
        "/admin/audit/auditentry/",
    ],
)
def test_admin_lists_of_people_and_the_audit_trail_open(cast, client, path):
    sign_in(client, cast.platform_admin)
    assert client.get(path).status_code == 200


def test_admin_shows_a_person_without_a_password_field_to_edit(cast, client):
    sign_in(client, cast.platform_admin)
    page = client.get(f"/admin/accounts/user/{cast.volunteer.pk}/change/").content.decode()
    assert 'name="email"' in page
    assert 'name="password"' not in page
    assert "password/" in page  # the link to Django's own change-password form


def test_audit_trail_cannot_be_added_to_changed_or_deleted_in_the_admin(cast, client):
    entry = AuditEntry.objects.create(
        actor_label="x", action="test", object_type="t", object_id="1", object_label="y"
    )
    sign_in(client, cast.platform_admin)
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    change = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "edited"})
    assert change.status_code == 403
    entry.refresh_from_db()
    assert entry.action == "test"


def test_a_membership_changed_in_the_admin_is_written_to_the_audit_trail(cast, client):
    membership = Membership.objects.get(user=cast.volunteer)
    sign_in(client, cast.platform_admin)

    response = client.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {
            "user": cast.volunteer.pk,
            "role": Role.COORDINATOR,
            "organisation": "",
            "site": cast.gent_a.pk,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin_changed")
    assert entry.changes == {"role": ["volunteer", "coordinator"]}
    assert entry.site == cast.gent_a
    assert entry.actor == cast.platform_admin


def test_a_person_added_in_the_admin_gets_a_lowercase_address_and_no_password_yet(cast, client):
    sign_in(client, cast.platform_admin)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "Nieuw.Iemand@Example.org",
            "full_name": "Nieuw Iemand",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(email="nieuw.iemand@example.org")
    assert not person.has_usable_password()
    entry = AuditEntry.objects.get(action="admin_added", object_id=str(person.pk))
    assert "password" not in entry.changes
