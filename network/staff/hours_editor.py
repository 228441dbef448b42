"""The staff editor of one Digipunt's opening hours.

The forms parse and check what a person typed, with messages that say how to fix it; the write
happens in `network.services`. The editor is two plain formsets (regular hours, and closures or
changed hours) that together produce the opening-hours document (`network.hours_document`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

WEEKDAYS = (
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
)
RECURRENCES = (
    ("weekly", _("Every week")),
    ("biweekly", _("Every other week")),
    ("monthly", _("Once a month")),
)
NTH = (
    ("", _("(only for once a month)")),
    (1, _("The first of the month")),
    (2, _("The second of the month")),
    (3, _("The third of the month")),
    (4, _("The fourth of the month")),
    (5, _("The fifth of the month")),
    (-1, _("The last of the month")),
)
MIDNIGHT = time(0, 0)
CLOSES_AFTER_OPENS = _(
    "The closing time must be later than the opening time. Open until midnight? Enter 00:00."
)


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _closes_before_opens(opens: time | None, closes: time | None) -> bool:
    return opens is not None and closes is not None and closes != MIDNIGHT and closes <= opens


class PeriodForm(forms.Form):
    """One line of regular opening hours: a weekday, from, until, and how often."""

    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", _("Choose a day")), *WEEKDAYS],
        coerce=int,
        empty_value=None,
        error_messages={"required": _("Choose a day.")},
    )
    opens = forms.TimeField(
        label=_("Opens at"),
        widget=_time_input(),
        error_messages={"required": _("Enter the opening time, for example 09:00.")},
    )
    closes = forms.TimeField(
        label=_("Closes at"),
        widget=_time_input(),
        error_messages={"required": _("Enter the closing time, for example 12:00.")},
    )
    recurrence = forms.ChoiceField(label=_("How often"), choices=RECURRENCES, initial="weekly")
    anchor = forms.DateField(
        label=_("Every other week: a date on which it is open"),
        required=False,
        widget=_date_input(),
    )
    nth = forms.TypedChoiceField(
        label=_("Once a month: which one"),
        choices=NTH,
        coerce=int,
        empty_value=None,
        required=False,
    )
    valid_from = forms.DateField(label=_("Only from"), required=False, widget=_date_input())
    valid_until = forms.DateField(label=_("Only until"), required=False, widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if _closes_before_opens(data.get("opens"), data.get("closes")):
            self.add_error("closes", CLOSES_AFTER_OPENS)
        recurrence = data.get("recurrence")
        if recurrence == "biweekly" and data.get("anchor") is None:
            self.add_error(
                "anchor",
                _("Every other week needs a date on which it is open, so we know which weeks."),
            )
        if recurrence == "monthly" and data.get("nth") is None:
            self.add_error(
                "nth", _("Once a month needs which one: the first, second, ... or last.")
            )
        if (
            data.get("valid_from")
            and data.get("valid_until")
            and data["valid_until"] < data["valid_from"]
        ):
            self.add_error("valid_until", _("This date is before the “Only from” date."))
        return data

    def entry(self) -> dict[str, Any]:
        """This line as a period of the opening-hours document."""
        data = self.cleaned_data
        recurrence = data["recurrence"]
        return {
            "weekday": data["weekday"],
            "opens": data["opens"].strftime("%H:%M"),
            "closes": data["closes"].strftime("%H:%M"),
            "recurrence": recurrence,
            "anchor": _iso(data["anchor"]) if recurrence == "biweekly" else None,
            "nth": data["nth"] if recurrence == "monthly" else None,
            "valid_from": _iso(data.get("valid_from")),
            "valid_until": _iso(data.get("valid_until")),
        }

    @staticmethod
    def initial_from(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "weekday": entry.get("weekday"),
            "opens": _parse_time(entry.get("opens")),
            "closes": _parse_time(entry.get("closes")),
            "recurrence": entry.get("recurrence") or "weekly",
            "anchor": _parse_date(entry.get("anchor")),
            "nth": entry.get("nth"),
            "valid_from": _parse_date(entry.get("valid_from")),
            "valid_until": _parse_date(entry.get("valid_until")),
        }

    def has_more_options(self) -> bool:
        """Whether the "more options" part should be open: it holds a value or an error."""
        return any(
            self[name].value() or self.errors.get(name) for name in ("valid_from", "valid_until")
        )


class ExceptionForm(forms.Form):
    """One line of closures or changed hours: from, until, closed or other hours, and why."""

    CLOSED, OPEN = "closed", "open"

    start = forms.DateField(
        label=_("From"),
        widget=_date_input(),
        error_messages={"required": _("Enter the first day.")},
    )
    end = forms.DateField(
        label=_("Until (this day included)"),
        required=False,
        help_text=_("Leave empty for a single day."),
        widget=_date_input(),
    )
    closed = forms.ChoiceField(
        label=_("What happens"),
        choices=((CLOSED, _("Closed all day")), (OPEN, _("Open at other hours"))),
        initial=CLOSED,
        widget=forms.RadioSelect,
    )
    opens = forms.TimeField(label=_("Opens at"), required=False, widget=_time_input())
    closes = forms.TimeField(label=_("Closes at"), required=False, widget=_time_input())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Shown on the public page, for example: Summer closure."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day is before the first day."))
        if data.get("closed") == self.OPEN:
            if data.get("opens") is None and "opens" not in self.errors:
                self.add_error("opens", _("Enter the opening time, for example 09:00."))
            if data.get("closes") is None and "closes" not in self.errors:
                self.add_error("closes", _("Enter the closing time, for example 12:00."))
            if _closes_before_opens(data.get("opens"), data.get("closes")):
                self.add_error("closes", CLOSES_AFTER_OPENS)
        return data

    def entry(self) -> dict[str, Any]:
        """This line as an exception of the opening-hours document."""
        data = self.cleaned_data
        closed = data["closed"] == self.CLOSED
        return {
            "start": data["start"].isoformat(),
            "end": (data.get("end") or data["start"]).isoformat(),
            "closed": closed,
            "opens": None if closed else data["opens"].strftime("%H:%M"),
            "closes": None if closed else data["closes"].strftime("%H:%M"),
            "reason": data.get("reason", "").strip(),
        }

    @staticmethod
    def initial_from(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "start": _parse_date(entry.get("start")),
            "end": _parse_date(entry.get("end")),
            "closed": ExceptionForm.CLOSED if entry.get("closed") else ExceptionForm.OPEN,
            "opens": _parse_time(entry.get("opens")),
            "closes": _parse_time(entry.get("closes")),
            "reason": entry.get("reason") or "",
        }


class RowFormSet(forms.BaseFormSet):
    """A formset whose delete box says what it does."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this line")


PeriodFormSet = forms.formset_factory(
    PeriodForm, formset=RowFormSet, extra=2, can_delete=True, max_num=60, validate_max=True
)
ExceptionFormSet = forms.formset_factory(
    ExceptionForm, formset=RowFormSet, extra=2, can_delete=True, max_num=200, validate_max=True
)


@dataclass(frozen=True)
class RowError:
    """A line with a problem, for the summary at the top of the editor."""

    anchor: str
    label: str
    messages: list[str]


class HoursEditor:
    """Both formsets of the opening-hours page, and the document they make together."""

    def __init__(self, data: Any = None, *, document: dict[str, Any] | None = None) -> None:
        document = document or {}
        self.periods = PeriodFormSet(
            data,
            prefix="periods",
            initial=[PeriodForm.initial_from(p) for p in document.get("periods") or []],
        )
        self.exceptions = ExceptionFormSet(
            data,
            prefix="exceptions",
            initial=[
                ExceptionForm.initial_from(e)
                for e in sorted(document.get("exceptions") or [], key=lambda e: str(e.get("start")))
            ],
        )

    def is_valid(self) -> bool:
        # Both, always: every line with a problem is marked at once.
        periods_valid = self.periods.is_valid()
        exceptions_valid = self.exceptions.is_valid()
        return periods_valid and exceptions_valid

    def document(self) -> dict[str, list[dict[str, Any]]]:
        """The opening-hours document of the valid formsets, lines in a stable order."""
        periods = [form.entry() for form in _kept(self.periods)]
        exceptions = [form.entry() for form in _kept(self.exceptions)]
        periods.sort(key=lambda p: (p["weekday"], p["opens"], p["closes"]))
        exceptions.sort(key=lambda e: (e["start"], e["end"]))
        return {"periods": periods, "exceptions": exceptions}

    def row_errors(self) -> list[RowError]:
        """Every line with a problem, named the way the page names it."""
        rows = []
        for formset, name in (
            (self.periods, _("Opening hours, line %(number)s")),
            (self.exceptions, _("Closure or other hours, line %(number)s")),
        ):
            for index, form in enumerate(formset.forms):
                if form.errors and not _deleted(form):
                    messages = [str(m) for errors in form.errors.values() for m in errors]
                    rows.append(
                        RowError(
                            anchor=f"{formset.prefix}-{index}",
                            label=str(name) % {"number": index + 1},
                            messages=messages,
                        )
                    )
        return rows

    def non_form_errors(self) -> list[str]:
        return [*self.periods.non_form_errors(), *self.exceptions.non_form_errors()]


def _deleted(form: forms.Form) -> bool:
    return bool(form.is_bound and form["DELETE"].data)


def _kept(formset: forms.BaseFormSet) -> list[Any]:
    """The filled-in lines that are not marked for removal."""
    return [
        form for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: Any) -> time | None:
    try:
        return time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
