"""The same referral form sent several times at the same moment (a double tap, a retrying
browser) stores the resident's details once: the form's key is a unique column, so the database
refuses the others. Real threads on a shared database: see `tests/concurrency.py`."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Membership, Role, User
from referrals.models import Referral
from referrals.services import AlreadySent, referral_create
from tests import factories
from tests.concurrency import (  # noqa: F401 (fixtures)
    at_once,
    database_for_threads,
    in_thread,
    reference_data,
    reference_data_back_after_the_flush,
)

THREADS = 8


def _send(referrer: User, site, submission: uuid.UUID) -> Referral:
    return referral_create(
        actor=referrer,
        organisation=site.organisation,
        site=site,
        name="Marie Peeters",
        phone="0470 12 34 56",
        email="",
        question="Help with itsme",
        theme=None,
        language="nl",
        consent=True,
        submission=submission,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("territory", "reference_data")
def test_simultaneous_submissions_of_one_referral_store_it_once():
    site = factories.site()
    referrer = User.objects.create_user(email="ocmw@example.org", password="x" * 16)
    Membership.objects.create(user=referrer, organisation=site.organisation, role=Role.REFERRER)
    submission = uuid.uuid4()

    with database_for_threads() as use:
        outcomes = at_once(use, [lambda: _send(referrer, site, submission)] * THREADS)
        stored = in_thread(use, lambda: list(Referral.objects.values_list("reference", flat=True)))

    assert len(stored) == 1
    [reference] = stored
    sent = [outcome.reference for outcome in outcomes if isinstance(outcome, Referral)]
    already = [error.referral.reference for error in outcomes if isinstance(error, AlreadySent)]
    assert (sent, already) == ([reference], [reference] * (THREADS - 1)), outcomes


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_a_form_key_used_by_another_referrer_is_refused_without_saying_what_it_sent(cast):
    submission = uuid.uuid4()
    _send(cast.referrer, cast.gent_a, submission)
    other = User.objects.create_user(email="caw@example.org", password="x" * 16)
    Membership.objects.create(user=other, organisation=cast.gent, role=Role.REFERRER)

    with pytest.raises(ValidationError) as refused:
        _send(other, cast.gent_a, submission)

    assert refused.value.messages == ["This form was already used. Open a new form and try again."]
    assert Referral.objects.count() == 1
