"""Charts drawn on the server as SVG: no JavaScript, readable at 320 px, printable.

Each chart is an `<svg role="img">` named by its own `<title>` and `<desc>` (ids unique on the
page), scales to the width of its container (a 640-wide viewBox; text of 12 user units or more),
and writes every value beside its bar. The current period is a filled bar; the previous period
a thinner bar drawn as an outline, so the two differ by shape and not by colour alone, and a
legend says which is which. The colours hold WCAG AA against white (text at least 4.5:1, bars
and outlines at least 3:1). Styles are presentation attributes and classes only: the
Content-Security-Policy forbids `style` attributes, also inside SVG. `static/css/charts.css`
adjusts them on screen and in print. A chart never stands alone: the page puts its table beside
it (`templates/core/_figure.html`).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.tables import HIDDEN_MARK, Table, format_number

WIDTH = 640
PAD = 8
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

# Colours against white: ink 17.4:1, muted 8.5:1, brand 8.6:1, red 8.9:1, orange 5.4:1.
INK = "#1a1a1a"
MUTED = "#4d4d4d"
CURRENT = "#1d4f91"
PREVIOUS_FILL = "#ffffff"
PREVIOUS_STROKE = "#4d4d4d"
GRID = "#c4ccd6"  # decorative only: every value is also written out
LAND = "#f3f6fa"

LABEL_SIZE = 16
VALUE_SIZE = 14
SMALL_SIZE = 12
# An estimate of a character's width, as a share of the font size (no text measuring on the server).
CHAR_WIDTH = 0.6

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: a hidden figure (a small cell), drawn as no bar and "–"
    previous: float | None = None


@dataclass(frozen=True)
class Dot:
    latitude: float
    longitude: float
    label: str
    kind: str = "site"  # becomes the class dot-<kind>: site, gap, locality-far, closing, …


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _shorten(text: str, size: float, room: float) -> str:
    most = max(int(room / (size * CHAR_WIDTH)), 4)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _number(value: float | None) -> str:
    if value is None:
        return HIDDEN_MARK
    return format_number(value)


def _ids_for(kind: str, *parts: object) -> tuple[str, str]:
    """A title's and a description's ids: unique on the page, even for two charts alike."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:8]
    base = f"{kind}-{digest}-{next(_ids)}"
    return f"{base}-title", f"{base}-desc"


def _svg(
    kind: str, height: float, title: str, description: str, ids: tuple[str, str], body: list[str]
) -> SafeString:
    title_id, desc_id = ids
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" font-family="{FONT}" fill="{INK}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")


def _n(value: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, *, size: int, cls: str, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attrs.items())
    return (
        f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" font-size="{size}"{extra}>'
        f"{escape(text)}</text>"
    )


def _current_rect(x: float, y: float, w: float, h: float, cls: str = "bar") -> str:
    return (
        f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" '
        f'height="{_n(max(h, 0))}" fill="{CURRENT}"/>'
    )


def _previous_rect(x: float, y: float, w: float, h: float) -> str:
    return (
        f'<rect class="previous" x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" '
        f'height="{_n(max(h, 0))}" fill="{PREVIOUS_FILL}" stroke="{PREVIOUS_STROKE}" '
        'stroke-width="2"/>'
    )


def _legend(current_label: str, previous_label: str | None, top: float) -> tuple[list[str], float]:
    """The key: a filled square for the current period, an outlined one for the previous."""
    parts = ['<g class="legend">']
    y = top
    parts.append(
        f'<rect class="swatch" x="{PAD}" y="{_n(y + 3)}" width="16" height="16" fill="{CURRENT}"/>'
    )
    parts.append(
        _text(
            PAD + 24,
            y + 16,
            _shorten(current_label, VALUE_SIZE, WIDTH - 40),
            size=VALUE_SIZE,
            cls="legend-label",
        )
    )
    y += 24
    if previous_label:
        parts.append(
            f'<rect class="swatch previous" x="{PAD + 1}" y="{_n(y + 4)}" width="14" height="14" '
            f'fill="{PREVIOUS_FILL}" stroke="{PREVIOUS_STROKE}" stroke-width="2"/>'
        )
        parts.append(
            _text(
                PAD + 24,
                y + 16,
                _shorten(previous_label, VALUE_SIZE, WIDTH - 40),
                size=VALUE_SIZE,
                cls="legend-label",
            )
        )
        y += 24
    parts.append("</g>")
    return parts, y


def _empty(kind: str, title: str, description: str, ids: tuple[str, str]) -> SafeString:
    message = _("No figures for this period")
    body = [_text(WIDTH / 2, 38, message, size=LABEL_SIZE, cls="chart-empty", text_anchor="middle")]
    return _svg(kind, 64, title, description, ids, body)


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _tooltip(
    label: str, value: float | None, previous: float | None, previous_label: str | None
) -> str:
    text = f"{label}: {_number(value)}"
    if previous_label:
        text += f" ({previous_label}: {_number(previous)})"
    return f"<title>{escape(text)}</title>"


def bar_chart(
    bars: Iterable[Bar],
    *,
    title: str,
    description: str,
    current_label: str,
    previous_label: str | None = None,
) -> SafeString:
    """Horizontal bars, one per category, each with its label above and its value at its end;
    with `previous_label`, the previous period as a thin outlined bar under each."""
    bars = [Bar(b.label, _finite(b.value), _finite(b.previous)) for b in bars]
    ids = _ids_for("bars", title, description, current_label, previous_label, bars)
    if not bars:
        return _empty("bar", title, description, ids)
    with_previous = previous_label is not None
    body, y = _legend(current_label, previous_label, PAD)
    y += 8
    values = [b.value for b in bars] + ([b.previous for b in bars] if with_previous else [])
    largest = max((v for v in values if v is not None and v > 0), default=0.0)
    value_room = max(_text_width(_number(v), VALUE_SIZE) for v in values) + 12
    room = WIDTH - 2 * PAD - value_room
    body.append(
        f'<line class="axis" x1="{PAD}" x2="{PAD}" y1="{_n(y)}" y2="{{axis_end}}" '
        f'stroke="{MUTED}"/>'
    )
    axis_at = len(body) - 1
    for bar in bars:
        body.append('<g class="bar-row">')
        body.append(_tooltip(bar.label, bar.value, bar.previous, previous_label))
        body.append(
            _text(
                PAD,
                y + 16,
                _shorten(bar.label, LABEL_SIZE, WIDTH - 2 * PAD),
                size=LABEL_SIZE,
                cls="bar-label",
            )
        )
        width = room * max(bar.value or 0, 0) / largest if largest else 0
        body.append(
            _current_rect(PAD, y + 22, width, 20, "bar" if bar.value is not None else "bar hidden")
        )
        body.append(
            _text(PAD + width + 6, y + 37, _number(bar.value), size=VALUE_SIZE, cls="value")
        )
        y += 44
        if with_previous:
            width = room * max(bar.previous or 0, 0) / largest if largest else 0
            body.append(_previous_rect(PAD + 1, y + 1, width - 1 if width >= 1 else 0, 10))
            body.append(
                _text(
                    PAD + width + 6,
                    y + 11,
                    _number(bar.previous),
                    size=SMALL_SIZE,
                    cls="value previous-value",
                    fill=MUTED,
                )
            )
            y += 16
        body.append("</g>")
        y += 10
    body[axis_at] = body[axis_at].replace("{axis_end}", _n(y - 10))
    return _svg("bar", y + PAD, title, description, ids, body)


def _nice_step(largest: float, parts: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts 0…largest in about `parts`."""
    raw = largest / parts
    power = 10.0 ** math.floor(math.log10(raw))
    steps = [f * power for f in (1.0, 2.0, 2.5, 5.0, 10.0)]
    if largest >= 1:  # counts: whole steps only (no 2.5 between 0 and 5)
        steps = [max(s, 1.0) for s in steps if s >= 10 or s.is_integer() or s < 1]
    return next(s for s in steps if raw <= s + 1e-9)


def column_chart(
    columns: Iterable[Bar],
    *,
    title: str,
    description: str,
    current_label: str,
    previous_label: str | None = None,
) -> SafeString:
    """Vertical columns, one per month (or any period in order), on a scale with gridlines; with
    `previous_label`, the same month of the previous period as a thin outlined column beside."""
    cols = [Bar(c.label, _finite(c.value), _finite(c.previous)) for c in columns]
    ids = _ids_for("columns", title, description, current_label, previous_label, cols)
    if not cols:
        return _empty("columns", title, description, ids)
    with_previous = previous_label is not None
    body, top = _legend(current_label, previous_label, PAD)
    values = [c.value for c in cols] + ([c.previous for c in cols] if with_previous else [])
    largest = max((v for v in values if v is not None and v > 0), default=0.0)
    step = _nice_step(largest) if largest else 1.0
    scale_top = step * max(math.ceil(largest / step), 1)
    ticks = [step * i for i in range(round(scale_top / step) + 1)]
    tick_room = max(_text_width(format_number(t), SMALL_SIZE) for t in ticks) + 10
    left = PAD + tick_room
    plot_w = WIDTH - left - PAD
    plot_top = top + 24  # room for the values above the tallest column
    plot_h = 220
    base = plot_top + plot_h
    slot = plot_w / len(cols)
    # The labels under the columns: level when they fit, else slanted, and every k-th when crowded.
    longest = max(_text_width(c.label, SMALL_SIZE) for c in cols)
    slanted = longest > slot - 4
    if slanted:
        # The first slanted label reaches left of its column by about 0.71 of its length: make
        # room for it so that it is not cut off at the chart's edge.
        left = max(left, min(longest, 120) * 0.71 + PAD - slot / 2)
        plot_w = WIDTH - left - PAD
        slot = plot_w / len(cols)
    every = max(math.ceil(18 / slot), 1) if slanted else 1
    label_room = min(longest * 0.71 + 24, 120) if slanted else 24
    for tick in ticks:
        y = base - plot_h * tick / scale_top
        body.append(
            f'<line class="grid" x1="{_n(left)}" x2="{_n(WIDTH - PAD)}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{GRID}"/>'
        )
        body.append(
            _text(
                left - 6,
                y + 4,
                format_number(tick),
                size=SMALL_SIZE,
                cls="tick",
                text_anchor="end",
                fill=MUTED,
            )
        )
    current_w = slot * (0.5 if with_previous else 0.66)
    previous_w = slot * 0.22
    gap = slot * 0.04 if with_previous else 0
    group_w = current_w + (gap + previous_w if with_previous else 0)
    # The values above the columns: all of them when they fit, else none (the table has them).
    values_fit = max(_text_width(_number(c.value), SMALL_SIZE) for c in cols) <= slot - 2
    for index, col in enumerate(cols):
        x = left + slot * index + (slot - group_w) / 2
        body.append('<g class="column">')
        body.append(_tooltip(col.label, col.value, col.previous, previous_label))
        h = plot_h * max(col.value or 0, 0) / scale_top
        body.append(
            _current_rect(
                x, base - h, current_w, h, "bar" if col.value is not None else "bar hidden"
            )
        )
        value_text = _number(col.value)
        if values_fit:
            body.append(
                _text(
                    x + current_w / 2,
                    base - h - 5,
                    value_text,
                    size=SMALL_SIZE,
                    cls="value",
                    text_anchor="middle",
                )
            )
        if with_previous:
            ph = plot_h * max(col.previous or 0, 0) / scale_top
            body.append(
                _previous_rect(
                    x + current_w + gap + 1, base - ph + 1, previous_w - 2, ph - 1 if ph >= 1 else 0
                )
            )
        if index % every == 0:
            cx = left + slot * index + slot / 2
            if slanted:
                body.append(
                    _text(
                        cx,
                        base + 14,
                        col.label,
                        size=SMALL_SIZE,
                        cls="column-label",
                        text_anchor="end",
                        transform=f"rotate(-45 {_n(cx)} {_n(base + 14)})",
                    )
                )
            else:
                body.append(
                    _text(
                        cx,
                        base + 18,
                        col.label,
                        size=SMALL_SIZE,
                        cls="column-label",
                        text_anchor="middle",
                    )
                )
        body.append("</g>")
    body.append(
        f'<line class="axis" x1="{_n(left)}" x2="{_n(WIDTH - PAD)}" '
        f'y1="{_n(base)}" y2="{_n(base)}" stroke="{MUTED}"/>'
    )
    return _svg("columns", base + label_room + PAD, title, description, ids, body)


# --- The dot map of Belgium --------------------------------------------------------------------

SOUTH, NORTH = 49.45, 51.55
WEST, EAST = 2.50, 6.45
_COS = math.cos(math.radians(50.6))  # equirectangular, true to scale at Belgium's middle latitude
MAP_PAD = 16
_MAP_SCALE = (WIDTH - 2 * MAP_PAD) / ((EAST - WEST) * _COS)
MAP_HEIGHT = (NORTH - SOUTH) * _MAP_SCALE + 2 * MAP_PAD

# Belgium's border as (longitude, latitude), clockwise from the French border on the coast. A
# coarse outline traced by hand through the border's known towns and corners (De Panne, Knokke,
# Zelzate, Zandvliet, Essen, Baarle, Lommel, Kessenich, the Meuse at Maastricht, Vaals,
# Losheimergraben, Ouren, the Luxembourg border, Athus, Torgny, Bouillon, the Givet salient,
# Chimay, Erquelinnes, Quiévrain, Mouscron, Comines, Poperinge): good to about 5 km, for
# orientation only, never for measuring a distance.
BELGIUM = (
    (2.54, 51.09), (2.92, 51.23), (3.19, 51.33), (3.37, 51.37), (3.52, 51.29), (3.80, 51.21),
    (4.03, 51.24), (4.24, 51.36), (4.40, 51.36), (4.53, 51.48), (4.77, 51.50), (5.04, 51.47),
    (5.10, 51.43), (5.24, 51.30), (5.50, 51.29), (5.83, 51.16), (5.76, 51.03), (5.64, 50.85),
    (5.70, 50.76), (6.02, 50.75), (6.12, 50.67), (6.27, 50.62), (6.40, 50.33), (6.20, 50.20),
    (6.13, 50.13), (6.03, 50.18), (5.87, 50.09), (5.75, 49.91), (5.74, 49.83), (5.90, 49.66),
    (5.82, 49.55), (5.47, 49.50), (5.31, 49.63), (5.09, 49.76), (4.86, 49.80), (4.85, 49.95),
    (4.87, 50.15), (4.70, 50.10), (4.43, 49.94), (4.14, 50.01), (4.22, 50.26), (4.05, 50.34),
    (3.68, 50.35), (3.61, 50.49), (3.29, 50.52), (3.17, 50.69), (3.02, 50.77), (2.87, 50.70),
    (2.63, 50.81), (2.60, 50.95),
)  # fmt: skip

# Each kind of dot: its look without the stylesheet (radius, fill, stroke, dashes), so kinds
# differ by shape (filled, ring, dashed ring, small) and not by colour alone.
_DOT_LOOKS: dict[str, tuple[float, str, str, str]] = {
    "site": (6, CURRENT, "#ffffff", ""),
    "gap": (7, "#ffffff", "#8a1c1c", ""),
    "locality-far": (4, "#a8430c", "#ffffff", ""),
    "closing": (7, "#ffffff", INK, "3 2"),
}
_DOT_DEFAULT = (5, INK, "#ffffff", "")


def _legend_names() -> dict[str, str]:
    return {
        "site": _("Digipunt"),
        "gap": _("Gap: no Digipunt, or too few opening hours"),
        "locality-far": _("Place far from an open Digipunt"),
        "closing": _("Digipunt that loses its funding"),
    }


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """A point of Belgium on the map: x to the east, y to the south, in the map's user units."""
    x = MAP_PAD + (longitude - WEST) * _COS * _MAP_SCALE
    y = MAP_PAD + (NORTH - latitude) * _MAP_SCALE
    return x, y


def _kind_class(kind: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", kind.lower()) or "site"


def _circle(x: float, y: float, kind: str, *, label: str = "", cls: str = "dot") -> str:
    radius, fill, stroke, dashes = _DOT_LOOKS.get(kind, _DOT_DEFAULT)
    width = "3" if fill == "#ffffff" else "1.5"
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    inner = f"<title>{escape(label)}</title>" if label else ""
    return (
        f'<circle class="{cls} dot-{kind}" cx="{_n(x)}" cy="{_n(y)}" r="{_n(radius)}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}>{inner}</circle>'
    )


def dot_map(
    dots: Iterable[Dot],
    *,
    title: str,
    description: str,
    legend: Mapping[str, str] | None = None,
) -> SafeString:
    """Belgium's outline and one circle per place (its label as the circle's `<title>`), with a
    legend of the kinds shown. Places outside Belgium's frame are left out. `legend` names the
    kinds; the known ones (site, gap, locality-far, closing) are named already."""
    dots = [d for d in dots if math.isfinite(d.latitude) and math.isfinite(d.longitude)]
    ids = _ids_for("map", title, description, dots)
    names = {**_legend_names(), **(legend or {})}
    outline = " ".join(f"{_n(x)},{_n(y)}" for x, y in (project(lat, lon) for lon, lat in BELGIUM))
    body = [
        f'<polygon class="map-outline" points="{outline}" fill="{LAND}" stroke="{MUTED}" '
        'stroke-width="1.5" stroke-linejoin="round"/>'
    ]
    shown: list[str] = []
    body.append('<g class="dots">')
    for dot in dots:
        if not (SOUTH <= dot.latitude <= NORTH and WEST <= dot.longitude <= EAST):
            continue
        kind = _kind_class(dot.kind)
        if kind not in shown:
            shown.append(kind)
        x, y = project(dot.latitude, dot.longitude)
        body.append(_circle(x, y, kind, label=dot.label))
    body.append("</g>")
    if not shown:
        body.append(
            _text(
                WIDTH / 2,
                MAP_PAD + 16,
                _("No places to show"),
                size=LABEL_SIZE,
                cls="chart-empty",
                text_anchor="middle",
            )
        )
    y = MAP_HEIGHT
    entries = [kind for kind in shown if kind in names]
    if entries:
        body.append('<g class="legend">')
        for kind in entries:
            body.append(_circle(PAD + 10, y + 11, kind, cls="swatch"))
            body.append(
                _text(
                    PAD + 28,
                    y + 16,
                    _shorten(names[kind], VALUE_SIZE, WIDTH - 40),
                    size=VALUE_SIZE,
                    cls="legend-label",
                )
            )
            y += 24
        body.append("</g>")
        y += PAD
    return _svg("map", y, title, description, ids, body)


def _value(cell: object) -> float | None:
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return None
    return float(cell)


def _describe(table: Table, bars: Sequence[Bar], current_label: str) -> str:
    known = [b for b in bars if b.value is not None]
    if not known:
        return _("No figures for this period")
    top = max(known, key=lambda b: b.value or 0)
    if table.chart == "columns":
        text = _(
            "%(current)s from %(first)s to %(last)s. Highest: %(label)s, %(value)s. "
            "The table gives every figure."
        ) % {
            "current": current_label,
            "first": bars[0].label,
            "last": bars[-1].label,
            "label": top.label,
            "value": _number(top.value),
        }
    else:
        text = _("%(current)s. Highest: %(label)s, %(value)s. The table gives every figure.") % {
            "current": current_label,
            "label": top.label,
            "value": _number(top.value),
        }
    return text


def chart_for(
    table: Table,
    *,
    current_label: str,
    previous_label: str | None = None,
    description: str | None = None,
) -> SafeString:
    """The chart a table asks for (`table.chart`): its first column labels the bars, its second
    holds the current values and its third, if any, the previous period's (whose legend reads
    `previous_label`, or the third column's label). An empty string for `chart=""`."""
    if not table.chart or len(table.columns) < 2:
        return mark_safe("")
    has_previous = len(table.columns) >= 3
    if has_previous and previous_label is None:
        previous_label = table.columns[2].label
    if not has_previous:
        previous_label = None
    bars = [
        Bar(
            str(row[0]) if row[0] is not None else HIDDEN_MARK,
            _value(row[1]),
            _value(row[2]) if has_previous else None,
        )
        for row in table.rows
    ]
    if description is None:
        description = _describe(table, bars, current_label)
        if table.has_hidden and table.note:
            description += " " + table.note
    draw = column_chart if table.chart == "columns" else bar_chart
    return draw(
        bars,
        title=table.title,
        description=description,
        current_label=current_label,
        previous_label=previous_label,
    )
