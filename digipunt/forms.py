"""What every audience does with a form: show a service's refusal where the person looks.

A shared helper of no domain, like `digipunt/dates.py`: the domain apps' views import it.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put what a service refused next to the field it is about, or on top of the form when the
    form has no such field (or the error names none)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
