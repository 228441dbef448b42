"""The waiting list: first come, first served; a wiped device is set aside for the first one
waiting, who gets a message; only they can borrow it until their day; then the next; and while
someone waits, a loan of that kind is not renewed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from lending import holds, services
from lending.models import Device, Hold
from tests import factories
from tests.lending.helpers import borrower, device, lend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def site():
    return factories.site()


def wait(site, who, kind=Device.Kind.LAPTOP):
    return holds.hold_add(actor=None, site=site, borrower=who, kind=kind)


def test_a_wiped_device_goes_to_the_first_one_waiting_who_gets_a_message(
    site, clock, django_capture_on_commit_callbacks
):
    laptop = device(site, "LAP-1")
    loan, _token = lend(None, site, laptop, borrower(site, "Eerste Lener"))
    first = wait(site, borrower(site, "An", email="an@example.org", phone="", language="en"))
    second = wait(site, borrower(site, "Bo", email="bo@example.org", phone=""))
    services.loan_return(actor=None, loan=loan, accessories_back=["charger"], condition="good")

    with django_capture_on_commit_callbacks(execute=True):
        services.device_wipe(actor=None, device=laptop, method="factory_reset")

    laptop.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert laptop.status == Device.Status.RESERVED
    assert (first.status, first.device, first.pickup_by) == ("ready", laptop, date(2026, 11, 26))
    assert second.status == Hold.Status.WAITING
    assert [message.to for message in mail.outbox] == [["an@example.org"]]
    body = mail.outbox[0].body
    assert body.startswith("Hello,\n")  # no name repeated: the message is the same for all
    assert "Pick it up by Thursday 26 November" in body


def test_only_the_one_it_is_set_aside_for_can_borrow_it(site, clock):
    laptop = device(site, "LAP-1", status=Device.Status.TO_WIPE)
    an = borrower(site, "An")
    hold = wait(site, an)
    services.device_wipe(actor=None, device=laptop, method="factory_reset")

    with pytest.raises(ValidationError) as error:
        lend(None, site, laptop, borrower(site, "Bo"))
    assert "set aside for someone on the waiting list" in " ".join(error.value.messages)

    loan, _token = lend(None, site, laptop, an)
    hold.refresh_from_db()
    assert (loan.borrower, hold.status) == (an, Hold.Status.LENT)


def test_not_picked_up_in_time_it_goes_to_the_next(site, clock):
    laptop = device(site, "LAP-1", status=Device.Status.TO_WIPE)
    first = wait(site, borrower(site, "An"))
    second = wait(site, borrower(site, "Bo"))
    services.device_wipe(actor=None, device=laptop, method="factory_reset")

    clock.now = MONDAY + timedelta(days=3)  # Thursday: still their day
    assert holds.holds_expire() == 0
    clock.now = MONDAY + timedelta(days=4)
    assert holds.holds_expire() == 1
    assert holds.holds_expire() == 0  # idempotent

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Hold.Status.EXPIRED
    assert (second.status, second.device) == (Hold.Status.READY, laptop)


def test_a_cancelled_turn_goes_to_the_next_and_an_empty_list_frees_the_device(site, clock):
    laptop = device(site, "LAP-1", status=Device.Status.TO_WIPE)
    first = wait(site, borrower(site, "An"))
    services.device_wipe(actor=None, device=laptop, method="factory_reset")

    holds.hold_cancel(actor=None, hold=first)

    laptop.refresh_from_db()
    assert laptop.status == Device.Status.AVAILABLE


def test_nobody_waits_when_a_device_of_that_kind_is_available_or_twice(site, clock):
    device(site, "LAP-1")
    an = borrower(site, "An")
    with pytest.raises(ValidationError) as error:
        wait(site, an)
    assert "available now" in " ".join(error.value.messages)

    wait(site, an, kind=Device.Kind.TABLET)
    with pytest.raises(ValidationError) as error:
        wait(site, an, kind=Device.Kind.TABLET)
    assert "already waiting" in " ".join(error.value.messages)


def test_a_loan_is_not_renewed_while_someone_waits_for_that_kind(site, clock):
    laptop = device(site, "LAP-1")
    loan, _token = lend(None, site, laptop, borrower(site, "An"))
    wait(site, borrower(site, "Bo"))

    with pytest.raises(ValidationError) as error:
        services.loan_renew(actor=None, loan=loan)

    assert "Someone is waiting for this kind of device" in " ".join(error.value.messages)
    loan.refresh_from_db()
    assert loan.renewals == 0
