"""Helpers for the contact registration tests: URLs on the English pages, form data, contacts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from network.models import Site, Theme
from questions.models import Concern, Contact
from questions.services import ContactInput, QuestionInput, contact_register


def theme(code: str = "eid-itsme") -> Theme:
    return Theme.objects.get(code=code)


def concern(code: str = "itsme") -> Concern:
    return Concern.objects.get(code=code)


def form_data(theme_code: str = "eid-itsme", **changes: Any) -> dict[str, Any]:
    """What the registration form posts when a helper only chooses a theme, `changes` on top."""
    data: dict[str, Any] = {
        "theme": theme(theme_code).pk,
        "concern": "",
        "outcome": "solved",
        "referred_to": "",
        "channel": "walk_in",
        "duration": "15-30",
        "people": "1",
        "note": "",
        "form_token": uuid.uuid4().hex,
    }
    for n in (2, 3):
        data.update(
            {f"theme_{n}": "", f"concern_{n}": "", f"outcome_{n}": "solved", f"referred_to_{n}": ""}
        )
    data.update(changes)
    return data


def register(
    person: User, site: Site, theme_code: str = "eid-itsme", **fields: Any
) -> list[Contact]:
    """Contacts registered through the service, as the form would."""
    data = ContactInput(
        channel=fields.pop("channel", "walk_in"),
        duration=fields.pop("duration", "15-30"),
        questions=fields.pop("questions", None) or [QuestionInput(theme(theme_code), "solved")],
        **fields,
    )
    return contact_register(actor=person, site=site, data=data)


def age(contact: Contact, hours: float) -> Contact:
    """Pretend `contact` was entered `hours` ago (created_at is set on insert)."""
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    contact.refresh_from_db()
    return contact


def matrix_contact(cast: Any, *, other_org: bool = False) -> dict[str, object]:
    """URL kwargs of a fresh contact for tests/test_role_url_matrix.py: the volunteer's own at
    gent_a (only they may open it), or one of the other organisation's coordinator at Aalst."""
    person, site = (
        (cast.other_coordinator, cast.aalst) if other_org else (cast.volunteer, cast.gent_a)
    )
    [contact] = register(person, site)
    return {"site_id": site.pk, "contact_id": contact.pk}
