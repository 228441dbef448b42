"""Words for times and lists, so that every page says opening hours the same plain way."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import template
from django.forms import BoundField, CheckboxInput
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.dates import clock
from network.hours import DayHours
from network.models import Accessibility, Service, Site

register = template.Library()


def _day_words(day: date, today: date) -> str:
    if day == today:
        return _("today")
    if day == today + timedelta(days=1):
        return _("tomorrow")
    if day < today + timedelta(days=7):
        return formats.date_format(day, "l")
    return formats.date_format(day, "l j F")


@register.simple_tag
def opening_status(
    open_now: bool, closes_at: datetime | None, next_opening: datetime | None, now: datetime
) -> str:
    """ "Open now, until 17:00" / "Closed now. Opens tomorrow at 09:00"."""
    if open_now and closes_at is not None:
        return _("Open now, until %(time)s") % {"time": clock(closes_at)}
    if next_opening is None:
        return _("Closed. No opening hours planned.")
    today = timezone.localdate(now)
    return _("Closed now. Opens %(day)s at %(time)s") % {
        "day": _day_words(timezone.localdate(next_opening), today),
        "time": clock(next_opening),
    }


@register.filter
def hours_text(day: DayHours) -> str:
    """ "09:00 – 12:00 and 13:00 – 17:00", or "Closed"."""
    if not day.intervals:
        return _("Closed")
    spans = [
        f"{clock(start)} – {clock(end) if clock(end) != '00:00' else '24:00'}"
        for start, end in day.intervals
    ]
    if len(spans) == 1:
        return spans[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(spans[:-1]), "last": spans[-1]}


@register.filter
def weekday_name(day: date) -> str:
    return formats.date_format(day, "l")


@register.filter
def short_date(day: date) -> str:
    return formats.date_format(day, "j F")


@register.filter
def km(value: float) -> str:
    if value < 1:
        return _("%(metres)s m") % {"metres": int(round(value * 1000, -1))}
    return _("%(km)s km") % {"km": formats.number_format(round(value, 1), 1)}


@register.filter
def service_names(site: Site) -> list[str]:
    return [str(Service(code).label) for code in site.services]


@register.filter
def accessibility_names(site: Site) -> list[str]:
    return [str(Accessibility(code).label) for code in site.accessibility]


@register.filter
def theme_names(site: Site) -> list[str]:
    return [theme.name for theme in site.themes.all()]


# --- the finder's filter controls ------------------------------------------------------------
# Rendered here rather than through Django's widget templates: the filters are on every results
# page, and one include per <option> made them a fifth of its server time (docs/performance.md).


def _invalid(field: BoundField) -> SafeString:
    return mark_safe(' aria-invalid="true"') if field.errors else mark_safe("")


@register.simple_tag
def select_field(field: BoundField) -> SafeString:
    """A bound choice field as a plain <select>, its current value selected."""
    value = field.value()
    current = "" if value is None else str(value)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (code, mark_safe(" selected") if str(code) == current else "", label)
            for code, label in field.field.choices
        ),
    )
    return format_html(
        '<select name="{}" id="{}"{}>{}</select>',
        field.html_name,
        field.auto_id,
        _invalid(field),
        options,
    )


@register.simple_tag
def checkbox_field(field: BoundField) -> SafeString:
    """A bound boolean field as a plain checkbox, ticked when its value says so."""
    ticked = CheckboxInput().check_test(field.value())
    return format_html(
        '<input type="checkbox" name="{}" id="{}"{}{}>',
        field.html_name,
        field.auto_id,
        mark_safe(" checked") if ticked else "",
        _invalid(field),
    )
