"""The referrer's forms (where does the resident live; the referral itself) and the site's status
form.

The forms only parse what was typed; the rules (consent, a name, a phone number or an email
address, a valid phone number, the length of the question) live in `referrals.services` and come
back as errors at the fields, with what the referrer typed still in them.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from network.models import LANGUAGE_NAMES, SITE_LANGUAGES, Organisation, Theme
from referrals.models import Referral
from referrals.services import QUESTION_MAX_LENGTH

MAX_PLACE_LENGTH = 100
# Longer input is taken in and answered with a clear message, never cut off silently.
GENEROUS_LENGTH = 5000
# What the referrer confirms: the exact words of the consent (issue 4).
CONSENT_TEXT = _(
    "The resident agrees that we pass on their name, phone number and question to this Digipunt."
)


class PlaceForm(forms.Form):
    """Step 1: where the resident lives (or wants help)."""

    q = forms.CharField(
        label=_("Postal code or place of the resident"),
        required=False,
        max_length=GENEROUS_LENGTH,
        widget=forms.TextInput(attrs={"inputmode": "search", "spellcheck": "false"}),
    )

    def clean_q(self) -> str:
        value = " ".join(self.cleaned_data.get("q", "").split())
        if len(value) > MAX_PLACE_LENGTH:
            raise forms.ValidationError(
                _("That is too long for a place. Type a postal code, such as 9000, or a town."),
                code="too_long",
            )
        return value


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return obj.name


# The resident's data is someone else's: the browser must not fill in the referrer's own.
def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", **attrs})


class ReferralForm(forms.Form):
    """Step 2: who the resident is, what they need, and their consent.

    `organisations` are those the referrer refers for: with more than one, the form asks on
    whose behalf (the first is preselected).
    """

    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), required=False
    )
    name = forms.CharField(
        label=_("Name of the resident"),
        required=False,
        max_length=GENEROUS_LENGTH,
        widget=_text(),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        help_text=_("A phone number or an email address (or both)."),
        required=False,
        max_length=GENEROUS_LENGTH,
        widget=_text(type="tel", inputmode="tel"),
    )
    email = forms.CharField(
        label=_("Email address"),
        required=False,
        max_length=GENEROUS_LENGTH,
        widget=_text(type="email", inputmode="email"),
    )
    question = forms.CharField(
        label=_("Question"),
        required=False,
        max_length=GENEROUS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
    theme = ThemeChoiceField(
        label=_("Subject"),
        queryset=Theme.objects.order_by("position", "code"),
        required=False,
        empty_label=_("Not sure"),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=SITE_LANGUAGES)
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)
    # One per form shown: a second submission (double click, back button) is recognised.
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def submission(self) -> uuid.UUID | None:
        """The form's one-time key, or None when it is missing or not one we made."""
        try:
            return uuid.UUID(self.cleaned_data.get("token") or "")
        except ValueError:
            return None

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        language = (get_language() or "nl")[:2]
        initial.setdefault("language", language if language in LANGUAGE_NAMES else "nl")
        initial.setdefault("token", uuid.uuid4().hex)
        if organisations:
            initial.setdefault("organisation", organisations[0].pk)
        super().__init__(*args, **kwargs)
        self.fields["question"].help_text = gettext(
            "What does the resident need help with? At most %(max)d characters."
        ) % {"max": QUESTION_MAX_LENGTH}
        self.organisations = organisations
        if len(organisations) > 1:
            field = self.fields["organisation"]
            field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
            field.required = True
        else:
            del self.fields["organisation"]

    def chosen_organisation(self) -> Organisation:
        if "organisation" in self.fields:
            return self.cleaned_data["organisation"]
        return self.organisations[0]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How did it go?"), choices=Referral.Status.choices, widget=forms.RadioSelect
    )
