"""A resident's request to see or erase their data, answered by an organisation admin: found in
every domain of the admin's organisations and nowhere else, handed over as JSON and as a readable
page, erased with the rows and figures kept, every step in the audit trail without the data."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import translation

from appointments.models import Appointment
from audit.models import AuditEntry
from learning.figures import learning_figures
from learning.models import Registration
from lending.figures import lending_figures
from lending.models import Borrower, Device, Loan
from network.models import Organisation
from privacy.export import personal_data_of
from privacy.registry import personal_data
from referrals.models import Referral
from tests.cast import signed_in, text, url
from tests.clock import MONDAY
from tests.lending.helpers import borrower, device, lend
from tests.privacy.people import EMAIL, NAME, PHONE, Marie, marie

pytestmark = pytest.mark.django_db


@pytest.fixture
def her(cast, clock) -> Marie:
    return marie(cast)


def keys(records) -> set[str]:
    return {record.key for record in records}


def gent_keys(her: Marie) -> set[str]:
    return {
        f"appointments:{her.appointment.pk}",
        f"referrals:{her.referral.pk}",
        f"borrowers:{her.borrower.pk}",
        f"registrations:{her.registration.pk}",
    }


def post(client, view: str, **data):
    return client.post(url(view), data)


# --- finding -------------------------------------------------------------------------------------


def test_her_data_is_found_in_all_four_domains_and_not_in_another_organisation(cast, her):
    found = personal_data_of(within=Organisation.objects.filter(pk=cast.gent.pk), phone=PHONE)

    assert keys(found) == gent_keys(her)
    assert f"appointments:{her.elsewhere.pk}" not in keys(found)


def test_she_is_found_by_email_in_any_case_and_by_name(cast, her):
    gent = Organisation.objects.filter(pk=cast.gent.pk)

    assert keys(personal_data_of(within=gent, email="Marie@Example.ORG")) == gent_keys(her)
    assert keys(personal_data_of(within=gent, name="  marie   peeters ")) == gent_keys(her)


def test_the_platform_admin_finds_her_in_every_organisation(cast, her):
    response = post(signed_in(cast.platform_admin), "privacy:requests", phone=PHONE)

    assert response.status_code == 200
    assert her.elsewhere.reference in text(response)
    assert her.appointment.reference in text(response)


def test_the_admin_finds_her_by_a_phone_number_as_people_write_it(cast, her):
    response = post(signed_in(cast.org_admin), "privacy:requests", phone="0470 12 34 56")

    page = text(response)
    assert response.status_code == 200
    assert "4 records found" in page
    for reference in (her.appointment.reference, her.referral.reference):
        assert reference in page
    assert her.elsewhere.reference not in page
    assert her.someone_else.reference not in page
    assert "Digipunt Aalst" not in page


def test_a_record_found_by_a_name_alone_is_not_ticked(cast, her):
    response = post(signed_in(cast.org_admin), "privacy:requests", name="Jan Janssens")

    page = response.content.decode()
    assert f'value="appointments:{her.someone_else.pk}">' in page  # shown, not checked
    assert f'value="appointments:{her.someone_else.pk}" checked' not in page


def test_the_search_is_never_in_the_address(cast, her):
    """A GET with the person in the query string shows the empty form: the search is posted."""
    response = signed_in(cast.org_admin).get(url("privacy:requests") + f"?phone={PHONE}")

    assert response.status_code == 200
    assert her.appointment.reference not in text(response)
    assert 'method="post"' in response.content.decode()


def test_an_empty_search_says_what_to_give(cast):
    response = post(signed_in(cast.org_admin), "privacy:requests")

    assert response.status_code == 400
    assert "Give the person's phone number, email address or name." in text(response)


# --- the export ----------------------------------------------------------------------------------


def test_the_json_export_is_valid_and_complete(cast, her):
    response = post(
        signed_in(cast.org_admin),
        "privacy:export-json",
        phone=PHONE,
        record=sorted(gent_keys(her)),
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    assert response["Cache-Control"] == "no-store"
    document = json.loads(response.content)
    records = {(item["domain"], item["id"]): item for item in document["records"]}
    assert set(records) == {
        ("appointments", her.appointment.pk),
        ("referrals", her.referral.pk),
        ("borrowers", her.borrower.pk),
        ("registrations", her.registration.pk),
    }
    for (domain, _pk), item in records.items():
        entry = personal_data[domain]
        stored = {f.attname for f in entry.model._meta.concrete_fields} - set(entry.hidden)
        assert set(item["fields"]) == stored, domain  # every stored field but the secrets
        assert "token_hash" not in item["fields"]
        assert item["personal_fields"] == list(entry.fields)
        assert item["fields"]["name"] == NAME
        assert item["held_by"] == ["Stad Gent"]
        assert item["retention"]["setting"] == entry.setting
        assert item["erased_at"] is None
    assert records["appointments", her.appointment.pk]["fields"]["email"] == EMAIL
    assert records["registrations", her.registration.pk]["fields"]["accessibility_needs"] == (
        "Large print"
    )
    assert records["referrals", her.referral.pk]["about"]["site__name"] == "Digipunt Gent A"


def test_the_json_export_gives_each_records_retention_date(cast, her, settings):
    settings.RETENTION_APPOINTMENT_DAYS = 30
    settings.RETENTION_REFERRAL_DAYS = 90
    settings.RETENTION_BORROWER_DAYS = 365
    settings.RETENTION_PARTICIPANT_DAYS = 60

    response = post(
        signed_in(cast.org_admin), "privacy:export-json", phone=PHONE, record=sorted(gent_keys(her))
    )

    records = json.loads(response.content)["records"]
    retention = {item["domain"]: item["retention"] for item in records}
    erased_on = {
        domain: datetime.fromisoformat(item["erased_on"]) for domain, item in retention.items()
    }
    assert retention["appointments"]["days"] == 30
    assert erased_on == {
        "appointments": MONDAY + timedelta(days=20),  # 10 days ago + 30
        "referrals": MONDAY + timedelta(days=85),  # closed 5 days ago + 90
        "borrowers": MONDAY + timedelta(days=345),  # brought back 20 days ago + 365
        "registrations": MONDAY + timedelta(days=57),  # ended 3 days ago + 60
    }


def test_the_json_export_holds_the_borrowers_loans(cast, her):
    response = post(
        signed_in(cast.org_admin),
        "privacy:export-json",
        email=EMAIL,
        record=[f"borrowers:{her.borrower.pk}"],
    )

    (item,) = json.loads(response.content)["records"]
    (loan,) = item["related"]["loans"]
    assert loan["reference"] == her.loan.reference
    assert loan["status"] == "returned"
    assert "token_hash" not in loan


def test_only_the_chosen_records_are_exported(cast, her):
    response = post(
        signed_in(cast.org_admin),
        "privacy:export-json",
        phone=PHONE,
        record=[f"referrals:{her.referral.pk}"],
    )

    assert [item["domain"] for item in json.loads(response.content)["records"]] == ["referrals"]


def test_the_readable_page_shows_her_data_in_words(cast, her):
    response = post(
        signed_in(cast.org_admin), "privacy:export-page", phone=PHONE, record=sorted(gent_keys(her))
    )

    page = text(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "Your personal data" in page
    assert "Everything Stad Gent keeps about you" in page
    for shown in (NAME, EMAIL, "Help with the eBox", "Large print", her.loan.reference, "Helped"):
        assert shown in page
    assert "Your rights" in page


def test_every_export_is_in_the_audit_trail_without_her_data(cast, her):
    post(
        signed_in(cast.org_admin), "privacy:export-json", phone=PHONE, record=sorted(gent_keys(her))
    )
    post(
        signed_in(cast.org_admin),
        "privacy:export-page",
        phone=PHONE,
        record=[f"borrowers:{her.borrower.pk}"],
    )

    entries = AuditEntry.objects.filter(action="privacy.exported")
    assert entries.count() == 5
    assert {entry.organisation_id for entry in entries} == {cast.gent.pk}
    assert entries.filter(object_label=f"borrower #{her.borrower.pk}").count() == 2
    assert_no_personal_data(entries)


def assert_no_personal_data(entries) -> None:
    for entry in entries:
        written = json.dumps([entry.object_label, entry.changes]).lower()
        for value in ("marie", "peeters", "470123456", "example.org"):
            assert value not in written, entry


# --- another organisation's person ---------------------------------------------------------------


def test_another_organisations_record_cannot_be_exported_by_its_key(cast, her):
    response = post(
        signed_in(cast.org_admin),
        "privacy:export-json",
        phone=PHONE,
        record=[f"appointments:{her.elsewhere.pk}"],
    )

    assert response.status_code == 400
    assert "Choose at least one record." in text(response)
    assert not AuditEntry.objects.filter(action="privacy.exported").exists()


def test_another_organisations_record_cannot_be_erased_by_its_key(cast, her):
    post(
        signed_in(cast.org_admin),
        "privacy:erase",
        phone=PHONE,
        record=[f"appointments:{her.elsewhere.pk}"],
        confirm="yes",
    )

    her.elsewhere.refresh_from_db()
    assert (her.elsewhere.name, her.elsewhere.erased_at) == (NAME, None)


def test_a_person_known_only_at_another_organisation_is_not_found(cast, her):
    response = post(signed_in(cast.org_admin), "privacy:requests", phone="0470 12 34 56")
    Appointment.objects.filter(pk=her.elsewhere.pk).update(phone="+32470777777")

    elsewhere = post(signed_in(cast.org_admin), "privacy:requests", phone="+32470777777")

    assert her.elsewhere.reference not in text(response)
    assert "0 records found" in text(elsewhere)


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "referrer", "analyst", "outsider"])
@pytest.mark.parametrize("view", ["privacy:export-json", "privacy:export-page", "privacy:erase"])
def test_no_one_else_may_export_or_erase(cast, her, role, view):
    client = signed_in(cast.by_role()[role])

    response = post(client, view, phone=PHONE, record=sorted(gent_keys(her)), confirm="yes")

    assert response.status_code == 404
    her.appointment.refresh_from_db()
    assert her.appointment.name == NAME
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()


# --- erasure -------------------------------------------------------------------------------------


def test_erasing_asks_for_a_confirmation_first(cast, her):
    response = post(
        signed_in(cast.org_admin), "privacy:erase", phone=PHONE, record=sorted(gent_keys(her))
    )

    assert response.status_code == 200
    assert "Erase this personal data?" in text(response)
    assert "Yes, erase 4 records" in text(response)
    her.appointment.refresh_from_db()
    assert her.appointment.name == NAME


def counts(cast) -> dict[str, int]:
    return {
        "appointments": Appointment.objects.filter(site__organisation=cast.gent).count(),
        "referrals": Referral.objects.filter(site=cast.gent_a).count(),
        "borrowers": Borrower.objects.filter(organisation=cast.gent).count(),
        "loans": Loan.objects.filter(site=cast.gent_a).count(),
        "registrations": Registration.objects.filter(session__site=cast.gent_a).count(),
    }


def figures(cast) -> tuple:
    """The rows counted, and the site's lending and course figures (in one language: a
    request leaves its own active)."""
    with translation.override("en"):
        return (
            counts(cast),
            lending_figures(cast.gent_a, today=MONDAY.date()),
            learning_figures(cast.gent_a, today=MONDAY.date()),
        )


def test_erasure_blanks_her_data_and_keeps_every_row_and_figure(cast, her):
    before = figures(cast)

    response = post(
        signed_in(cast.org_admin),
        "privacy:erase",
        phone=PHONE,
        record=sorted(gent_keys(her)),
        confirm="yes",
    )

    assert response.status_code == 302
    assert response.url == url("privacy:requests")
    assert figures(cast) == before
    for row in (her.appointment, her.referral, her.borrower, her.registration):
        row.refresh_from_db()
        assert row.erased_at == MONDAY
        assert (row.name, row.phone, row.email) == ("", "", "")
    assert her.referral.question == ""
    assert her.registration.accessibility_needs == ""
    assert her.borrower.postal_code == ""
    # What is not hers stays as it was: her loan, its status; the other people's data.
    her.loan.refresh_from_db()
    assert (her.loan.status, her.loan.borrower_id) == ("returned", her.borrower.pk)
    assert (her.registration.status, her.appointment.status) == ("confirmed", "done")
    her.someone_else.refresh_from_db()
    her.elsewhere.refresh_from_db()
    assert her.someone_else.name == "Jan Janssens"
    assert her.elsewhere.name == NAME


def test_an_erasure_writes_one_audit_entry_per_record_without_her_data(cast, her):
    post(
        signed_in(cast.org_admin),
        "privacy:erase",
        phone=PHONE,
        record=sorted(gent_keys(her)),
        confirm="yes",
    )

    entries = AuditEntry.objects.filter(action="privacy.erased")
    assert sorted((e.object_type, e.object_id) for e in entries) == sorted(
        [
            ("appointments.appointment", str(her.appointment.pk)),
            ("referrals.referral", str(her.referral.pk)),
            ("lending.borrower", str(her.borrower.pk)),
            ("learning.registration", str(her.registration.pk)),
        ]
    )
    assert {entry.actor_id for entry in entries} == {cast.org_admin.pk}
    assert {entry.organisation_id for entry in entries} == {cast.gent.pk}
    assert_no_personal_data(entries)


def test_after_the_erasure_she_is_no_longer_found(cast, her):
    client = signed_in(cast.org_admin)
    post(client, "privacy:erase", phone=PHONE, record=sorted(gent_keys(her)), confirm="yes")

    response = post(client, "privacy:requests", phone=PHONE, email=EMAIL, name=NAME)

    assert "0 records found" in text(response)


def test_erasing_twice_erases_nothing_more(cast, her):
    client = signed_in(cast.org_admin)
    chosen = {"phone": PHONE, "record": sorted(gent_keys(her)), "confirm": "yes"}
    post(client, "privacy:erase", **chosen)

    response = post(client, "privacy:erase", **chosen)

    assert response.status_code == 400  # she is not found any more: nothing to choose
    assert AuditEntry.objects.filter(action="privacy.erased").count() == 4


def test_a_borrower_with_a_device_on_loan_is_kept(cast, her):
    """Her details are needed until the device is back: the erasure keeps them and says why."""
    lend(None, cast.gent_a, device(cast.gent_a, "LAP-M2"), her.borrower)
    client = signed_in(cast.org_admin)

    confirm = post(client, "privacy:erase", phone=PHONE, record=sorted(gent_keys(her)))
    response = post(
        client, "privacy:erase", phone=PHONE, record=sorted(gent_keys(her)), confirm="yes"
    )

    assert "A device is on loan to them" in text(confirm)
    assert "Yes, erase 3 records" in text(confirm)
    her.borrower.refresh_from_db()
    assert (her.borrower.name, her.borrower.erased_at) == (NAME, None)
    her.appointment.refresh_from_db()
    assert her.appointment.name == ""
    assert AuditEntry.objects.filter(action="privacy.erased").count() == 3
    told = text(client.get(response.url))
    assert "The personal data of 3 records is erased." in told
    assert "1 record was kept because it is still needed." in told


def test_an_appointment_still_to_come_is_kept_until_it_is_cancelled(cast, her):
    Appointment.objects.filter(pk=her.appointment.pk).update(
        status=Appointment.Status.BOOKED, starts_at=MONDAY + timedelta(days=2)
    )

    post(
        signed_in(cast.org_admin),
        "privacy:erase",
        phone=PHONE,
        record=[f"appointments:{her.appointment.pk}"],
        confirm="yes",
    )

    her.appointment.refresh_from_db()
    assert her.appointment.name == NAME


def test_the_borrower_kept_for_a_loan_is_shown_as_still_needed(cast, her):
    someone = borrower(cast.gent_a, "Piet Pieters", phone="+32470555666")
    lend(None, cast.gent_a, device(cast.gent_a, "LAP-P1"), someone)
    assert Device.objects.filter(site=cast.gent_a).count() == 2

    response = post(signed_in(cast.org_admin), "privacy:requests", phone="+32470555666")

    assert "Still needed:" in text(response)
