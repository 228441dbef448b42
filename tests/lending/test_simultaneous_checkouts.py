"""Twenty volunteers lend the same device at the same moment: exactly one loan.

Real threads, each with its own database connection, released together by a barrier, each calling
the checkout service for another borrower. The device's row lock (and the partial unique
constraint behind it) must let exactly one through; the others get a clear message.

How the threads share a database on SQLite and PostgreSQL, and how the reference data comes back
after the test's flush: `tests/concurrency.py`.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lending import services
from lending.models import Device, Loan
from tests import factories
from tests.concurrency import (  # noqa: F401 (fixtures)
    at_once,
    database_for_threads,
    in_thread,
    reference_data,
    reference_data_back_after_the_flush,
)
from tests.lending.helpers import borrower, device

THREADS = 20
REFUSALS = {
    "This device is on loan. Take it back first.",
    "This device has just been lent to someone else. Choose another one.",
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_twenty_simultaneous_checkouts_of_one_device_give_exactly_one_loan(territory):
    site = factories.site()
    item = device(site, "LAP-001")
    borrowers = [
        borrower(site, f"Resident {n}", phone=f"+324701234{n:02d}") for n in range(THREADS)
    ]

    with database_for_threads() as use:
        outcomes = at_once(
            use,
            [
                lambda who=who: services.loan_checkout(
                    actor=None,
                    site=site,
                    asset_tag="LAP-001",
                    borrower=who,
                    agreement_accepted=True,
                )
                for who in borrowers
            ],
        )
        stored = in_thread(
            use,
            lambda: (
                list(Loan.objects.filter(device=item).values_list("status", flat=True)),
                Device.objects.get(pk=item.pk).status,
            ),
        )

    refused = [error.message_dict for error in outcomes if isinstance(error, ValidationError)]
    lent = [outcome for outcome in outcomes if isinstance(outcome, tuple)]
    assert len(lent) + len(refused) == THREADS, outcomes  # nothing else (no crash)
    assert len(lent) == 1
    assert all(set(detail["asset_tag"]) <= REFUSALS for detail in refused), refused
    assert stored == (["open"], Device.Status.ON_LOAN)
