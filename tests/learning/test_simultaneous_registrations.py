"""Thirty residents register for ten places at the same moment: exactly ten get a place, the rest
wait in the order they arrived; a cancellation then promotes the first one waiting.

Real threads with their own database connections, released together (`tests/concurrency.py`).
"""

from __future__ import annotations

import pytest

from learning import services
from learning.models import Registration, Session
from tests import factories
from tests.concurrency import (  # noqa: F401 (fixtures)
    at_once,
    database_for_threads,
    in_thread,
    reference_data,
    reference_data_back_after_the_flush,
)
from tests.learning.helpers import course, session

THREADS = 30
PLACES = 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_thirty_registrations_for_ten_places(territory):
    site = factories.site()
    item = session(site, course(site), capacity=PLACES)

    with database_for_threads() as use:
        outcomes = at_once(
            use,
            [
                lambda n=n: services.registration_register(
                    session=item, name=f"Resident {n}", phone=f"+324701234{n:02d}", language="en"
                )
                for n in range(THREADS)
            ],
        )
        rows = in_thread(
            use,
            lambda: list(
                Registration.objects.filter(session=item).order_by("pk").values_list("pk", "status")
            ),
        )
        confirmed = in_thread(use, lambda: Session.objects.get(pk=item.pk).confirmed)
        first_waiting = next(pk for pk, status in rows if status == "waiting")
        a_place = next(pk for pk, status in rows if status == "confirmed")
        in_thread(
            use,
            lambda: services.registration_cancel(registration=Registration.objects.get(pk=a_place)),
        )
        promoted = in_thread(use, lambda: Registration.objects.get(pk=first_waiting).status)

    made = [o for o in outcomes if isinstance(o, tuple)]
    assert len(made) == THREADS, outcomes  # nobody refused, nothing crashed
    statuses = [status for _pk, status in rows]
    assert statuses.count("confirmed") == PLACES
    assert confirmed == PLACES
    # The places went to the first ten to get their turn; the others wait in that order.
    assert statuses == ["confirmed"] * PLACES + ["waiting"] * (THREADS - PLACES)
    assert promoted == "confirmed"
