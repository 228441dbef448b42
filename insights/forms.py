"""The period of a dashboard or report: whole months, from and to (`YYYY-MM`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insights.figures import MAX_MONTHS, Period, add_months

MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2026-01", "size": 8})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value).strip()
        if not text:
            return None
        match = MONTH.match(text)
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise forms.ValidationError(
                _("Write a month as year-month, for example 2026-01."), code="month"
            )
        return date(int(match[1]), int(match[2]), 1)


class PeriodForm(forms.Form):
    from_ = MonthField(label=gettext_lazy("From (month)"), required=False)
    to = MonthField(label=gettext_lazy("To (month)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is named from_ and read as "from".
        self.fields["from"] = self.fields.pop("from_")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if first and last:
            if first > last:
                self.add_error("to", _("The last month comes before the first."))
            elif Period(first, last).months > MAX_MONTHS:
                self.add_error(
                    "to", _("Choose at most %(n)d months at a time.") % {"n": MAX_MONTHS}
                )
        return data

    def period(self) -> Period:
        """The chosen period, or the last 12 whole months (also when the form has errors)."""
        default = Period.last_months(timezone.localdate())
        if not self.is_valid():
            return default
        first, last = self.cleaned_data.get("from"), self.cleaned_data.get("to")
        if first and last:
            return Period(first, last)
        if first:
            end = min(add_months(first, 11), default.last)
            return Period(first, max(end, first))
        if last:
            return Period(add_months(last, -11), last)
        return default
