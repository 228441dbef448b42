"""Telling people from scripts on public forms, without a puzzle.

No picture to read, no sum to solve: a person with low vision or low literacy must never be
stopped. Two quiet checks instead, which a person never notices and a script usually fails:

- **Time**: each form carries the moment it was shown, signed (`started`). A form sent back
  within `FORM_MIN_SECONDS` of being shown, or longer than `FORM_MAX_SECONDS` after, or without
  a valid mark, is shown again with what was typed and a fresh mark, asking to send it once
  more. A person who is asked simply presses the button again.
- **A field to leave empty** (`website`), hidden from everyone (the `hidden` attribute: not
  shown, not read by screen readers, not reached with the keyboard). Scripts that fill in every
  field fill it in.

Forms use `HumanCheckMixin`; templates put `{% human_check %}` inside the `<form>`. Rate limits
(`throttling`) do the rest.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.html import format_html
from django.utils.translation import gettext as _

SALT = "core.human-check"
STARTED = "started"
TRAP = "website"


def started_mark(now: float | None = None) -> str:
    """The signed moment a form is shown."""
    return signing.dumps(int(now if now is not None else time.time()), salt=SALT)


def looks_automated(data: Any, now: float | None = None) -> bool:
    """Whether a posted form failed the quiet checks (see the module's docstring)."""
    if (data.get(TRAP) or "").strip():
        return True
    try:
        shown = signing.loads(data.get(STARTED) or "", salt=SALT)
    except signing.BadSignature:
        return True
    if not isinstance(shown, int):
        return True
    age = (now if now is not None else time.time()) - shown
    return not settings.FORM_MIN_SECONDS <= age <= settings.FORM_MAX_SECONDS


def send_again_message() -> str:
    return _("Please check what you filled in, and press the button once more.")


class HumanCheckMixin(forms.Form):
    """Adds the quiet checks to a public form: a form-wide error when they fail."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if looks_automated(self.data):
            self.add_error(None, send_again_message())
        return cleaned


def human_check_fields() -> str:
    """The hidden mark and the field to leave empty, for `{% human_check %}`."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">'
        '<div hidden><label for="id_{}">{}</label>'
        '<input type="text" name="{}" id="id_{}" value="" autocomplete="off" tabindex="-1">'
        "</div>",
        STARTED,
        started_mark(),
        TRAP,
        _("Leave this field empty"),
        TRAP,
        TRAP,
    )
