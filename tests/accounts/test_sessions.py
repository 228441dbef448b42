"""Staff sessions on shared computers: idle and absolute expiry, signing out, and signing out
everywhere."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.sessions import SESSION_LAST_SEEN, SESSION_STARTED
from audit.models import AuditEntry
from tests.cast import is_signed_in, sign_in

MINUTE = 60
HOUR = 60 * MINUTE


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Fast hashes for the cast (see test_login.py)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _english():
    """The pages in English (/en/...), so that tests can read the messages."""
    translation.activate("en")


def staff_home() -> str:
    return reverse("workspace:home")


def set_clock(client: Client, *, started_ago: float, last_seen_ago: float) -> None:
    now = time.time()
    session = client.session
    session[SESSION_STARTED] = int(now - started_ago)
    session[SESSION_LAST_SEEN] = int(now - last_seen_ago)
    session.save()


def csrf_token_from(response) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    assert match, "the page has no CSRF token"
    return match[1].decode()


# -- idle and absolute expiry --------------------------------------------------------------------


def test_session_used_29_minutes_ago_still_works(cast, client):
    sign_in(client, cast.org_admin)
    set_clock(client, started_ago=2 * HOUR, last_seen_ago=29 * MINUTE)

    assert client.get(staff_home()).status_code == 200


def test_session_idle_for_more_than_30_minutes_ends(cast, client):
    sign_in(client, cast.org_admin)
    set_clock(client, started_ago=2 * HOUR, last_seen_ago=31 * MINUTE)

    response = client.get(staff_home())

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not is_signed_in(client)
    notice = client.get(response.url).content.decode()
    assert "30 minutes without activity" in notice


def test_session_ends_after_12_hours_even_when_in_use(cast, client):
    sign_in(client, cast.org_admin)
    set_clock(client, started_ago=12 * HOUR + MINUTE, last_seen_ago=MINUTE)

    response = client.get(staff_home())

    assert response.url.startswith(reverse("accounts:login"))
    assert not is_signed_in(client)


def test_session_of_11_hours_in_use_still_works(cast, client):
    sign_in(client, cast.org_admin)
    set_clock(client, started_ago=11 * HOUR, last_seen_ago=MINUTE)
    assert client.get(staff_home()).status_code == 200


def test_activity_moves_the_idle_clock(cast, client):
    sign_in(client, cast.org_admin)
    set_clock(client, started_ago=HOUR, last_seen_ago=20 * MINUTE)

    client.get(staff_home())

    assert time.time() - client.session[SESSION_LAST_SEEN] < MINUTE


# -- signing out ---------------------------------------------------------------------------------


def test_logout_by_get_only_asks_and_keeps_the_session(cast, client):
    sign_in(client, cast.org_admin)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert is_signed_in(client)
    assert client.get(staff_home()).status_code == 200


def test_logout_by_post_signs_out(cast, client):
    sign_in(client, cast.org_admin)

    response = client.post(reverse("accounts:logout"), follow=True)

    assert not is_signed_in(client)
    assert "You are signed out." in response.content.decode()
    assert client.get(staff_home()).status_code == 302


def test_logout_post_without_the_csrf_token_is_refused(cast):
    client = sign_in(Client(enforce_csrf_checks=True), cast.org_admin)
    client.get(reverse("accounts:logout"))

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 403
    assert is_signed_in(client)


def test_logout_post_with_the_token_from_the_staff_menu_works(cast):
    client = sign_in(Client(enforce_csrf_checks=True), cast.org_admin)
    token = csrf_token_from(client.get(staff_home()))

    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert not is_signed_in(client)


def test_log_out_everywhere_ends_the_sessions_on_other_computers(cast):
    tablet = sign_in(Client(), cast.org_admin)
    laptop = sign_in(Client(enforce_csrf_checks=True), cast.org_admin)
    assert tablet.get(staff_home()).status_code == 200
    token = csrf_token_from(laptop.get(reverse("accounts:logout")))

    response = laptop.post(reverse("accounts:logout-everywhere"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert not is_signed_in(laptop)
    on_tablet = tablet.get(staff_home())
    assert on_tablet.status_code == 302
    assert on_tablet.url.startswith(reverse("accounts:login"))
    assert not is_signed_in(tablet)
    cast.org_admin.refresh_from_db()
    assert cast.org_admin.sessions_valid_after is not None
    assert AuditEntry.objects.filter(action="signed_out_everywhere").count() == 1


def test_log_out_everywhere_leaves_other_people_signed_in(cast):
    colleague = sign_in(Client(), cast.coordinator)
    me = sign_in(Client(), cast.org_admin)

    me.post(reverse("accounts:logout-everywhere"))

    assert colleague.get(staff_home(), follow=True).status_code == 200
    assert is_signed_in(colleague)


def test_log_out_everywhere_needs_post(cast, client):
    sign_in(client, cast.org_admin)
    assert client.get(reverse("accounts:logout-everywhere")).status_code == 405
    assert is_signed_in(client)


def test_password_alone_cannot_log_the_owner_out_everywhere(cast, client):
    """Someone who only has the password (no second factor) is signed out, nobody else."""
    owner = sign_in(Client(), cast.volunteer)
    client.force_login(cast.volunteer)
    session = client.session
    session[SESSION_STARTED] = session[SESSION_LAST_SEEN] = int(time.time())
    session.save()

    client.post(reverse("accounts:logout-everywhere"))

    assert not is_signed_in(client)
    cast.volunteer.refresh_from_db()
    assert cast.volunteer.sessions_valid_after is None
    assert is_signed_in(owner)
    assert owner.get(staff_home(), follow=True).status_code == 200
