"""The same registration form sent several times at the same moment (a double tap on a slow
tablet, a browser that retries) is counted once: the form's one-time key is a unique column,
so the database itself refuses the second one, not a check that two requests can both pass.

Real threads on a shared database, as for the appointments: see `tests/concurrency.py`.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connections

from accounts.models import User
from questions.models import Contact, Question
from questions.services import AlreadyRegistered, ContactInput, QuestionInput, contact_register
from tests import factories
from tests.concurrency import (  # noqa: F401 (fixtures)
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
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    with database_for_threads() as use:

        def attempt() -> None:
            use()
            try:
                barrier.wait()
                try:
                    contact_register(actor=helper, site=site, data=data, submission=submission)
                except AlreadyRegistered as already:
                    outcome = f"already:{already.contact.submission}"
                else:
                    outcome = "registered"
            except Exception as error:  # anything else fails the test, reported below
                outcome = f"crashed:{error!r}"
            finally:
                connections.close_all()
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        stored = in_thread(use, lambda: (Contact.objects.count(), Question.objects.count()))

    assert sorted(outcomes) == sorted(["registered"] + [f"already:{submission}"] * (THREADS - 1))
    assert stored == (3, 3)  # one group of three people, one question each
