"""Correcting and deleting one's own entries through the pages: only one's own, only at that
site, only for 24 hours; anything else answers 404 (nobody learns about others' entries)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from questions.models import Contact
from tests.cast import signed_in, text, url
from tests.questions.registration import age, form_data, register, theme

pytestmark = pytest.mark.django_db


def edit_url(contact: Contact, site=None) -> str:
    return url("questions:contact-edit", site_id=(site or contact.site).pk, contact_id=contact.pk)


def delete_url(contact: Contact, site=None) -> str:
    return url("questions:contact-delete", site_id=(site or contact.site).pk, contact_id=contact.pk)


def edit_data(**changes):
    data = form_data(**changes)
    data.pop("people")
    data.pop("form_token")
    data.setdefault("date", "")
    data.setdefault("time", "")
    return data


def test_the_correction_form_shows_what_was_registered(cast):
    [contact] = register(cast.volunteer, cast.gent_a, "taxes", channel="phone", note="Aangifte")

    response = signed_in(cast.volunteer).get(edit_url(contact))

    html = text(response)
    assert response.status_code == 200
    assert re.search(rf'name="theme" value="{theme("taxes").pk}"[^>]* checked', html)
    assert re.search(r'name="channel" value="phone"[^>]* checked', html)
    assert "Aangifte</textarea>" in html
    assert 'name="people"' not in html


def test_a_helper_corrects_their_own_entry(cast):
    [contact] = register(cast.volunteer, cast.gent_a, "taxes")
    yesterday = timezone.localdate() - timedelta(days=1)
    data = edit_data(
        theme_code="banking",
        duration="gt60",
        date=yesterday.isoformat(),
        time="09:05",
    )

    response = signed_in(cast.volunteer).post(edit_url(contact), data, follow=True)

    contact.refresh_from_db()
    assert contact.duration == "gt60"
    assert [q.theme.code for q in contact.questions.all()] == ["banking"]
    assert "Corrected: 1 contact about Banking and payments." in text(response)
    assert AuditEntry.objects.filter(action="contact.update", object_id=str(contact.pk)).exists()
    assert contact.day == yesterday
    assert timezone.localtime(contact.occurred_at).strftime("%H:%M") == "09:05"


def test_a_correction_with_bad_input_keeps_what_was_typed(cast):
    [contact] = register(cast.volunteer, cast.gent_a, "taxes")
    data = edit_data(
        theme_code="banking",
        note="mail naar jan@example.org",
        date=contact.day.isoformat(),
        time="00:00",
    )

    response = signed_in(cast.volunteer).post(edit_url(contact), data)

    html = text(response)
    assert response.status_code == 200
    assert "mail naar jan@example.org</textarea>" in html
    assert re.search(rf'name="theme" value="{theme("banking").pk}"[^>]* checked', html)
    contact.refresh_from_db()
    assert [q.theme.code for q in contact.questions.all()] == ["taxes"]


def test_one_of_a_group_says_so_and_only_that_one_changes(cast):
    contacts = register(cast.volunteer, cast.gent_a, people=5)
    client = signed_in(cast.volunteer)

    assert "one of a group of 5" in text(client.get(edit_url(contacts[0])))
    assert "one of a group of 5" in text(client.get(delete_url(contacts[0])))
    client.post(delete_url(contacts[0]))

    assert Contact.objects.filter(batch=contacts[0].batch).count() == 4
    assert "one of a group of 4" in text(client.get(edit_url(contacts[1])))


def test_a_helper_deletes_their_own_entry_after_confirming(cast):
    [contact] = register(cast.volunteer, cast.gent_a, "taxes")
    client = signed_in(cast.volunteer)

    confirm = client.get(delete_url(contact))
    response = client.post(delete_url(contact), follow=True)

    assert "Delete this contact?" in text(confirm)
    assert Contact.objects.filter(pk=contact.pk).exists() is False
    assert "Deleted: 1 contact about Taxes" in text(response)


def test_someone_elses_entry_answers_404(cast):
    [contact] = register(cast.coordinator, cast.gent_a)
    client = signed_in(cast.volunteer)

    assert client.get(edit_url(contact)).status_code == 404
    assert client.post(edit_url(contact), edit_data()).status_code == 404
    assert client.get(delete_url(contact)).status_code == 404
    assert client.post(delete_url(contact)).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_ones_own_entry_older_than_24_hours_answers_404(cast):
    [contact] = register(cast.volunteer, cast.gent_a)
    age(contact, hours=24.5)
    client = signed_in(cast.volunteer)

    assert client.get(edit_url(contact)).status_code == 404
    assert client.post(delete_url(contact)).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_ones_own_entry_under_another_sites_address_answers_404(cast):
    [contact] = register(cast.org_admin, cast.gent_b)
    client = signed_in(cast.org_admin)

    assert client.get(edit_url(contact, site=cast.gent_a)).status_code == 404
    assert client.post(delete_url(contact, site=cast.gent_a)).status_code == 404
    assert client.get(edit_url(contact)).status_code == 200
