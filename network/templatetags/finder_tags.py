"""Words for times and lists, so that every page says opening hours the same plain way."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime, timedelta
from functools import cache, partial
from typing import Any

from django import template
from django.core.cache import caches
from django.forms import BoundField, CheckboxInput
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.dates import clock
from core.public_cache import Memo
from network.hours import DayHours
from network.models import Accessibility, Service, Site

register = template.Library()


def _day_words(day: date, today: date) -> str:
    if day == today:
        return _("today")
    if day == today + timedelta(days=1):
        return _("tomorrow")
    if day < today + timedelta(days=7):
        return str(WEEKDAYS[day.weekday()])  # what date_format(day, "l") says, a lookup less
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


# --- the finder's result cards ----------------------------------------------------------------
# A card shows a site, which changes only with the directory, and two things that change with
# each request: how far it is and whether it is open now. The card is rendered once per version
# and language with a mark where each of those goes, kept in the fragments cache, and the marks
# are replaced per request. A mark cannot come from a site's data: "<" in data is escaped.
CARD_SECONDS = 86400
_DISTANCE_MARK = "<!--distance-->"
_STATUS_MARK = "<!--status-->"


# A status line reads the same for every site with the same moments on the same day: it is
# written once per language and day ("Closed now. Opens tomorrow at 09:00").
_STATUS_LINES: Memo[SafeString] = Memo(size=5000)


def _status_line(hit: Any, now: datetime) -> SafeString:
    return format_html(
        '<p class="status {}">{}</p>',
        "open" if hit.open_now else "closed",
        opening_status(hit.open_now, hit.closes_at, hit.next_opening, now),
    )


# The cards this process used last, in front of the fragments cache that every process shares
# (which has to unpickle what it gives).
_CARDS: Memo[str] = Memo(size=5000)


@register.simple_tag
def result_cards(hits: list[Any], now: datetime, page_version: str) -> SafeString:
    """The finder's result list items (templates/network/public/_result_card.html): each card
    from this process's memo, else from the fragments cache (all of a page's in one request),
    else rendered and stored in both; then the distance and the status filled in."""
    language, today = get_language(), timezone.localdate(now)
    keys = {hit.site.pk: f"card:{page_version}:{hit.site.pk}" for hit in hits}
    cards = _CARDS.get_many(list(keys.values()), partial(_stored_cards, hits, keys))
    items = []
    for hit in hits:
        moments = (hit.open_now, hit.closes_at, hit.next_opening)
        status = _STATUS_LINES.get((language, today, moments), partial(_status_line, hit, now))
        distance = conditional_escape(km(hit.distance_km))
        card = cards[keys[hit.site.pk]]
        items.append(card.replace(_DISTANCE_MARK, distance).replace(_STATUS_MARK, status))
    return mark_safe("".join(items))  # the cards are escaped templates and escaped values


def _stored_cards(
    hits: list[Any], keys: dict[int, str], wanted: list[Hashable]
) -> dict[Hashable, str]:
    """The `wanted` cards from the fragments cache; those it lacks rendered and stored there."""
    fragments = caches["fragments"]
    found: dict[Hashable, str] = fragments.get_many(wanted)
    rendered: dict[str, str] = {}
    for hit in hits:
        key = keys[hit.site.pk]
        if key in wanted and key not in found:
            context = {
                "hit": hit,
                "distance": mark_safe(_DISTANCE_MARK),
                "status": mark_safe(_STATUS_MARK),
            }
            found[key] = rendered[key] = render_to_string(
                "network/public/_result_card.html", context
            )
    if rendered:
        fragments.set_many(rendered, CARD_SECONDS)
    return found


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
    """ "450 m", "3,2 km": metres below one kilometre, else one decimal with the language's
    decimal mark (as number_format(value, 1) writes it)."""
    metres, kilometres, decimal = _distance_words(get_language())
    if value < 1:
        return metres % {"metres": int(round(value * 1000, -1))}
    return kilometres % {"km": f"{value:.1f}".replace(".", decimal)}


@cache
def _distance_words(language: str | None) -> tuple[str, str, str]:
    """The words of a distance in the active language, looked up once (ten per results page)."""
    return _("%(metres)s m"), _("%(km)s km"), str(formats.get_format("DECIMAL_SEPARATOR"))


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
