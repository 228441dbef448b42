"""The printable sheet of QR labels: the A4 layouts' arithmetic (places on the page, sheets with
labels already used), and the page: one label per device of the site, each QR code holding only
the tag (the SVG read back module by module and compared with segno's own code for the tag),
another site's device never printed, retired and lost devices left out unless chosen, and bad
choices in the address giving the defaults, never an error."""

from __future__ import annotations

import itertools
import re

import pytest
import segno

from lending.labels import (
    A4_HEIGHT,
    A4_WIDTH,
    LAYOUTS,
    Box,
    fill_sheets,
    layout_for,
    sheets_needed,
    skip_for,
    stylesheet,
)
from lending.models import Device
from tests.cast import signed_in, text, url
from tests.lending.helpers import device

pytestmark = pytest.mark.django_db

LABEL = re.compile(
    r'<li class="qr-label cell-(\d+)">.*?'
    r'<div class="label-qr" aria-hidden="true">(<svg.*?</svg>)</div>\s*'
    r'<div class="label-text"><p class="label-tag">([^<]+)</p>',
    re.DOTALL,
)


def printed(response) -> list[tuple[str, str, str]]:
    """(place, svg, tag) of every label on the page, in order (the place: its index on the
    sheet, the `cell-N` class that puts it there)."""
    return LABEL.findall(response.content.decode())


def dark_modules(svg: str, border: int = 4) -> set[tuple[int, int]]:
    """The dark modules (row, column) of segno's SVG, whose one stroked path draws each run of
    dark modules of a row as a horizontal line through the middle of the row."""
    path = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg)
    assert path is not None, svg
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for op, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.group(1)):
        if op == "M":
            x, y = float(first), float(second)
        elif op == "m":
            x, y = x + float(first), y + float(second)
        else:
            row = int(y) - border
            dark.update((row, int(x) + step - border) for step in range(int(float(first))))
            x += float(first)
    return dark


def modules_of(tag: str) -> set[tuple[int, int]]:
    """The dark modules of the full-size QR code of `tag` (segno alone would choose a Micro QR
    code for a short tag, which many scanners do not read)."""
    code = segno.make(tag, error="m", micro=False)
    return {(r, c) for r, row in enumerate(code.matrix) for c, module in enumerate(row) if module}


# -- the layouts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "per_sheet", "size"),
    [
        ("L7160", 21, (63.5, 38.1)),
        ("L7163", 14, (99.1, 38.1)),
        ("L7651", 65, (38.1, 21.2)),
        ("3474", 24, (70.0, 37.0)),
    ],
)
def test_each_layout_fits_on_a4_centred_without_overlaps(code, per_sheet, size):
    layout = LAYOUTS[code]
    boxes = [layout.box(index) for index in range(layout.per_sheet)]

    assert layout.per_sheet == per_sheet
    assert (boxes[0].width, boxes[0].height) == size
    assert all(box.x >= 0 and box.right <= A4_WIDTH + 0.01 for box in boxes)
    assert all(box.y >= 0 and box.bottom <= A4_HEIGHT + 0.01 for box in boxes)
    # The sheet is centred on the page: the margins left and right, top and bottom are equal.
    assert boxes[-1].right == pytest.approx(A4_WIDTH - boxes[0].x, abs=0.1)
    assert boxes[-1].bottom == pytest.approx(A4_HEIGHT - boxes[0].y, abs=0.1)
    for one, other in itertools.pairwise(boxes):
        same_row = one.y == other.y
        assert (one.right <= other.x + 0.001) if same_row else (one.bottom <= other.y + 0.001)


def test_labels_are_counted_row_by_row_from_the_top_left():
    layout = LAYOUTS["L7160"]

    assert layout.box(0) == Box(x=7.21, y=15.15, width=63.5, height=38.1)
    assert layout.box(1) == Box(x=73.25, y=15.15, width=63.5, height=38.1)
    assert layout.box(3) == Box(x=7.21, y=53.25, width=63.5, height=38.1)
    assert layout.box(20) == Box(x=139.29, y=243.75, width=63.5, height=38.1)
    with pytest.raises(IndexError):
        layout.box(21)


def test_a_place_is_a_share_of_the_page_written_with_a_full_stop():
    assert Box(x=21, y=29.7, width=105, height=148.5).style == (
        "left:10.0000%;top:10.0000%;width:50.0000%;height:50.0000%"
    )


def test_the_sheets_needed_count_the_labels_already_used():
    layout = LAYOUTS["L7160"]

    assert sheets_needed(0, layout, skip=5) == 0
    assert sheets_needed(1, layout) == 1
    assert sheets_needed(21, layout) == 1
    assert sheets_needed(21, layout, skip=1) == 2
    assert sheets_needed(22, layout) == 2
    assert sheets_needed(16, layout, skip=5) == 1
    assert sheets_needed(17, layout, skip=5) == 2
    assert sheets_needed(65, LAYOUTS["L7651"], skip=64) == 2


def test_the_first_labels_of_a_partly_used_sheet_are_left_blank():
    layout = LAYOUTS["L7160"]
    sheets = fill_sheets(list(range(22)), layout, skip=2)

    assert [sheet.number for sheet in sheets] == [1, 2]
    first, second = sheets
    assert [cell.used for cell in first.cells[:3]] == [True, True, False]
    assert [cell.item for cell in first.printed] == list(range(19))
    assert first.printed[0].index == 2
    assert [(cell.index, cell.item) for cell in second.printed] == [(0, 19), (1, 20), (2, 21)]
    assert not any(cell.used for cell in second.cells)
    assert len(second.blank) == 18
    assert all(len(sheet.cells) == layout.per_sheet for sheet in sheets)
    assert fill_sheets([], layout, skip=3) == []
    with pytest.raises(ValueError, match="skip must be from 0 to 20"):
        fill_sheets([1], layout, skip=21)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0),
        ("", 0),
        ("3", 3),
        (" 20 ", 20),
        ("21", 0),  # a whole sheet used is no sheet to print on
        ("-1", 0),
        ("2.5", 0),
        ("abc", 0),
        ("٣", 0),  # a digit, but not one of 0-9
        ("99999999999999999999", 0),
    ],
)
def test_labels_already_used_outside_the_sheet_count_as_none(value, expected):
    assert skip_for(value, LAYOUTS["L7160"]) == expected


def test_an_unknown_layout_is_the_default_one():
    assert layout_for("L7651").code == "L7651"
    assert layout_for("nope").code == "L7160"
    assert layout_for(None).code == "L7160"


# -- the page -----------------------------------------------------------------------------------


def test_every_device_gets_a_label_whose_qr_code_holds_only_its_tag(cast):
    device(cast.gent_a, "LAP-001")
    device(cast.gent_a, "TAB-017", kind=Device.Kind.TABLET, make_model="Samsung Galaxy Tab A9")
    device(cast.gent_a, "GENT-HOTSPOT-2026-0042", kind=Device.Kind.HOTSPOT)
    response = signed_in(cast.volunteer).get(url("lending:labels", site_id=cast.gent_a.pk))

    labels = printed(response)
    assert response.status_code == 200
    assert [tag for _place, _svg, tag in labels] == ["GENT-HOTSPOT-2026-0042", "LAP-001", "TAB-017"]
    for _place, svg, tag in labels:
        assert dark_modules(svg) == modules_of(tag)
        assert "<text" not in svg  # shapes only: nothing else is encoded or written
    assert response.content.decode().count("<svg") == 3
    page = text(response)
    assert "Tablet · Samsung Galaxy Tab A9" in page
    assert page.count('<p class="label-site">Digipunt Gent A</p>') == 3  # on every label
    assert "3 labels, 1 sheet." in page
    assert "<script" not in page
    assert "css/labels.css" in page


def test_the_qr_code_of_a_short_tag_is_a_full_size_one():
    assert segno.make("LAP-001").is_micro  # what segno would choose on its own
    assert len(modules_of("LAP-001")) > 0
    assert segno.make("LAP-001", error="m", micro=False).version == 1


def test_another_sites_device_is_not_printed(cast):
    mine = device(cast.gent_a, "LAP-001")
    colleague = device(cast.gent_b, "LAP-002")
    elsewhere = device(cast.aalst, "LAP-003")
    client = signed_in(cast.volunteer)
    address = url("lending:labels", site_id=cast.gent_a.pk)

    chosen = client.get(address, {"device": [mine.pk, colleague.pk, elsewhere.pk]})
    only_others = client.get(address, {"device": [colleague.pk, elsewhere.pk]})

    assert [tag for _s, _svg, tag in printed(chosen)] == ["LAP-001"]
    assert f'name="device" value="{mine.pk}"' in chosen.content.decode()
    assert f'value="{colleague.pk}"' not in chosen.content.decode()
    assert printed(only_others) == []
    assert "None of the chosen devices is at this Digipunt." in text(only_others)
    aalst = signed_in(cast.volunteer).get(url("lending:labels", site_id=cast.aalst.pk))
    assert aalst.status_code == 404


def test_retired_and_lost_devices_are_left_out_unless_chosen(cast):
    device(cast.gent_a, "LAP-001")
    device(cast.gent_a, "LAP-002", status=Device.Status.ON_LOAN)
    retired = device(cast.gent_a, "LAP-003", status=Device.Status.RETIRED)
    device(cast.gent_a, "LAP-004", status=Device.Status.LOST)
    client = signed_in(cast.volunteer)
    address = url("lending:labels", site_id=cast.gent_a.pk)

    every = client.get(address)
    one = client.get(address, {"device": retired.pk})

    assert [tag for _s, _svg, tag in printed(every)] == ["LAP-001", "LAP-002"]
    assert [tag for _s, _svg, tag in printed(one)] == ["LAP-003"]


def test_a_layout_and_used_labels_place_the_labels(cast):
    for number in range(3):
        device(cast.gent_a, f"LAP-00{number}")
    response = signed_in(cast.volunteer).get(
        url("lending:labels", site_id=cast.gent_a.pk), {"layout": "L7163", "skip": "13"}
    )

    html = response.content.decode()
    places = [place for place, _svg, _tag in printed(response)]
    assert '<option value="L7163" selected>' in html
    assert html.count('class="qr-slot used cell-') == 13
    assert html.count('class="sheet layout-L7163"') == 2
    assert places == ["13", "0", "1"]
    assert "3 labels, 2 sheets." in text(response)


@pytest.mark.parametrize(
    "query",
    [
        {"layout": "A4-XXL", "skip": "abc"},
        {"layout": "", "skip": "-3"},
        {"skip": "21"},
        {"skip": "1e3"},
        {"layout": "<script>", "skip": "9" * 30},
        {"device": ["x", "", "-1", "9" * 40]},
    ],
)
def test_bad_choices_give_the_defaults_not_an_error(cast, query):
    device(cast.gent_a, "LAP-001")
    response = signed_in(cast.volunteer).get(url("lending:labels", site_id=cast.gent_a.pk), query)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="L7160" selected>' in html
    assert "qr-slot used" not in html
    assert 'name="skip" value="0"' in html
    if query.get("skip"):
        assert "Labels already used: give a number from 0 to 20." in text(response)


def test_places_are_classes_of_the_layouts_stylesheet_not_style_attributes(cast):
    device(cast.gent_a, "LAP-001")
    response = signed_in(cast.volunteer).get(
        url("lending:labels", lang="nl", site_id=cast.gent_a.pk)
    )

    html = response.content.decode()
    [(place, _svg, _tag)] = printed(response)
    assert place == "0"
    assert 'class="sheet layout-L7160"' in html
    assert "css/label-layouts.css" in html
    assert "style=" not in html  # the Content-Security-Policy would block them


def test_the_layouts_stylesheet_is_the_one_the_layouts_give():
    """static/css/label-layouts.css is generated: after changing a layout, run
    `python -m lending.labels`."""
    from django.conf import settings

    written = (settings.BASE_DIR / "static" / "css" / "label-layouts.css").read_text()
    assert written == stylesheet()
    layout = LAYOUTS["L7160"]
    assert f".layout-L7160 .cell-20 {{ {layout.box(20).style}; }}" in written
    assert f".layout-L7160 {{ {layout.padding_style}; }}" in written
    # A full stop in every number, whatever the language (a comma would end the declaration).
    assert "," not in written.split("*/", 1)[1]


def test_the_device_pages_link_to_the_labels(cast):
    item = device(cast.gent_a, "LAP-001")
    client = signed_in(cast.volunteer)
    labels = url("lending:labels", site_id=cast.gent_a.pk)

    devices = client.get(url("lending:devices", site_id=cast.gent_a.pk))
    one = client.get(url("lending:device", site_id=cast.gent_a.pk, device_id=item.pk))

    assert f'<a href="{labels}">Print QR labels</a>' in devices.content.decode()
    assert f'<a href="{labels}?device={item.pk}">Print its QR label</a>' in one.content.decode()


def test_a_large_inventory_prints_in_parts(cast):
    from lending.staff.labels import MAX_SHEETS

    for n in range(24 * MAX_SHEETS + 5):
        device(cast.gent_a, f"T-{n:04d}")
    client = signed_in(cast.volunteer)
    page = url("lending:labels", site_id=cast.gent_a.pk)

    first = client.get(page, {"layout": "L7160"})
    rest = client.get(page, {"layout": "L7160", "start": str(21 * MAX_SHEETS)})

    assert first.content.decode().count('class="qr"') == 21 * MAX_SHEETS
    assert "The next labels" in text(first)
    assert rest.content.decode().count('class="qr"') == 3 * MAX_SHEETS + 5
    assert client.get(page, {"start": "x"}).status_code == 200
