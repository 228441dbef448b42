"""The retention run erases residents' personal data when it is due, and nothing else."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from appointments.models import Appointment, Slot
from audit.models import AuditEntry
from network.models import Site
from privacy.retention import personal_data_purge
from referrals.models import Referral
from tests import factories
from tests.referrals.helpers import stored_referral

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 3, 15, tzinfo=ZoneInfo("Europe/Brussels"))
_numbers = itertools.count(1)


def appointment(site: Site, starts_at: datetime, **fields: object) -> Appointment:
    """An appointment with its slot, written straight to the database."""
    n = next(_numbers)
    slot = Slot.objects.create(
        site=site,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        capacity=1,
        booked=1,
    )
    values: dict[str, object] = {
        "reference": f"A{n:05d}",
        "token_hash": f"{n:064d}",
        "site": site,
        "slot": slot,
        "starts_at": starts_at,
        "name": "Marie Peeters",
        "phone": "+32470123456",
        "email": "marie@example.org",
    }
    values.update(fields)
    return Appointment.objects.create(**values)


def referral(cast, *, created: datetime, closed: datetime | None = None, **fields) -> Referral:
    made = stored_referral(
        cast.gent_a,
        cast.gent,
        cast.referrer,
        theme=factories.theme("eid-itsme"),
        status="helped" if closed else "new",
        closed_at=closed,
        **fields,
    )
    Referral.objects.filter(pk=made.pk).update(created_at=created)  # auto_now_add on save
    made.refresh_from_db()
    return made


def is_erased(row: Appointment | Referral) -> bool:
    row.refresh_from_db()
    personal = [row.name, row.phone, row.email]
    if isinstance(row, Referral):
        personal.append(row.question)
    return row.erased_at is not None and not any(personal)


def is_kept(row: Appointment | Referral) -> bool:
    row.refresh_from_db()
    return row.erased_at is None and bool(row.name and row.phone and row.email)


# --- appointments --------------------------------------------------------------------------------


def test_an_appointment_is_erased_after_the_retention_period(cast):
    due = appointment(cast.gent_a, NOW - timedelta(days=30, seconds=1))
    boundary = appointment(cast.gent_a, NOW - timedelta(days=30))
    recent = appointment(cast.gent_a, NOW - timedelta(days=29))
    upcoming = appointment(cast.gent_a, NOW + timedelta(days=3))

    result = personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})

    assert result.erased["appointments"] == 1
    assert is_erased(due)
    assert is_kept(boundary)
    assert is_kept(recent)
    assert is_kept(upcoming)


@pytest.mark.parametrize("status", ["booked", "cancelled", "done", "no_show"])
def test_an_appointment_is_erased_whatever_its_status(cast, status):
    old = appointment(cast.gent_a, NOW - timedelta(days=40), status=status)

    personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})

    assert is_erased(old)
    assert old.status == status


def test_an_erased_appointment_keeps_its_row_site_theme_status_and_time(cast):
    theme = factories.theme("eid-itsme")
    old = appointment(cast.gent_a, NOW - timedelta(days=40), theme=theme, status="done")

    personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})

    old.refresh_from_db()
    assert Appointment.objects.count() == 1
    assert (old.site, old.theme, old.status) == (cast.gent_a, theme, "done")
    assert old.starts_at == NOW - timedelta(days=40)
    assert old.erased_at == NOW
    assert old.reference.startswith("A")


# --- referrals -----------------------------------------------------------------------------------


def test_a_closed_referral_is_erased_after_the_retention_period(cast):
    due = referral(cast, created=NOW - timedelta(days=200), closed=NOW - timedelta(days=91))
    boundary = referral(cast, created=NOW - timedelta(days=200), closed=NOW - timedelta(days=90))
    recent = referral(cast, created=NOW - timedelta(days=200), closed=NOW - timedelta(days=10))

    result = personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})

    assert result.erased["referrals"] == 1
    assert is_erased(due)
    assert is_kept(boundary)
    assert is_kept(recent)


def test_an_open_referral_is_erased_after_twice_the_retention_period(cast):
    forgotten = referral(cast, created=NOW - timedelta(days=180, seconds=1))
    boundary = referral(cast, created=NOW - timedelta(days=180))
    open_for_a_while = referral(cast, created=NOW - timedelta(days=120))

    result = personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})

    assert result.erased["referrals"] == 1
    assert is_erased(forgotten)
    assert is_kept(boundary)
    assert is_kept(open_for_a_while)


def test_an_erased_referral_keeps_its_row_for_the_counts(cast):
    due = referral(cast, created=NOW - timedelta(days=200), closed=NOW - timedelta(days=100))

    personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})

    due.refresh_from_db()
    assert Referral.objects.count() == 1
    assert (due.site, due.organisation, due.status) == (cast.gent_a, cast.gent, "helped")
    assert due.theme.code == "eid-itsme"
    assert due.question == ""
    assert due.closed_at == NOW - timedelta(days=100)
    assert due.created_at == NOW - timedelta(days=200)


# --- the run as a whole --------------------------------------------------------------------------


def test_a_second_run_erases_nothing(cast):
    appointment(cast.gent_a, NOW - timedelta(days=40))
    referral(cast, created=NOW - timedelta(days=200))

    first = personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})
    later = NOW + timedelta(days=1)
    erased_at = sorted(Referral.objects.values_list("erased_at", flat=True))
    second = personal_data_purge(now=later, days={"appointments": 30, "referrals": 90})

    assert first.erased == {
        "appointments": 1,
        "referrals": 1,
        "borrowers": 0,
        "registrations": 0,
    }
    assert set(second.erased.values()) == {0}
    assert sorted(Referral.objects.values_list("erased_at", flat=True)) == erased_at


def test_each_run_writes_one_audit_entry_per_kind_with_the_number(cast):
    for days in (40, 50, 60):
        appointment(cast.gent_a, NOW - timedelta(days=days))
    referral(cast, created=NOW - timedelta(days=200))

    personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})
    personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})

    entries = AuditEntry.objects.filter(action="retention.erased").order_by("object_type")
    assert [(e.object_type, e.changes["erased"]) for e in entries] == [
        ("appointments.appointment", 3),
        ("referrals.referral", 1),
    ]
    assert all(e.actor is None and e.actor_label == "system" for e in entries)
    assert "Marie" not in str([e.changes for e in entries])


def test_the_periods_come_from_the_settings(cast, settings):
    settings.RETENTION_APPOINTMENT_DAYS = 7
    settings.RETENTION_REFERRAL_DAYS = 10
    settings.RETENTION_BORROWER_DAYS = 30
    settings.RETENTION_PARTICIPANT_DAYS = 45
    week_old = appointment(cast.gent_a, NOW - timedelta(days=8))
    closed = referral(cast, created=NOW - timedelta(days=15), closed=NOW - timedelta(days=11))
    open_ = referral(cast, created=NOW - timedelta(days=21))

    result = personal_data_purge(now=NOW)

    assert result.days == {
        "appointments": 7,
        "referrals": 10,
        "borrowers": 30,
        "registrations": 45,
    }
    assert is_erased(week_old)
    assert is_erased(closed)
    assert is_erased(open_)


def test_a_period_under_one_day_is_refused(cast):
    appointment(cast.gent_a, NOW + timedelta(days=1))

    with pytest.raises(ValueError, match="RETENTION_APPOINTMENT_DAYS"):
        personal_data_purge(now=NOW, days={"appointments": 0, "referrals": 90})
    with pytest.raises(ValueError, match="RETENTION_REFERRAL_DAYS"):
        personal_data_purge(now=NOW, days={"appointments": 30, "referrals": -1})
    assert Appointment.objects.filter(erased_at__isnull=False).count() == 0


# --- the command ---------------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def test_the_command_erases_what_is_due_and_says_so(cast):
    from django.utils import timezone

    now = timezone.now()
    old = appointment(cast.gent_a, now - timedelta(days=31))
    new = appointment(cast.gent_a, now - timedelta(days=1))
    closed = referral(cast, created=now - timedelta(days=120), closed=now - timedelta(days=91))

    output = _run()

    assert "Erased the personal data of 1 appointment(s)" in output
    assert "Erased the personal data of 1 referral(s)" in output
    assert is_erased(old)
    assert is_kept(new)
    assert is_erased(closed)
    assert "Erased the personal data of 0 appointment(s)" in _run()


def test_a_dry_run_changes_nothing(cast):
    from django.utils import timezone

    now = timezone.now()
    old = appointment(cast.gent_a, now - timedelta(days=31))
    forgotten = referral(cast, created=now - timedelta(days=181))

    output = _run("--dry-run")

    assert "Would erase the personal data of 1 appointment(s)" in output
    assert "Would erase the personal data of 1 referral(s)" in output
    assert is_kept(old)
    assert is_kept(forgotten)
    assert not AuditEntry.objects.filter(action="retention.erased").exists()
