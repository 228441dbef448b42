"""Twenty residents book the last place of a slot at the same moment: exactly one gets it.

Real threads, each with its own database connection, released together by a barrier, each calling
the booking service. The slot's row lock (and the check constraint behind it) must let exactly one
through; the others get the clear "someone just booked the last place" message.

How the threads share a database on SQLite and PostgreSQL, and how the reference data comes
back after the test's flush: `tests/concurrency.py`.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import translation

from appointments import services
from appointments.models import Appointment, Slot
from tests.appointments.helpers import book, bookable_site, tomorrow_at
from tests.concurrency import (  # noqa: F401 (fixtures)
    database_for_threads,
    in_thread,
    reference_data,
    reference_data_back_after_the_flush,
)

THREADS = 20
FULL = "Someone just booked the last place at this time. Choose another time."


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
@pytest.mark.parametrize("freed", [False, True], ids=["first-booking", "freed-by-a-cancellation"])
def test_twenty_simultaneous_bookings_of_the_last_place_give_exactly_one_appointment(
    territory, freed
):
    site = bookable_site()  # one person at a time
    starts_at = tomorrow_at(10)
    if freed:
        # The slot's row exists already: only its row lock keeps the bookings apart (the first
        # booking of a time is also kept apart by the unique insert of the row).
        earlier, _token = book(site, starts_at, name="Early Bird")
        services.appointment_cancel(actor=None, appointment=earlier)
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[tuple[str, object]] = []
    lock = threading.Lock()

    with database_for_threads() as use:

        def attempt(n: int) -> None:
            use()
            translation.activate("en")  # each thread has its own active language
            try:
                barrier.wait()
                try:
                    appointment, _token = book(
                        site, starts_at, name=f"Resident {chr(65 + n)}", phone=f"04701234{n:02d}"
                    )
                except ValidationError as error:
                    outcome: tuple[str, object] = ("refused", error.message_dict)
                else:
                    outcome = ("booked", appointment.reference)
                with lock:
                    outcomes.append(outcome)
            except Exception as error:  # anything else is a failure of the test, reported below
                with lock:
                    outcomes.append(("crashed", repr(error)))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        stored = in_thread(
            use,
            lambda: (
                list(Slot.objects.filter(site=site).values_list("booked", "capacity")),
                list(
                    Appointment.objects.filter(
                        site=site, status=Appointment.Status.BOOKED
                    ).values_list("reference", flat=True)
                ),
            ),
        )

    assert not any(thread.is_alive() for thread in threads)
    crashed = [detail for kind, detail in outcomes if kind == "crashed"]
    assert crashed == []
    booked = [detail for kind, detail in outcomes if kind == "booked"]
    refused = [detail for kind, detail in outcomes if kind == "refused"]
    assert len(booked) == 1
    assert len(refused) == THREADS - 1
    assert all(detail == {"starts_at": [FULL]} for detail in refused), refused
    slots, references = stored
    assert slots == [(1, 1)]
    assert references == booked
