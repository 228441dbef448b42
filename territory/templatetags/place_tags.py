"""Links to a place among its namesakes: "Or did you mean Aalst, 3800 Sint-Truiden?"."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from territory.selectors import Place

register = template.Library()


@register.simple_tag
def place_url(search_url: str, place: Place, kept: str = "") -> str:
    """The search for exactly this place (its postal code and name), with the filters kept."""
    query = urlencode({"q": place.choice_query})
    return f"{search_url}?{query}&{kept}" if kept else f"{search_url}?{query}"


@register.simple_tag
def other_places(search_url: str, places: Sequence[Place], kept: str = "") -> SafeString:
    """One sentence that offers the namesakes of the place searched, each as a link."""
    links = [
        format_html('<a href="{}">{}</a>', place_url(search_url, place, kept), place.choice_label)
        for place in places
    ]
    if not links:
        return mark_safe("")
    listed = links[0]
    if len(links) > 1:
        listed = format_html(
            _("{places} or {last}"), places=mark_safe(", ".join(links[:-1])), last=links[-1]
        )
    return format_html(_("Or did you mean {places}?"), places=listed)
