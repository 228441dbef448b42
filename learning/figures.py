"""The learning figures of a site over a period: how full the sessions were, who came, who did
not, what people learnt (by DigComp area) and their age bands where given; and the help cards
opened and sent (network-wide: a card belongs to no site).

Counts only, without personal data. Every figure is counted in the database; walk-ins count as
participants who came, not as places taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum

from core.db_router import reporting_reads
from learning import digcomp
from learning.models import HelpCardCount, Registration, Session
from network.models import Site

BRUSSELS = ZoneInfo("Europe/Brussels")
MONTH_CHOICES = (3, 6, 12, 24)
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class LearningFigures:
    starts: date
    ends: date
    sessions: int
    cancelled: int
    places: int
    places_taken: int
    fill_rate: int | None  # percent of places taken, of sessions not cancelled
    with_place: int  # registrations with a place (not walk-ins)
    came: int
    did_not_come: int
    walk_ins: int
    attendance_rate: int | None  # percent of those with a place and a recorded attendance
    no_show_rate: int | None
    waiting_now: int
    by_area: list[tuple[str, str, int]]  # (code, title, participants who came)
    by_age: list[tuple[str, str, int]]
    cards_opened: int
    cards_sent: int


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _first_day(today: date, months: int) -> date:
    year, month = today.year, today.month - months
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


# A report: read from the replica when there is one (core/db_router.py).
@reporting_reads
def learning_figures(
    site: Site, months: int = DEFAULT_MONTHS, today: date | None = None
) -> LearningFigures:
    today = today or datetime.now(BRUSSELS).date()
    months = months if months in MONTH_CHOICES else DEFAULT_MONTHS
    starts = _first_day(today, months)
    since = datetime.combine(starts, time.min, tzinfo=BRUSSELS)
    until = datetime.combine(today + timedelta(days=1), time.min, tzinfo=BRUSSELS)
    sessions = Session.objects.filter(site=site, starts_at__gte=since, starts_at__lt=until)
    totals = sessions.aggregate(
        n=Count("pk"),
        cancelled=Count("pk", filter=Q(status=Session.Status.CANCELLED)),
        places=Sum("capacity", filter=Q(status=Session.Status.SCHEDULED)),
        taken=Sum("confirmed", filter=Q(status=Session.Status.SCHEDULED)),
    )
    held = Registration.objects.filter(
        session__in=sessions.filter(status=Session.Status.SCHEDULED),
        status=Registration.Status.CONFIRMED,
    )
    people = held.aggregate(
        with_place=Count("pk", filter=Q(walk_in=False)),
        came=Count("pk", filter=Q(attendance=Registration.Attendance.PRESENT, walk_in=False)),
        absent=Count("pk", filter=Q(attendance=Registration.Attendance.ABSENT)),
        walk_ins=Count("pk", filter=Q(walk_in=True)),
    )
    recorded = people["came"] + people["absent"]
    came = held.filter(attendance=Registration.Attendance.PRESENT)
    by_area = []
    for code, title in digcomp.AREAS.items():
        n = came.filter(session__course__competences__contains=f",{code}.").count()
        by_area.append((code, str(title), n))
    ages = dict(
        came.exclude(age_band="")
        .values_list("age_band")
        .annotate(n=Count("pk"))
        .values_list("age_band", "n")
    )
    by_age = [(code, str(label), ages.get(code, 0)) for code, label in Registration.AgeBand.choices]
    cards = HelpCardCount.objects.filter(day__gte=starts, day__lte=today).aggregate(
        opened=Sum("opened"), sent=Sum("sent")
    )
    waiting = Registration.objects.filter(
        session__site=site,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__gte=until - timedelta(days=1),
        status=Registration.Status.WAITING,
    ).count()
    return LearningFigures(
        starts=starts,
        ends=today,
        sessions=totals["n"],
        cancelled=totals["cancelled"],
        places=totals["places"] or 0,
        places_taken=totals["taken"] or 0,
        fill_rate=_percent(totals["taken"] or 0, totals["places"] or 0),
        with_place=people["with_place"],
        came=people["came"],
        did_not_come=people["absent"],
        walk_ins=people["walk_ins"],
        attendance_rate=_percent(people["came"], recorded),
        no_show_rate=_percent(people["absent"], recorded),
        waiting_now=waiting,
        by_area=by_area,
        by_age=by_age,
        cards_opened=cards["opened"] or 0,
        cards_sent=cards["sent"] or 0,
    )
