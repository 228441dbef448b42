"""The form that finds a person's data. It is always posted, with what the staff typed carried in
hidden fields from one step to the next (results, export, erasure), so that a name, a phone number
or an email address never stands in an address that could reach a log."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _


def stored_phone(text: str) -> str:
    """A phone number as typed, in the form it is stored in (E.164: +32470123456), or as typed
    when it is not one (it then finds only a number stored exactly so)."""
    text = text.strip()
    try:
        number = phonenumbers.parse(text, "BE")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PersonForm(forms.Form):
    """Who the request is about: a phone number, an email address, a name; any of them."""

    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_(
            "The full name, as the person gives it. A name may also be someone else's: check "
            "every record found by a name alone with the person."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_phone(self) -> str:
        return stored_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name, "").strip() for name in ("phone", "email", "name")):
            raise forms.ValidationError(
                _("Give the person's phone number, email address or name."), code="nobody"
            )
        return data

    def person(self) -> dict[str, str]:
        """What the search looks for (after `is_valid()`)."""
        return {name: self.cleaned_data[name] for name in ("phone", "email", "name")}
