"""The registry of personal data: every domain's data is found and erased through it, and a new
kind is one registration away."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lending.models import Borrower
from network.models import Organisation
from privacy.export import personal_data_of
from privacy.registry import PersonalData, Registry, personal_data
from privacy.retention import personal_data_purge
from referrals.models import Referral
from tests.privacy.test_retention import appointment, is_erased, is_kept, referral

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 3, 15, tzinfo=ZoneInfo("Europe/Brussels"))


def test_the_apps_register_their_personal_data():
    assert personal_data.names() == ["appointments", "referrals", "borrowers", "registrations"]
    assert personal_data["referrals"].fields == ("name", "phone", "email", "question")


def test_a_name_is_registered_once():
    registry = Registry()
    entry = personal_data["appointments"]
    registry.register(entry)
    registry.register(entry)  # the same entry again (a second `ready()`) changes nothing

    with pytest.raises(ValueError, match="registered twice"):
        registry.register(PersonalData(**{**entry.__dict__, "fields": ("name",)}))
    assert registry.names() == ["appointments"]


def test_the_retention_run_erases_a_newly_registered_kind(cast, monkeypatch):
    """A kind the run has never heard of is erased as soon as it is registered: nothing in
    `privacy` names the domains."""
    registry = Registry()
    registry.register(
        PersonalData(
            name="questions_to_referrers",
            model=Referral,
            fields=("question",),
            setting="RETENTION_REFERRAL_DAYS",
            due=lambda now, days: Referral.objects.filter(
                erased_at__isnull=True, created_at__lt=now - timedelta(days=days)
            ),
            describe=lambda count, days: f"{count} question(s)",
        )
    )
    monkeypatch.setattr("privacy.retention.personal_data", registry)
    monkeypatch.setattr("privacy.registry.personal_data", registry)
    old = referral(cast, created=NOW - timedelta(days=10))

    result = personal_data_purge(now=NOW, days={"questions_to_referrers": 5})

    assert result.erased == {"questions_to_referrers": 1}
    assert result.lines() == ["Erased the personal data of 1 question(s)."]
    old.refresh_from_db()
    assert old.question == ""
    assert old.name != ""  # only the registered fields go


def pks(records, kind: str) -> list[int]:
    return [record.pk for record in records if record.kind == kind]


def test_a_persons_data_is_found_in_every_registered_kind(cast):
    mine = appointment(cast.gent_a, NOW - timedelta(days=2), phone="+32470111222")
    other = appointment(cast.gent_a, NOW - timedelta(days=1), phone="+32470999999")
    sent = referral(cast, created=NOW - timedelta(days=3), email="Mia@Example.org")
    borrower = Borrower.objects.create(
        organisation=cast.gent, kind="resident", name="Mia", phone="+32470111222"
    )

    found = personal_data_of(
        within=Organisation.objects.all(), phone="+32470111222", email="mia@example.org"
    )

    assert pks(found, "appointments") == [mine.pk]
    assert pks(found, "referrals") == [sent.pk]
    assert [r.values["email"] for r in found if r.kind == "referrals"] == ["Mia@Example.org"]
    assert pks(found, "borrowers") == [borrower.pk]
    assert other.pk not in pks(found, "appointments")
    assert personal_data_of(within=Organisation.objects.all()) == []


def test_erased_data_is_no_longer_found(cast):
    old = appointment(cast.gent_a, NOW - timedelta(days=40), phone="+32470111333")
    recent = appointment(cast.gent_a, NOW - timedelta(days=1), phone="+32470111333")

    personal_data_purge(now=NOW, days={"appointments": 30, "referrals": 90})

    assert is_erased(old)
    assert is_kept(recent)
    (record,) = personal_data_of(within=Organisation.objects.all(), phone="+32470111333")
    assert record.pk == recent.pk
    assert record.erased_at is None


def test_every_kind_says_who_holds_it_why_and_how_long():
    """A kind without holders would be found by no one's request; without its processing, it
    would be missing from the register and the privacy notice."""
    for entry in personal_data:
        assert entry.held_by, entry.name
        assert entry.kept_until is not None, entry.name
        assert entry.processing is not None, entry.name
        assert set(entry.fields) <= {f.name for f in entry.model._meta.concrete_fields}


def test_the_retention_date_of_an_export_is_when_the_run_erases(cast, clock):
    """`kept_until` (shown in an export) and `due` (what the run erases) tell the same rule: a
    record is not due a second before its retention date, and is due a second after it."""
    from tests.privacy.people import PHONE, marie

    marie(cast)
    second = timedelta(seconds=1)
    records = personal_data_of(within=Organisation.objects.all(), phone=PHONE)
    assert {record.kind for record in records} == set(personal_data.names())
    for record in records:
        entry, days = record.entry, 30
        (until,) = entry.kept_until(entry.model.objects.filter(pk=record.pk), days).values()
        assert not entry.due(until - second, days).filter(pk=record.pk).exists(), entry.name
        assert entry.due(until + second, days).filter(pk=record.pk).exists(), entry.name
