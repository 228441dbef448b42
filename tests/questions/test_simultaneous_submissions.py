"""The same registration form sent several times at the same moment (a double tap on a slow
tablet, a browser that retries) is counted once: the form's one-time key is a unique column,
so the database itself refuses the second one, not a check that two requests can both pass.

Real threads on a shared database, as for the appointments: see `tests/concurrency.py`.
"""

from __future__ import annotations

import uuid

import pytest

from accounts.models import User
from questions.models import Contact, Question
from questions.services import AlreadyRegistered, ContactInput, QuestionInput, contact_register
from tests import factories
from tests.concurrency import (  # noqa: F401 (fixtures)
    at_once,
    database_for_threads,
    in_thread,
    reference_data,
    reference_data_back_after_the_flush,
)

THREADS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("territory", "reference_data")
def test_simultaneous_submissions_of_one_form_register_it_once():
    site = factories.site()
    helper = User.objects.create_user(email="helper@example.org", password="x" * 16)
    submission = uuid.uuid4()
    data = ContactInput(
        channel="walk_in",
        duration="15-30",
        people=3,
        questions=[QuestionInput(factories.theme("eid-itsme"), "solved")],
    )

    with database_for_threads() as use:
        outcomes = at_once(
            use,
            [lambda: contact_register(actor=helper, site=site, data=data, submission=submission)]
            * THREADS,
        )
        stored = in_thread(use, lambda: (Contact.objects.count(), Question.objects.count()))

    registered = [outcome for outcome in outcomes if isinstance(outcome, list)]
    already = [outcome for outcome in outcomes if isinstance(outcome, AlreadyRegistered)]
    assert (len(registered), len(already)) == (1, THREADS - 1), outcomes
    assert {error.contact.submission for error in already} == {submission}
    assert stored == (3, 3)  # one group of three people, one question each
