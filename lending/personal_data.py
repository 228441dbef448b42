"""The personal data of lending, for the retention run and for requests to see one's data
(`privacy.registry`; registered in `LendingConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from lending.models import Borrower, Loan
from privacy.registry import PersonalData


def due(now: datetime, days: int) -> QuerySet[Borrower]:
    """Borrowers whose personal data is due for erasure at `now`: nothing on loan, and no loan
    closed (brought back or lost) in the last `days` days; a borrower who never borrowed, `days`
    days after they were added."""
    cutoff = now - timedelta(days=days)
    loans = Loan.objects.filter(borrower=OuterRef("pk"))
    recent = loans.filter(
        Q(status=Loan.Status.OPEN) | Q(returned_at__gte=cutoff) | Q(lost_at__gte=cutoff)
    )
    return Borrower.objects.filter(erased_at__isnull=True, created_at__lt=cutoff).exclude(
        Exists(recent)
    )


def describe(count: int, days: int) -> str:
    return f"{count} borrower(s) (no loan open or closed in the last {days} days)"


BORROWERS = PersonalData(
    name="borrowers",
    model=Borrower,
    fields=("name", "contact_person", "phone", "email", "postal_code", "eligibility_note"),
    setting="RETENTION_BORROWER_DAYS",
    due=due,
    describe=describe,
)
