"""A device from checkout to wipe: lent to one borrower at a time, never again before its wipe.

The services decide (`lending.services`); refusals are clear messages keyed by the field they are
about, and a refusal changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from lending import services
from lending.models import Borrower, Device, DeviceEvent, LendingRules, Loan, Wipe
from network.hours_document import closure, period
from tests import factories
from tests.cast import user as cast_user
from tests.lending.helpers import borrower, device, lend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

BRUSSELS = ZoneInfo("Europe/Brussels")
# A Monday morning.
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=BRUSSELS)


@pytest.fixture
def site():
    return factories.site(name="Digipunt Kouter")


def volunteer():
    return cast_user("vera@example.org", "Vera Vrijwilliger", two_factor=False)


def refusal(error: pytest.ExceptionInfo[ValidationError], field: str = "asset_tag") -> str:
    return " ".join(error.value.message_dict[field])


def test_a_checkout_lends_the_device_until_a_day_the_site_is_open(site, clock):
    item = device(site, "LAP-001")
    who = borrower(site)

    loan, token = lend(None, site, item, who)

    item.refresh_from_db()
    assert item.status == Device.Status.ON_LOAN
    assert loan.status == Loan.Status.OPEN
    # 28 days after Monday 23 November is Monday 21 December, a weekday the site is open.
    assert loan.due_on == date(2026, 12, 21)
    assert len(token) >= 32
    assert loan.token_hash != token
    assert DeviceEvent.objects.filter(device=item, kind="lent", loan=loan).exists()
    entry = AuditEntry.objects.get(action="loan.checkout")
    assert "Marie" not in str(entry.changes) + entry.object_label


def test_a_scanned_tag_is_found_whatever_its_case_and_spaces(site, clock):
    item = device(site, "LAP-001")
    loan, _token = services.loan_checkout(
        actor=None,
        site=site,
        asset_tag="  lap-001 ",
        borrower=borrower(site),
        agreement_accepted=True,
    )
    assert loan.device == item


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Device.Status.ON_LOAN, "is on loan"),
        (Device.Status.TO_WIPE, "has not been wiped"),
        (Device.Status.IN_REPAIR, "being repaired"),
        (Device.Status.RETIRED, "retired"),
        (Device.Status.LOST, "lost"),
    ],
)
def test_a_device_that_is_not_available_is_not_lent(site, clock, status, words):
    item = device(site, "LAP-001", status=status)

    with pytest.raises(ValidationError) as error:
        lend(None, site, item, borrower(site))

    assert words in refusal(error)
    assert not Loan.objects.exists()


def test_an_unknown_tag_and_a_device_of_another_site_are_refused(site, clock):
    elsewhere = device(factories.site(), "LAP-777")

    for tag in ("NOPE-1", elsewhere.asset_tag):
        with pytest.raises(ValidationError) as error:
            services.loan_checkout(
                actor=None,
                site=site,
                asset_tag=tag,
                borrower=borrower(site),
                agreement_accepted=True,
            )
        assert f"No device of this Digipunt has the tag {tag}." in refusal(error)
    elsewhere.refresh_from_db()
    assert elsewhere.status == Device.Status.AVAILABLE
    assert not Loan.objects.exists()


def test_the_agreement_must_be_accepted_and_the_borrower_be_of_the_organisation(site, clock):
    item = device(site, "LAP-001")
    stranger = borrower(factories.site())

    with pytest.raises(ValidationError) as error:
        services.loan_checkout(
            actor=None,
            site=site,
            asset_tag=item.asset_tag,
            borrower=stranger,
            agreement_accepted=False,
        )

    assert set(error.value.message_dict) == {"agreement", "borrower"}
    assert not Loan.objects.exists()


def test_the_rules_limit_devices_at_once_and_block_an_overdue_borrower(site, clock):
    who = borrower(site)
    first = device(site, "LAP-001")
    second = device(site, "LAP-002")
    lend(None, site, first, who)

    with pytest.raises(ValidationError) as error:
        lend(None, site, second, who)
    assert "the most allowed at once" in refusal(error, "borrower")

    LendingRules.objects.create(organisation=site.organisation, max_devices=3)
    clock.now = MONDAY + timedelta(days=40)  # the first loan is now overdue
    with pytest.raises(ValidationError) as error:
        lend(None, site, second, who)
    assert "overdue" in refusal(error, "borrower")

    LendingRules.objects.filter(organisation=site.organisation).update(block_when_overdue=False)
    loan, _token = lend(None, site, second, who)
    assert loan.status == Loan.Status.OPEN


def test_the_rules_say_who_may_borrow(site, clock):
    LendingRules.objects.create(organisation=site.organisation, organisations_may_borrow=False)
    school = borrower(site, "Basisschool De Linde", kind=Borrower.Kind.ORGANISATION)

    with pytest.raises(ValidationError) as error:
        lend(None, site, device(site, "LAP-001"), school)

    assert "does not lend to organisations" in refusal(error, "borrower")


def test_a_returned_device_is_lent_again_only_after_its_wipe(site, clock):
    user = volunteer()
    item = device(site, "LAP-001", accessories=["charger", "bag"])
    loan, _token = lend(user, site, item, borrower(site))

    services.loan_return(actor=user, loan=loan, accessories_back=["charger"], condition="good")

    loan.refresh_from_db()
    item.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED
    assert loan.missing_accessories == ["bag"]
    assert item.status == Device.Status.TO_WIPE
    with pytest.raises(ValidationError) as error:
        lend(user, site, item, borrower(site, "Jan Janssens"))
    assert "has not been wiped" in refusal(error)

    wipe = services.device_wipe(actor=user, device=item, method=Wipe.Method.FACTORY_RESET)

    item.refresh_from_db()
    assert item.status == Device.Status.AVAILABLE
    assert (wipe.loan, wipe.done_by, wipe.done_at) == (loan, user, MONDAY)
    again, _token = lend(user, site, item, borrower(site, "Jan Janssens"))
    assert again.status == Loan.Status.OPEN
    kinds = list(
        DeviceEvent.objects.filter(device=item).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["lent", "returned", "wiped", "lent"]


def test_a_wipe_recorded_at_the_desk_makes_it_available_at_once(site, clock):
    user = volunteer()
    item = device(site, "LAP-001")
    loan, _token = lend(user, site, item, borrower(site))

    services.loan_return(
        actor=user,
        loan=loan,
        accessories_back=["charger"],
        condition="fair",
        wipe_method="reimaged",
    )

    item.refresh_from_db()
    assert item.status == Device.Status.AVAILABLE
    assert item.condition == Device.Condition.FAIR
    assert Wipe.objects.get(device=item).method == "reimaged"


def test_a_damaged_device_goes_for_repair_and_then_waits_for_its_wipe(site, clock):
    user = volunteer()
    item = device(site, "LAP-001")
    loan, _token = lend(user, site, item, borrower(site))

    services.loan_return(
        actor=user,
        loan=loan,
        accessories_back=["charger"],
        condition="damaged",
        wipe_method="reimaged",
    )
    item.refresh_from_db()
    assert item.status == Device.Status.IN_REPAIR
    assert not Wipe.objects.exists()  # not wiped while it is broken

    services.device_repaired(actor=user, device=item)
    item.refresh_from_db()
    assert item.status == Device.Status.TO_WIPE


def test_a_renewal_gives_more_days_as_often_as_the_rules_allow(site, clock):
    item = device(site, "LAP-001")
    loan, _token = lend(None, site, item, borrower(site))

    renewed = services.loan_renew(actor=None, loan=loan)

    # 14 days after Monday 21 December is Monday 4 January.
    assert renewed.due_on == date(2027, 1, 4)
    assert renewed.renewals == 1
    with pytest.raises(ValidationError) as error:
        services.loan_renew(actor=None, loan=renewed)
    assert "cannot be renewed again" in " ".join(error.value.messages)
    renewed.refresh_from_db()
    assert renewed.due_on == date(2027, 1, 4)


def test_a_lost_device_closes_the_loan(site, clock):
    item = device(site, "LAP-001")
    loan, _token = lend(None, site, item, borrower(site))

    services.loan_mark_lost(actor=None, loan=loan)

    item.refresh_from_db()
    loan.refresh_from_db()
    assert (loan.status, item.status) == (Loan.Status.LOST, Device.Status.LOST)
    with pytest.raises(ValidationError):
        services.loan_return(actor=None, loan=loan, accessories_back=[], condition="good")


def test_the_database_refuses_a_second_open_loan_of_one_device(site, clock):
    item = device(site, "LAP-001")
    loan, _token = lend(None, site, item, borrower(site))

    duplicate = Loan(
        reference="LDUPLICATE",
        token_hash="x" * 64,
        device=item,
        borrower=borrower(site, "Jan"),
        site=site,
        checked_out_at=MONDAY,
        due_on=loan.due_on,
        agreement_accepted_at=MONDAY,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


# --- the due date ---------------------------------------------------------------------------


def _site_with(hours: dict, holidays: bool = True):
    return factories.site(opening_hours=hours, closed_on_public_holidays=holidays)


WEEKDAYS = {"periods": [period(d, "09:00", "17:00") for d in range(5)], "exceptions": []}


def test_a_due_date_on_a_public_holiday_moves_to_the_next_open_day():
    site = _site_with(WEEKDAYS)
    # 28 days after Monday 14 December 2026 is Monday 11 January; 18 days gives Friday 1 January
    # (New Year's Day, closed), so the next open day: Monday 4 January.
    assert services.due_date(site, date(2026, 12, 14), 18) == date(2027, 1, 4)


def test_a_due_date_in_a_closure_moves_past_it():
    hours = {**WEEKDAYS, "exceptions": [closure(date(2027, 1, 4), date(2027, 1, 8), "Verbouwing")]}
    site = _site_with(hours)
    assert services.due_date(site, date(2026, 12, 14), 21) == date(2027, 1, 11)


def test_a_due_date_follows_a_fortnightly_opening():
    # Open on Wednesdays of the weeks of 25 November 2026, 9 December, 23 December...
    hours = {
        "periods": [period(2, "13:00", "16:00", recurrence="biweekly", anchor=date(2026, 11, 25))],
        "exceptions": [],
    }
    site = _site_with(hours, holidays=False)
    # 14 days after Monday 23 November is Monday 7 December: next open Wednesday 9 December.
    assert services.due_date(site, date(2026, 11, 23), 14) == date(2026, 12, 9)
    # 7 days after: Monday 30 November; Wednesday 2 December is the off week: 9 December.
    assert services.due_date(site, date(2026, 11, 23), 7) == date(2026, 12, 9)


def test_a_site_without_opening_hours_keeps_the_plain_date():
    site = _site_with({"periods": [], "exceptions": []})
    assert services.due_date(site, date(2026, 11, 23), 28) == date(2026, 12, 21)
