"""The personal data of referrals, for the retention run and for requests to see one's data
(`privacy.registry`; registered in `ReferralsConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from privacy.registry import PersonalData, Processing
from referrals.models import Referral

# An open referral keeps its data this many times the referral retention period.
OPEN_REFERRAL_FACTOR = 2


def due(now: datetime, days: int) -> QuerySet[Referral]:
    """Referrals closed more than `days` ago, or open and sent more than twice that long ago."""
    closed_before = now - timedelta(days=days)
    sent_before = now - timedelta(days=days * OPEN_REFERRAL_FACTOR)
    return Referral.objects.filter(erased_at__isnull=True).filter(
        Q(closed_at__lt=closed_before) | Q(closed_at__isnull=True, created_at__lt=sent_before)
    )


def describe(count: int, days: int) -> str:
    return (
        f"{count} referral(s) (closed more than {days} days ago, or open and sent more than "
        f"{days * OPEN_REFERRAL_FACTOR} days ago)"
    )


def kept_until(rows: QuerySet[Referral], days: int) -> dict[int, datetime | None]:
    """When the retention run erases each referral's data: `days` days after it was closed, or
    twice that long after it was sent while nobody closed it."""
    return {
        pk: closed + timedelta(days=days)
        if closed
        else sent + timedelta(days=days * OPEN_REFERRAL_FACTOR)
        for pk, closed, sent in rows.values_list("pk", "closed_at", "created_at")
    }


def retention(days: int) -> str:
    return ngettext(
        "%(days)d day after the referral was closed (%(open)d days after it was sent if nobody "
        "closed it)",
        "%(days)d days after the referral was closed (%(open)d days after it was sent if nobody "
        "closed it)",
        days,
    ) % {"days": days, "open": days * OPEN_REFERRAL_FACTOR}


REFERRALS = PersonalData(
    name="referrals",
    model=Referral,
    fields=("name", "phone", "email", "question"),
    setting="RETENTION_REFERRAL_DAYS",
    due=due,
    describe=describe,
    # The Digipunt's organisation, and the referrer's, which sent the data and follows it.
    held_by=("site__organisation", "organisation"),
    context=(
        ("site__name", _("Digipunt")),
        ("organisation__name", _("referred by")),
        ("theme__code", _("theme")),
    ),
    hidden=("submission",),
    kept_until=kept_until,
    processing=Processing(
        label=_("Referrals"),
        subjects=_(
            "Residents whom a social worker (OCMW/CPAS, VDAB, CAW, a library...) sends to a "
            "Digipunt."
        ),
        purpose=_(
            "So that the Digipunt can contact the resident and help with their question, and the "
            "social worker can see whether they were helped."
        ),
        legal_basis=_("The resident's consent, recorded with the referral (GDPR art. 6(1)(a))."),
        recipients=_(
            "The social worker who referred, the staff and volunteers of the Digipunt, and the "
            "admins of both organisations."
        ),
        retention=retention,
    ),
)
