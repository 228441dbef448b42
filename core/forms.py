"""What every audience does with a form: show a service's refusal where the person looks.

Shared helpers of no domain (the bottom layer, `core/`): the domain apps' views import them, and
the settings name its form renderer.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put what a service refused next to the field it is about, or on top of the form when the
    form has no such field (or the error names none)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class FormRenderer(TemplatesSetting):
    """The project's form renderer (settings.FORM_RENDERER): Django's own widgets, and every
    `{{ field.as_field_group }}` drawn by the one field template, `templates/forms/field.html`
    (label, hint, errors and input, tied together for screen readers)."""

    field_template_name = "forms/field.html"
