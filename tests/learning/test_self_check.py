"""The skills self-check: anonymous answers, the result in words per DigComp area with courses
and help cards to go further, and a course's before-and-after shown only in aggregate."""

from __future__ import annotations

import pytest

from learning import self_check
from learning.models import SelfCheck
from tests.cast import signed_in, text, url
from tests.learning.helpers import course, session

pytestmark = pytest.mark.django_db


def answers(value: int, *, safety: int | None = None) -> dict[str, str]:
    data = {f"q{n}": str(value) for n in range(len(self_check.QUESTIONS))}
    if safety is not None:
        data.update({"q6": str(safety), "q7": str(safety)})
    return data


def test_the_result_names_the_weakest_area_first():
    result = self_check.result([3, 3, 3, 3, 3, 2, 0, 0, 3, 2])

    assert result[0].code == "4"
    assert result[0].score == 0
    assert "first steps" in result[0].words
    assert result[-1].score == 3


def test_the_page_keeps_the_answers_and_suggests_courses(client, cast, clock):
    safe = course(cast.gent_a, "Safe banking", competences=",4.2,")
    session(cast.gent_a, safe)
    page = url("learning:self-check")
    assert client.get(page).status_code == 200

    incomplete = client.post(page, {"q0": "2", "place": "9000"})
    assert incomplete.status_code == 400
    assert "Choose one answer." in text(incomplete)
    assert 'value="9000"' in incomplete.content.decode()
    assert not SelfCheck.objects.exists()

    done = client.post(page, {**answers(3, safety=0), "place": "9000"})

    assert done.status_code == 200
    assert "Safe banking" in text(done)
    stored = SelfCheck.objects.get()
    assert stored.answers == [3, 3, 3, 3, 3, 3, 0, 0, 3, 3]
    assert stored.session is None
    assert {f.name for f in SelfCheck._meta.fields} == {
        "id",
        "taken_on",
        "language",
        "answers",
        "session",
        "moment",
    }  # nothing that names a person


def test_bad_answers_are_refused_not_a_500(client, cast):
    response = client.post(url("learning:self-check"), {**answers(9), "session": "x"})
    assert response.status_code == 400


def test_a_course_before_and_after_shows_only_in_aggregate(client, cast, clock):
    item = session(cast.gent_a, course(cast.gent_a))
    page = url("learning:self-check")
    for _n in range(self_check.MIN_GROUP):
        client.post(page, {**answers(0), "session": item.pk, "moment": "before"})
    for _n in range(self_check.MIN_GROUP - 1):
        client.post(page, {**answers(2), "session": item.pk, "moment": "after"})
    roster = url("learning:session", site_id=cast.gent_a.pk, session_id=item.pk)
    staff = signed_in(cast.coordinator)
    assert "The comparison shows once at least 5 people" in text(staff.get(roster))

    client.post(page, {**answers(2), "session": item.pk, "moment": "after"})

    found = self_check.comparison(item)
    assert (found.before, found.after) == (5, 5)
    assert all((before, after) == (0, 2) for _title, before, after in found.rows)
    assert "5 before, 5 after" in text(staff.get(roster))
