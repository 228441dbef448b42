"""A borrower's personal data goes a configured time after their last loan closed; the loans, the
devices' history and every count stay."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from lending import services
from lending.models import Borrower, Loan
from privacy.retention import personal_data_purge
from tests import factories
from tests.lending.helpers import borrower, device, lend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

START = datetime(2025, 1, 6, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
DAYS = {"appointments": 30, "referrals": 90, "borrowers": 365}


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = START

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


def test_a_borrower_is_erased_a_year_after_their_last_loan_closed(clock):
    site = factories.site()
    done = borrower(site, "Marie Peeters", email="marie@example.org", postal_code="9000")
    still_borrowing = borrower(site, "Jan Janssens")
    returned, _token = lend(None, site, device(site, "LAP-001"), done)
    lend(None, site, device(site, "LAP-002"), still_borrowing)
    clock.now = START + timedelta(days=20)
    services.loan_return(actor=None, loan=returned, accessories_back=[], condition="good")

    clock.now = START + timedelta(days=20 + 364)
    early = personal_data_purge(now=clock.now, days=DAYS)
    clock.now = START + timedelta(days=20 + 366)
    on_time = personal_data_purge(now=clock.now, days=DAYS)

    assert early.erased["borrowers"] == 0
    assert on_time.erased["borrowers"] == 1
    done.refresh_from_db()
    assert (done.name, done.email, done.postal_code, done.phone) == ("", "", "", "")
    assert done.erased_at == clock.now
    assert str(done) == "(erased)"
    still_borrowing.refresh_from_db()
    assert still_borrowing.name == "Jan Janssens"  # a device is still with them
    assert Loan.objects.count() == 2
    assert Borrower.objects.count() == 2
