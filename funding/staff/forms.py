"""The grant form of the staff pages. It reads what was typed; the service decides and refuses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from funding.models import Grant, Programme
from network.models import Organisation, Service


class GrantForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("Services paid for"),
        required=False,
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none when the grant pays for everything the Digipunt offers."),
    )

    class Meta:
        model = Grant
        fields = ("programme", "site", "amount", "starts_on", "ends_on", "weekly_hours", "note")
        widgets = {
            "amount": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ModelChoiceField)
        programme.queryset = Programme.objects.select_related("funder").order_by(
            "funder__name", "name"
        )
        site = self.fields["site"]
        assert isinstance(site, forms.ModelChoiceField)
        site.queryset = organisation.sites.order_by("name")
        site.empty_label = str(_("Every Digipunt of the organisation"))
        if self.instance.pk:
            self.initial["services"] = self.instance.service_codes

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["services"] = ",".join(self.cleaned_data.get("services") or [])
        return data

    def _post_clean(self) -> None:
        pass  # the service validates the grant
