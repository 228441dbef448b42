"""The reminders of a loan: two days before its date, on the day, and when it is 7 and 21 days
overdue, the borrower gets a message (email and/or SMS, in their language) through the
notification service.

`manage.py send_loan_reminders` runs `loans_send_reminders` once a day (in the morning). Each loan
records the last reminder it had (`Loan.reminder_stage`), so a second run the same day sends
nothing again, and a run that was missed for a few days sends only the one that fits the day, not
every one it missed. A renewal moves the date and starts again from none.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from lending import borrower_messages
from lending.models import Loan

DUE_SOON_DAYS = 2


Stage = Loan.Reminder


def stage_for(due_on: date, today: date) -> Stage:
    """The reminder that fits `today` for a loan due on `due_on` (NONE: no reminder fits)."""
    days = (due_on - today).days
    if days <= -21:
        return Stage.OVERDUE_21
    if days <= -7:
        return Stage.OVERDUE_7
    if days == 0:
        return Stage.DUE_TODAY
    if 0 < days <= DUE_SOON_DAYS:
        return Stage.DUE_SOON
    return Stage.NONE


def loans_send_reminders(*, now: datetime) -> int:
    """Send each open loan the reminder that fits today, when it has not had it (or a later
    one) yet; returns how many were sent. A borrower without a phone or email, or whose data
    was erased, gets none (the staff's follow-up list shows the loan). Not audited: it changes
    nothing a person decided."""
    today = timezone.localdate(now)
    candidates = list(
        Loan.objects.filter(
            status=Loan.Status.OPEN,
            due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
            reminder_stage__lt=Stage.OVERDUE_21,
        ).values_list("pk", "due_on", "reminder_stage")
    )
    sent = 0
    for pk, due_on, stage in candidates:
        fits = stage_for(due_on, today)
        if fits <= stage:
            continue
        with transaction.atomic():
            loan = (
                Loan.objects.select_for_update(of=("self",))
                .select_related("borrower", "device", "site")
                .filter(pk=pk, status=Loan.Status.OPEN, due_on=due_on, reminder_stage=stage)
                .first()
            )
            if loan is None:  # renewed, brought back or reminded meanwhile
                continue
            loan.reminder_stage = fits
            loan.reminded_at = now
            loan.save(update_fields=["reminder_stage", "reminded_at"])
            context = {
                "loan": loan,
                "device": loan.device,
                "stage": fits.name.lower(),
                "days_overdue": max((today - due_on).days, 0),
            }
            if borrower_messages.tell(loan.borrower, "reminder", loan.site, context):
                sent += 1
    return sent
