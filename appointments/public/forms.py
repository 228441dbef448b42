"""Forms of the booking pages: the resident's details and the chosen time.

The rules (a name, a phone number or an email address, a bookable time) live in the booking
service, once for the public pages and the staff's "book for a caller"; these forms only turn
what was posted into values and keep it for the page to show again. A time travels as a short
code of its UTC instant (20270329T0700Z): unambiguous also in the repeated hour of an autumn
night, and easy to check.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import within_range
from core.human_check import HumanCheckMixin
from network.models import LANGUAGE_NAMES, Site, Theme

SLOT_CODE_FORMAT = "%Y%m%dT%H%MZ"


def slot_code(moment: datetime) -> str:
    """The code of a slot's start, as the forms post it."""
    return moment.astimezone(UTC).strftime(SLOT_CODE_FORMAT)


def parse_slot_code(text: str) -> datetime | None:
    """The aware instant of a slot code, or None when it is not one."""
    try:
        moment = datetime.strptime(text.strip(), SLOT_CODE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment if within_range(moment) else None


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD date from a query string, or None."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if within_range(day) else None


def new_submission_token() -> str:
    """A random token per form, so that a second submission of the same form is recognised."""
    return secrets.token_urlsafe(16)


def language_choices(site: Site) -> list[tuple[str, str]]:
    codes = site.language_codes or ["nl"]
    return [(code, str(LANGUAGE_NAMES.get(code, code))) for code in codes]


class AppointmentForm(forms.Form):
    """The resident's details and the time; every field is checked again by the service."""

    starts_at = forms.CharField(required=False, widget=forms.HiddenInput)
    submission = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": 120}),
        error_messages={"required": _("Write your name, so the helper knows who comes.")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        help_text=_("For a text message with the confirmation and a reminder."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        required=False,
        max_length=254,
        help_text=_("For an email with the confirmation and a reminder. A phone number is enough."),
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
    )
    theme = forms.ModelChoiceField(
        label=_("What is your question about?"),
        queryset=Theme.objects.order_by("position", "code"),
        required=False,
        empty_label=_("I do not know yet, or something else"),
        error_messages={"invalid_choice": _("Choose one of the options.")},
    )
    language = forms.ChoiceField(
        label=_("Language you want to be helped in"),
        error_messages={"invalid_choice": _("Choose one of the languages of this place.")},
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = language_choices(site)
        language = self.fields["language"]
        language.choices = choices
        # A place that helps in one language: nothing to choose, the page says which.
        self.only_language: tuple[str, str] | None = choices[0] if len(choices) == 1 else None
        if self.only_language is not None:
            language.widget = forms.HiddenInput()
            language.required = False
            language.initial = self.only_language[0]

    def clean_language(self) -> str:
        value = self.cleaned_data.get("language") or ""
        if not value and self.only_language is not None:
            return self.only_language[0]
        return value

    def clean_starts_at(self) -> datetime | None:
        text = self.cleaned_data.get("starts_at") or ""
        if not text:
            return None
        moment = parse_slot_code(text)
        if moment is None:
            raise forms.ValidationError(_("Choose a time from the list."))
        return moment


class PublicAppointmentForm(HumanCheckMixin, AppointmentForm):
    """The form of the public booking page: the same fields, and the quiet checks against
    scripts (`core.human_check`). Staff booking for a caller uses `AppointmentForm` itself."""
