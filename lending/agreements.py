"""The loan agreement: versions an organisation writes, in Dutch, French and English, of which
each loan records the one its borrower accepted.

A version is never changed. The first time an organisation lends (or opens its rules), version 1
is stored with the platform's standard text (`templates/lending/agreement/standard.txt`, in the
three languages), so that every version a borrower accepted is kept word for word; an
organisation admin publishes its own text as the next version. A lending form names the version
it showed, and the checkout refuses it when a newer one was published in between.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import log_action
from lending.models import LoanAgreement
from network.models import Organisation

LANGUAGES = ("nl", "fr", "en")
TEXT_MAX_LENGTH = 6000


def standard_text(organisation: Organisation, language: str) -> str:
    with translation.override(language):
        text = render_to_string("lending/agreement/standard.txt", {"organisation": organisation})
    return "\n\n".join(part.strip() for part in text.split("\n\n") if part.strip())


def agreement_current(organisation: Organisation) -> LoanAgreement:
    """The version borrowers accept now: the newest, or version 1 (the standard text), stored
    now when the organisation has none yet."""
    found = LoanAgreement.objects.filter(organisation=organisation).order_by("-version").first()
    if found is not None:
        return found
    texts = {f"text_{code}": standard_text(organisation, code) for code in LANGUAGES}
    try:
        with transaction.atomic():
            return LoanAgreement.objects.create(
                organisation=organisation, version=1, created_at=timezone.now(), **texts
            )
    except IntegrityError:  # stored by a request at the same moment
        return LoanAgreement.objects.get(organisation=organisation, version=1)


def agreement_version(organisation: Organisation, version: int) -> LoanAgreement | None:
    return LoanAgreement.objects.filter(organisation=organisation, version=version).first()


def agreement_publish(
    *, actor: User, organisation: Organisation, texts: dict[str, str]
) -> LoanAgreement:
    """Publish a new version of the organisation's agreement (`texts` by language code); the
    loans made so far keep theirs. Refused when a language is missing or too long, and when
    nothing changed."""
    cleaned = {code: (texts.get(code) or "").strip().replace("\r\n", "\n") for code in LANGUAGES}
    errors: dict[str, list[str]] = {}
    for code in LANGUAGES:
        if not cleaned[code]:
            errors[f"text_{code}"] = [_("Write the agreement in this language too.")]
        elif len(cleaned[code]) > TEXT_MAX_LENGTH:
            errors[f"text_{code}"] = [
                _("Keep it under %(max)d characters: short texts get read.")
                % {"max": TEXT_MAX_LENGTH}
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One publication at a time per organisation: its row is the lock, taken before the
        # newest version is read.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        latest = agreement_current(organisation)
        if all(latest.text_in(code) == cleaned[code] for code in LANGUAGES):
            raise ValidationError(
                _("This is the text of the current version: nothing to publish."), code="same"
            )
        agreement = LoanAgreement.objects.create(
            organisation=organisation,
            version=latest.version + 1,
            created_at=timezone.now(),
            created_by=actor,
            **{f"text_{code}": cleaned[code] for code in LANGUAGES},
        )
        log_action(
            actor=actor,
            action="lending.agreement",
            target=agreement,
            changes={"version": agreement.version},
            organisation=organisation,
        )
    return agreement
