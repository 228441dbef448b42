"""The rules of registering, correcting and deleting contacts, in the service every entry point
uses (the form, the agenda and the API)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from network.models import Partnership, Site
from questions import visitor_codes
from questions.figures import site_figures
from questions.models import Contact, Question, VisitorCode
from questions.services import (
    ContactInput,
    QuestionInput,
    contact_delete,
    contact_register,
    contact_update,
    visitor_codes_issue,
)
from tests.questions.registration import age, concern, register, theme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def refused(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def simple(**fields) -> ContactInput:
    fields.setdefault("questions", [QuestionInput(theme("eid-itsme"), "solved")])
    fields.setdefault("channel", "walk_in")
    fields.setdefault("duration", "15-30")
    return ContactInput(**fields)


# --- registering ----------------------------------------------------------------------------


def test_a_contact_without_a_question_is_refused(cast):
    errors = refused(
        lambda: contact_register(actor=cast.volunteer, site=cast.gent_a, data=simple(questions=[]))
    )

    assert errors["questions"] == ["Choose what the question was about."]
    assert Contact.objects.count() == 0


def test_a_referral_must_say_to_which_partner(cast):
    data = simple(questions=[QuestionInput(theme("taxes"), "referred")])

    errors = refused(lambda: contact_register(actor=cast.volunteer, site=cast.gent_a, data=data))

    assert errors == {"referred_to": ["Say to which partner you referred."]}


def test_a_referral_keeps_its_partner_and_other_outcomes_have_none(cast):
    data = simple(
        questions=[
            QuestionInput(theme("taxes"), "referred", referred_to="ocmw"),
            QuestionInput(theme("banking"), "solved", referred_to="ocmw"),
        ]
    )

    [contact] = contact_register(actor=cast.volunteer, site=cast.gent_a, data=data)

    assert [(q.outcome, q.referred_to) for q in contact.questions.all()] == [
        ("referred", "ocmw"),
        ("solved", ""),
    ]


def test_a_note_with_a_phone_number_is_refused_and_says_why(cast):
    data = simple(note="Belt terug op 0470 12 34 56")

    errors = refused(lambda: contact_register(actor=cast.volunteer, site=cast.gent_a, data=data))

    assert "phone number" in " ".join(errors["note"]).lower()
    assert Contact.objects.count() == 0


def test_an_ordinary_note_is_kept(cast):
    [contact] = register(cast.volunteer, cast.gent_a, note="Wachtwoord van itsme vergeten.")

    assert contact.note == "Wachtwoord van itsme vergeten."


def test_a_moment_in_the_future_is_refused(cast):
    data = simple(occurred_at=timezone.now() + timedelta(hours=2))

    errors = refused(lambda: contact_register(actor=cast.volunteer, site=cast.gent_a, data=data))

    assert errors == {"occurred_at": ["This moment is in the future."]}


def test_a_contact_registered_afterwards_gets_its_own_day(cast):
    moment = timezone.now() - timedelta(days=3)

    [contact] = register(cast.volunteer, cast.gent_a, occurred_at=moment)

    assert contact.day == timezone.localdate(moment)
    assert contact.questions.get().day == contact.day


def test_five_people_become_five_contacts_of_one_group(cast):
    contacts = register(
        cast.volunteer,
        cast.gent_a,
        people=5,
        questions=[QuestionInput(theme("eid-itsme"), "solved", concern=concern("itsme"))],
    )

    assert len(contacts) == 5
    assert len({contact.batch for contact in contacts}) == 1
    assert contacts[0].batch is not None
    assert Question.objects.filter(concern__code="itsme").count() == 5
    assert AuditEntry.objects.filter(action="contact.register").count() == 1


@pytest.mark.parametrize("people", [0, 51])
def test_a_group_must_have_from_1_to_50_people(cast, people):
    errors = refused(lambda: register(cast.volunteer, cast.gent_a, people=people))

    assert errors == {"people": ["Enter a number from 1 to 50."]}


# --- visitor codes --------------------------------------------------------------------------


def test_a_visitor_code_of_the_sites_organisation_is_accepted(cast):
    [code] = visitor_codes_issue(actor=cast.org_admin, organisation=cast.gent, count=1)

    [contact] = register(
        cast.volunteer, cast.gent_a, visitor_code=visitor_codes.display(code.code).lower()
    )

    assert contact.visitor == code


def test_a_visitor_code_of_a_partner_organisation_is_accepted(cast):
    digibank = Partnership.objects.create(name="Digibank Oost", kind=Partnership.Kind.DIGIBANK)
    digibank.organisations.add(cast.gent, cast.aalst_org)
    [code] = visitor_codes_issue(actor=cast.other_coordinator, organisation=cast.aalst_org, count=1)

    [contact] = register(cast.volunteer, cast.gent_a, visitor_code=code.code)

    assert contact.visitor == code


def test_a_visitor_who_comes_to_two_sites_of_a_partnership_is_counted_once_there(cast):
    digibank = Partnership.objects.create(name="Digibank Oost", kind=Partnership.Kind.DIGIBANK)
    digibank.organisations.add(cast.gent, cast.aalst_org)
    [card] = visitor_codes_issue(actor=cast.org_admin, organisation=cast.gent, count=1)
    register(cast.volunteer, cast.gent_a, visitor_code=card.code)
    register(cast.other_coordinator, cast.aalst, visitor_code=card.code)
    register(cast.other_coordinator, cast.aalst)  # without a card: not counted as a visitor

    sites = [site.pk for site in Site.objects.filter(organisation__partnerships=digibank)]
    today = timezone.localdate()
    figures = site_figures(site_ids=sites, date_from=today, date_to=today)

    assert figures.contacts == 3
    assert figures.visitor_codes == 1


def test_a_visitor_code_of_an_unrelated_organisation_is_refused(cast):
    [code] = visitor_codes_issue(actor=cast.other_coordinator, organisation=cast.aalst_org, count=1)

    errors = refused(lambda: register(cast.volunteer, cast.gent_a, visitor_code=code.code))

    assert errors["visitor_code"] == [
        "This visitor code is not known here. It may belong to another network of Digipunten."
    ]


def test_a_visitor_code_with_a_wrong_check_character_is_refused(cast):
    [code] = visitor_codes_issue(actor=cast.org_admin, organisation=cast.gent, count=1)
    wrong_last = next(c for c in visitor_codes.ALPHABET if c != code.code[-1])

    errors = refused(
        lambda: register(cast.volunteer, cast.gent_a, visitor_code=code.code[:-1] + wrong_last)
    )

    assert errors["visitor_code"] == [
        "This is not a valid visitor code. Check the 8 characters on the card."
    ]


def test_a_visitor_code_with_a_group_is_refused(cast):
    [code] = visitor_codes_issue(actor=cast.org_admin, organisation=cast.gent, count=1)

    errors = refused(
        lambda: register(cast.volunteer, cast.gent_a, people=3, visitor_code=code.code)
    )

    assert errors == {
        "visitor_code": ["A visitor code belongs to one person: register a group without it."]
    }


def test_visitor_codes_are_issued_valid_distinct_and_audited_once(cast):
    codes = visitor_codes_issue(actor=cast.coordinator, organisation=cast.gent, count=25)

    assert len({code.code for code in codes}) == 25
    assert all(visitor_codes.normalise(code.code) == code.code for code in codes)
    entry = AuditEntry.objects.get(action="visitor_codes.issue")
    assert entry.organisation == cast.gent
    assert entry.changes["count"] == 25
    assert VisitorCode.objects.filter(organisation=cast.gent).count() == 25


@pytest.mark.parametrize("count", [0, 201])
def test_visitor_codes_come_in_1_to_200(cast, count):
    errors = refused(
        lambda: visitor_codes_issue(actor=cast.coordinator, organisation=cast.gent, count=count)
    )

    assert errors == {"count": ["Enter a number from 1 to 200."]}
    assert VisitorCode.objects.count() == 0


# --- correcting and deleting ----------------------------------------------------------------


def test_a_helper_corrects_their_own_contact_and_its_questions_are_replaced(cast):
    [contact] = register(cast.volunteer, cast.gent_a, "eid-itsme")
    data = ContactInput(
        channel="phone",
        duration="30-60",
        questions=[
            QuestionInput(theme("taxes"), "partly"),
            QuestionInput(theme("banking"), "referred", referred_to="bank"),
        ],
    )

    contact_update(actor=cast.volunteer, contact=contact, data=data)

    contact.refresh_from_db()
    assert (contact.channel, contact.duration) == ("phone", "30-60")
    assert [(q.theme.code, q.outcome) for q in contact.questions.all()] == [
        ("taxes", "partly"),
        ("banking", "referred"),
    ]
    entry = AuditEntry.objects.get(action="contact.update")
    assert entry.changes["channel"] == ["walk_in", "phone"]
    assert entry.changes["questions"] == [
        ["eid-itsme / solved"],
        ["taxes / partly", "banking / referred / bank"],
    ]


def test_a_correction_follows_the_same_rules_as_a_registration(cast):
    [contact] = register(cast.volunteer, cast.gent_a)

    errors = refused(
        lambda: contact_update(
            actor=cast.volunteer, contact=contact, data=simple(note="mail me: a@example.org")
        )
    )

    assert "note" in errors
    assert Contact.objects.get(pk=contact.pk).note == ""


def test_a_contact_older_than_24_hours_can_no_longer_be_corrected_or_deleted(cast):
    [contact] = register(cast.volunteer, cast.gent_a)
    age(contact, hours=25)

    with pytest.raises(ValidationError, match="more than 24 hours ago"):
        contact_update(actor=cast.volunteer, contact=contact, data=simple(channel="phone"))
    with pytest.raises(ValidationError, match="more than 24 hours ago"):
        contact_delete(actor=cast.volunteer, contact=contact)
    assert Contact.objects.filter(pk=contact.pk, channel="walk_in").exists()


def test_a_contact_of_23_hours_ago_can_still_be_deleted(cast):
    [contact] = register(cast.volunteer, cast.gent_a)
    age(contact, hours=23)

    contact_delete(actor=cast.volunteer, contact=contact)

    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_only_the_person_who_entered_a_contact_may_change_it(cast):
    [contact] = register(cast.volunteer, cast.gent_a)

    with pytest.raises(ValidationError, match="Only the person who entered"):
        contact_delete(actor=cast.coordinator, contact=contact)
    with pytest.raises(ValidationError, match="Only the person who entered"):
        contact_update(actor=cast.coordinator, contact=contact, data=simple(channel="phone"))
    assert Contact.objects.filter(pk=contact.pk, channel="walk_in").exists()


def test_deleting_one_of_a_group_leaves_the_others_and_is_audited(cast):
    contacts = register(cast.volunteer, cast.gent_a, people=5)

    contact_delete(actor=cast.volunteer, contact=contacts[2])

    assert Contact.objects.filter(batch=contacts[0].batch).count() == 4
    entry = AuditEntry.objects.get(action="contact.delete")
    assert entry.object_id == str(contacts[2].pk)
    assert entry.changes["batch"] == str(contacts[0].batch)
    assert entry.changes["questions"] == ["eid-itsme / solved"]


def test_correcting_one_of_a_group_changes_only_that_one(cast):
    contacts = register(cast.volunteer, cast.gent_a, people=3)

    contact_update(actor=cast.volunteer, contact=contacts[0], data=simple(channel="phone"))

    channels = sorted(
        Contact.objects.filter(batch=contacts[0].batch).values_list("channel", flat=True)
    )
    assert channels == ["phone", "walk_in", "walk_in"]
