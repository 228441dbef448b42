"""Reminders through the notification service: two days before, on the day, 7 and 21 days
overdue, each once, in the borrower's language; a renewal starts again. The message after a
checkout carries the private link. Staff follow up overdue loans on a list of their own."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from lending import services
from lending.models import Loan
from lending.reminders import Stage, loans_send_reminders, stage_for
from notifications.sms import outbox as sms_outbox
from tests import factories
from tests.cast import signed_in, text, url
from tests.lending.helpers import borrower, device, lend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

BRUSSELS = ZoneInfo("Europe/Brussels")


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("days_to_due", "stage"),
    [
        (5, Stage.NONE),
        (3, Stage.NONE),
        (2, Stage.DUE_SOON),
        (1, Stage.DUE_SOON),
        (0, Stage.DUE_TODAY),
        (-1, Stage.NONE),
        (-6, Stage.NONE),
        (-7, Stage.OVERDUE_7),
        (-20, Stage.OVERDUE_7),
        (-21, Stage.OVERDUE_21),
        (-60, Stage.OVERDUE_21),
    ],
)
def test_the_reminder_that_fits_a_day(days_to_due, stage):
    today = date(2026, 12, 7)
    assert stage_for(today + timedelta(days=days_to_due), today) == stage


@pytest.fixture
def loan(clock):
    site = factories.site(name="Digipunt Kouter")
    who = borrower(site, "Marie", email="marie@example.org", phone="", language="fr")
    lent, _token = lend(None, site, device(site, "LAP-1"), who)
    return lent


def sent_on(day: date, django_capture_on_commit_callbacks) -> int:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return loans_send_reminders(now=morning(day))


def test_each_reminder_goes_once_on_its_day(loan, django_capture_on_commit_callbacks):
    due = loan.due_on
    expected = {
        due - timedelta(days=3): 0,
        due - timedelta(days=2): 1,  # due soon
        due - timedelta(days=1): 0,  # already had "due soon"
        due: 1,  # due today
        due + timedelta(days=1): 0,
        due + timedelta(days=7): 1,
        due + timedelta(days=8): 0,
        due + timedelta(days=21): 1,
        due + timedelta(days=40): 0,  # after three weeks, staff follow up
    }
    seen = {day: sent_on(day, django_capture_on_commit_callbacks) for day in expected}

    assert seen == expected
    loan.refresh_from_db()
    assert loan.reminder_stage == Stage.OVERDUE_21


def test_a_reminder_is_in_the_borrowers_language_and_says_the_date(
    loan, django_capture_on_commit_callbacks
):
    sent_on(loan.due_on, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["marie@example.org"]
    assert "aujourd’hui" in message.body or "aujourd'hui" in message.body
    assert "Digipunt Kouter" in message.body

    sent_on(loan.due_on + timedelta(days=7), django_capture_on_commit_callbacks)
    [late] = mail.outbox
    assert "7" in late.body


def test_missed_runs_send_only_the_reminder_that_fits_today(
    loan, django_capture_on_commit_callbacks
):
    assert sent_on(loan.due_on + timedelta(days=9), django_capture_on_commit_callbacks) == 1
    loan.refresh_from_db()
    assert loan.reminder_stage == Stage.OVERDUE_7
    assert len(mail.outbox) == 1


def test_a_renewal_starts_the_reminders_again(loan, clock, django_capture_on_commit_callbacks):
    sent_on(loan.due_on, django_capture_on_commit_callbacks)
    clock.now = morning(loan.due_on)

    renewed = services.loan_renew(actor=None, loan=loan)

    assert renewed.reminder_stage == Stage.NONE
    assert renewed.reminded_at is None
    assert sent_on(renewed.due_on - timedelta(days=1), django_capture_on_commit_callbacks) == 1


def test_closed_loans_and_erased_borrowers_get_nothing(loan, django_capture_on_commit_callbacks):
    services.loan_return(actor=None, loan=loan, accessories_back=["charger"], condition="good")

    assert sent_on(loan.due_on, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_the_command_runs_the_reminders(loan, clock, capsys, django_capture_on_commit_callbacks):
    clock.now = morning(loan.due_on)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_loan_reminders")

    assert "Sent 1 loan reminder(s)." in capsys.readouterr().out


def test_a_reminder_by_sms_is_short(clock, django_capture_on_commit_callbacks):
    site = factories.site()
    who = borrower(site, "Jan", phone="+32470123456", language="nl")
    loan, _token = lend(None, site, device(site, "TAB-1"), who)
    sms_outbox.clear()

    sent_on(loan.due_on - timedelta(days=2), django_capture_on_commit_callbacks)

    [sms] = sms_outbox
    assert sms.to == "+32470123456"
    assert "terug" in sms.body
    assert len(sms.body) <= 160


# --- the message after a checkout ------------------------------------------------------------


def test_the_borrower_gets_the_private_link_after_a_checkout(
    cast, django_capture_on_commit_callbacks
):
    device(cast.gent_a, "LAP-001")
    who = borrower(cast.gent_a, "Ahmed", email="ahmed@example.org", phone="", language="en")
    client = signed_in(cast.volunteer)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            url("lending:checkout", site_id=cast.gent_a.pk),
            {"tag": "LAP-001", "borrower": who.pk, "agreement": "on"},
        )

    assert page.status_code == 200
    [message] = mail.outbox
    link = re.search(r"https?://\S+/en/loans/\S+/", message.body).group(0)
    loan = Loan.objects.get()
    assert loan.due_on.strftime("%-d") in message.body
    private = client.get(urlsplit(link).path)
    assert private.status_code == 200
    assert "LAP-001" in text(private)


# --- the follow-up list ----------------------------------------------------------------------


def overdue_loan(cast, clock, days: int = 10) -> Loan:
    item = device(cast.gent_a, "LAP-LATE")
    loan, _token = lend(None, cast.gent_a, item, borrower(cast.gent_a, "Marie Peeters"))
    clock.now = morning(loan.due_on + timedelta(days=days))
    return loan


def test_staff_see_the_overdue_loans_and_note_the_follow_up(cast, clock):
    loan = overdue_loan(cast, clock)
    device(cast.gent_a, "LAP-ONTIME")
    client = signed_in(cast.volunteer)

    page = text(client.get(url("lending:follow-up", site_id=cast.gent_a.pk)))
    assert "LAP-LATE" in page
    assert "10 days overdue" in page
    assert "+32470123456" in page
    assert "LAP-ONTIME" not in page

    done = client.post(
        url("lending:loan-action", site_id=cast.gent_a.pk, loan_id=loan.pk, action="follow-up"),
        {"note": "Called, brings it Friday"},
        follow=True,
    )
    assert "Called, brings it Friday" in text(done)
    loan.refresh_from_db()
    assert loan.followed_up_by == cast.volunteer
    today = text(client.get(url("workspace:today", site_id=cast.gent_a.pk)))
    assert "1 overdue loan to follow up" in today


def test_a_follow_up_note_with_a_phone_number_is_refused_and_kept(cast, clock):
    loan = overdue_loan(cast, clock)
    client = signed_in(cast.volunteer)

    refused = client.post(
        url("lending:loan-action", site_id=cast.gent_a.pk, loan_id=loan.pk, action="follow-up"),
        {"note": "Call her daughter on 0475 12 34 56"},
    )

    assert refused.status_code == 400
    assert "phone number" in text(refused)
    assert "Call her daughter on 0475 12 34 56" in refused.content.decode()
    loan.refresh_from_db()
    assert loan.follow_up_note == ""


def test_a_follow_up_of_a_loan_brought_back_meanwhile_says_why_it_was_not_noted(cast, clock):
    loan = overdue_loan(cast, clock)
    services.loan_return(actor=None, loan=loan, accessories_back=["charger"], condition="good")
    client = signed_in(cast.volunteer)

    response = client.post(
        url("lending:loan-action", site_id=cast.gent_a.pk, loan_id=loan.pk, action="follow-up"),
        {"note": "Called"},
        follow=True,
    )

    assert "This loan is already closed." in text(response)
