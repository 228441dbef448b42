"""The personal data of lending, for the retention run and for requests to see one's data
(`privacy.registry`; registered in `LendingConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lending.models import Booking, Borrower, Hold, Loan
from privacy.registry import PersonalData, Processing


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


def kept_until(rows: QuerySet[Borrower], days: int) -> dict[int, datetime | None]:
    """When the retention run erases each borrower's data: `days` days after their last loan
    closed (or after they were added, if they never borrowed); None while a loan is open."""
    on_loan = Loan.objects.filter(borrower=OuterRef("pk"), status=Loan.Status.OPEN)
    found = rows.order_by().annotate(
        on_loan=Exists(on_loan),
        returned=Max("loans__returned_at"),
        lost=Max("loans__lost_at"),
    )
    return {
        pk: None
        if open_loan
        else max(moment for moment in (added, returned, lost) if moment) + timedelta(days=days)
        for pk, added, open_loan, returned, lost in found.values_list(
            "pk", "created_at", "on_loan", "returned", "lost"
        )
    }


def still_needed(rows: QuerySet[Borrower]) -> QuerySet[Borrower]:
    """Borrowers with a device on loan, set aside or waited for, or devices booked ahead: their
    details are needed until that is over."""
    mine = {"borrower": OuterRef("pk")}
    return rows.filter(
        Exists(Loan.objects.filter(**mine, status=Loan.Status.OPEN))
        | Exists(Hold.objects.filter(**mine, status__in=[Hold.Status.WAITING, Hold.Status.READY]))
        | Exists(
            Booking.objects.filter(
                **mine, status=Booking.Status.BOOKED, ends_on__gte=timezone.localdate()
            )
        )
    )


def retention(days: int) -> str:
    return ngettext(
        "%(days)d day after the last loan ended (never while a device is on loan)",
        "%(days)d days after the last loan ended (never while a device is on loan)",
        days,
    ) % {"days": days}


BORROWERS = PersonalData(
    name="borrowers",
    model=Borrower,
    fields=("name", "contact_person", "phone", "email", "postal_code", "eligibility_note"),
    setting="RETENTION_BORROWER_DAYS",
    due=due,
    describe=describe,
    held_by=("organisation",),
    context=(("organisation__name", _("organisation")),),
    related=("loans", "holds", "bookings"),
    kept_until=kept_until,
    still_needed=still_needed,
    still_needed_reason=_(
        "A device is on loan to them, set aside or booked for them, or they are on a waiting "
        "list: take the device back or cancel first, then erase."
    ),
    processing=Processing(
        label=_("Borrowers of devices"),
        subjects=_("Residents and organisations that borrow a device from a Digipunt."),
        purpose=_(
            "To lend devices: know who has which device, send a reminder before it is due, "
            "and tell the next person waiting that it is their turn."
        ),
        legal_basis=_("The loan agreement the borrower accepts (GDPR art. 6(1)(b))."),
        recipients=_(
            "The staff and volunteers of the lending organisation's Digipunten and its admins. "
            "Messages go out through the platform's email and SMS providers."
        ),
        retention=retention,
    ),
)
