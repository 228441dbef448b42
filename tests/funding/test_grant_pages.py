"""The grant pages: an organisation admin records, changes and removes the organisation's grants;
an analyst reads every grant and changes none; another organisation's grant is not there."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEntry
from funding import services
from funding.models import Grant
from tests.cast import signed_in, text, url
from tests.funding.helpers import grant, programme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def form(item, **changes) -> dict[str, object]:
    values: dict[str, object] = {
        "programme": item.pk,
        "site": "",
        "amount": "25000.00",
        "starts_on": "2025-01-01",
        "ends_on": "2026-07-31",
        "weekly_hours": "12",
        "note": "Signed by the mayor",
    }
    values.update(changes)
    return values


def test_an_organisation_admin_adds_a_grant_and_the_trail_records_it(cast):
    client = signed_in(cast.org_admin)
    item = programme()

    page = client.get(url("funding:grant-add", organisation_id=cast.gent.pk))
    added = client.post(
        url("funding:grant-add", organisation_id=cast.gent.pk),
        form(item, site=cast.gent_a.pk, services=["help", "learning"]),
    )

    assert page.status_code == 200
    assert added.status_code == 302
    made = Grant.objects.get()
    assert made.organisation == cast.gent
    assert made.site == cast.gent_a
    assert made.services == "help,learning"
    assert str(made.amount) == "25000.00"
    entry = AuditEntry.objects.get(action="grant.created")
    assert entry.organisation == cast.gent
    assert entry.actor == cast.org_admin
    assert entry.changes["amount"] == [None, "25000.00"]


def test_a_refused_grant_comes_back_with_what_was_typed_and_why(cast):
    client = signed_in(cast.org_admin)
    item = programme()

    refused = client.post(
        url("funding:grant-add", organisation_id=cast.gent.pk),
        form(item, starts_on="2026-01-01", ends_on="2025-12-31", note="Typed with care"),
    )

    assert refused.status_code == 400
    page = text(refused)
    assert "The end date cannot be before the start date." in page
    assert "Typed with care" in page
    assert 'value="2026-01-01"' in page
    assert not Grant.objects.exists()
    assert not AuditEntry.objects.filter(action="grant.created").exists()


def test_the_errors_are_translated(cast):
    client = signed_in(cast.org_admin)
    item = programme()

    refused = client.post(
        url("funding:grant-add", lang="nl", organisation_id=cast.gent.pk),
        form(item, amount=""),
    )

    assert refused.status_code == 400
    assert "Dit veld is verplicht." in text(refused)


def test_a_site_of_another_organisation_cannot_be_chosen(cast):
    client = signed_in(cast.org_admin)
    item = programme()

    refused = client.post(
        url("funding:grant-add", organisation_id=cast.gent.pk), form(item, site=cast.aalst.pk)
    )

    assert refused.status_code == 400
    assert not Grant.objects.exists()
    with pytest.raises(ValidationError) as error:
        services.grant_create(
            actor=cast.org_admin,
            organisation=cast.gent,
            data={
                "programme": item,
                "site": cast.aalst,
                "amount": 10,
                "starts_on": date(2025, 1, 1),
                "ends_on": date(2025, 12, 31),
            },
        )
    assert "site" in error.value.error_dict


def test_an_organisation_admin_changes_a_grant(cast):
    client = signed_in(cast.org_admin)
    existing = grant(cast.gent)

    page = client.get(url("funding:grant-edit", grant_id=existing.pk))
    changed = client.post(
        url("funding:grant-edit", grant_id=existing.pk),
        form(existing.programme, amount="40000.00", ends_on="2026-12-31"),
    )

    assert page.status_code == 200
    assert changed.status_code == 302
    existing.refresh_from_db()
    assert str(existing.amount) == "40000.00"
    assert existing.ends_on == date(2026, 12, 31)
    entry = AuditEntry.objects.get(action="grant.updated")
    assert entry.changes["amount"] == ["30000.00", "40000.00"]
    assert entry.changes["ends_on"] == ["2026-07-31", "2026-12-31"]


def test_an_organisation_admin_removes_a_grant_after_confirming(cast):
    client = signed_in(cast.org_admin)
    existing = grant(cast.gent)

    asked = client.get(url("funding:grant-delete", grant_id=existing.pk))
    removed = client.post(url("funding:grant-delete", grant_id=existing.pk))

    assert asked.status_code == 200
    assert "Remove the grant" in text(asked)
    assert removed.status_code == 302
    assert not Grant.objects.exists()
    assert AuditEntry.objects.filter(action="grant.deleted", object_id=str(existing.pk)).exists()


def test_another_organisations_grant_is_not_found(cast):
    client = signed_in(cast.org_admin)
    theirs = grant(cast.aalst_org)

    assert client.get(url("funding:grant-edit", grant_id=theirs.pk)).status_code == 404
    assert client.post(url("funding:grant-delete", grant_id=theirs.pk)).status_code == 404
    add_page = url("funding:grant-add", organisation_id=cast.aalst_org.pk)
    assert client.get(add_page).status_code == 404
    assert Grant.objects.filter(pk=theirs.pk).exists()
    assert "Bibliotheek Aalst" not in text(client.get(url("funding:grants")))


def test_an_analyst_reads_every_grant_and_changes_none(cast):
    client = signed_in(cast.analyst)
    ours = grant(cast.gent, item=programme("Gemeentelijk budget"))
    theirs = grant(cast.aalst_org, item=programme("ESF+ Digitale vaardigheden"))

    page = client.get(url("funding:grants"))

    assert page.status_code == 200
    body = text(page)
    assert "Gemeentelijk budget" in body
    assert "ESF+ Digitale vaardigheden" in body
    assert url("funding:grant-edit", grant_id=ours.pk) not in body
    assert "Add a grant" not in body
    assert client.get(url("funding:grant-edit", grant_id=ours.pk)).status_code == 404
    assert client.post(url("funding:grant-delete", grant_id=theirs.pk)).status_code == 404
    assert client.get(url("funding:grant-add", organisation_id=cast.gent.pk)).status_code == 404
    assert Grant.objects.count() == 2


def test_the_list_marks_a_grant_that_ends_soon_and_one_for_all_sites(cast):
    client = signed_in(cast.org_admin)
    today = timezone.localdate()
    grant(cast.gent, starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=30))

    body = text(client.get(url("funding:grants")))

    assert "ends soon" in body
    assert "All Digipunten" in body


def test_a_site_coordinator_has_no_funding_page(cast):
    assert signed_in(cast.coordinator).get(url("funding:grants")).status_code == 404


def test_the_database_refuses_a_grant_that_ends_before_it_starts(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        grant(cast.gent, starts_on=date(2026, 1, 1), ends_on=date(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        grant(cast.gent, amount="-1.00")
