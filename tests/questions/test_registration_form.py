"""The fast registration form, through the HTTP client, on the English pages (the source
language, so translating never breaks these tests)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from network.models import Theme
from questions.models import Contact, Question
from questions.services import QuestionInput
from tests.cast import signed_in, text, url
from tests.questions.registration import concern, form_data, register, theme

pytestmark = pytest.mark.django_db


def new_url(site) -> str:
    return url("questions:contact-new", site_id=site.pk)


def theme_order(html: str) -> list[str]:
    """The theme buttons' values (ids) in the order the page shows them."""
    return re.findall(r'<input type="radio" name="theme" value="(\d+)"', html)


def checked(html: str, name: str) -> str | None:
    match = re.search(rf'<input type="radio" name="{name}" value="([^"]*)"[^>]* checked', html)
    return match[1] if match else None


def test_the_form_has_site_helper_and_sensible_defaults_filled_in(cast):
    response = signed_in(cast.volunteer).get(new_url(cast.gent_a))

    html = text(response)
    assert response.status_code == 200
    assert "At Digipunt Gent A, helped by Vera, now." in html
    assert checked(html, "channel") == "walk_in"
    assert checked(html, "duration") == "15-30"
    assert checked(html, "outcome") == "solved"
    assert checked(html, "theme") is None  # the one choice the helper makes
    assert 'name="people" value="1"' in html
    assert re.search(r'name="form_token" value="[0-9a-f]{32}"', html)
    assert 'src="/static/js/register.js" defer' in html


def test_the_most_used_themes_of_the_site_come_first(cast):
    for code, times in (("banking", 1), ("taxes", 3), ("health", 2)):
        for _ in range(times):
            register(cast.volunteer, cast.gent_a, code)
    # Another site's questions and old ones do not count.
    for _ in range(5):
        register(cast.org_admin, cast.gent_b, "email")
    register(
        cast.volunteer,
        cast.gent_a,
        "school",
        people=9,
        occurred_at=timezone.now() - timedelta(days=91),
    )

    order = theme_order(text(signed_in(cast.volunteer).get(new_url(cast.gent_a))))

    assert order[:3] == [str(theme(code).pk) for code in ("taxes", "health", "banking")]
    # Then every other theme in the taxonomy's order.
    rest = Theme.objects.exclude(code__in=["taxes", "health", "banking"])
    assert order[3:] == [str(t.pk) for t in rest.order_by("position", "code")]


def test_the_first_nine_themes_show_their_shortcut_number(cast):
    html = text(signed_in(cast.volunteer).get(new_url(cast.gent_a)))

    assert re.findall(r'<span class="key" aria-hidden="true">(\d)</span>', html) == list(
        "123456789"
    )
    assert "press 1 to 9 to choose one of the first nine themes" in html


def test_the_channel_used_last_at_the_site_is_the_default(cast):
    register(cast.volunteer, cast.gent_a, channel="phone")
    register(cast.volunteer, cast.gent_a, channel="video")
    register(cast.coordinator, cast.gent_a, channel="home_visit")  # someone else's

    html = text(signed_in(cast.volunteer).get(new_url(cast.gent_a)))

    assert checked(html, "channel") == "video"


def test_choosing_a_theme_and_saving_registers_a_contact_and_says_what(cast):
    client = signed_in(cast.volunteer)

    response = client.post(new_url(cast.gent_a), form_data("eid-itsme"), follow=True)

    contact = Contact.objects.get()
    assert (contact.site, contact.helper, contact.created_by) == (
        cast.gent_a,
        cast.volunteer,
        cast.volunteer,
    )
    assert (contact.channel, contact.duration) == ("walk_in", "15-30")
    assert abs(contact.occurred_at - timezone.now()) < timedelta(minutes=1)
    assert [(q.theme.code, q.outcome) for q in contact.questions.all()] == [("eid-itsme", "solved")]
    assert response.redirect_chain == [(new_url(cast.gent_a), 302)]
    html = text(response)
    assert "Saved: 1 contact about eID and itsme." in html
    entries = html.split("Your entries of the last 24 hours")[1]
    assert "eID and itsme: solved" in entries
    assert url("questions:contact-edit", site_id=cast.gent_a.pk, contact_id=contact.pk) in entries
    assert url("questions:contact-delete", site_id=cast.gent_a.pk, contact_id=contact.pk) in entries


def test_a_busy_session_is_entered_at_once(cast):
    client = signed_in(cast.volunteer)
    data = form_data("eid-itsme", people="5", concern=concern("itsme").pk)

    response = client.post(new_url(cast.gent_a), data, follow=True)

    assert Contact.objects.count() == 5
    assert Question.objects.filter(concern__code="itsme").count() == 5
    html = text(response)
    assert "Saved: 5 contacts about eID and itsme." in html
    assert html.count("one of a group of 5") == 5


def test_another_question_adds_a_second_question_to_the_contact(cast):
    data = form_data(
        "eid-itsme",
        theme_2=theme("taxes").pk,
        outcome_2="referred",
        referred_to_2="ocmw",
    )

    signed_in(cast.volunteer).post(new_url(cast.gent_a), data)

    contact = Contact.objects.get()
    assert [(q.theme.code, q.outcome, q.referred_to) for q in contact.questions.all()] == [
        ("eid-itsme", "solved", ""),
        ("taxes", "referred", "ocmw"),
    ]


def test_the_anonymous_visitor_profile_is_saved_when_given(cast):
    data = form_data(
        age_band="65-74",
        gender="woman",
        visitor_language="fr",
        first_visit="yes",
        situation="pensioner",
    )

    signed_in(cast.volunteer).post(new_url(cast.gent_a), data)

    contact = Contact.objects.get()
    assert (contact.age_band, contact.gender, contact.visitor_language) == ("65-74", "woman", "fr")
    assert (contact.first_visit, contact.situation) == (True, "pensioner")


def test_a_contact_can_be_registered_afterwards_with_a_date_and_time(cast):
    yesterday = timezone.localdate() - timedelta(days=1)

    signed_in(cast.volunteer).post(
        new_url(cast.gent_a), form_data(date=yesterday.isoformat(), time="10:15")
    )

    contact = Contact.objects.get()
    assert contact.day == yesterday
    assert timezone.localtime(contact.occurred_at).strftime("%H:%M") == "10:15"


def test_a_date_in_the_future_is_refused_at_the_date_field(cast):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = signed_in(cast.volunteer).post(
        new_url(cast.gent_a), form_data(date=tomorrow.isoformat(), time="10:15")
    )

    html = text(response)
    assert response.status_code == 200
    assert re.search(r'id="id_date_error"[^>]*><li>This moment is in the future.', html)
    assert f'value="{tomorrow.isoformat()}"' in html
    assert Contact.objects.count() == 0


def test_without_a_theme_the_form_says_so_and_keeps_the_other_choices(cast):
    data = form_data(theme="", channel="phone", duration="30-60", note="Vraag over de kaartlezer")

    response = signed_in(cast.volunteer).post(new_url(cast.gent_a), data)

    html = text(response)
    assert response.status_code == 200
    assert "Choose what the question was about." in html
    assert checked(html, "channel") == "phone"
    assert checked(html, "duration") == "30-60"
    assert "Vraag over de kaartlezer</textarea>" in html
    assert Contact.objects.count() == 0


def test_a_note_with_personal_data_is_refused_and_everything_typed_stays(cast):
    note = "Mevrouw belt terug op 0470 12 34 56"
    data = form_data(
        "taxes", channel="phone", concern=concern("myminfin").pk, age_band="45-64", note=note
    )

    response = signed_in(cast.volunteer).post(new_url(cast.gent_a), data)

    html = text(response)
    assert response.status_code == 200
    assert "nothing is saved yet" in html
    note_errors = re.search(r'id="id_note_error">(.*?)</ul>', html, re.S)[1]
    assert "phone number" in note_errors.lower()
    assert f"{note}</textarea>" in html
    assert checked(html, "theme") == str(theme("taxes").pk)
    assert checked(html, "channel") == "phone"
    assert checked(html, "age_band") == "45-64"
    assert re.search(rf'<option value="{concern("myminfin").pk}" selected>', html)
    assert f'value="{data["form_token"]}"' in html  # the same form, still not saved
    assert Contact.objects.count() == 0


def test_a_referral_without_a_partner_is_marked_at_the_partner_choice(cast):
    data = form_data("taxes", outcome="referred", referred_to="")

    response = signed_in(cast.volunteer).post(new_url(cast.gent_a), data)

    html = text(response)
    assert re.search(r'id="id_referred_to_error"[^>]*><li>Say to which partner you referred.', html)
    assert checked(html, "outcome") == "referred"
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("people", ["0", "51", "many", ""])
def test_a_wrong_number_of_people_is_refused(cast, people):
    response = signed_in(cast.volunteer).post(new_url(cast.gent_a), form_data(people=people))

    assert "Enter a number from 1 to 50." in text(response)
    assert f'name="people" value="{people}"' in text(response) or people == ""
    assert Contact.objects.count() == 0


def test_an_unknown_visitor_code_is_refused_at_its_field_and_kept(cast):
    response = signed_in(cast.volunteer).post(
        new_url(cast.gent_a), form_data(visitor_code="7K3M-9QXB")
    )

    html = text(response)
    assert re.search(r'id="id_visitor_code_error"[^>]*><li>This', html)
    assert 'value="7K3M-9QXB"' in html
    assert '<details class="more" open>' in html  # the visitor part opens to show it


def test_a_double_submission_registers_once_and_says_it_was_already_saved(cast):
    client = signed_in(cast.volunteer)
    data = form_data("eid-itsme")

    first = client.post(new_url(cast.gent_a), data)
    second = client.post(new_url(cast.gent_a), data, follow=True)

    assert first.status_code == 302
    assert Contact.objects.count() == 1
    html = text(second)
    assert "This was already saved: 1 contact about eID and itsme." in html
    assert AuditEntry.objects.filter(action="contact.register").count() == 1


def test_a_form_key_of_someone_else_is_refused_without_saying_what_it_saved(cast):
    data = form_data("eid-itsme")
    signed_in(cast.coordinator).post(new_url(cast.gent_a), data)

    response = signed_in(cast.volunteer).post(new_url(cast.gent_a), {**data, "note": "Kept"})

    assert response.status_code == 200
    html = text(response)
    assert "This form was already used. Open a new form and try again." in html
    assert "eID and itsme." not in html
    assert re.search(r">\s*Kept</textarea>", html)
    assert Contact.objects.count() == 1


def test_a_new_form_registers_again(cast):
    client = signed_in(cast.volunteer)

    client.post(new_url(cast.gent_a), form_data("eid-itsme"))
    client.post(new_url(cast.gent_a), form_data("eid-itsme"))

    assert Contact.objects.count() == 2


def test_the_entries_list_shows_only_ones_own_recent_entries_at_this_site(cast):
    mine = register(cast.volunteer, cast.gent_a, "taxes")[0]
    old = register(cast.volunteer, cast.gent_a, "banking")[0]
    Contact.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    register(cast.coordinator, cast.gent_a, "health")
    register(cast.org_admin, cast.gent_b, "email")

    html = text(signed_in(cast.volunteer).get(new_url(cast.gent_a)))

    entries = html.split("Your entries of the last 24 hours")[1]
    assert "Taxes" in entries
    assert f"/contacts/{mine.pk}/edit/" in entries
    for other in ("Banking", "Health", "Email:"):
        assert other not in entries


def test_registering_takes_a_bounded_number_of_queries(cast, django_assert_max_num_queries):
    client = signed_in(cast.volunteer)
    client.get(new_url(cast.gent_a))
    data = form_data("eid-itsme", people="5", theme_2=theme("taxes").pk)

    # Session, user, the site with the right to register, themes, concerns; then a savepoint
    # (BEGIN in production), the contacts, their questions, the audit entry and its release
    # (COMMIT): 10. The second-factor check is skipped for a verified session. The "Saved"
    # message is kept in the session, never in a cookie (it may name someone), so the session
    # is written: its savepoint, update and release make 13. The evidence's rollups learn of
    # the new contact and its questions through one pending mark each (`insights.tracking`,
    # written in the same transaction): 15.
    with django_assert_max_num_queries(15):
        response = client.post(new_url(cast.gent_a), data)

    assert response.status_code == 302
    assert Contact.objects.count() == 5


def test_the_entries_list_costs_the_same_few_queries_for_many_entries(
    cast, django_assert_max_num_queries
):
    client = signed_in(cast.volunteer)
    for code in ("taxes", "banking", "health", "email"):
        register(
            cast.volunteer,
            cast.gent_a,
            people=5,
            questions=[QuestionInput(theme(code), "solved", concern=concern("itsme"))],
        )

    with django_assert_max_num_queries(12):
        response = client.get(new_url(cast.gent_a))

    assert text(response).count("one of a group of 5") == 20
