"""The forms of signing in: what a person types, and the messages when it is not right."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.auth.two_factor import RECOVERY_CODE_LENGTH, TOTP_DIGITS


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    # Never shown again after an error (render_value=False): a password does not belong in HTML.
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    """The 6 digits from the authenticator app; spaces are fine ("123 456")."""

    code = forms.CharField(
        label=_("Code from your app"),
        help_text=_("6 digits. The app shows a new code every 30 seconds."),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != TOTP_DIGITS or not code.isdigit():
            raise forms.ValidationError(_("Type the 6 digits that your app shows."))
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        help_text=_("One of the codes you wrote down or printed, for example abcde-fghjk."),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if len("".join(code.split()).replace("-", "")) != RECOVERY_CODE_LENGTH:
            raise forms.ValidationError(
                _("A recovery code has 10 letters and numbers, for example abcde-fghjk.")
            )
        return code
