"""The finder's search form: what a resident may ask for, and the clear message when it is off."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from network.models import SITE_LANGUAGES, Service
from network.themes import themes_cached

MAX_PLACE_LENGTH = 100


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
        choices=[("", _("Any kind of help")), *Service.choices],
    )
    theme = forms.ChoiceField(label=_("Your question is about"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *SITE_LANGUAGES],
    )
    open = forms.BooleanField(label=_("Open now"), required=False)
    stepfree = forms.BooleanField(label=_("Step-free entrance"), required=False)
    walkin = forms.BooleanField(label=_("Walk in without appointment"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=49.4, max_value=51.6, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=2.4, max_value=6.5, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        themes = [(theme.code, theme.name) for theme in themes_cached()]
        self.fields["theme"].choices = [("", _("Any subject")), *themes]

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
