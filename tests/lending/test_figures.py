"""The lending figures of a site: every figure of a history made with the services and worked out
by hand, the period of months (days and months in Brussels), the other sites left out, and the
page a volunteer reads.

`clock` moves through the history; the figures are read on Monday 23 November 2026 (the
fixture's time), so "the last 3 months" are August to November 2026.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lending import holds, services
from lending.figures import (
    DEFAULT_MONTHS,
    KindFigures,
    Month,
    lending_figures,
    month_starts,
    months_or_default,
    period_of,
)
from lending.models import Borrower, Device, Hold, Loan
from network.models import Site
from tests import factories
from tests.cast import signed_in, text, url
from tests.clock import MONDAY
from tests.lending.helpers import borrower, device, lend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

BRUSSELS = ZoneInfo("Europe/Brussels")
TODAY = MONDAY.date()


def at(clock: type, month: int, day: int, hour: int = 10, minute: int = 0) -> None:
    """Move the services' clock to that day of 2026, in Brussels."""
    clock.now = datetime(2026, month, day, hour, minute, tzinfo=BRUSSELS)  # type: ignore[attr-defined]


def give_back(loan: Loan) -> Loan:
    return services.loan_return(
        actor=None, loan=loan, accessories_back=["charger"], condition="good"
    )


def wipe(item: Device) -> None:
    services.device_wipe(actor=None, device=item, method="factory_reset")


def wait(site: Site, who: Borrower, kind: str) -> Hold:
    return holds.hold_add(actor=None, site=site, borrower=who, kind=kind)


@pytest.fixture
def site() -> Site:
    return factories.site(name="Digipunt Kouter")


@pytest.fixture
def history(site: Site, clock: type) -> Site:
    """Since July 2026 at `site`, with a loan at another site of its organisation in the middle.

    Loans started: July 1; August none; September 4; October 3; November 3.
    Brought back: July 1 (24 days); October 2 (7 and 14 days); November 1 (21 days, over the
    change of the clocks on 25 October).
    Now: 6 on loan (3 overdue: by 7, 8 and 22 days), 1 set aside, 1 available, 1 to wipe,
    1 in repair (10 in lending), 2 retired, 3 lost (on loan in November, from the shelf in
    October and in July). Waiting: a tablet and a smartphone; a laptop ready. Lent from the
    waiting list: after 2 and 6 days.
    """
    laptops = [device(site, f"LAP-{n}") for n in range(1, 7)]
    lap1, lap2, lap3, lap4, lap5, lap6 = laptops
    tab1, tab2 = (device(site, f"TAB-{n}", kind=Device.Kind.TABLET) for n in (1, 2))
    phone = device(site, "PHN-1", kind=Device.Kind.SMARTPHONE)
    device(site, "PHN-2", kind=Device.Kind.SMARTPHONE, status=Device.Status.TO_WIPE)
    device(site, "HOT-1", kind=Device.Kind.HOTSPOT, status=Device.Status.IN_REPAIR)
    device(site, "SIM-1", kind=Device.Kind.DATA_SIM)
    device(site, "RET-1", status=Device.Status.RETIRED)
    shelf_july = device(site, "HOT-2", kind=Device.Kind.HOTSPOT)
    shelf_october = device(site, "SIM-2", kind=Device.Kind.DATA_SIM)
    other_site = factories.site(name="Digipunt Elders", organisation=site.organisation)
    elsewhere = device(other_site, "ELD-1")

    # July, before the last 3 months: 24 days.
    at(clock, 7, 6)
    july, _token = lend(None, site, lap6, borrower(site, "Juul"))
    at(clock, 7, 30)
    give_back(july)
    services.device_set_aside(actor=None, device=lap6, status=Device.Status.RETIRED)
    services.device_set_aside(actor=None, device=shelf_july, status=Device.Status.LOST)

    # September: four loans still out or lost.
    at(clock, 9, 7)
    overdue_7, _token = lend(None, site, lap4, borrower(site, "Bo"))
    at(clock, 9, 14)
    overdue_8, _token = lend(None, site, tab2, borrower(site, "Cas"))
    at(clock, 9, 21)
    overdue_22, _token = lend(None, site, lap5, borrower(site, "Dirk"))
    at(clock, 9, 28)
    lost, _token = lend(None, site, phone, borrower(site, "Hans"))

    # October: three loans, brought back after 7, 14 and 21 days.
    at(clock, 10, 1)
    first, _token = lend(None, site, lap1, borrower(site, "An"))
    other, _token = lend(None, other_site, elsewhere, borrower(site, "Elders"))
    at(clock, 10, 5)
    second, _token = lend(None, site, lap2, borrower(site, "Eva"))
    at(clock, 10, 8)
    give_back(first)
    at(clock, 10, 12, hour=16)
    third, _token = lend(None, site, tab1, borrower(site, "Fien"))
    at(clock, 10, 19, hour=17)
    give_back(second)
    give_back(other)
    services.device_set_aside(actor=None, device=shelf_october, status=Device.Status.LOST)

    # November: one loan at the desk, two from the waiting list.
    at(clock, 11, 2, hour=9)
    give_back(third)  # 21 days, though one hour less: the clocks went back on 25 October
    at(clock, 11, 2, hour=11)
    lend(None, site, lap3, borrower(site, "Gert"))
    at(clock, 11, 3)
    mia, ines = borrower(site, "Mia"), borrower(site, "Ines")
    wait(site, mia, Device.Kind.LAPTOP)
    wait(site, ines, Device.Kind.TABLET)
    at(clock, 11, 4)
    wait(site, borrower(site, "Jan"), Device.Kind.TABLET)
    wait(other_site, borrower(site, "Elders 2"), Device.Kind.TABLET)
    at(clock, 11, 5)
    wipe(lap2)  # set aside for Mia after 2 days
    at(clock, 11, 6)
    lend(None, site, lap2, mia)
    at(clock, 11, 9)
    wipe(tab1)  # set aside for Ines after 6 days
    at(clock, 11, 10)
    lend(None, site, tab1, ines)
    services.loan_mark_lost(actor=None, loan=lost)
    at(clock, 11, 16)
    wait(site, borrower(site, "Kim"), Device.Kind.SMARTPHONE)
    wait(site, borrower(site, "Lou"), Device.Kind.LAPTOP)
    at(clock, 11, 20)
    wipe(lap1)  # set aside for Lou, not picked up yet

    clock.now = MONDAY  # type: ignore[attr-defined]
    for loan, days in ((overdue_7, 7), (overdue_8, 8), (overdue_22, 22)):
        Loan.objects.filter(pk=loan.pk).update(due_on=TODAY - timedelta(days=days))
    return site


def test_the_devices_now_by_status_and_the_share_on_loan(history):
    figures = lending_figures(history, 3)

    assert (
        figures.on_loan,
        figures.reserved,
        figures.available,
        figures.to_wipe,
        figures.in_repair,
    ) == (6, 1, 1, 1, 1)
    assert figures.lendable == 10
    assert (figures.retired, figures.lost_devices) == (2, 3)
    assert figures.share_in_use == 60


def test_the_loans_and_returns_month_by_month_with_the_empty_months(history):
    figures = lending_figures(history, 3)

    assert (figures.date_from, figures.date_to) == (date(2026, 8, 1), TODAY)
    assert figures.months == (
        Month(date(2026, 8, 1), loans=0, returns=0),
        Month(date(2026, 9, 1), loans=4, returns=0),
        Month(date(2026, 10, 1), loans=3, returns=2),
        Month(date(2026, 11, 1), loans=3, returns=1),
    )
    assert (figures.loans, figures.returns) == (10, 3)


def test_the_length_of_the_loans_brought_back_in_the_period(history):
    figures = lending_figures(history, 3)

    # 7, 14 and 21 days; July's 24 days are before the period.
    assert (figures.returned, figures.average_days, figures.median_days) == (3, 14.0, 14.0)


def test_a_longer_period_takes_in_the_earlier_loans(history):
    figures = lending_figures(history, 6)

    assert figures.date_from == date(2026, 5, 1)
    assert [(m.first_day.month, m.loans, m.returns) for m in figures.months] == [
        (5, 0, 0),
        (6, 0, 0),
        (7, 1, 1),
        (8, 0, 0),
        (9, 4, 0),
        (10, 3, 2),
        (11, 3, 1),
    ]
    # 7, 14, 21 and 24 days.
    assert (figures.average_days, figures.median_days) == (16.5, 17.5)


def test_overdue_devices_now_and_the_devices_lost_in_the_period(history):
    figures = lending_figures(history, 3)

    assert figures.open_loans == 6
    # Overdue by 7, 8 and 22 days: 7 days or more is all three; 21 days or more is 22.
    assert (figures.overdue, figures.overdue_over_7, figures.overdue_over_21) == (3, 3, 1)
    # On loan in November and from the shelf in October; July's is before the period.
    assert figures.lost == 2
    assert lending_figures(history, 6).lost == 3


def test_the_waiting_list_now_and_how_long_those_lent_a_device_waited(history):
    figures = lending_figures(history, 3)

    assert (figures.waiting, figures.ready) == (2, 1)
    assert (figures.holds_lent, figures.average_wait_days) == (2, 4.0)  # 2 and 6 days


def test_the_figures_by_kind_of_device(history):
    figures = lending_figures(history, 3)

    kinds = {kind.kind: kind for kind in figures.kinds}
    assert list(kinds) == Device.Kind.values  # every kind, in the list's order
    laptop, tablet, phone = kinds["laptop"], kinds["tablet"], kinds["smartphone"]
    assert (laptop.lendable, laptop.on_loan, laptop.loans, laptop.average_days) == (5, 4, 6, 10.5)
    assert (tablet.lendable, tablet.on_loan, tablet.loans, tablet.average_days) == (2, 2, 3, 21.0)
    assert (phone.lendable, phone.on_loan, phone.loans, phone.average_days) == (1, 0, 1, None)
    assert [(k.kind, k.waiting, k.ready) for k in figures.kinds if k.waiting or k.ready] == [
        ("laptop", 0, 1),
        ("tablet", 1, 0),
        ("smartphone", 1, 0),
    ]
    assert kinds["accessory"] == KindFigures(
        "accessory", str(Device.Kind.ACCESSORY.label), 0, 0, 0, None, 0, 0
    )


def test_another_site_has_only_its_own_figures(history):
    other = Site.objects.get(name="Digipunt Elders")

    figures = lending_figures(other, 3)

    assert [m.loans for m in figures.months] == [0, 0, 1, 0]
    assert [m.returns for m in figures.months] == [0, 0, 1, 0]
    assert (figures.lendable, figures.on_loan, figures.available) == (1, 0, 0)
    assert (figures.average_days, figures.waiting, figures.open_loans) == (18.0, 1, 0)


def test_a_site_without_lending_has_zeros_and_no_averages(site, clock):
    figures = lending_figures(site)

    assert len(figures.months) == DEFAULT_MONTHS + 1
    assert figures.months[0].first_day == date(2025, 11, 1)
    assert {(m.loans, m.returns) for m in figures.months} == {(0, 0)}
    assert figures.share_in_use is None
    assert (figures.average_days, figures.median_days, figures.average_wait_days) == (
        None,
        None,
        None,
    )


def test_months_and_days_are_counted_in_brussels(site, clock):
    """23:30 on 31 July in Brussels is July; 00:30 on 1 August is August, though both are
    31 July in UTC. The loan between them lasted 1 day."""
    item, another = device(site, "LAP-1"), device(site, "LAP-2")
    at(clock, 7, 31, hour=23, minute=30)
    july, _token = lend(None, site, item, borrower(site, "An"))
    at(clock, 8, 1, hour=0, minute=30)
    lend(None, site, another, borrower(site, "Bo"))
    give_back(july)
    clock.now = MONDAY

    figures = lending_figures(site, 3)

    assert figures.months[0] == Month(date(2026, 8, 1), loans=1, returns=1)
    assert figures.loans == 1
    assert figures.average_days == 1.0


def test_the_figures_take_seven_queries_whatever_the_history(history, django_assert_num_queries):
    with django_assert_num_queries(7):
        lending_figures(history, 24)


@pytest.mark.parametrize(
    ("value", "months"),
    [("3", 3), ("6", 6), ("12", 12), ("24", 24), ("abc", 12), ("", 12), ("5", 12), ("-3", 12)],
)
def test_the_months_asked_for_or_the_default(value, months):
    assert months_or_default(value) == months


def test_the_period_starts_on_the_first_of_a_month_of_an_earlier_year():
    assert period_of(12, date(2026, 1, 15)) == (date(2025, 1, 1), date(2026, 1, 15))
    assert period_of(24, date(2026, 12, 31))[0] == date(2024, 12, 1)
    assert month_starts(date(2025, 12, 1), date(2026, 2, 3)) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def october(cast, clock) -> None:
    """At Gent A: two loans in October, brought back after 7 and 14 days; one still out."""
    site = cast.gent_a
    one, two, three = (device(site, f"LAP-{n}") for n in (1, 2, 3))
    at(clock, 10, 5)
    first, _token = lend(None, site, one, borrower(site, "Marie Peeters"))
    second, _token = lend(None, site, two, borrower(site, "Jan Janssens"))
    at(clock, 10, 12)
    give_back(first)
    at(clock, 10, 19)
    give_back(second)
    at(clock, 11, 2)
    lend(None, site, three, borrower(site, "Els Claes"))
    clock.now = MONDAY


def tables(page: str) -> dict[str, dict[str, list[str]]]:
    """Each table by its caption: each row's header and its cells, as text."""
    found: dict[str, dict[str, list[str]]] = {}
    for caption, body in re.findall(r"<caption>(.*?)</caption>(.*?)</table>", page, flags=re.S):
        rows = found.setdefault(caption, {})
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
            words = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
            rows[words[0]] = words[1:]
    return found


def test_a_volunteer_reads_the_figures_without_any_borrowers_name(cast, october):
    response = signed_in(cast.volunteer).get(url("lending:figures", site_id=cast.gent_a.pk))

    assert response.status_code == 200
    page = text(response)
    assert "From 1 November 2025 to 23 November 2026" in page
    assert "33% of the devices in lending are on loan (1 of 3)." in page
    found = tables(page)
    per_month = found["Loans per month"]
    assert per_month["Month"] == ["Loans started", "Brought back"]
    assert per_month["October 2026"] == ["2", "2"]
    assert per_month["November 2026"] == ["1", "0"]
    assert per_month["November 2025"] == ["0", "0"]  # months without loans are listed
    assert len(per_month) == 1 + 13 + 1  # the header, 13 months, the total
    assert per_month["Total"] == ["3", "2"]
    assert found["Loans brought back in this period"]["Average length in days"] == ["10.5"]
    by_kind = found["Devices now and loans in this period, by kind of device"]
    assert by_kind["Laptop"] == ["3", "1", "3", "10.5"]
    assert by_kind["Tablet"] == ["0", "0", "0", "–none brought back"]
    assert found["Devices by status"]["In lending"] == ["3"]
    for name in ("Marie Peeters", "Jan Janssens", "Els Claes", "Marie", "Peeters"):
        assert name not in page
    assert '<option value="12" selected>' in page


@pytest.mark.parametrize(("query", "start"), [("3", "1 August 2026"), ("abc", "1 November 2025")])
def test_the_period_comes_from_the_link_and_a_wrong_one_gives_the_default(
    cast, october, query, start
):
    response = signed_in(cast.volunteer).get(
        url("lending:figures", site_id=cast.gent_a.pk), {"months": query}
    )

    assert response.status_code == 200
    assert f"From {start} to 23 November 2026" in text(response)


def test_another_organisations_site_is_not_found(cast):
    response = signed_in(cast.volunteer).get(url("lending:figures", site_id=cast.aalst.pk))

    assert response.status_code == 404
