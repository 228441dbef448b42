"""Writes on referrals: a referrer sends a resident to a Digipunt; the site records how it went.

Each service takes the acting user, checks that they may act (the views check first; the service
checks again, so no other caller can skip it), validates, writes in one transaction and appends
one audit entry. The audit entry never holds the resident's name, phone, email or question: only
the reference, the site, the theme, the language and the status. The site hears of a new referral
by email after the commit (`notifications.services.notify`), again without personal data: the
staff read it in the inbox, behind their sign-in and second factor.

Invalid input raises `django.core.exceptions.ValidationError` keyed by form field, so the form
shows every problem next to its field, with what the referrer typed still there.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import Can, organisations_for, sites_for
from audit.services import log_action
from core.fields import max_length
from core.references import new_reference
from network.models import LANGUAGE_NAMES, Organisation, Site, Theme
from notifications.phones import clean_phone_and_email
from notifications.services import notify, render_message
from referrals.models import Referral

NAME_MAX_LENGTH = max_length(Referral, "name")
QUESTION_MAX_LENGTH = max_length(Referral, "question")
REFERENCE_ATTEMPTS = 5
NEW_REFERRAL_MESSAGE = "referrals/messages/new_referral"


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _cleaned_person(
    errors: dict[str, list[str]], name: str, phone: str, email: str, question: str
) -> tuple[str, str, str, str]:
    name, question = name.strip(), question.strip()
    if not name:
        _add(errors, "name", _("Write the resident's name, so the Digipunt knows whom to call."))
    elif len(name) > NAME_MAX_LENGTH:
        _add(
            errors, "name", _("Keep the name under %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        )
    phone, email = clean_phone_and_email(
        errors,
        phone,
        email,
        neither=_(
            "Give a phone number or an email address, so the Digipunt can reach the resident."
        ),
    )
    if len(question) > QUESTION_MAX_LENGTH:
        _add(
            errors,
            "question",
            _("Keep the question under %(max)d characters (now %(count)d).")
            % {"max": QUESTION_MAX_LENGTH, "count": len(question)},
        )
    return name, phone, email, question


def referral_create(
    *,
    actor: User,
    organisation: Organisation,
    site: Site,
    name: str,
    phone: str,
    email: str,
    question: str,
    theme: Theme | None,
    language: str,
    consent: bool,
    submission: uuid.UUID | None = None,
) -> Referral:
    """Send a resident, with their consent, from `organisation` to the Digipunt `site`.

    The actor must be allowed to refer for `organisation` (PermissionDenied otherwise). The site
    must be published and offer help with digital questions. The resident's consent is required:
    without it nothing is stored. A name, and a phone number or an email address, are required;
    the phone number is stored as E.164. Returns the new referral (status "new"); the site gets
    an email without personal data after the commit, when it has an email address.

    `submission` is the one-time key of the form: sent again (a double click, even at the same
    moment), it raises `AlreadySent` with the referral stored the first time.
    """
    if not organisations_for(actor, Can.REFER).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not consent:
        _add(
            errors,
            "consent",
            _(
                "Ask the resident first. Without their consent we cannot pass on their name, "
                "phone number and question."
            ),
        )
    name, phone, email, question = _cleaned_person(errors, name, phone, email, question)
    if language not in LANGUAGE_NAMES:
        _add(errors, "language", _("Choose a language from the list."))
    if not (site.is_published and site.offers_help):
        _add(errors, "__all__", _("This Digipunt does not take referrals. Choose another one."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                referral = Referral(
                    reference=new_reference("R-"),
                    site=site,
                    organisation=organisation,
                    referrer=actor if actor.pk else None,
                    theme=theme,
                    language=language,
                    name=name,
                    phone=phone,
                    email=email,
                    question=question,
                    consent_at=now,
                    submission=submission,
                )
                referral.full_clean(exclude=["reference", "submission"])  # both: the database
                referral.save()
                log_action(
                    actor=actor,
                    action="referral.created",
                    target=referral,
                    site=site,
                    # The sending organisation reads it in its trail too (site__organisation
                    # brings it into the trail of the site's organisation).
                    organisation=organisation,
                    # Every field, also an empty theme ([None, None]): the trail of a creation
                    # lists all it was created with. No personal data here.
                    changes={
                        "reference": [None, referral.reference],
                        "site": [None, site.name],
                        "theme": [None, theme.code if theme else None],
                        "language": [None, language],
                    },
                )
                _notify_site_after_commit(referral)
        except IntegrityError:
            if submission is not None:
                earlier = Referral.objects.filter(submission=submission).first()
                if earlier is not None:
                    _refuse_submission_again(actor, earlier)
            # Most likely the reference was taken in the meantime: try another one.
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
            continue
        return referral
    raise AssertionError("unreachable")  # pragma: no cover


class AlreadySent(Exception):
    """The referral with this submission key was stored before; nothing was stored again."""

    def __init__(self, referral: Referral) -> None:
        super().__init__(f"referral {referral.reference} was sent already")
        self.referral = referral


def _refuse_submission_again(actor: User, earlier: Referral) -> None:
    if earlier.referrer_id is not None and earlier.referrer_id == actor.pk:
        raise AlreadySent(earlier)
    # Someone else's key (forged or copied): say nothing about what it sent.
    raise ValidationError(
        {"__all__": _("This form was already used. Open a new form and try again.")},
        code="submission_reused",
    )


def _notify_site_after_commit(referral: Referral) -> None:
    """An email to the site that a referral waits in its inbox: a link, no personal data."""
    site = referral.site
    if not site.email:
        return
    language = (site.language_codes or [settings.LANGUAGE_CODE])[0]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        link = settings.SITE_URL + reverse("referrals:inbox", kwargs={"site_id": site.pk})
    subject, body = render_message(
        NEW_REFERRAL_MESSAGE,
        {"site_name": site.name, "reference": referral.reference, "link": link},
        language,
    )
    notify(to_email=site.email, subject=subject, body=body)


def referral_set_status(*, actor: User, referral: Referral, status: str) -> Referral:
    """Record how a referral went: new, contacted, helped or not reachable, in any order.

    Only people who handle the referrals of `referral.site` may (PermissionDenied otherwise).
    Helped and not reachable close the referral (`closed_at`, from which the retention run
    counts); moving back to new or contacted reopens it. Moving between the two closed statuses
    keeps the first closing time, so a correction does not keep the personal data longer. The
    same status again changes nothing and writes no audit entry.
    """
    if status not in Referral.Status.values:
        raise ValidationError({"status": _("Choose one of the statuses.")}, code="invalid_status")
    if not sites_for(actor, Can.HANDLE_REFERRALS).filter(pk=referral.site_id).exists():
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("site")
            .get(pk=referral.pk)
        )
        old = locked.status
        if old == status:
            return locked
        now = timezone.now()
        locked.status = status
        locked.status_changed_at = now
        if status in Referral.CLOSED:
            if old not in Referral.CLOSED:
                locked.closed_at = now
        else:
            locked.closed_at = None
        locked.save(update_fields=["status", "status_changed_at", "closed_at"])
        log_action(
            actor=actor,
            action="referral.status_changed",
            target=locked,
            site=locked.site,
            changes={"status": [old, status]},
        )
    return locked
