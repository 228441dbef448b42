"""Forms of the staff appointment pages: booking settings, and booking for a caller (the public
booking form with labels for the helper, so both ask the same)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from appointments.models import BookingSettings
from appointments.public.forms import AppointmentForm

# (field, lowest, highest): the database's check constraints, said in plain words on the form.
LIMITS = (("capacity", 1, 20), ("days_ahead", 1, 120), ("min_notice_hours", 0, 168))


class BookingSettingsForm(forms.ModelForm):
    """Whether residents book online, and how: the service checks it again and saves it."""

    class Meta:
        model = BookingSettings
        fields = ("is_enabled", "slot_minutes", "capacity", "days_ahead", "min_notice_hours")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, lowest, highest in LIMITS:
            self.fields[name].widget.attrs.update({"min": lowest, "max": highest})
        self.fields["days_ahead"].help_text = _("Residents can book this many days ahead.")

    def clean(self) -> dict:
        data = super().clean()
        for name, lowest, highest in LIMITS:
            value = data.get(name)
            if value is not None and not lowest <= value <= highest:
                self.add_error(
                    name,
                    _("Enter a number from %(lowest)d to %(highest)d.")
                    % {"lowest": lowest, "highest": highest},
                )
        return data


class CallerAppointmentForm(AppointmentForm):
    """The resident's booking form as a helper fills it in for someone who calls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "name": _("Name"),
            "theme": _("What is the question about?"),
            "language": _("Language to help in"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["phone"].help_text = _("A mobile number gets a text message.")
        self.fields["email"].help_text = ""
