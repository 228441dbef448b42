"""Twenty residents book the last place of a slot at the same moment: exactly one gets it.

Real threads, each with its own database connection, released together by a barrier, each calling
the booking service. The slot's row lock (and the check constraint behind it) must let exactly one
through; the others get the clear "someone just booked the last place" message.

How the threads share a database on SQLite and PostgreSQL, and how the reference data comes
back after the test's flush: `tests/concurrency.py`.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from appointments import changes
from appointments.models import Appointment, Slot
from tests.appointments.helpers import book, bookable_site, tomorrow_at
from tests.concurrency import (  # noqa: F401 (fixtures)
    at_once,
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
        changes.appointment_cancel(actor=None, appointment=earlier)
    with database_for_threads() as use:
        outcomes = at_once(
            use,
            [
                lambda n=n: book(
                    site, starts_at, name=f"Resident {chr(65 + n)}", phone=f"04701234{n:02d}"
                )
                for n in range(THREADS)
            ],
        )
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

    refused = [error.message_dict for error in outcomes if isinstance(error, ValidationError)]
    booked = [outcome[0].reference for outcome in outcomes if isinstance(outcome, tuple)]
    assert len(booked) + len(refused) == THREADS, outcomes  # nothing else (no crash)
    assert len(booked) == 1
    assert all(detail == {"starts_at": [FULL]} for detail in refused), refused
    slots, references = stored
    assert slots == [(1, 1)]
    assert references == booked
