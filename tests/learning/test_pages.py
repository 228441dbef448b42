"""The course pages without JavaScript: the finder, a course page with its JSON-LD, registering
(a place, the waiting list, a double submission, bad input kept), the private page to cancel;
and the staff's catalogue, planning a date, the roster with attendance and walk-ins."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from learning.models import Course, Registration, Session
from tests import factories
from tests.cast import signed_in, text, url
from tests.human import as_shown
from tests.learning.helpers import course, register, session

pytestmark = pytest.mark.django_db


def test_the_finder_lists_courses_near_a_place_and_filters_them(cast, client, clock):
    near = session(cast.gent_a, course(cast.gent_a, "Using itsme", competences=",2.6,"))
    session(
        cast.gent_a,
        course(cast.gent_a, "Safe banking", level=Course.Level.SOME, competences=",4.2,"),
    )
    far = factories.site(name="Far away", municipality="11002", latitude=51.2194, longitude=4.4025)
    session(far, course(far, "Antwerp course"))
    finder = url("learning:finder")

    everywhere = text(client.get(finder))
    near_gent = text(client.get(finder, {"q": "9000"}))
    beginners = text(client.get(finder, {"q": "9000", "beginners": "on"}))
    identity = text(client.get(finder, {"area": "2"}))

    assert all(title in everywhere for title in ("Using itsme", "Safe banking", "Antwerp course"))
    assert "Using itsme" in near_gent
    assert "Antwerp course" not in near_gent
    assert "Safe banking" not in beginners
    assert "Using itsme" in identity
    assert "Safe banking" not in identity
    assert f"/courses/dates/{near.pk}/register/" in client.get(finder).content.decode()


def test_bad_finder_input_is_said_not_a_500(client, cast, clock):
    response = client.get(
        url("learning:finder"),
        {"q": "x" * 300, "starts_from": "2026-13-40", "page": "-3", "area": "9"},
    )
    assert response.status_code == 200
    assert "too long for a place" in text(response)


def test_a_course_page_has_its_dates_and_json_ld(client, cast, clock):
    item = course(cast.gent_a, "Video-calling", cost_euros=0)
    session(cast.gent_a, item, capacity=8)

    page = client.get(url("learning:course", slug=item.slug))

    assert page.status_code == 200
    html = page.content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["@type"] == "Course"
    assert data["name"] == "Video-calling"
    [instance] = data["hasCourseInstance"]
    assert instance["@type"] == "CourseInstance"
    assert instance["remainingAttendeeCapacity"] == 8
    assert instance["location"]["address"]["postalCode"] == cast.gent_a.postal_code
    assert "8 places left" in text(page)


def test_a_course_with_a_script_in_its_title_cannot_break_the_json_ld(client, cast, clock):
    item = course(cast.gent_a, "</script><script>alert(1)</script>")
    html = client.get(url("learning:course", slug=item.slug)).content.decode()
    assert "</script><script>alert(1)" not in html


def test_a_resident_registers_then_cancels_without_an_account(client, cast, clock):
    item = session(cast.gent_a, course(cast.gent_a), capacity=1)
    page = url("learning:register", session_id=item.pk)
    assert client.get(page).status_code == 200

    refused = client.post(page, as_shown({"name": "Marie Peeters", "phone": "12"}))
    assert refused.status_code == 400
    assert 'value="Marie Peeters"' in refused.content.decode()
    assert not Registration.objects.exists()

    done = client.post(page, as_shown({"name": "Marie Peeters", "phone": "0470 12 34 56"}))
    assert done.status_code == 200
    assert "You are registered" in text(done)
    link = re.search(r"/en/courses/registration/[^/\s\"<]+/", done.content.decode()).group(0)
    assert done["Cache-Control"] == "no-store"

    again = client.post(page, as_shown({"name": "Marie Peeters", "phone": "+32470123456"}))
    assert "You are already registered" in text(again)
    assert Registration.objects.count() == 1

    waiting = client.post(page, as_shown({"name": "Jan Janssens", "email": "jan@example.org"}))
    assert "number 1 on the waiting list" in text(waiting)

    mine = client.get(link)
    assert "Yes, cancel my registration" in text(mine)
    cancelled = client.post(link, {"action": "cancel"})
    assert "Your registration is cancelled." in text(cancelled)
    assert Registration.objects.get(name="Jan Janssens").status == "confirmed"


def test_an_unknown_private_link_is_a_404(client, cast):
    assert client.get("/en/courses/registration/not-a-real-token/").status_code == 404


def test_a_past_session_cannot_be_joined(client, cast, clock):
    item = session(cast.gent_a, course(cast.gent_a))
    clock.now = item.starts_at + timedelta(hours=1)

    page = client.post(
        url("learning:register", session_id=item.pk), {"name": "A", "phone": "0470123456"}
    )

    assert "Registration for this session has closed" in text(page) or "already started" in text(
        page
    )
    assert not Registration.objects.exists()


def test_a_coordinator_adds_a_course_and_plans_a_series(cast, clock):
    client = signed_in(cast.coordinator)
    site_id = cast.gent_a.pk

    refused = client.post(url("learning:course-add", site_id=site_id), {"title": "", "summary": ""})
    assert refused.status_code == 400

    added = client.post(
        url("learning:course-add", site_id=site_id),
        {
            "title": "Safe online banking",
            "summary": "Pay and check your account safely.",
            "level": "beginner",
            "language": "nl",
            "format": "group",
            "cost_euros": "0",
            "is_published": "on",
            "competences": ["4.2", "1.1"],
        },
    )
    item = Course.objects.get()
    assert added.status_code == 302
    assert item.competences == ",1.1,4.2,"
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    planned = client.post(
        url("learning:session-add", site_id=site_id, course_id=item.pk),
        {
            "first_day": day,
            "starts": "14:00",
            "ends": "16:00",
            "meetings": "3",
            "capacity": "12",
            "closes_days_before": "1",
            "trainer_name": "Koen",
        },
    )
    assert planned.status_code == 302
    created = Session.objects.get()
    assert created.meetings.count() == 3
    assert created.site == cast.gent_a
    past = client.post(
        url("learning:session-add", site_id=site_id, course_id=item.pk),
        {
            "first_day": "2020-01-01",
            "starts": "14:00",
            "ends": "16:00",
            "meetings": "1",
            "capacity": "5",
            "closes_days_before": "0",
        },
    )
    assert past.status_code == 400
    assert "cannot be in the past" in text(past)


def test_a_volunteer_takes_attendance_and_adds_a_walk_in(cast, clock):
    item = session(cast.gent_a, course(cast.gent_a))
    here = register(item, "Present Person", phone="+32470000001")
    away = register(item, "Absent Person", phone="+32470000002")
    clock.now = item.starts_at
    client = signed_in(cast.volunteer)
    roster = url("learning:session", site_id=cast.gent_a.pk, session_id=item.pk)
    assert "Present Person" in text(client.get(roster))

    client.post(
        url(
            "learning:session-action",
            site_id=cast.gent_a.pk,
            session_id=item.pk,
            action="attendance",
        ),
        {"present": [here.pk]},
    )
    client.post(
        url(
            "learning:session-action", site_id=cast.gent_a.pk, session_id=item.pk, action="walk-in"
        ),
        {"name": "Jan"},
    )

    here.refresh_from_db()
    away.refresh_from_db()
    assert (here.attendance, away.attendance) == ("present", "absent")
    assert item.registrations.get(walk_in=True).attendance == "present"
    today = text(client.get(url("workspace:today", site_id=cast.gent_a.pk)))
    assert "Video-calling your grandchildren" in today


def test_another_organisations_course_and_session_are_not_found(cast, clock):
    theirs = course(cast.aalst)
    their_session = session(cast.aalst, theirs)
    client = signed_in(cast.org_admin)

    assert (
        client.get(
            url("learning:course-edit", site_id=cast.gent_a.pk, course_id=theirs.pk)
        ).status_code
        == 404
    )
    assert (
        client.get(
            url("learning:session", site_id=cast.gent_a.pk, session_id=their_session.pk)
        ).status_code
        == 404
    )


def test_a_date_whose_registration_closed_is_not_offered(client, cast, clock):
    item = course(cast.gent_a, "Closed date course")
    closed = session(cast.gent_a, item)
    Session.objects.filter(pk=closed.pk).update(registration_closes_at=clock.now)

    assert "Closed date course" not in text(client.get(url("learning:finder")))
    page = text(client.get(url("learning:course", slug=item.slug)))
    assert "No dates planned at the moment" in page


def test_the_figures_count_places_attendance_areas_and_ages(cast, clock):
    from learning import services
    from learning.figures import learning_figures

    item = session(cast.gent_a, course(cast.gent_a, competences=",2.1,4.2,"), capacity=4)
    here = register(item, "Here", phone="+32470000001", age_band="65_79")
    away = register(item, "Away", phone="+32470000002")
    register(item, "Also", phone="+32470000003")
    cancelled = session(cast.gent_a, course(cast.gent_a), capacity=10)
    services.session_cancel(actor=None, session=cancelled)
    clock.now = item.starts_at
    services.attendance_record(actor=None, session=item, present={here.pk}, absent={away.pk})
    services.walk_in_add(actor=None, session=item, name="Jan")
    clock.now = item.ends_at + timedelta(days=1)

    figures = learning_figures(cast.gent_a, 3, today=timezone.localdate())

    assert (figures.sessions, figures.cancelled) == (2, 1)
    assert (figures.places_taken, figures.places, figures.fill_rate) == (3, 4, 75)
    assert (figures.with_place, figures.came, figures.did_not_come, figures.walk_ins) == (
        3,
        1,
        1,
        1,
    )
    assert (figures.attendance_rate, figures.no_show_rate) == (50, 50)
    areas = {code: n for code, _title, n in figures.by_area}
    assert areas == {"1": 0, "2": 2, "3": 0, "4": 2, "5": 0}  # "Here" and the walk-in came
    ages = {code: n for code, _label, n in figures.by_age}
    assert ages["65_79"] == 1
    page = signed_in(cast.volunteer).get(
        url("learning:figures", site_id=cast.gent_a.pk), {"months": "x"}
    )
    assert page.status_code == 200
