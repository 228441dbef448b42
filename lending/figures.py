"""The lending figures of a site: its devices now, the loans of a period of months, overdue
devices and the waiting list.

Counts only, without personal data: nothing here reads a borrower. The caller has checked that the
person works at the site (`accounts.permissions.site_for`). Every figure is computed in the
database, whatever the number of loans, except the lengths of the loans brought back in the period
and the waits of the people lent a device from the waiting list, which need a median and days
counted in Brussels: those pairs of instants are read for the period only.

1. devices by kind and status (now);
2. loans started per month and kind (`TruncMonth` in Brussels);
3. the loans brought back in the period: (lent, brought back, kind), for their lengths and the
   returns per month;
4. open and overdue loans, with conditional counts;
5. the devices lost in the period (their history: lost on loan or from the shelf);
6. the waiting list by kind and status (now);
7. the waits of the holds whose device was set aside in the period and then lent (a hold does
   not record when it was lent: it is lent within days of being set aside).

A day is a calendar day in Brussels: a loan lent on 1 October and brought back on 8 October
lasted 7 days, whatever the time of day or a change of the clocks in between.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.db_router import reporting_reads
from lending.models import Device, DeviceEvent, Hold, Loan
from network.models import Site

BRUSSELS = ZoneInfo("Europe/Brussels")
# How many full months before the current one a page of figures may cover.
MONTH_CHOICES = (3, 6, 12, 24)
DEFAULT_MONTHS = 12
# Overdue by this many days or more: the two bands of "overdue now" (the reminders' days).
OVERDUE_BANDS = (7, 21)


@dataclass(frozen=True)
class Month:
    """One month of the period: its first day, the loans started and the loans brought back."""

    first_day: date
    loans: int
    returns: int


@dataclass(frozen=True)
class KindFigures:
    """One kind of device: its devices in lending and on loan now, the loans started in the
    period, the average length of those brought back in it, and who waits for one now."""

    kind: str
    label: str
    lendable: int
    on_loan: int
    loans: int
    average_days: float | None
    waiting: int
    ready: int


@dataclass(frozen=True)
class LendingFigures:
    date_from: date
    date_to: date  # today: the period ends with the current month so far
    # Devices now, by status; `lendable` is every device but the retired and lost ones.
    on_loan: int
    reserved: int  # set aside for the first one on the waiting list
    available: int
    to_wipe: int
    in_repair: int
    lendable: int
    retired: int
    lost_devices: int
    # The loans of the period, month by month (every month, zero months included).
    months: tuple[Month, ...]
    # The loans brought back in the period: how many, and their length in days.
    returned: int
    average_days: float | None
    median_days: float | None
    # Open loans now, and those past their due date (by 7 and 21 days or more, as the reminders).
    open_loans: int
    overdue: int
    overdue_over_7: int
    overdue_over_21: int
    lost: int  # devices lost in the period, on loan or not
    # The waiting list now, and the wait of those lent a device from it in the period.
    waiting: int
    ready: int
    holds_lent: int
    average_wait_days: float | None
    kinds: tuple[KindFigures, ...]

    @property
    def loans(self) -> int:
        """Loans started in the period."""
        return sum(month.loans for month in self.months)

    @property
    def returns(self) -> int:
        return sum(month.returns for month in self.months)

    @property
    def share_in_use(self) -> int | None:
        """The devices on loan as a whole percentage of the devices in lending (None: none)."""
        return round(100 * self.on_loan / self.lendable) if self.lendable else None


def months_or_default(value: object) -> int:
    """The number of full months asked for (`?months=`), or the default for anything else."""
    try:
        months = int(str(value))
    except ValueError:
        return DEFAULT_MONTHS
    return months if months in MONTH_CHOICES else DEFAULT_MONTHS


def period_of(months: int, today: date) -> tuple[date, date]:
    """The first day of the month `months` months before `today`'s, and `today`: the last
    `months` full months and the current month so far."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1), today


def month_starts(date_from: date, date_to: date) -> list[date]:
    """The first day of every month from `date_from`'s to `date_to`'s, both included."""
    starts = []
    day = date_from.replace(day=1)
    while day <= date_to:
        starts.append(day)
        day = (day + timedelta(days=31)).replace(day=1)
    return starts


def _instant(day: date) -> datetime:
    """The start of `day` in Brussels."""
    return datetime.combine(day, time.min, tzinfo=BRUSSELS)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment, BRUSSELS).date()


def _days(start: datetime, end: datetime) -> int:
    """Calendar days in Brussels from `start` to `end`."""
    return (_local_day(end) - _local_day(start)).days


def _average(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _by_status(
    rows: Iterable[tuple[str, str, int]],
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """(kind, status, count) rows as counts by status and by (kind, status)."""
    by_status: Counter[str] = Counter()
    by_kind: Counter[tuple[str, str]] = Counter()
    for kind, status, n in rows:
        by_status[status] += n
        by_kind[kind, status] += n
    return by_status, by_kind


# A report: read from the replica when there is one (core/db_router.py).
@reporting_reads
def lending_figures(
    site: Site, months: int = DEFAULT_MONTHS, today: date | None = None
) -> LendingFigures:
    """The lending figures of `site` for the last `months` full months and the current month
    so far (in Brussels), and its devices, overdue loans and waiting list now. Seven queries.

    `today` (by default today in Brussels) sets the period and what counts as overdue; the
    devices and the waiting list are always as they are now."""
    today = today or timezone.localdate(timezone.now(), BRUSSELS)
    date_from, date_to = period_of(months, today)
    start, end = _instant(date_from), _instant(date_to + timedelta(days=1))
    starts = month_starts(date_from, date_to)

    # 1. Devices now.
    devices = Device.objects.filter(site=site).order_by()
    device_rows = devices.values_list("kind", "status").annotate(n=Count("*"))
    by_status, devices_by_kind = _by_status(device_rows)

    # 2. Loans started, per month and kind.
    started = (
        Loan.objects.filter(site=site, checked_out_at__gte=start, checked_out_at__lt=end)
        .order_by()
        .annotate(month=TruncMonth("checked_out_at", tzinfo=BRUSSELS))
        .values_list("month", "device__kind")
        .annotate(n=Count("*"))
    )
    loans_per_month: Counter[date] = Counter()
    loans_per_kind: Counter[str] = Counter()
    for month, kind, n in started:
        loans_per_month[timezone.localtime(month, BRUSSELS).date().replace(day=1)] += n
        loans_per_kind[kind] += n

    # 3. Loans brought back in the period: lengths and returns per month (bounded by the period).
    brought_back = (
        Loan.objects.filter(
            site=site,
            status=Loan.Status.RETURNED,
            returned_at__gte=start,
            returned_at__lt=end,
        )
        .order_by()
        .values_list("checked_out_at", "returned_at", "device__kind")
    )
    lengths: list[int] = []
    lengths_per_kind: dict[str, list[int]] = {}
    returns_per_month: Counter[date] = Counter()
    for checked_out_at, returned_at, kind in brought_back:
        if returned_at is None:  # never: filtered on it (for the type checker)
            continue
        days = _days(checked_out_at, returned_at)
        lengths.append(days)
        lengths_per_kind.setdefault(kind, []).append(days)
        returns_per_month[_local_day(returned_at).replace(day=1)] += 1

    # 4. Open loans now, and how far past their date (from the (site, status, due_on) index).
    over_7, over_21 = OVERDUE_BANDS
    loans = Loan.objects.filter(site=site, status=Loan.Status.OPEN).aggregate(
        open_loans=Count("*"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        overdue_over_7=Count("pk", filter=Q(due_on__lte=today - timedelta(days=over_7))),
        overdue_over_21=Count("pk", filter=Q(due_on__lte=today - timedelta(days=over_21))),
    )

    # 5. Devices lost in the period: a loan marked lost, or a device lost from the shelf.
    lost = DeviceEvent.objects.filter(
        device__site=site, kind=DeviceEvent.Kind.LOST, at__gte=start, at__lt=end
    ).count()

    # 6. The waiting list now.
    hold_rows = (
        Hold.objects.filter(site=site, status__in=[Hold.Status.WAITING, Hold.Status.READY])
        .order_by()
        .values_list("kind", "status")
        .annotate(n=Count("*"))
    )
    holds_by_status, holds_by_kind = _by_status(hold_rows)

    # 7. How long those lent a device from the waiting list waited (set aside in the period).
    waits = [
        _days(created_at, ready_at)
        for created_at, ready_at in Hold.objects.filter(
            site=site, status=Hold.Status.LENT, ready_at__gte=start, ready_at__lt=end
        )
        .order_by()
        .values_list("created_at", "ready_at")
        if ready_at is not None
    ]

    kinds = tuple(
        KindFigures(
            kind=kind,
            label=str(label),
            lendable=sum(
                devices_by_kind[kind, status]
                for status in Device.Status.values
                if status not in Device.OUT_OF_LENDING
            ),
            on_loan=devices_by_kind[kind, Device.Status.ON_LOAN],
            loans=loans_per_kind[kind],
            average_days=_average(lengths_per_kind.get(kind, [])),
            waiting=holds_by_kind[kind, Hold.Status.WAITING],
            ready=holds_by_kind[kind, Hold.Status.READY],
        )
        for kind, label in Device.Kind.choices
    )
    return LendingFigures(
        date_from=date_from,
        date_to=date_to,
        on_loan=by_status[Device.Status.ON_LOAN],
        reserved=by_status[Device.Status.RESERVED],
        available=by_status[Device.Status.AVAILABLE],
        to_wipe=by_status[Device.Status.TO_WIPE],
        in_repair=by_status[Device.Status.IN_REPAIR],
        lendable=sum(n for status, n in by_status.items() if status not in Device.OUT_OF_LENDING),
        retired=by_status[Device.Status.RETIRED],
        lost_devices=by_status[Device.Status.LOST],
        months=tuple(
            Month(first_day=day, loans=loans_per_month[day], returns=returns_per_month[day])
            for day in starts
        ),
        returned=len(lengths),
        average_days=_average(lengths),
        median_days=_median(lengths),
        open_loans=loans["open_loans"],
        overdue=loans["overdue"],
        overdue_over_7=loans["overdue_over_7"],
        overdue_over_21=loans["overdue_over_21"],
        lost=lost,
        waiting=holds_by_status[Hold.Status.WAITING],
        ready=holds_by_status[Hold.Status.READY],
        holds_lent=len(waits),
        average_wait_days=_average(waits),
        kinds=kinds,
    )
