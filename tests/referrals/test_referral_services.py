"""The referral services: who may refer and handle, what a referral needs, and what is recorded."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from referrals.models import Referral
from referrals.services import referral_set_status
from tests import factories
from tests.referrals.helpers import refer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_a_referrer_sends_a_resident_with_consent(cast):
    referral = refer(cast, email="marie@example.org")

    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == Referral.Status.NEW
    assert stored.site == cast.gent_a
    assert stored.organisation == cast.gent
    assert stored.referrer == cast.referrer
    assert stored.name == "Marie Peeters"
    assert stored.email == "marie@example.org"
    assert stored.consent_at is not None
    assert stored.reference.startswith("R-")
    assert len(stored.reference) == 8


@pytest.mark.parametrize(
    "typed", ["0470 12 34 56", "0470/12.34.56", "+32 470 12 34 56", "0032470123456", "0470123456"]
)
def test_the_phone_number_is_stored_in_the_international_format(cast, typed):
    assert refer(cast, phone=typed).phone == "+32470123456"


def test_a_landline_is_a_phone_number_too(cast):
    assert refer(cast, phone="09 266 11 11").phone == "+3292661111"


@pytest.mark.parametrize("typed", ["12345", "0470 12 34", "call me", "+32 470 12 34 56 78 90"])
def test_a_malformed_phone_number_is_refused_with_an_example(cast, typed):
    with pytest.raises(ValidationError) as excinfo:
        refer(cast, phone=typed)

    assert "0470 12 34 56" in _errors(excinfo)["phone"][0]
    assert Referral.objects.count() == 0


def test_without_consent_nothing_is_stored(cast):
    with pytest.raises(ValidationError) as excinfo:
        refer(cast, consent=False)

    assert "consent" in _errors(excinfo)["consent"][0]
    assert Referral.objects.count() == 0
    assert not AuditEntry.objects.filter(action="referral.created").exists()


def test_a_name_is_required(cast):
    with pytest.raises(ValidationError) as excinfo:
        refer(cast, name="   ")

    assert "name" in _errors(excinfo)


def test_a_phone_number_or_an_email_address_is_required(cast):
    with pytest.raises(ValidationError) as excinfo:
        refer(cast, phone="", email="")

    assert "phone number or an email address" in _errors(excinfo)["phone"][0]


def test_an_email_address_alone_is_enough(cast):
    referral = refer(cast, phone="", email="marie@example.org")

    assert referral.phone == ""
    assert referral.email == "marie@example.org"


def test_a_malformed_email_address_is_refused(cast):
    with pytest.raises(ValidationError) as excinfo:
        refer(cast, phone="", email="marie at example")

    assert "email" in _errors(excinfo)


def test_the_question_has_at_most_500_characters(cast):
    assert len(refer(cast, question="x" * 500).question) == 500
    with pytest.raises(ValidationError) as excinfo:
        refer(cast, question="x" * 501)

    assert "500" in _errors(excinfo)["question"][0]


def test_every_problem_is_reported_at_once(cast):
    with pytest.raises(ValidationError) as excinfo:
        refer(cast, consent=False, name="", phone="123")

    assert set(_errors(excinfo)) == {"consent", "name", "phone"}


def test_an_unpublished_digipunt_takes_no_referrals(cast):
    hidden = factories.site(organisation=cast.gent, is_published=False)

    with pytest.raises(ValidationError):
        refer(cast, site=hidden)


def test_a_digipunt_without_help_with_digital_questions_takes_no_referrals(cast):
    only_lending = factories.site(organisation=cast.gent, offers_help=False)

    with pytest.raises(ValidationError):
        refer(cast, site=only_lending)


def test_a_referrer_may_refer_to_a_digipunt_of_another_organisation(cast):
    assert refer(cast, site=cast.aalst).site == cast.aalst


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "org_admin", "analyst", "outsider"])
def test_only_people_who_refer_for_the_organisation_may_refer(cast, role):
    with pytest.raises(PermissionDenied):
        refer(cast, actor=cast.by_role()[role])


def test_a_referrer_cannot_refer_on_behalf_of_another_organisation(cast):
    with pytest.raises(PermissionDenied):
        refer(cast, organisation=cast.aalst_org)


def test_the_audit_entry_of_a_referral_holds_no_personal_data(cast):
    referral = refer(cast, email="marie@example.org", question="Help with itsme please")

    entry = AuditEntry.objects.get(action="referral.created")
    assert entry.object_id == str(referral.pk)
    assert set(entry.changes) == {"reference", "site", "theme", "language"}
    assert entry.changes["reference"] == [None, referral.reference]
    stored = json.dumps(entry.changes) + entry.object_label
    for personal in ("Marie", "Peeters", "470", "marie@example.org", "itsme please"):
        assert personal not in stored
    # Both the sending organisation and the site's organisation find it in their trail.
    assert entry.organisation == cast.gent
    assert entry.site == cast.gent_a


def test_the_site_gets_an_email_without_personal_data(cast, django_capture_on_commit_callbacks):
    cast.gent_a.email = "gent-a@example.org"
    cast.gent_a.save()

    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(cast, email="marie@example.org", question="Help with itsme please")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gent-a@example.org"]
    text = message.subject + message.body
    assert f"/staff/sites/{cast.gent_a.pk}/referrals/" in message.body
    for personal in ("Marie", "Peeters", "470", "marie@example.org", "itsme please"):
        assert personal not in text
    assert referral.reference in text  # not personal data: it helps find the referral


def test_no_email_is_sent_before_the_referral_is_saved(cast, django_capture_on_commit_callbacks):
    cast.gent_a.email = "gent-a@example.org"
    cast.gent_a.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        refer(cast)

    assert mail.outbox == []
    assert callbacks, "the email should wait for the commit"


def test_a_site_without_an_email_address_gets_no_email(cast, django_capture_on_commit_callbacks):
    cast.gent_a.email = ""
    cast.gent_a.save()

    with django_capture_on_commit_callbacks(execute=True):
        refer(cast)

    assert mail.outbox == []


# --- statuses ------------------------------------------------------------------------------------


def test_a_volunteer_of_the_site_marks_a_referral_contacted(cast):
    referral = refer(cast)

    changed = referral_set_status(actor=cast.volunteer, referral=referral, status="contacted")

    assert changed.status == "contacted"
    assert changed.status_changed_at is not None
    assert changed.closed_at is None
    entry = AuditEntry.objects.get(action="referral.status_changed")
    assert entry.changes == {"status": ["new", "contacted"]}
    assert entry.actor == cast.volunteer
    assert entry.site == cast.gent_a


@pytest.mark.parametrize("status", ["helped", "not_reachable"])
def test_helped_and_not_reachable_close_the_referral(cast, status):
    referral = refer(cast)

    changed = referral_set_status(actor=cast.volunteer, referral=referral, status=status)

    assert changed.closed_at is not None
    assert Referral.objects.get(pk=referral.pk).closed_at == changed.closed_at


def test_reopening_a_referral_clears_its_closing_time(cast):
    referral = refer(cast)
    referral_set_status(actor=cast.volunteer, referral=referral, status="helped")

    reopened = referral_set_status(actor=cast.volunteer, referral=referral, status="contacted")

    assert reopened.closed_at is None
    assert reopened.status == "contacted"


def test_a_correction_between_closed_statuses_keeps_the_first_closing_time(cast):
    referral = refer(cast)
    first = referral_set_status(actor=cast.volunteer, referral=referral, status="not_reachable")

    corrected = referral_set_status(actor=cast.volunteer, referral=referral, status="helped")

    assert corrected.closed_at == first.closed_at
    assert corrected.status == "helped"


def test_any_status_can_follow_any_other(cast):
    referral = refer(cast)
    for status in ["helped", "new", "not_reachable", "contacted", "new"]:
        changed = referral_set_status(actor=cast.volunteer, referral=referral, status=status)
        assert changed.status == status
    assert AuditEntry.objects.filter(action="referral.status_changed").count() == 5


def test_the_same_status_again_changes_nothing_and_logs_nothing(cast):
    referral = refer(cast)

    same = referral_set_status(actor=cast.volunteer, referral=referral, status="new")

    assert same.status_changed_at is None
    assert not AuditEntry.objects.filter(action="referral.status_changed").exists()


def test_an_unknown_status_is_refused(cast):
    referral = refer(cast)

    with pytest.raises(ValidationError):
        referral_set_status(actor=cast.volunteer, referral=referral, status="lost")


@pytest.mark.parametrize("role", ["referrer", "analyst", "outsider", "other_coordinator"])
def test_only_staff_of_the_site_change_the_status(cast, role):
    referral = refer(cast)

    with pytest.raises(PermissionDenied):
        referral_set_status(actor=cast.by_role()[role], referral=referral, status="helped")

    assert Referral.objects.get(pk=referral.pk).status == "new"


def test_a_volunteer_of_another_site_of_the_organisation_cannot_change_the_status(cast):
    referral = refer(cast, site=cast.gent_b)

    with pytest.raises(PermissionDenied):
        referral_set_status(actor=cast.volunteer, referral=referral, status="helped")
