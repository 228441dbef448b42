"""The printable sheet of QR labels (A4) for a site's devices.

Each label holds a QR code of the asset tag alone, so a USB or 2D scanner types the tag into the
desk's box as if it were typed; next to it the tag in large letters (read by eye when there is no
scanner), the kind, make and model, and the site. `lending.labels` knows the sheets (common A4
layouts, where each label sits, the labels already used on a partly used sheet); this page only
reads the query string: bad values fall back to the defaults, never to an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import segno
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.decorators import staff_view
from accounts.permissions import Can, site_for
from lending import selectors
from lending.labels import LAYOUTS, Layout, fill_sheets, layout_for, skip_for
from lending.models import Device

# More device ids than this in one address are left out (a site's whole inventory is printed by
# asking for no id at all).
MAX_CHOSEN = 500
# One page prints at most this many sheets; a larger inventory is printed in parts (`start`).
MAX_SHEETS = 10


@dataclass(frozen=True)
class Label:
    device: Device
    qr: SafeString


@lru_cache(maxsize=4096)
def qr_svg(tag: str) -> SafeString:
    """The tag as an inline SVG QR code, sized by its container (no width or height), with the
    standard quiet zone of four modules. Always a full QR code: a Micro QR code would be smaller
    but many scanners do not read it."""
    code = segno.make(tag, error="m", micro=False)
    # segno's SVG holds only shapes (the tag is encoded in them), never text to escape.
    return mark_safe(
        code.svg_inline(border=4, omitsize=True, svgclass="qr", dark="#000", light="#fff")
    )


def layout_choices() -> list[tuple[str, str]]:
    """Each layout, in the language of the page, with its numbers written the local way."""
    return [(code, layout_choice(layout)) for code, layout in LAYOUTS.items()]


def layout_choice(layout: Layout) -> str:
    return _("%(name)s: %(count)s per sheet, %(width)s × %(height)s mm") % {
        "name": layout.name,
        "count": layout.per_sheet,
        "width": number_format(layout.label_width),
        "height": number_format(layout.label_height),
    }


class LabelSheetForm(forms.Form):
    """The choices above the preview (never bound: the page shows the values it used)."""

    layout = forms.ChoiceField(
        choices=layout_choices,
        label=gettext_lazy("Label sheet"),
        help_text=gettext_lazy("The code is on the box of the sheets; others sell the same sizes."),
    )
    skip = forms.IntegerField(
        label=gettext_lazy("Labels already used on the first sheet"), min_value=0
    )

    def __init__(self, *args: Any, layout: Layout, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skip"].help_text = _(
            "On a partly used sheet: from 0 to %(last)s, counted row by row from the top left. "
            "Printing starts on the next label."
        ) % {"last": layout.per_sheet - 1}


def chosen_ids(values: list[str]) -> list[int]:
    """The device ids asked for, in order, once each; what is not an id is left out."""
    ids: list[int] = []
    for value in values[:MAX_CHOSEN]:
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) < 10 and int(text) not in ids:
            ids.append(int(text))
    return ids


@staff_view
@require_GET
def labels(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    layout = layout_for(request.GET.get("layout"))
    asked_skip = request.GET.get("skip", "").strip()
    skip = skip_for(asked_skip, layout)
    asked = request.GET.getlist("device")
    chosen = chosen_ids(asked)
    if asked:
        # Only this site's devices: another site's id is simply not found.
        devices = list(selectors.devices_at(site).filter(pk__in=chosen))
    else:
        devices = list(selectors.bookable_devices_at(site))  # not retired, not lost
    # A large inventory is printed in parts of at most MAX_SHEETS sheets.
    total = len(devices)
    raw_start = request.GET.get("start", "")
    start = int(raw_start) if raw_start.isascii() and raw_start.isdigit() else 0
    start = start if start < total else 0
    room = layout.per_sheet * MAX_SHEETS - skip
    devices = devices[start : start + room]
    items = [Label(device=device, qr=qr_svg(device.asset_tag)) for device in devices]
    sheets = fill_sheets(items, layout, skip)
    following = start + room if start + room < total else None
    context = {
        "site": site,
        "current_site": site,
        "layout": layout,
        "form": LabelSheetForm(initial={"layout": layout.code, "skip": skip}, layout=layout),
        "chosen": [device.pk for device in devices] if asked else [],
        "asked": bool(asked),
        "count": len(items),
        "total": total,
        "first": start + 1,
        "following": following,
        "sheets": sheets,
        "skip": skip,
        # A number that was typed but cannot be used (printing starts at the first label).
        "skip_ignored": skip == 0 and asked_skip.lstrip("0") != "",
        "last_skip": layout.per_sheet - 1,
    }
    return render(request, "lending/staff/labels.html", context)
