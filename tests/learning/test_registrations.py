"""Registering for a course session: a place while there is one, then the waiting list in order
of arrival; a cancellation gives the place to the first one waiting, who is told; a double
submission, a full, past, closed or cancelled session get a clear message and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from learning import services
from learning.models import Registration, Session
from tests import factories
from tests.learning.helpers import course, register, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


@pytest.fixture
def site():
    return factories.site(name="Digipunt Kouter")


def test_places_first_then_the_waiting_list_in_order(site, clock):
    item = session(site, course(site), capacity=2)

    people = [register(item, f"Person {n}", phone=f"+3247012345{n}") for n in range(4)]

    item.refresh_from_db()
    assert [p.status for p in people] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert item.confirmed == 2


def test_a_cancellation_gives_the_place_to_the_first_waiting_who_is_told(
    site, clock, django_capture_on_commit_callbacks
):
    item = session(site, course(site), capacity=1)
    first = register(item, "Has a place", email="a@example.org", phone="")
    second = register(item, "Waits first", email="b@example.org", phone="")
    third = register(item, "Waits second", email="c@example.org", phone="")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=first)

    for row in (first, second, third):
        row.refresh_from_db()
    item.refresh_from_db()
    assert (first.status, second.status, third.status) == ("cancelled", "confirmed", "waiting")
    assert second.promoted_at is not None
    assert item.confirmed == 1
    [message] = mail.outbox
    assert message.to == ["b@example.org"]
    assert "a place has freed up" in message.body
    assert "Waits first" not in message.body  # the typed name is never repeated
    [attachment] = message.attachments
    assert attachment[0] == "course.ics"


def test_the_confirmation_has_the_private_link_and_the_calendar(
    site, clock, django_capture_on_commit_callbacks
):
    item = session(site, course(site), capacity=5)

    with django_capture_on_commit_callbacks(execute=True):
        registration, token = services.registration_register(
            session=item, name="Ahmed", email="ahmed@example.org", language="en"
        )

    [message] = mail.outbox
    assert f"/en/courses/registration/{token}/" in message.body
    assert registration.reference in message.body
    assert "Ahmed" not in message.body
    assert message.attachments[0][2] == "text/calendar"


def test_a_double_submission_is_refused_with_the_first_reference(site, clock):
    item = session(site, course(site))
    first = register(item, "Marie Peeters", phone="0470 12 34 56")

    with pytest.raises(services.AlreadyRegistered) as again:
        register(item, "marie  peeters", phone="+32470123456")

    assert again.value.registration == first
    assert first.reference in again.value.messages[0]
    assert Registration.objects.count() == 1


@pytest.mark.parametrize("problem", ["started", "closed", "cancelled"])
def test_a_session_that_cannot_take_registrations_says_why(site, clock, problem):
    item = session(site, course(site))
    if problem == "started":
        clock.now = item.starts_at + timedelta(minutes=5)
    elif problem == "closed":
        Session.objects.filter(pk=item.pk).update(
            registration_closes_at=clock.now - timedelta(hours=1)
        )
    else:
        Session.objects.filter(pk=item.pk).update(status=Session.Status.CANCELLED)
    item.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        register(item)

    assert refused.value.code == problem
    assert not Registration.objects.exists()


def test_bad_details_are_refused_field_by_field(site, clock):
    item = session(site, course(site))

    with pytest.raises(ValidationError) as refused:
        services.registration_register(session=item, name="12345", age_band="old")

    errors = refused.value.message_dict
    assert set(errors) == {"name", "phone", "age_band"}


def test_cancelling_a_session_tells_everyone(site, clock, django_capture_on_commit_callbacks):
    item = session(site, course(site), capacity=1)
    register(item, "A", email="a@example.org", phone="")
    register(item, "B", email="b@example.org", phone="")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(actor=None, session=item, note="The trainer is ill.")

    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert all("The trainer is ill." in m.body for m in mail.outbox)
    assert AuditEntry.objects.filter(action="session.cancel").count() == 1


def test_the_audit_names_no_participant(site, clock):
    item = session(site, course(site))
    register(item, "Fatima El Amrani")

    labels = " ".join(str(e.object_label) + str(e.changes) for e in AuditEntry.objects.all())
    assert "Fatima" not in labels


def test_attendance_and_walk_ins(site, clock):
    item = session(site, course(site), capacity=3)
    here = register(item, "Here", phone="+32470000001")
    away = register(item, "Away", phone="+32470000002")
    clock.now = item.starts_at

    services.attendance_record(actor=None, session=item, present={here.pk}, absent={away.pk})
    walk_in = services.walk_in_add(actor=None, session=item, name="Jan")

    here.refresh_from_db()
    away.refresh_from_db()
    item.refresh_from_db()
    assert (here.attendance, away.attendance, walk_in.attendance) == (
        "present",
        "absent",
        "present",
    )
    assert item.confirmed == 2  # a walk-in comes beyond the places


def test_attendance_cannot_be_taken_days_before(site, clock):
    item = session(site, course(site))

    with pytest.raises(ValidationError, match="on the day"):
        services.attendance_record(actor=None, session=item, present=set(), absent=set())


def test_participants_data_is_erased_after_the_retention_period(site, clock, settings):
    from privacy.retention import personal_data_purge

    settings.RETENTION_PARTICIPANT_DAYS = 30
    item = session(site, course(site))
    participant = register(item, "Fatima", email="f@example.org", phone="")
    clock.now = item.ends_at + timedelta(days=31)

    result = personal_data_purge(now=clock.now)

    participant.refresh_from_db()
    assert result.erased["registrations"] == 1
    assert (participant.name, participant.email, participant.erased_at) == ("", "", clock.now)
    assert participant.status == "confirmed"  # the row and its counts stay


def test_the_reminders_go_the_day_before_once_to_those_with_a_place(
    site, clock, django_capture_on_commit_callbacks
):
    from learning.reminders import sessions_send_reminders

    item = session(site, course(site), capacity=1)
    register(item, "Has a place", email="a@example.org", phone="")
    register(item, "Waits", email="b@example.org", phone="")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        too_early = sessions_send_reminders(now=item.starts_at - timedelta(hours=40))
        sent = sessions_send_reminders(now=item.starts_at - timedelta(hours=20))
        again = sessions_send_reminders(now=item.starts_at - timedelta(hours=19))

    assert (too_early, sent, again) == (0, 1, 0)
    [message] = mail.outbox
    assert message.to == ["a@example.org"]
    assert "your course is tomorrow" in message.body
