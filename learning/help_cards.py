"""Help cards: the step-by-step answers helpers hand out every day, written once by one
organisation and used by every Digipunt.

A card's text is versioned per language (`HelpCardVersion`); publishing a correction adds a
version, so what was sent stays what it was. A helper sends a card's link by SMS or email from
the registration of a visit: nothing is stored but a count (`HelpCardCount`), never the address.
The public page counts its openings per day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import log_action
from core.facts import facts_changed
from learning.models import HelpCard, HelpCardCount, HelpCardVersion
from network.models import Organisation, Theme
from notifications import phones
from notifications.services import notify_rendered

TITLE_MAX = 120
SUMMARY_MAX = 300
STEPS_MAX = 4000
MAX_STEPS = 12


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = " ".join((data.get("title") or "").split())
    summary = " ".join((data.get("summary") or "").split())
    lines = [" ".join(line.split()) for line in (data.get("steps") or "").splitlines()]
    steps = [line for line in lines if line]
    language = data.get("language") or ""
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose Dutch, French or English.")]
    if not title or len(title) > TITLE_MAX:
        errors["title"] = [_("Give a short title, for example “Sign in with itsme”.")]
    if not summary or len(summary) > SUMMARY_MAX:
        errors["summary"] = [_("Say in one sentence what the card helps with.")]
    if not steps:
        errors["steps"] = [_("Write the steps, one per line.")]
    elif len(steps) > MAX_STEPS or sum(len(s) for s in steps) > STEPS_MAX:
        errors["steps"] = [
            _("Keep it to %(max)d short steps: a card fits on one page.") % {"max": MAX_STEPS}
        ]
    checked_on = data.get("checked_on")
    if not isinstance(checked_on, date) or checked_on > timezone.localdate():
        errors["checked_on"] = [_("Give the date you last checked the steps (today or before).")]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "summary": summary,
        "steps": "\n".join(steps),
        "language": language,
        "checked_on": checked_on,
    }


def card_create(
    *, actor: User, organisation: Organisation, theme: Theme | None, data: Mapping[str, Any]
) -> HelpCard:
    """A new card with its first version in one language."""
    cleaned = _clean(data)
    base = slugify(cleaned["title"])[:60] or "card"
    with transaction.atomic():
        slug, n = base, 2
        while HelpCard.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        card = HelpCard.objects.create(organisation=organisation, slug=slug, theme=theme)
        _add_version(card, cleaned, actor)
        log_action(actor=actor, action="help_card.create", target=card, organisation=organisation)
    return card


def card_publish(*, actor: User, card: HelpCard, data: Mapping[str, Any]) -> HelpCardVersion:
    """A new version of `card` in one language (a correction, a new check, a translation)."""
    cleaned = _clean(data)
    with transaction.atomic():
        HelpCard.objects.select_for_update().filter(pk=card.pk).first()
        version = _add_version(card, cleaned, actor)
        log_action(
            actor=actor,
            action="help_card.publish",
            target=card,
            changes={"language": version.language, "version": version.version},
            organisation=card.organisation,
        )
    return version


def _add_version(card: HelpCard, cleaned: dict[str, Any], actor: User | None) -> HelpCardVersion:
    newest = card.versions.filter(language=cleaned["language"]).aggregate(n=Max("version"))["n"]
    return HelpCardVersion.objects.create(
        card=card,
        version=(newest or 0) + 1,
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
        **cleaned,
    )


# --- reads ------------------------------------------------------------------------------------


def current_version(card: HelpCard, language: str) -> HelpCardVersion | None:
    """The newest version in `language`, else in Dutch, else in any language."""
    for wanted in (language, settings.LANGUAGE_CODE, None):
        found = card.versions.all() if wanted is None else card.versions.filter(language=wanted)
        version = found.order_by("-version", "-pk").first()
        if version is not None:
            return version
    return None


def published_cards() -> QuerySet[HelpCard]:
    return (
        HelpCard.objects.filter(is_published=True, versions__isnull=False)
        .select_related("theme", "organisation")
        .distinct()
        .order_by("theme__position", "slug")
    )


def cards_with_titles(language: str) -> list[tuple[HelpCard, HelpCardVersion]]:
    """Every published card with its current version in `language`."""
    rows = []
    for card in published_cards().prefetch_related("versions"):
        version = current_version(card, language)
        if version is not None:
            rows.append((card, version))
    return rows


# --- counts and sending -----------------------------------------------------------------------


def _count(card: HelpCard, field: str) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        _add_one(card, field, today)
        # In the same transaction, after the count: the rollups count this day again.
        facts_changed(HelpCardCount, [HelpCardCount(card=card, day=today)])


def _add_one(card: HelpCard, field: str, today: date) -> None:
    updated = HelpCardCount.objects.filter(card=card, day=today).update(**{field: F(field) + 1})
    if updated:
        return
    try:
        with transaction.atomic():
            HelpCardCount.objects.create(card=card, day=today, **{field: 1})
    except IntegrityError:  # created at the same moment by another request
        HelpCardCount.objects.filter(card=card, day=today).update(**{field: F(field) + 1})


def card_opened(card: HelpCard) -> None:
    _count(card, "opened")


def card_send(
    *, actor: User, card: HelpCard, phone: str, email: str, language: str, site: Any = None
) -> None:
    """Send the card's link to a resident by SMS and/or email, in `language`. The address is
    used for this message only: nothing of it is stored (only a count, and an audit entry
    without it)."""
    errors: dict[str, list[str]] = {}
    phone, email = phones.clean_phone_and_email(
        errors,
        phone,
        email,
        neither=_("Give the resident's mobile number or email address to send the card to."),
    )
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose Dutch, French or English.")]
    if errors:
        raise ValidationError(errors)
    version = current_version(card, language)
    if version is None:
        raise ValidationError(_("This card has no text yet."), code="empty")
    with translation.override(language):
        link = settings.SITE_URL + reverse("learning:card", kwargs={"slug": card.slug})
    with transaction.atomic():
        _count(card, "sent")
        log_action(
            actor=actor,
            action="help_card.send",
            target=card,
            changes={"language": language, "by_sms": bool(phone), "by_email": bool(email)},
            site=site,
        )
        notify_rendered(
            to_email=email,
            to_phone=phone,
            template_base="learning/messages/help_card",
            context={"version": version, "link": link, "site": site},
            language=language,
        )
