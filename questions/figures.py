"""Site figures: how many people were helped with how many questions, and with what, in a period.

Figures are counts only; contacts hold no personal data and nothing here reads a note. Every
query starts from `(site, day)`, the index both `Contact` and `Question` carry, and aggregates in
the database, so the cost does not depend on how many contacts other sites have:

1. contacts: one pass with conditional counts (total, distinct visitor codes, first visits, each
   channel, each duration band);
2. contacts per day (answered from the `(site, day)` index alone), summed into weeks or months;
3. questions grouped by theme, concern, outcome and partner kind, summed per dimension;
4. questions per day (index only);
5. and 6. the names of the themes and concerns.

Labels follow the active language: choices from their `TextChoices`, themes and concerns from
their rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.dates import EARLIEST, LATEST, within_range
from core.db_router import reporting_reads
from network.models import Theme
from questions.models import Channel, Concern, Contact, Duration, Outcome, PartnerKind, Question

# A longer period is a report for several years: ask for each year on its own.
MAX_PERIOD_DAYS = 2 * 366
# Periods up to this long are shown per week, longer ones per month.
WEEKLY_UP_TO_DAYS = 92
# The code of the bucket of questions whose organisation or app was not given.
NOT_GIVEN = ""


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Breakdown:
    """One table: `dimension` is a stable code (the CSV's first column), `title` its caption,
    `column` the heading of its labels and `unit` what it counts."""

    dimension: str
    title: str
    column: str
    unit: str  # "contacts" or "questions"
    rows: list[Row]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)


@dataclass(frozen=True)
class Figures:
    date_from: date
    date_to: date
    contacts: int
    questions: int
    visitor_codes: int  # distinct visitor codes: people who showed a card, each counted once
    first_visits: int
    breakdowns: list[Breakdown] = field(default_factory=list)

    def breakdown(self, dimension: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.dimension == dimension)

    def totals(self) -> list[Row]:
        """The headline numbers as rows (for the CSV)."""
        return [
            Row("contacts", _("People helped (contacts)"), self.contacts),
            Row("questions", _("Questions"), self.questions),
            Row("visitor_codes", _("Different visitor codes"), self.visitor_codes),
            Row("first_visits", _("First visits"), self.first_visits),
        ]


def default_period(today: date | None = None) -> tuple[date, date]:
    """The current month so far."""
    today = today or timezone.localdate()
    return today.replace(day=1), today


def check_period(date_from: date, date_to: date) -> str | None:
    """What is wrong with a period, in words, or None when it can be counted."""
    if not (within_range(date_from) and within_range(date_to)):
        return _("Choose dates between %(first)s and %(last)s.") % {
            "first": EARLIEST.year,
            "last": LATEST.year,
        }
    if date_to < date_from:
        return _("The end date is before the start date.")
    if (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
        return _("Choose a period of at most two years.")
    return None


def _choice_rows(choices: type, counts: dict[str, int]) -> list[Row]:
    """Every option of a TextChoices in its own order, with zero where nothing was counted."""
    return [Row(value, str(label), counts.get(value, 0)) for value, label in choices.choices]


def _named_rows(objects: Iterable[Theme | Concern], counts: Counter) -> list[Row]:
    """Themes or concerns, the most counted first, then in the list's own order."""
    rows = [Row(obj.code, obj.name, counts.get(obj.pk, 0)) for obj in objects]
    return sorted(rows, key=lambda row: -row.count)  # sorted() is stable: list order on ties


def _contact_counts(contacts) -> dict[str, int]:
    """Query 1: every contact figure in one pass over the period's contacts."""
    # Rows are counted as COUNT(*) or COUNT(day) (never null; COUNT(*) takes no filter), not
    # COUNT(id): the id is not needed, so an index that holds the other columns can answer
    # without reading the table.
    aggregates = {
        "contacts": Count("*"),
        "visitor_codes": Count("visitor", distinct=True),
        "first_visits": Count("day", filter=Q(first_visit=True)),
    }
    # Aliases by position: choice values such as "15-30" are not safe SQL aliases.
    for n, value in enumerate(Channel.values):
        aggregates[f"channel_{n}"] = Count("day", filter=Q(channel=value))
    for n, value in enumerate(Duration.values):
        aggregates[f"duration_{n}"] = Count("day", filter=Q(duration=value))
    return contacts.aggregate(**aggregates)


def _by_choice(counts: dict[str, int], prefix: str, choices: type) -> dict[str, int]:
    return {value: counts[f"{prefix}_{n}"] for n, value in enumerate(choices.values)}


def _per_day(queryset) -> dict[date, int]:
    # COUNT(*), not COUNT(id): the (site, day) index then answers alone (an index-only scan on
    # PostgreSQL, whose index does not hold the id), without reading the table.
    return dict(queryset.order_by().values("day").annotate(n=Count("*")).values_list("day", "n"))


def _series(
    contacts_per_day: dict[date, int],
    questions_per_day: dict[date, int],
    date_from: date,
    date_to: date,
) -> tuple[Breakdown, Breakdown]:
    """Contacts and questions per week (short periods) or per month, every bucket present."""
    weekly = (date_to - date_from).days + 1 <= WEEKLY_UP_TO_DAYS
    buckets: dict[str, str] = {}  # code -> label, in time order

    def bucket(day: date) -> str:
        if weekly:
            year, week, _weekday = day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{day:%Y-%m}"

    day = date_from
    while day <= date_to:
        code = bucket(day)
        if code not in buckets:
            if weekly:
                monday = day - timedelta(days=day.weekday())
                buckets[code] = _("Week of %(date)s") % {
                    "date": formats.date_format(monday, "DATE_FORMAT")
                }
            else:
                buckets[code] = formats.date_format(day, "YEAR_MONTH_FORMAT")
        day += timedelta(days=1)

    def rows(per_day: dict[date, int]) -> list[Row]:
        counts: Counter[str] = Counter()
        for when, count in per_day.items():
            counts[bucket(when)] += count
        return [Row(code, label, counts.get(code, 0)) for code, label in buckets.items()]

    if weekly:
        unit, column = "week", _("Week")
        contacts_title, questions_title = _("Contacts per week"), _("Questions per week")
    else:
        unit, column = "month", _("Month")
        contacts_title, questions_title = _("Contacts per month"), _("Questions per month")
    return (
        Breakdown(
            f"contacts_per_{unit}", contacts_title, column, "contacts", rows(contacts_per_day)
        ),
        Breakdown(
            f"questions_per_{unit}", questions_title, column, "questions", rows(questions_per_day)
        ),
    )


# A report: read from the replica when there is one (core/db_router.py).
@reporting_reads
def site_figures(*, site_ids: Sequence[int], date_from: date, date_to: date) -> Figures:
    """The figures of the sites `site_ids` from `date_from` to `date_to` (both included).

    The caller has checked that the person may see figures of these sites and that the period
    is valid (`check_period`). Six queries, whatever the period or the number of contacts.
    """
    in_period = {"site_id__in": list(site_ids), "day__gte": date_from, "day__lte": date_to}
    contacts = Contact.objects.filter(**in_period)
    questions = Question.objects.filter(**in_period).order_by()

    counts = _contact_counts(contacts)
    contacts_per_day = _per_day(contacts)
    by_theme: Counter[int] = Counter()
    by_concern: Counter[int | None] = Counter()
    by_outcome: Counter[str] = Counter()
    by_partner: Counter[str] = Counter()
    grouped = questions.values_list("theme", "concern", "outcome", "referred_to").annotate(
        n=Count("*")
    )
    for theme_id, concern_id, outcome, referred_to, n in grouped:
        by_theme[theme_id] += n
        by_concern[concern_id] += n
        by_outcome[outcome] += n
        if outcome == Outcome.REFERRED:
            by_partner[referred_to] += n
    questions_per_day = _per_day(questions)

    concern_rows = _named_rows(Concern.objects.all(), by_concern)
    concern_rows.append(Row(NOT_GIVEN, pgettext("concern", "Not given"), by_concern.get(None, 0)))
    per_contacts, per_questions = _series(contacts_per_day, questions_per_day, date_from, date_to)
    channels = _choice_rows(Channel, _by_choice(counts, "channel", Channel))
    durations = _choice_rows(Duration, _by_choice(counts, "duration", Duration))
    breakdowns = [
        Breakdown(
            "theme",
            _("Questions by theme"),
            _("Theme"),
            "questions",
            _named_rows(Theme.objects.all(), by_theme),
        ),
        Breakdown(
            "concern",
            _("Questions by organisation or app"),
            _("Organisation or app"),
            "questions",
            concern_rows,
        ),
        Breakdown(
            "outcome",
            _("Questions by outcome"),
            _("Outcome"),
            "questions",
            _choice_rows(Outcome, by_outcome),
        ),
        Breakdown(
            "referred_to",
            _("Referred questions by kind of partner"),
            _("Partner"),
            "questions",
            _choice_rows(PartnerKind, by_partner),
        ),
        Breakdown("channel", _("Contacts by channel"), _("Channel"), "contacts", channels),
        Breakdown("duration", _("Contacts by duration"), _("Duration"), "contacts", durations),
        per_contacts,
        per_questions,
    ]
    return Figures(
        date_from=date_from,
        date_to=date_to,
        contacts=counts["contacts"],
        questions=sum(by_outcome.values()),
        visitor_codes=counts["visitor_codes"],
        first_visits=counts["first_visits"],
        breakdowns=breakdowns,
    )
