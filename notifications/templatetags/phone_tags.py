"""How a stored phone number reads on a page: `{{ appointment.phone|phone_display }}`."""

from __future__ import annotations

from django import template

from notifications.phones import display_phone

register = template.Library()
register.filter("phone_display", display_phone)
