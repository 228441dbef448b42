"""The lending rules of an organisation and its versioned loan agreement: version 1 is the
standard text, stored at the first loan in three languages; an organisation admin publishes new
versions; each loan keeps the version accepted, printable for signing."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from lending import agreements, services
from lending.models import LendingRules, Loan, LoanAgreement
from tests.cast import signed_in, text, url
from tests.lending.helpers import borrower, device, lend

pytestmark = pytest.mark.django_db

TEXTS = {"nl": "Breng het terug.", "fr": "Rapportez-le.", "en": "Bring it back."}


def test_the_first_loan_stores_the_standard_agreement_in_three_languages(cast):
    loan, _token = lend(None, cast.gent_a, device(cast.gent_a), borrower(cast.gent_a))

    [stored] = LoanAgreement.objects.all()
    assert (stored.organisation, stored.version) == (cast.gent, 1)
    assert loan.agreement_version == 1
    assert cast.gent.name in stored.text_en
    assert stored.text_en.startswith("1. The device belongs to")
    assert stored.text_nl.startswith("1. Het toestel")
    assert stored.text_fr.startswith("1. L’appareil") or stored.text_fr.startswith("1. L'appareil")


def test_a_new_version_holds_for_new_loans_and_old_loans_keep_theirs(cast):
    first, _ = lend(None, cast.gent_a, device(cast.gent_a, "LAP-1"), borrower(cast.gent_a))

    published = agreements.agreement_publish(
        actor=cast.org_admin, organisation=cast.gent, texts=TEXTS
    )
    second, _ = lend(None, cast.gent_a, device(cast.gent_a, "LAP-2"), borrower(cast.gent_a, "B"))

    assert published.version == 2
    assert (first.agreement_version, second.agreement_version) == (1, 2)
    assert AuditEntry.objects.filter(action="lending.agreement").count() == 1
    with pytest.raises(ValidationError, match="nothing to publish"):
        agreements.agreement_publish(actor=cast.org_admin, organisation=cast.gent, texts=TEXTS)
    with pytest.raises(ValidationError) as missing:
        agreements.agreement_publish(
            actor=cast.org_admin, organisation=cast.gent, texts={**TEXTS, "fr": " "}
        )
    assert "text_fr" in missing.value.message_dict


def test_a_checkout_shown_an_older_version_is_refused(cast):
    agreements.agreement_current(cast.gent)
    agreements.agreement_publish(actor=cast.org_admin, organisation=cast.gent, texts=TEXTS)

    with pytest.raises(ValidationError) as refused:
        services.loan_checkout(
            actor=None,
            site=cast.gent_a,
            asset_tag=device(cast.gent_a).asset_tag,
            borrower=borrower(cast.gent_a),
            agreement_accepted=True,
            agreement_version=1,
        )

    assert "has just changed (version 2)" in refused.value.message_dict["agreement"][0]
    assert not Loan.objects.exists()


def test_the_loans_agreement_prints_in_the_borrowers_language_with_the_loan(cast):
    who = borrower(cast.gent_a, "Fatima El Amrani", language="fr")
    loan, _token = lend(None, cast.gent_a, device(cast.gent_a, "LAP-77"), who)
    client = signed_in(cast.volunteer)

    page = client.get(url("lending:loan-agreement", site_id=cast.gent_a.pk, loan_id=loan.pk))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="fr"' in html
    body = text(page)
    assert "Fatima El Amrani" in body
    assert "LAP-77" in body
    stored = LoanAgreement.objects.get(version=1)
    assert stored.text_fr.split("\n\n")[0][:40] in body
    english = text(
        client.get(
            url("lending:loan-agreement", site_id=cast.gent_a.pk, loan_id=loan.pk), {"lang": "en"}
        )
    )
    assert "1. The device belongs to" in english


def test_the_blank_agreement_prints_any_version_and_an_unknown_one_is_not_found(cast):
    agreements.agreement_current(cast.gent)
    client = signed_in(cast.volunteer)
    blank = url("lending:agreement", site_id=cast.gent_a.pk)

    assert client.get(blank, {"version": "1", "lang": "nl"}).status_code == 200
    assert client.get(blank, {"version": "9"}).status_code == 404
    assert client.get(blank, {"version": "x", "lang": "zz"}).status_code == 200


def test_an_organisation_admin_sets_the_rules_and_a_bad_number_comes_back(cast):
    client = signed_in(cast.org_admin)
    page = url("lending:rules", organisation_id=cast.gent.pk)
    form = {
        "residents_may_borrow": "on",
        "organisations_may_borrow": "on",
        "loan_days": "21",
        "renewal_days": "7",
        "max_renewals": "2",
        "max_devices": "1",
        "deposit_euros": "20",
        "block_when_overdue": "on",
        "group_min_notice_days": "7",
        "group_max_days": "21",
        "group_max_per_year": "8",
        "save_rules": "1",
    }

    refused = client.post(page, {**form, "loan_days": "400"})
    assert refused.status_code == 400
    assert "Choose a number from 1 to 180." in text(refused)
    assert 'value="400"' in refused.content.decode()
    assert not LendingRules.objects.exists()

    saved = client.post(page, form)
    assert saved.status_code == 302
    rules = LendingRules.objects.get(organisation=cast.gent)
    assert (rules.loan_days, rules.deposit_euros, rules.max_renewals) == (21, 20, 2)
    assert AuditEntry.objects.filter(action="lending.rules").count() == 1


def test_an_organisation_admin_publishes_a_version_from_the_rules_page(cast):
    client = signed_in(cast.org_admin)
    page = url("lending:rules", organisation_id=cast.gent.pk)
    assert "The device belongs to" in text(client.get(page))

    refused = client.post(
        page, {"text_nl": "Tekst", "text_fr": "", "text_en": "Text", "publish": "1"}
    )
    assert refused.status_code == 400
    assert "Tekst" in refused.content.decode()

    published = client.post(page, {**{f"text_{c}": t for c, t in TEXTS.items()}, "publish": "1"})
    assert published.status_code == 302
    assert LoanAgreement.objects.get(organisation=cast.gent, version=2).text_fr == "Rapportez-le."
    assert "Version 2 of the loan agreement is published." in text(client.get(page))


def test_the_staff_home_links_the_rules_for_an_organisation_admin_only(cast):
    rules = url("lending:rules", organisation_id=cast.gent.pk)
    assert rules in signed_in(cast.org_admin).get(url("workspace:home")).content.decode()
    assert rules not in signed_in(cast.coordinator).get(url("workspace:home")).content.decode()


def test_a_lending_form_shown_an_older_version_comes_back_with_the_new_one(cast):
    device(cast.gent_a, "LAP-001")
    who = borrower(cast.gent_a)
    client = signed_in(cast.volunteer)
    page = url("lending:checkout", site_id=cast.gent_a.pk)
    client.get(page)  # the page shows version 1
    agreements.agreement_publish(actor=cast.org_admin, organisation=cast.gent, texts=TEXTS)
    posted = {"tag": "LAP-001", "borrower": who.pk, "agreement": "on", "agreement_version": "1"}

    refused = client.post(page, posted)

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "has just changed (version 2)" in text(refused)
    assert re.search(r'name="agreement_version" value="2"', html)
    assert not re.search(r'<input[^>]*name="agreement"[^>]*checked', html)
    lent = client.post(page, {**posted, "agreement_version": "2"})
    assert lent.status_code == 200
    assert Loan.objects.get().agreement_version == 2


def test_a_version_in_other_digits_is_the_current_one_not_an_error(cast):
    client = signed_in(cast.volunteer)
    page = client.get(url("lending:agreement", site_id=cast.gent_a.pk), {"version": "²"})
    assert page.status_code == 200
    assert "1. The device belongs to" in text(page)
