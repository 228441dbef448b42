"""Choosing a new password by email: a working link for a known address, and the same answer
for an unknown one."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.cast import PASSWORD, sign_in

NEW_PASSWORD = "seven green bicycles along the Leie"


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


def ask_for_link(client: Client, email: str, lang: str = "en"):
    return client.post(f"/{lang}/staff/password/reset/", {"email": email})


def link_in(message) -> str:
    match = re.search(r"https?://\S+/password/reset/\S+/\S+/", message.body)
    assert match, message.body
    return match[0]


def test_known_address_gets_an_email_with_a_link_that_sets_a_new_password(cast, client, settings):
    settings.SITE_URL = "https://digipunt.example"

    response = ask_for_link(client, "Volunteer@Example.org")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["volunteer@example.org"]
    link = link_in(message)
    assert link.startswith("https://digipunt.example/en/staff/password/reset/")

    form_page = client.get(link.removeprefix("https://digipunt.example"), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done.url == reverse("accounts:password-reset-complete")
    cast.volunteer.refresh_from_db()
    assert cast.volunteer.check_password(NEW_PASSWORD)
    assert not cast.volunteer.check_password(PASSWORD)


def test_unknown_address_gets_the_same_answer_and_no_email(cast, client):
    known = ask_for_link(client, "volunteer@example.org")
    unknown = ask_for_link(Client(), "nobody@example.org")

    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    assert len(mail.outbox) == 1
    done_page = client.get(unknown.url).content.decode()
    assert "If this email address belongs to an account" in done_page


def test_switched_off_account_gets_no_email(cast, client):
    cast.volunteer.is_active = False
    cast.volunteer.save()
    ask_for_link(client, "volunteer@example.org")
    assert mail.outbox == []


def test_reset_link_works_only_once(cast, client):
    ask_for_link(client, "volunteer@example.org")
    link = link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = Client().get("/" + link, follow=True)

    assert again.context["validlink"] is False
    assert "This link does not work" in again.content.decode()


def test_new_password_must_follow_the_password_rules(cast, client):
    ask_for_link(client, "volunteer@example.org")
    link = "/" + link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    set_url = client.get(link, follow=True).redirect_chain[-1][0]

    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    cast.volunteer.refresh_from_db()
    assert cast.volunteer.check_password(PASSWORD)


def test_new_password_ends_the_sessions_signed_in_with_the_old_one(cast, client):
    tablet = sign_in(Client(), cast.org_admin)
    ask_for_link(client, "admin@example.org")
    link = "/" + link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert tablet.get(reverse("workspace:home")).status_code == 302


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nl", "nieuw wachtwoord"), ("fr", "nouveau mot de passe"), ("en", "new password")],
)
def test_email_is_written_in_the_language_of_the_page(cast, client, lang, words):
    ask_for_link(client, "volunteer@example.org", lang=lang)
    message = mail.outbox[0]
    assert words in (message.subject + message.body).lower()
    assert f"/{lang}/staff/password/reset/" in message.body


def test_reset_form_post_without_the_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.get("/en/staff/password/reset/")
    assert ask_for_link(client, "volunteer@example.org").status_code == 403
    assert mail.outbox == []
