"""The figures of a dashboard: a scope's monthly tallies summed over a period, beside the period
before it, as headline numbers and tables (`core.tables.Table`) that the page draws as charts and
exports as CSV and XLSX.

Only `Tally` rows are read (one query for both periods): a dashboard costs the same with a
thousand contacts or ten million. Periods are whole months, because the counts of new people
(first visits, first loans) are summed per month. Reads go to the replica when there is one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db_router import reporting_reads
from core.tables import Column, Table
from insights.models import Tally
from insights.scopes import Scope
from learning.models import Registration
from network.models import DeviceKind
from network.themes import themes_cached
from questions.models import AgeBand, Channel, Outcome, Situation

MAX_MONTHS = 36
SMALL = 5  # the public report hides counts under this


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    first: date  # the first day of the first month
    last: date  # the first day of the last month

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def previous(self) -> Period:
        return Period(add_months(self.first, -self.months), add_months(self.first, -1))

    def month_list(self) -> list[date]:
        return [add_months(self.first, n) for n in range(self.months)]

    @property
    def label(self) -> str:
        start = formats.date_format(self.first, "YEAR_MONTH_FORMAT")
        end = formats.date_format(self.last, "YEAR_MONTH_FORMAT")
        return (
            start
            if self.first == self.last
            else _("%(start)s to %(end)s")
            % {
                "start": start,
                "end": end,
            }
        )

    @classmethod
    def last_months(cls, today: date, months: int = 12) -> Period:
        """The last `months` whole months before `today`'s month."""
        last = add_months(today.replace(day=1), -1)
        return cls(add_months(last, 1 - months), last)


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    current: int
    previous: int

    @property
    def change(self) -> int | None:
        """The change in percent, or None when there was nothing before."""
        if not self.previous:
            return None
        return round((self.current - self.previous) * 100 / self.previous)


@dataclass
class Figures:
    scope: Scope
    period: Period
    previous: Period
    headlines: list[Headline] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def headline(self, key: str) -> Headline:
        return next(h for h in self.headlines if h.key == key)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


HEADLINES = (
    ("contacts", gettext_lazy("Contacts: a person helped once")),
    ("questions", gettext_lazy("Questions answered")),
    ("new_visitors", gettext_lazy("New people with a visitor card")),
    ("new_uncoded", gettext_lazy("First visits without a visitor card")),
    ("participants", gettext_lazy("Course participants (present)")),
    ("loans", gettext_lazy("Devices lent")),
    ("new_borrowers", gettext_lazy("New borrowers")),
    ("cards_opened", gettext_lazy("Help cards opened")),
    ("cards_sent", gettext_lazy("Help cards sent by helpers")),
)


def _choice_labels(choices: Iterable[tuple[str, object]]) -> Callable[[str], str]:
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value) if value else _("Not recorded")


def _theme_labels() -> Callable[[str], str]:
    names = {theme.code: theme.name for theme in themes_cached()}
    return lambda code: names.get(code, code) if code else _("Not recorded")


# (table key, measure, dimension, title, label column, chart)
BREAKDOWNS = (
    ("themes", "questions", "theme", gettext_lazy("Questions by theme"), gettext_lazy("Theme")),
    (
        "outcomes",
        "questions",
        "outcome",
        gettext_lazy("Questions by outcome"),
        gettext_lazy("Outcome"),
    ),
    (
        "channels",
        "contacts",
        "channel",
        gettext_lazy("Contacts by way of contact"),
        gettext_lazy("Way of contact"),
    ),
    ("ages", "contacts", "age_band", gettext_lazy("Contacts by age"), gettext_lazy("Age")),
    (
        "situations",
        "contacts",
        "situation",
        gettext_lazy("Contacts by situation"),
        gettext_lazy("Situation"),
    ),
    (
        "devices",
        "loans",
        "device_kind",
        gettext_lazy("Loans by kind of device"),
        gettext_lazy("Device"),
    ),
    (
        "participant_ages",
        "participants",
        "age_band",
        gettext_lazy("Course participants by age"),
        gettext_lazy("Age"),
    ),
)


def _labeller(dimension: str, measure: str) -> Callable[[str], str]:
    if dimension == "theme":
        return _theme_labels()
    if dimension == "age_band" and measure == "participants":
        return _choice_labels(Registration.AgeBand.choices)
    return _choice_labels(
        {
            "outcome": Outcome.choices,
            "channel": Channel.choices,
            "age_band": AgeBand.choices,
            "situation": Situation.choices,
            "device_kind": DeviceKind.choices,
        }[dimension]
    )


def _order(dimension: str, measure: str) -> list[str]:
    """The order of a dimension's values in its table: the order of its choices."""
    if dimension == "theme":
        return [theme.code for theme in themes_cached()]
    if dimension == "age_band" and measure == "participants":
        return list(Registration.AgeBand.values)
    return list(
        {
            "outcome": Outcome.values,
            "channel": Channel.values,
            "age_band": AgeBand.values,
            "situation": Situation.values,
            "device_kind": DeviceKind.values,
        }[dimension]
    )


def hide_small(value: int | None) -> int | None:
    return None if value is not None and 0 < value < SMALL else value


@reporting_reads
def figures(scope: Scope, period: Period, *, hide_small_cells: bool = False) -> Figures:
    """The dashboard of `scope` for `period`, with the period before it."""
    previous = period.previous()
    now: dict[tuple[str, str, str], int] = defaultdict(int)
    before: dict[tuple[str, str, str], int] = defaultdict(int)
    per_month: dict[tuple[str, date], int] = defaultdict(int)
    rows = Tally.objects.filter(
        scope=scope.code, month__range=(previous.first, period.last)
    ).values_list("month", "measure", "dimension", "value", "count")
    for month, measure, dimension, value, count in rows:
        target = now if month >= period.first else before
        target[(measure, dimension, value)] += count
        if not dimension:
            per_month[(measure, month)] += count
    shown = hide_small if hide_small_cells else (lambda value: value)
    result = Figures(scope, period, previous)
    result.headlines = [
        Headline(key, str(label), now[(key, "", "")], before[(key, "", "")])
        for key, label in HEADLINES
    ]
    result.tables.append(_months_table(period, per_month, shown))
    for key, measure, dimension, title, column in BREAKDOWNS:
        values = {v for (m, d, v) in (*now, *before) if m == measure and d == dimension}
        if not values:
            continue
        order = _order(dimension, measure)
        ordered = sorted(values, key=lambda v: (order.index(v) if v in order else len(order), v))
        label = _labeller(dimension, measure)
        result.tables.append(
            Table(
                key=key,
                title=str(title),
                columns=(
                    Column(str(column), numeric=False),
                    Column(_("This period")),
                    Column(_("Period before")),
                ),
                rows=tuple(
                    (
                        label(value),
                        shown(now[(measure, dimension, value)]),
                        shown(before[(measure, dimension, value)]),
                    )
                    for value in ordered
                ),
                note=_("Counts under 5 are hidden.") if hide_small_cells else "",
            )
        )
    return result


def _months_table(
    period: Period, per_month: dict[tuple[str, date], int], shown: Callable[[int], int | None]
) -> Table:
    offset = period.months
    return Table(
        key="months",
        title=_("Contacts per month"),
        columns=(
            Column(_("Month"), numeric=False),
            Column(_("This period")),
            Column(_("A period earlier")),
        ),
        rows=tuple(
            (
                formats.date_format(month, "M Y"),
                shown(per_month[("contacts", month)]),
                shown(per_month[("contacts", add_months(month, -offset))]),
            )
            for month in period.month_list()
        ),
        chart="columns",
    )
