"""Forms of the staff lending pages. They read what was typed; the services decide and refuse
(`core.forms.add_service_errors` puts a refusal next to its field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lending.models import Borrower, Device, LendingRules, Wipe


def borrower_choices(borrowers: list[Borrower]) -> list[tuple[object, str]]:
    """A borrower field's options: "Choose…", then each borrower with their kind."""
    return [
        ("", str(_("Choose…"))),
        *((b.pk, f"{b.name} ({b.get_kind_display()})") for b in borrowers),
    ]


def borrower_label(borrower: Borrower) -> str:
    """A borrower as the lending form lists them: enough to tell two namesakes apart (the kind,
    the postal code, the end of the phone number), no more."""
    parts = [borrower.name, str(borrower.get_kind_display())]
    if borrower.postal_code:
        parts.append(borrower.postal_code)
    if borrower.phone:
        parts.append(f"…{borrower.phone[-3:]}")
    return " · ".join(parts)


class BorrowerSearchForm(forms.Form):
    """Find the borrower at the desk (posted, so that it stays out of addresses and logs): part
    of a name, a phone number or an email."""

    q = forms.CharField(
        label=_("Find the borrower"),
        max_length=100,
        required=False,
        help_text=_("Part of the name, the phone number or the email address."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    tag = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)


class TagForm(forms.Form):
    """The one box at the desk: a USB scanner types the tag and presses Enter."""

    tag = forms.CharField(
        label=_("Scan or type the tag on the device"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class DeviceForm(forms.ModelForm):
    accessories_text = forms.CharField(
        label=_("Accessories"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, for example: charger. They are checked when it comes back."),
    )

    class Meta:
        model = Device
        fields = (
            "asset_tag",
            "kind",
            "make_model",
            "serial_number",
            "source",
            "source_note",
            "condition",
            "notes",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["accessories_text"].initial = "\n".join(self.instance.accessories)
        self.fields["asset_tag"].widget.attrs.update({"autocomplete": "off"})

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        lines = self.cleaned_data.get("accessories_text", "").splitlines()
        data["accessories"] = list(
            dict.fromkeys(" ".join(line.split()) for line in lines if line.strip())
        )
        return data

    def _post_clean(self) -> None:
        # The service validates the device (and the tag's uniqueness per organisation).
        pass


class CheckoutForm(forms.Form):
    tag = forms.CharField(
        label=_("Tag of the device"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    borrower = forms.TypedChoiceField(
        label=_("Borrower"),
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the borrower."),
            "invalid_choice": _("Choose one of the borrowers listed."),
        },
    )
    agreement = forms.BooleanField(
        label=_("The borrower has read and accepted the loan agreement"), required=False
    )
    # The version of the agreement the page showed; the checkout refuses an older one.
    agreement_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The search that listed the borrowers, to list them again when the form comes back.
    q = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, borrowers: list[Borrower], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["borrower"].choices = [(b.pk, borrower_label(b)) for b in borrowers]


class BorrowerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Who borrows"),
        choices=Borrower.Kind.choices,
        widget=forms.RadioSelect,
        initial=Borrower.Kind.RESIDENT,
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    contact_person = forms.CharField(
        label=_("Contact person"),
        max_length=120,
        required=False,
        help_text=_("For an organisation: who we call about the devices."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    postal_code = forms.CharField(label=_("Postal code (optional)"), max_length=10, required=False)
    eligibility_note = forms.CharField(
        label=_("Why they may borrow (optional)"),
        max_length=200,
        required=False,
        help_text=Borrower._meta.get_field("eligibility_note").help_text,
    )
    language = forms.ChoiceField(
        label=_("Messages in"),
        choices=settings.LANGUAGES,
        help_text=_("The reminders and the message when it is their turn."),
    )


class ReturnForm(forms.Form):
    accessories_back = forms.MultipleChoiceField(
        label=_("What came back with it"), required=False, widget=forms.CheckboxSelectMultiple
    )
    condition = forms.ChoiceField(label=_("Condition"), choices=Device.Condition.choices)
    wipe_method = forms.ChoiceField(
        label=_("Wiped at the desk"),
        required=False,
        choices=[("", _("Not yet: it waits for its wipe")), *Wipe.Method.choices],
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, accessories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accessories_back"].choices = [(item, item) for item in accessories]
        if not accessories:
            del self.fields["accessories_back"]


class WipeForm(forms.Form):
    method = forms.ChoiceField(label=_("How was it wiped?"), choices=Wipe.Method.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class BookingForm(forms.Form):
    """A group loan booked ahead: which organisation, which days, which devices."""

    borrower = forms.TypedChoiceField(label=_("Organisation"), coerce=int, choices=())
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    devices = forms.TypedMultipleChoiceField(
        label=_("Devices"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(
        self, *args: Any, organisations: list[Borrower], devices: list[Device], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["borrower"].choices = [
            ("", _("Choose…")),
            *((b.pk, b.name) for b in organisations),
        ]
        self.fields["devices"].choices = [
            (d.pk, f"{d.asset_tag} · {d.get_kind_display()} · {d.make_model}") for d in devices
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file with the devices"),
        help_text=_(
            "Columns: asset_tag, kind, make_model, serial_number, source, source_note, "
            "accessories (separated by |), condition, notes. Export the inventory for an example."
        ),
    )


class HoldForm(forms.Form):
    """Someone who waits for a kind of device at this site."""

    hold_borrower = forms.TypedChoiceField(label=_("Who waits"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("For which kind of device"), choices=Device.Kind.choices)

    def __init__(self, *args: Any, borrowers: list[Borrower], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hold_borrower"].choices = borrower_choices(borrowers)


class RulesForm(forms.ModelForm):
    """An organisation's lending rules (the service checks them again)."""

    class Meta:
        model = LendingRules
        fields = (
            "residents_may_borrow",
            "organisations_may_borrow",
            "loan_days",
            "renewal_days",
            "max_renewals",
            "max_devices",
            "deposit_euros",
            "block_when_overdue",
            "group_min_notice_days",
            "group_max_days",
            "group_max_per_year",
        )
        widgets = {
            name: forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
            for name in (
                "loan_days",
                "renewal_days",
                "max_renewals",
                "max_devices",
                "deposit_euros",
                "group_min_notice_days",
                "group_max_days",
                "group_max_per_year",
            )
        }

    def _post_clean(self) -> None:
        # The service validates the rules (and saves them).
        pass


class AgreementForm(forms.Form):
    text_nl = forms.CharField(
        label=_("The agreement in Dutch"), widget=forms.Textarea(attrs={"rows": 12})
    )
    text_fr = forms.CharField(
        label=_("The agreement in French"), widget=forms.Textarea(attrs={"rows": 12})
    )
    text_en = forms.CharField(
        label=_("The agreement in English"), widget=forms.Textarea(attrs={"rows": 12})
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("What was agreed"),
        max_length=200,
        help_text=_(
            "A few words, no phone numbers or email addresses: “called, brings it Friday”."
        ),
    )
