"""Forms of the team pages and of the invitation link.

They only parse what was typed; the rules (which roles, which sites, password strength, the last
organisation admin) live in `accounts.services`, whose `ValidationError`s the views put back on
these forms with `core.forms.add_service_errors`.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.permissions import ASSIGNABLE_ROLES
from accounts.selectors import sites_of
from network.models import Organisation


def role_choices(*, for_site: bool = False) -> list[tuple[str, str]]:
    """The roles an organisation admin may hand out (an organisation admin is never per site)."""
    return [
        (role.value, role.label)
        for role in ASSIGNABLE_ROLES
        if not (for_site and role == Role.ORG_ADMIN)
    ]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The invitation goes to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label=_("Role"))
    site = forms.ModelChoiceField(
        label=_("Where"),
        queryset=None,
        required=False,
        empty_label=_("The whole organisation"),
        help_text=_("Choose a Digipunt if they only help there."),
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices()
        # Only this organisation's sites: a forged id of another site is "not a valid choice".
        self.fields["site"].queryset = sites_of(organisation)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"))

    def __init__(self, *args: object, for_site: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(for_site=for_site)


class NewAccountForm(forms.Form):
    """For a person without an account yet: their name and a new password, twice."""

    full_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        help_text=_(
            "At least 12 characters. A sentence of a few words is easy to remember and hard "
            "to guess."
        ),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Type the same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password"), data.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class ExistingAccountForm(forms.Form):
    """For a person who already has an account: their password proves it is them."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
