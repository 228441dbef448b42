"""The personal data of referrals, for the retention run and for requests to see one's data
(`privacy.registry`; registered in `ReferralsConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from privacy.registry import PersonalData
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


REFERRALS = PersonalData(
    name="referrals",
    model=Referral,
    fields=("name", "phone", "email", "question"),
    setting="RETENTION_REFERRAL_DAYS",
    due=due,
    describe=describe,
)
