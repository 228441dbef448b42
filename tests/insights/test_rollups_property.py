"""Every rollup equals the count from the raw rows, after any mix of inserts, edits, deletions,
the retention purge and refreshes in between (hypothesis; run on SQLite and on PostgreSQL).

The expected counts are worked out here in Python from the raw rows, independently of the SQL
the job runs, so a job that forgets a kind of change, double counts or leaves a stale day fails.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights import rollups
from insights.models import (
    ContactDay,
    CourseDay,
    FirstSeen,
    HelpCardDay,
    LoanDay,
    QuestionDay,
    ReachDay,
    Tally,
)
from learning import help_cards
from learning import services as learning_services
from learning.models import HelpCard, HelpCardCount, Registration, Session
from lending import services as lending_services
from lending.models import Device, Loan
from privacy.retention import personal_data_purge
from questions import services as question_services
from questions.models import AgeBand, Channel, Contact, Outcome, Question, Situation
from tests import factories
from tests.learning import helpers as learning_helpers
from tests.lending import helpers as lending_helpers

pytestmark = pytest.mark.django_db(transaction=False)

CHANNELS = [Channel.WALK_IN, Channel.PHONE, Channel.APPOINTMENT]
OUTCOMES = [Outcome.SOLVED, Outcome.PARTLY, Outcome.FOLLOW_UP]
AGES = ["", AgeBand.FROM_25_TO_44, AgeBand.OVER_75]
SITUATIONS = ["", Situation.PENSIONER, Situation.JOB_SEEKER]

register_op = st.tuples(
    st.just("register"),
    st.integers(0, 2),  # site
    st.integers(0, 40),  # days ago
    st.sampled_from(CHANNELS),
    st.sampled_from(AGES),
    st.sampled_from(SITUATIONS),
    st.sampled_from([None, True, False]),  # first visit
    st.sampled_from([None, 0, 1]),  # visitor code
    st.integers(1, 3),  # people
    st.lists(st.tuples(st.integers(0, 1), st.sampled_from(OUTCOMES)), min_size=1, max_size=2),
)
update_op = st.tuples(
    st.just("update"),
    st.integers(0, 50),  # which contact
    st.integers(0, 40),
    st.sampled_from(CHANNELS),
    st.sampled_from([None, 0, 1]),
    st.sampled_from(OUTCOMES),
)
delete_op = st.tuples(st.just("delete"), st.integers(0, 50))
lend_op = st.tuples(st.just("lend"), st.integers(0, 2), st.integers(0, 1), st.integers(0, 40))
move_loan_op = st.tuples(st.just("move_loan"), st.integers(0, 20), st.integers(0, 40))
course_op = st.tuples(
    st.just("course"), st.integers(0, 1), st.sampled_from(["", *Registration.AgeBand.values])
)
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 20))
attend_op = st.tuples(st.just("attend"), st.integers(0, 1), st.integers(0, 255))
cancel_session_op = st.tuples(st.just("cancel_session"), st.integers(0, 1))
card_op = st.tuples(st.just("card"), st.sampled_from(["opened", "sent"]))
kind_op = st.tuples(st.just("kind"), st.integers(0, 20))
simple_ops = st.sampled_from([("purge",), ("refresh",)])

operations = st.lists(
    st.one_of(
        register_op,
        update_op,
        delete_op,
        lend_op,
        move_loan_op,
        course_op,
        cancel_op,
        attend_op,
        cancel_session_op,
        card_op,
        kind_op,
        simple_ops,
    ),
    min_size=1,
    max_size=25,
)


def _world(cast):
    themes = [factories.theme("eid-itsme"), factories.theme("banking")]
    sites = [cast.gent_a, cast.gent_b, cast.aalst]
    codes = question_services.visitor_codes_issue(
        actor=cast.org_admin, organisation=cast.gent, count=2
    )
    start = timezone.now() + timedelta(minutes=30)
    sessions = [
        learning_helpers.session(
            cast.gent_a, learning_helpers.course(cast.gent_a), starts_at=start
        ),
        learning_helpers.session(None, learning_helpers.course(cast.aalst), starts_at=start),
    ]
    card = HelpCard.objects.create(organisation=cast.gent, slug="prop-card")
    devices = {site.pk: 0 for site in sites}
    borrowers = [[lending_helpers.borrower(site, name=f"B{n}") for n in range(2)] for site in sites]
    return themes, sites, codes, sessions, card, devices, borrowers


def _apply(op, cast, world, now):
    themes, sites, codes, sessions, card, devices, borrowers = world
    actor = cast.org_admin
    kind = op[0]
    contacts = list(Contact.objects.order_by("pk"))
    if kind == "register":
        _, s, ago, channel, age, situation, first, code, people, questions = op
        site = sites[s]
        data = question_services.ContactInput(
            channel=channel,
            duration="lt15",
            questions=[
                question_services.QuestionInput(theme=themes[t], outcome=o) for t, o in questions
            ],
            occurred_at=now - timedelta(days=ago),
            people=people,
            visitor_code=codes[code].code if code is not None and s < 2 and people == 1 else "",
            age_band=age,
            situation=situation,
            first_visit=first,
        )
        question_services.contact_register(actor=actor, site=site, data=data)
    elif kind == "update" and contacts:
        _, n, ago, channel, code, outcome = op
        contact = contacts[n % len(contacts)]
        data = question_services.ContactInput(
            channel=channel,
            duration="lt15",
            questions=[question_services.QuestionInput(theme=themes[0], outcome=outcome)],
            occurred_at=now - timedelta(days=ago),
            visitor_code=codes[code].code
            if code is not None and contact.site_id != cast.aalst.pk
            else "",
        )
        question_services.contact_update(actor=actor, contact=contact, data=data)
    elif kind == "delete" and contacts:
        question_services.contact_delete(actor=actor, contact=contacts[op[1] % len(contacts)])
    elif kind == "lend":
        _, s, b, ago = op
        site = sites[s]
        devices[site.pk] += 1
        item = lending_helpers.device(site, tag=f"P-{site.pk}-{devices[site.pk]}")
        # One device at a time: the borrower brought the last one back.
        Loan.objects.filter(borrower=borrowers[s][b], status=Loan.Status.OPEN).update(
            status=Loan.Status.RETURNED, returned_at=now
        )
        loan, _token = lending_helpers.lend(None, site, item, borrowers[s][b])
        loan.checked_out_at = now - timedelta(days=ago)
        loan.save()
    elif kind == "move_loan":
        loans = list(Loan.objects.order_by("pk"))
        if loans:
            loan = loans[op[1] % len(loans)]
            loan.checked_out_at = now - timedelta(days=op[2])
            loan.save(update_fields=["checked_out_at"])
    elif kind == "course":
        session = Session.objects.get(pk=sessions[op[1]].pk)
        if session.status == Session.Status.SCHEDULED:
            number = Registration.objects.count() + 1
            learning_helpers.register(session, name=f"Person {number}", age_band=op[2])
    elif kind == "cancel":
        live = list(Registration.objects.exclude(status=Registration.Status.CANCELLED))
        if live:
            learning_services.registration_cancel(registration=live[op[1] % len(live)])
    elif kind == "attend":
        session = Session.objects.get(pk=sessions[op[1]].pk)
        ids = list(session.registrations.order_by("pk").values_list("pk", flat=True))
        present = {pk for bit, pk in enumerate(ids) if op[2] >> (bit % 8) & 1}
        if session.status == Session.Status.SCHEDULED:
            learning_services.attendance_record(
                actor=actor, session=session, present=present, absent=set(ids) - present
            )
    elif kind == "cancel_session":
        session = Session.objects.get(pk=sessions[op[1]].pk)
        if session.status == Session.Status.SCHEDULED:
            learning_services.session_cancel(actor=actor, session=session)
    elif kind == "kind":
        # A device's kind corrected: its loans are counted under the new kind.
        devices_lent = list(Device.objects.filter(loans__isnull=False).distinct().order_by("pk"))
        if devices_lent:
            item = devices_lent[op[1] % len(devices_lent)]
            other = Device.Kind.TABLET if item.kind != Device.Kind.TABLET else Device.Kind.LAPTOP
            lending_services.device_update(actor=actor, device=item, data={"kind": other})
    elif kind == "card":
        if op[1] == "opened":
            help_cards.card_opened(card)
        else:
            help_cards._count(card, "sent")
    elif kind == "purge":
        personal_data_purge(now=now + timedelta(days=400))
    elif kind == "refresh":
        rollups.refresh()


# --- what the rollups must say, counted in Python from the raw rows ---------------------------


def _expected_contacts():
    expected = Counter()
    for c in Contact.objects.all():
        key = (c.site_id, c.day, c.channel, c.age_band, c.situation)
        expected[(*key, "contacts")] += 1
        expected[(*key, "first_visits")] += c.first_visit is True
        expected[(*key, "new_uncoded")] += c.first_visit is True and c.visitor_id is None
    return +expected


def _actual_contacts():
    actual = Counter()
    for r in ContactDay.objects.all():
        key = (r.site_id, r.day, r.channel, r.age_band, r.situation)
        for field in ("contacts", "first_visits", "new_uncoded"):
            actual[(*key, field)] += getattr(r, field)
    return +actual


def _expected_questions():
    return Counter(
        (q.site_id, q.day, q.theme_id, q.contact.channel, q.outcome)
        for q in Question.objects.select_related("contact")
    )


def _actual_questions():
    actual = Counter()
    for r in QuestionDay.objects.all():
        actual[(r.site_id, r.day, r.theme_id, r.channel, r.outcome)] += r.questions
    return +actual


def _expected_loans():
    return Counter(
        (loan.site_id, timezone.localdate(loan.checked_out_at), loan.device.kind)
        for loan in Loan.objects.select_related("device")
    )


def _actual_loans():
    actual = Counter()
    for r in LoanDay.objects.all():
        actual[(r.site_id, r.day, r.device_kind)] += r.loans
    return +actual


def _expected_courses():
    expected = Counter()
    for r in Registration.objects.select_related("session__course"):
        session = r.session
        if session.status != Session.Status.SCHEDULED or r.status != Registration.Status.CONFIRMED:
            continue
        key = (
            session.course.organisation_id,
            session.site_id,
            timezone.localdate(session.starts_at),
            r.age_band,
        )
        expected[(*key, "registrations")] += 1
        expected[(*key, "participants")] += r.attendance == Registration.Attendance.PRESENT
        expected[(*key, "walk_ins")] += r.walk_in
    return +expected


def _actual_courses():
    actual = Counter()
    for r in CourseDay.objects.all():
        key = (r.organisation_id, r.site_id, r.day, r.age_band)
        for field in ("registrations", "participants", "walk_ins"):
            actual[(*key, field)] += getattr(r, field)
    return +actual


def _expected_cards():
    expected = Counter()
    for count in HelpCardCount.objects.select_related("card"):
        expected[(count.card.organisation_id, count.day, "opened")] += count.opened
        expected[(count.card.organisation_id, count.day, "sent")] += count.sent
    return +expected


def _actual_cards():
    actual = Counter()
    for r in HelpCardDay.objects.all():
        actual[(r.organisation_id, r.day, "opened")] += r.opened
        actual[(r.organisation_id, r.day, "sent")] += r.sent
    return +actual


def _expected_reach():
    first = {}
    for c in Contact.objects.filter(visitor__isnull=False).order_by("day", "occurred_at", "pk"):
        first.setdefault(("visitor", c.visitor_id), (c.site_id, c.day))
    for loan in Loan.objects.order_by("checked_out_at", "pk"):
        first.setdefault(
            ("borrower", loan.borrower_id), (loan.site_id, timezone.localdate(loan.checked_out_at))
        )
    return first, Counter((site, day, kind) for (kind, _), (site, day) in first.items())


def _tally(scope):
    return {
        (t.month, t.measure, t.dimension, t.value): t.count
        for t in Tally.objects.filter(scope=scope)
    }


def _expected_network_totals():
    months = Counter()
    for c in Contact.objects.all():
        months[(c.day.replace(day=1), "contacts")] += 1
    for q in Question.objects.all():
        months[(q.day.replace(day=1), "questions")] += 1
    for loan in Loan.objects.all():
        months[(timezone.localdate(loan.checked_out_at).replace(day=1), "loans")] += 1
    return +months


def _check(cast):
    assert _actual_contacts() == _expected_contacts()
    assert _actual_questions() == _expected_questions()
    assert _actual_loans() == _expected_loans()
    assert _actual_courses() == _expected_courses()
    assert _actual_cards() == _expected_cards()
    first, reach = _expected_reach()
    assert {(f.kind, f.person): (f.site_id, f.day) for f in FirstSeen.objects.all()} == first
    actual_reach = Counter()
    for r in ReachDay.objects.all():
        actual_reach[(r.site_id, r.day, r.kind)] += r.people
    assert +actual_reach == reach
    network = _tally("network")
    totals = Counter()
    for (month, measure, dimension, _value), n in network.items():
        if dimension == "" and measure in {"contacts", "questions", "loans"}:
            totals[(month, measure)] += n
    assert +totals == _expected_network_totals()
    # Every scope is the sum of its sites: Gent's organisation is its two sites and its cards.
    gent = _tally(f"organisation:{cast.gent.pk}")
    sites = Counter()
    for site in (cast.gent_a, cast.gent_b):
        for key, n in _tally(f"site:{site.pk}").items():
            sites[key] += n
    for key, n in _tally(f"orgonly:{cast.gent.pk}").items():
        sites[key] += n
    assert gent == dict(sites)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations)
def test_every_rollup_equals_the_raw_count_after_any_changes(cast, ops):
    with transaction.atomic():
        world = _world(cast)
        rollups.refresh(everything=True)
        for op in ops:
            _apply(op, cast, world, timezone.now())
        rollups.refresh()
        _check(cast)
        # The job is idempotent, and a rebuild from nothing says the same.
        before = sorted(Tally.objects.values_list("scope", "month", "measure", "value", "count"))
        rollups.refresh()
        rollups.refresh(everything=True)
        after = sorted(Tally.objects.values_list("scope", "month", "measure", "value", "count"))
        assert before == after
        _check(cast)
        transaction.set_rollback(True)


def test_a_device_whose_kind_is_corrected_moves_its_loans_to_the_new_kind(cast):
    item = lending_helpers.device(cast.gent_a, tag="K-1")
    lending_helpers.lend(None, cast.gent_a, item, lending_helpers.borrower(cast.gent_a))
    rollups.refresh(everything=True)

    lending_services.device_update(
        actor=cast.org_admin, device=item, data={"kind": Device.Kind.TABLET}
    )
    rollups.refresh()

    assert _actual_loans() == _expected_loans()
    assert list(LoanDay.objects.values_list("device_kind", flat=True)) == [Device.Kind.TABLET]
