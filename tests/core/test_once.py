"""Every form is sent once (issue 15, robustness): a second submission of the same form, with
its `{% once %}` token, gets the first one's answer and does nothing twice."""

from __future__ import annotations

import re

import pytest

from core.once import FIELD
from learning.models import Course
from tests.cast import signed_in, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

COURSE = {
    "title": "Safe online banking",
    "summary": "Pay and check your account safely.",
    "level": "beginner",
    "language": "nl",
    "format": "group",
    "cost_euros": "0",
    "is_published": "on",
    "competences": ["4.2"],
}


def token_of(page) -> str:
    match = re.search(rf'name="{FIELD}" value="([^"]+)"', page.content.decode())
    assert match, "the form has no once-token"
    return match[1]


def test_every_post_form_of_the_templates_carries_a_token(cast):
    client = signed_in(cast.coordinator)
    page = client.get(url("learning:course-add", site_id=cast.gent_a.pk))

    assert token_of(page) != token_of(
        client.get(url("learning:course-add", site_id=cast.gent_a.pk))
    )


def test_a_form_sent_twice_saves_once_and_answers_the_same_redirect(cast):
    client = signed_in(cast.coordinator)
    add = url("learning:course-add", site_id=cast.gent_a.pk)
    token = token_of(client.get(add))

    first = client.post(add, {**COURSE, FIELD: token})
    second = client.post(add, {**COURSE, FIELD: token})

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Course.objects.count() == 1


def test_a_form_that_came_back_with_a_message_can_be_sent_again(cast):
    client = signed_in(cast.coordinator)
    add = url("learning:course-add", site_id=cast.gent_a.pk)
    token = token_of(client.get(add))

    refused = client.post(add, {**COURSE, "title": "", FIELD: token})
    corrected = client.post(add, {**COURSE, FIELD: token})

    assert refused.status_code == 400
    assert corrected.status_code == 302
    assert Course.objects.count() == 1


def test_someone_else_with_the_same_token_is_not_given_the_first_answer(cast):
    first, other = signed_in(cast.coordinator), signed_in(cast.org_admin)
    add = url("learning:course-add", site_id=cast.gent_a.pk)
    token = token_of(first.get(add))

    first.post(add, {**COURSE, FIELD: token})
    other.post(add, {**COURSE, "title": "Another course", FIELD: token})

    assert Course.objects.count() == 2
