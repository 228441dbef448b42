"""The finder's search form: what a resident may ask for, and the clear message when it is off."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import SITE_LANGUAGES, Service
from network.themes import themes_cached

MAX_PLACE_LENGTH = 100


# The choices are functions, read when the form is shown or checked: a form copies its fields
# on every request, and copying a function is far cheaper than copying its list of choices
# (a tenth of a results page's server time). The themes are the taxonomy's, in the language of
# the page.
def _service_choices() -> list[tuple[str, object]]:
    return [("", _("Any kind of help")), *Service.choices]


def _theme_choices() -> list[tuple[str, object]]:
    return [("", _("Any subject")), *((theme.code, theme.name) for theme in themes_cached())]


def _language_choices() -> list[tuple[str, object]]:
    return [("", _("Any language")), *SITE_LANGUAGES]


class FinderForm(forms.Form):
    q = forms.CharField(
        label=_("Postal code or place"),
        required=False,
        # Longer input is accepted here and answered with a clear message, not cut silently.
        max_length=5000,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "search", "spellcheck": "false"}
        ),
    )
    service = forms.ChoiceField(
        label=_("What do you need?"),
        required=False,
        choices=_service_choices,
    )
    theme = forms.ChoiceField(
        label=_("Your question is about"), required=False, choices=_theme_choices
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=_language_choices,
    )
    open = forms.BooleanField(label=_("Open now"), required=False)
    stepfree = forms.BooleanField(label=_("Step-free entrance"), required=False)
    walkin = forms.BooleanField(label=_("Walk in without appointment"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=49.4, max_value=51.6, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=2.4, max_value=6.5, widget=forms.HiddenInput)

    def clean_q(self) -> str:
        value = " ".join(self.cleaned_data.get("q", "").split())
        if len(value) > MAX_PLACE_LENGTH:
            raise forms.ValidationError(
                _("That is too long for a place. Type a postal code, such as 9000, or a town."),
                code="too_long",
            )
        return value

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        # A location from the browser only counts when both halves are there.
        if (data.get("lat") is None) != (data.get("lon") is None):
            data["lat"] = data["lon"] = None
        return data


class _SharedFields(dict):  # type: ignore[type-arg]
    """The form's fields, given to each form as they are instead of deep-copied: nothing changes
    them per request (the choices are functions), and copying eleven fields was a tenth of a new
    results page's server time (docs/performance.md)."""

    def __deepcopy__(self, memo: dict[int, object]) -> dict[str, forms.Field]:
        return dict(self)


FinderForm.base_fields = _SharedFields(FinderForm.base_fields)
