"""Staff form for one Digipunt's information: everything its team keeps up to date but the hours.

The form parses and checks what a person typed, with messages that say how to fix it; the write
happens in `network.services`. The opening-hours editor is in `network.staff.hours_editor`.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from network.models import SITE_LANGUAGES, Site, Theme
from network.services import INFORMATION_FIELDS

# Belgium lies within these bounds (the same as the `site_in_belgium` database constraint).
LATITUDE_RANGE = (49.4, 51.6)
LONGITUDE_RANGE = (2.4, 6.5)


class SiteInformationForm(forms.ModelForm):
    """Everything about a site that its team keeps up to date, except the opening hours."""

    latitude = forms.FloatField(
        label=_("Latitude"),
        help_text=_("For example 51.0543. Find it by right-clicking the place on a web map."),
        validators=[
            MinValueValidator(
                LATITUDE_RANGE[0],
                message=_("Belgium lies between latitude 49.4 and 51.6. Check the number."),
            ),
            MaxValueValidator(
                LATITUDE_RANGE[1],
                message=_("Belgium lies between latitude 49.4 and 51.6. Check the number."),
            ),
        ],
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        help_text=_("For example 3.7174."),
        validators=[
            MinValueValidator(
                LONGITUDE_RANGE[0],
                message=_("Belgium lies between longitude 2.4 and 6.5. Check the number."),
            ),
            MaxValueValidator(
                LONGITUDE_RANGE[1],
                message=_("Belgium lies between longitude 2.4 and 6.5. Check the number."),
            ),
        ],
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can help in"),
        choices=SITE_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one language.")},
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("For example www.gent.be/digipunt"),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Questions you help with"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # The fieldsets of the page, in order: (legend, field names).
    GROUPS: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (_("Name and description"), ("name", "brand", "description", "kind")),
        (
            _("Address"),
            ("street", "postal_code", "locality", "location_note", "latitude", "longitude"),
        ),
        (
            _("What you offer"),
            (
                "offers_help",
                "offers_access",
                "offers_lending",
                "offers_learning",
                "has_wifi",
                "has_computers",
                "has_printing",
            ),
        ),
        (_("Questions you help with"), ("themes",)),
        (_("Languages"), ("languages",)),
        (
            _("Accessibility"),
            ("step_free", "accessible_toilet", "hearing_loop", "accessible_parking"),
        ),
        (_("How people come"), ("walk_in", "by_appointment", "closed_on_public_holidays")),
        (_("Contact"), ("phone", "email", "website")),
        (_("On the public website"), ("is_published",)),
    )

    class Meta:
        model = Site
        # Exactly what the service may change (the form shows them in `groups`).
        fields = (*INFORMATION_FIELDS, "themes")
        labels = {
            "name": _("Name"),
            "brand": _("Local name"),
            "description": _("Description"),
            "kind": _("Kind of Digipunt"),
            "street": _("Street and number"),
            "postal_code": _("Postal code"),
            "locality": _("Town or village"),
            "location_note": _("How to find it"),
            "offers_help": _("Help with digital questions"),
            "offers_access": _("Internet and computers"),
            "offers_lending": _("Device lending"),
            "offers_learning": _("Courses and workshops"),
            "has_wifi": _("Free wifi"),
            "has_computers": _("Computers you can use"),
            "has_printing": _("Printing and scanning"),
            "step_free": _("Step-free entrance"),
            "accessible_toilet": _("Accessible toilet"),
            "hearing_loop": _("Hearing loop"),
            "accessible_parking": _("Accessible parking nearby"),
            "walk_in": _("People can walk in without an appointment"),
            "by_appointment": _("People can make an appointment"),
            "closed_on_public_holidays": _("Closed on public holidays"),
            "phone": _("Phone"),
            "email": _("Email"),
            "is_published": _("Show this Digipunt on the public website"),
        }
        help_texts = {
            "brand": _("If people know it by another name: Digibank, Digicafé, ..."),
            "description": _("A few plain sentences for residents."),
            "location_note": _("For example: 2nd floor, entrance next to the library."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args: Any, instance: Site, **kwargs: Any) -> None:
        # A copy, so that a failed validation never shows typed values as the site's own (the
        # page frame shows the site's name).
        super().__init__(*args, instance=copy.copy(instance), **kwargs)
        self.initial["languages"] = instance.language_codes
        if instance.lending_from_inventory:
            # The device inventory says whether the site lends (lending.services).
            field = self.fields["offers_lending"]
            field.disabled = True
            field.help_text = _(
                "Set by your device inventory: shown while the Digipunt has devices to lend."
            )

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def clean_languages(self) -> str:
        chosen = set(self.cleaned_data["languages"])
        # Stored as ",nl,fr," (see SiteQuerySet.speaking), in the order of SITE_LANGUAGES.
        return "," + ",".join(code for code, _name in SITE_LANGUAGES if code in chosen) + ","

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("walk_in") and not data.get("by_appointment"):
            self.add_error(
                "walk_in", _("Tick how people come: walking in, by appointment, or both.")
            )
        return data
