"""What the platform says about personal data: the retention periods and the register of
processing for admins, the privacy notice for everyone (nl/fr/en), and docs/privacy.md, all made
from the registry and the configured retention periods."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from privacy.registry import personal_data
from tests.cast import signed_in, text, url

pytestmark = pytest.mark.django_db

DAYS = {
    "RETENTION_APPOINTMENT_DAYS": 31,
    "RETENTION_REFERRAL_DAYS": 92,
    "RETENTION_BORROWER_DAYS": 367,
    "RETENTION_PARTICIPANT_DAYS": 64,
}


@pytest.fixture
def periods(settings) -> dict[str, int]:
    for name, days in DAYS.items():
        setattr(settings, name, days)
    return DAYS


def test_every_kind_of_data_has_its_setting_here():
    assert {entry.setting for entry in personal_data} == set(DAYS)


def test_admins_see_each_retention_setting_and_its_value(cast, periods):
    response = signed_in(cast.org_admin).get(url("privacy:retention"))

    page = text(response)
    assert response.status_code == 200
    for entry in personal_data:
        assert entry.setting in page
        assert f"<td>{periods[entry.setting]}</td>" in page
    assert "31 days after the appointment" in page
    assert "92 days after the referral was closed (184 days after it was sent" in page
    assert "Name, phone and email are erased. The rest of the record stays" in page


def test_the_register_of_processing_says_what_why_and_how_long(cast, periods):
    response = signed_in(cast.org_admin).get(url("privacy:register"))

    page = text(response)
    assert response.status_code == 200
    assert "Stad Gent" in page
    assert "Bibliotheek Aalst" not in page
    for entry in personal_data:
        processing = entry.processing
        for said in (processing.label, processing.purpose, processing.legal_basis):
            assert str(said) in page
    assert "367 days after the last loan ended" in page
    assert "GDPR art. 6(1)(a)" in page  # a referral: the resident's consent


@pytest.mark.parametrize(
    ("lang", "title", "appointments", "courses"),
    [
        (
            "nl",
            "Privacy: wat een Digipunt over je bijhoudt",
            "31 dagen na de afspraak",
            "64 dagen na het einde van de cursus",
        ),
        (
            "fr",
            "Vie privée : ce qu'un Digipunt garde à votre sujet",
            "31 jours après le rendez-vous",
            "64 jours après la fin du cours",
        ),
        (
            "en",
            "Privacy: what a Digipunt keeps about you",
            "31 days after the appointment",
            "64 days after the course ended",
        ),
    ],
)
def test_the_privacy_notice_speaks_each_language_with_the_configured_days(
    client, periods, lang, title, appointments, courses
):
    response = client.get(url("privacy:notice", lang))

    page = text(response)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in page
    assert title in page
    assert appointments in page
    assert courses in page
    assert "367" in page
    assert "92" in page


def test_every_public_page_links_to_the_privacy_notice(client, territory):
    for lang in ("nl", "fr", "en"):
        response = client.get(url("network:home", lang))

        assert f'href="{url("privacy:notice", lang)}"' in response.content.decode()


def test_the_privacy_notice_is_a_cacheable_public_page(client):
    response = client.get(url("privacy:notice"))

    assert "public" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "referrer", "analyst", "outsider"])
@pytest.mark.parametrize("view", ["privacy:requests", "privacy:retention", "privacy:register"])
def test_only_admins_see_the_privacy_pages(cast, role, view):
    response = signed_in(cast.by_role()[role]).get(url(view))

    assert response.status_code == 404


def test_the_staff_home_links_the_admin_to_privacy_requests(cast):
    response = signed_in(cast.org_admin).get(url("workspace:home"))

    assert url("privacy:requests") in response.content.decode()


def test_docs_privacy_md_holds_the_register_for_the_default_periods(settings, capsys):
    """docs/privacy.md shows `manage.py privacy_register` with the default settings: run it and
    paste its output there when a kind of personal data or its description changes."""
    for name, days in {
        "RETENTION_APPOINTMENT_DAYS": 30,
        "RETENTION_REFERRAL_DAYS": 90,
        "RETENTION_BORROWER_DAYS": 365,
        "RETENTION_PARTICIPANT_DAYS": 60,
    }.items():
        setattr(settings, name, days)

    call_command("privacy_register")

    docs = (Path(django_settings.BASE_DIR) / "docs" / "privacy.md").read_text()
    assert capsys.readouterr().out in docs
