"""Forms of the public course pages: the course finder and the registration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.human_check import HumanCheckMixin
from learning import digcomp
from learning.models import Registration
from network.models import SITE_LANGUAGES
from network.themes import themes_cached

MAX_PLACE_LENGTH = 100


def _area_choices() -> list[tuple[str, object]]:
    return [("", _("Any subject")), *digcomp.area_choices()]


def _theme_choices() -> list[tuple[str, object]]:
    return [("", _("Any question")), *((t.code, t.name) for t in themes_cached())]


def _language_choices() -> list[tuple[str, object]]:
    return [("", _("Any language")), *SITE_LANGUAGES]


class CourseFinderForm(forms.Form):
    q = forms.CharField(
        label=_("Postal code or place"),
        required=False,
        max_length=5000,
        help_text=_("For example 9000, Gent or Molenbeek. Empty: everywhere."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    starts_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    area = forms.ChoiceField(
        label=_("What you want to learn"), required=False, choices=_area_choices
    )
    theme = forms.ChoiceField(label=_("About"), required=False, choices=_theme_choices)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=_language_choices)
    beginners = forms.BooleanField(label=_("For beginners"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=100, widget=forms.HiddenInput)

    def clean_q(self) -> str:
        value = " ".join(self.cleaned_data.get("q", "").split())
        if len(value) > MAX_PLACE_LENGTH:
            raise forms.ValidationError(
                _("That is too long for a place. Type a postal code, such as 9000, or a town."),
                code="too_long",
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("starts_from"), data.get("starts_until")
        if first and last and last < first:
            self.add_error("starts_until", _("Choose an end date after the start date."))
        return data


class RegistrationForm(HumanCheckMixin, forms.Form):
    """What a resident gives to join a session; the service checks it again."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
    )
    accessibility_needs = forms.CharField(
        label=_("Is there anything that would help you take part? (optional)"),
        help_text=_("For example: a hearing loop, a large screen, step-free access."),
        max_length=400,
        required=False,
    )
    age_band = forms.ChoiceField(
        label=_("Your age (optional)"),
        help_text=_("Only to count, in figures without names, who the courses reach."),
        required=False,
        choices=[("", _("I would rather not say")), *Registration.AgeBand.choices],
    )


class SelfCheckForm(forms.Form):
    """The ten questions of the self-check (each "not yet" to "I could show someone else"), and
    optionally a postal code to suggest places nearby; a session and moment when a course asks
    for it before or after."""

    place = forms.CharField(
        label=_("Your postal code (optional)"),
        help_text=_("To suggest courses and Digipunten near you. It is not kept."),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    session = forms.IntegerField(required=False, widget=forms.HiddenInput)
    moment = forms.CharField(required=False, max_length=6, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from learning.self_check import ANSWERS, QUESTIONS

        super().__init__(*args, **kwargs)
        for n, (_area, question) in enumerate(QUESTIONS):
            self.fields[f"q{n}"] = forms.TypedChoiceField(
                label=question,
                choices=ANSWERS,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one answer.")},
            )
        # The questions first, then the place.
        self.order_fields([f"q{n}" for n in range(len(QUESTIONS))] + ["place"])

    def answers(self) -> list[int]:
        from learning.self_check import QUESTIONS

        return [self.cleaned_data[f"q{n}"] for n in range(len(QUESTIONS))]
