"""Help cards: written by one organisation, used by all; versions per language with a "last
checked" date; public pages by theme; sent by SMS or email after a visit with nothing of the
address kept; opened and sent counted."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from learning import help_cards
from learning.models import HelpCard, HelpCardCount
from network.models import Theme
from tests.cast import signed_in, text, url

pytestmark = pytest.mark.django_db

STEPS = "Open the itsme app.\nType your code.\n\nConfirm."


def write(cast, **data):
    values = {
        "title": "Sign in with itsme",
        "summary": "How to sign in with itsme.",
        "steps": STEPS,
        "language": "en",
        "checked_on": date(2026, 11, 20),
        **data,
    }
    return help_cards.card_create(
        actor=cast.coordinator,
        organisation=cast.gent,
        theme=Theme.objects.get(code="eid-itsme"),
        data=values,
    )


def test_a_card_has_versions_per_language_and_falls_back(cast, clock):
    card = write(cast)
    help_cards.card_publish(
        actor=cast.coordinator,
        card=card,
        data={
            "title": "Aanmelden met itsme",
            "summary": "Zo meld je je aan.",
            "steps": "Open de app.\nBevestig.",
            "language": "nl",
            "checked_on": date(2026, 11, 21),
        },
    )
    fixed = help_cards.card_publish(
        actor=cast.coordinator,
        card=card,
        data={
            "title": "Sign in with itsme",
            "summary": "How to sign in.",
            "steps": "Open the app.\nConfirm.",
            "language": "en",
            "checked_on": date(2026, 11, 22),
        },
    )

    assert fixed.version == 2
    assert help_cards.current_version(card, "en") == fixed
    assert help_cards.current_version(card, "nl").title == "Aanmelden met itsme"
    assert help_cards.current_version(card, "fr").language == "nl"  # Dutch when no French
    assert fixed.step_list == ["Open the app.", "Confirm."]


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", ""), ("steps", "\n".join(["Step."] * 13)), ("checked_on", date(2099, 1, 1))],
)
def test_a_card_that_would_not_fit_or_is_not_checked_is_refused(cast, clock, field, value):
    with pytest.raises(ValidationError) as refused:
        write(cast, **{field: value})

    assert field in refused.value.message_dict
    assert not HelpCard.objects.exists()


def test_the_public_pages_list_by_theme_and_count_openings(client, cast, clock):
    card = write(cast)

    listing = text(client.get("/en/help-cards/"))
    page = client.get(url("learning:card", slug=card.slug))
    client.get(url("learning:card", slug=card.slug), {"paper": "a5"})

    assert "eID and itsme" in listing
    assert "Sign in with itsme" in listing
    assert page.status_code == 200
    assert "Open the itsme app." in text(page)
    assert "Checked on 20 November 2026 by" in text(page)
    assert HelpCardCount.objects.get(card=card).opened == 2


def test_a_helper_sends_a_card_and_nothing_of_the_address_is_kept(
    cast, clock, django_capture_on_commit_callbacks
):
    card = write(cast)
    client = signed_in(cast.volunteer)
    page = url("learning:card-send", site_id=cast.gent_a.pk)
    assert card.slug in client.get(page, {"theme": "eid-itsme"}).content.decode()

    refused = client.post(page, {"card": card.slug, "phone": "12", "language": "en"})
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            page, {"card": card.slug, "email": "resident@example.org", "language": "en"}
        )

    assert sent.status_code == 302
    [message] = mail.outbox
    assert f"/en/help-cards/{card.slug}/" in message.body
    assert HelpCardCount.objects.get(card=card).sent == 1
    entry = AuditEntry.objects.get(action="help_card.send")
    assert "resident@example.org" not in str(entry.changes) + entry.object_label
    assert "resident@example.org" not in str(list(HelpCardCount.objects.values()))


def test_another_organisations_card_is_used_not_changed(cast, clock):
    card = write(cast)
    theirs = signed_in(cast.other_coordinator)
    aalst = cast.aalst.pk

    assert card.slug in theirs.get(url("learning:cards-staff", site_id=aalst)).content.decode()
    edit = url("learning:card-edit", site_id=aalst, card_id=card.pk)
    assert theirs.get(edit).status_code == 404


def test_a_registration_page_offers_to_send_a_card(cast):
    from tests.questions.registration import form_data

    client = signed_in(cast.volunteer)
    page = url("questions:contact-new", site_id=cast.gent_a.pk)
    client.post(page, form_data("eid-itsme"))

    assert "help-cards/send/?theme=eid-itsme" in client.get(page).content.decode()
