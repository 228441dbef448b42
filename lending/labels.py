"""Sheets of labels on A4: the common layouts, where each label sits, and how a list of things to
print fills the sheets (after the labels already used on a partly used first sheet).

Pure arithmetic in millimetres, without Django or the database, so it can be tested on its own;
`lending.staff.labels` prints a site's devices with it. A label's place is also given as a share
of the A4 page (`Box.style`), so the same sheet is exact on paper and scales on a screen: those
places are the classes of static/css/label-layouts.css (`stylesheet()`, which writes that file),
not style attributes, which the Content-Security-Policy blocks (core/security_headers.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

A4_WIDTH = 210.0  # mm
A4_HEIGHT = 297.0  # mm

T = TypeVar("T")


@dataclass(frozen=True)
class Box:
    """A rectangle on the A4 page, in millimetres from its top left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def style(self) -> str:
        """Its place as percentages of the page (CSS for a box inside an A4 sheet), written
        with a full stop whatever the language of the page."""
        return (
            f"left:{self.x / A4_WIDTH * 100:.4f}%;top:{self.y / A4_HEIGHT * 100:.4f}%;"
            f"width:{self.width / A4_WIDTH * 100:.4f}%;height:{self.height / A4_HEIGHT * 100:.4f}%"
        )


@dataclass(frozen=True)
class Layout:
    """A sheet of labels as its maker describes it: the labels in columns and rows, the margins
    to the first label, and the pitch (from one label's edge to the same edge of the next)."""

    code: str
    name: str  # the maker's product code (other makers sell the same layout): not translated
    columns: int
    rows: int
    label_width: float  # mm
    label_height: float
    margin_top: float
    margin_left: float
    pitch_x: float
    pitch_y: float
    # Kept blank inside each label: the die-cut may shift a little, and a sheet without margins
    # needs room for the edge that printers cannot print on.
    padding: float = 2.0

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def padding_style(self) -> str:
        """The blank inside a label as a percentage of its height (a CSS custom property)."""
        return f"--pad:{self.padding / self.label_height * 100:.4f}"

    @property
    def css_class(self) -> str:
        """The class of a sheet of this layout in static/css/label-layouts.css."""
        return f"layout-{self.code}"

    def box(self, index: int) -> Box:
        """The place of label `index` (0-based), counted row by row from the top left, the way
        label sheets are numbered and fed."""
        if not 0 <= index < self.per_sheet:
            raise IndexError(index)
        row, column = divmod(index, self.columns)
        return Box(
            x=round(self.margin_left + column * self.pitch_x, 3),
            y=round(self.margin_top + row * self.pitch_y, 3),
            width=self.label_width,
            height=self.label_height,
        )


LAYOUTS: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        Layout(
            code="L7160",
            name="Avery L7160",
            columns=3,
            rows=7,
            label_width=63.5,
            label_height=38.1,
            margin_top=15.15,
            margin_left=7.21,
            pitch_x=66.04,
            pitch_y=38.1,
        ),
        Layout(
            code="L7163",
            name="Avery L7163",
            columns=2,
            rows=7,
            label_width=99.1,
            label_height=38.1,
            margin_top=15.15,
            margin_left=4.65,
            pitch_x=101.6,
            pitch_y=38.1,
        ),
        Layout(
            code="L7651",
            name="Avery L7651",
            columns=5,
            rows=13,
            label_width=38.1,
            label_height=21.2,
            margin_top=10.7,
            margin_left=4.75,
            pitch_x=40.6,
            pitch_y=21.2,
        ),
        Layout(
            code="3474",
            name="Avery 3474",
            columns=3,
            rows=8,
            label_width=70.0,
            label_height=37.0,
            margin_top=0.5,
            margin_left=0.0,
            pitch_x=70.0,
            pitch_y=37.0,
            padding=4.0,
        ),
    )
}
DEFAULT_LAYOUT = "L7160"


STYLESHEET = "static/css/label-layouts.css"


def stylesheet() -> str:
    """The CSS of every layout: a sheet's class (`layout-L7160`) sets the blank inside its labels,
    and a place's class inside it (`cell-0`, by index) puts a label or an empty place there.
    `python -m lending.labels` writes it to STYLESHEET; a test checks the file is this text."""
    lines = [
        "/* Generated from lending/labels.py by `python -m lending.labels`: do not edit by hand.",
        "   Where each label sits on its A4 sheet, for every layout (templates/lending/staff/",
        "   labels.html), as a share of the page: exact on paper, scaled down on a screen. */",
    ]
    for layout in LAYOUTS.values():
        sheet = f".{layout.css_class}"
        lines.append(f"{sheet} {{ {layout.padding_style}; }}")
        lines.extend(
            f"{sheet} .cell-{index} {{ {layout.box(index).style}; }}"
            for index in range(layout.per_sheet)
        )
    return "\n".join(lines) + "\n"


def layout_for(code: str | None) -> Layout:
    """The layout of that code; the default one for a missing or unknown code."""
    return LAYOUTS.get(code or "", LAYOUTS[DEFAULT_LAYOUT])


def skip_for(value: str | None, layout: Layout) -> int:
    """How many labels of the first sheet are already used: a whole number from 0 to one less
    than the labels on a sheet (a whole used sheet is no sheet to print on); anything else is 0."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        return 0
    number = int(text)
    return number if number < layout.per_sheet else 0


@dataclass(frozen=True)
class Cell(Generic[T]):
    """One place on a sheet: what is printed there, or nothing (already used, or left over)."""

    index: int
    box: Box
    item: T | None = None
    used: bool = False  # already used on a partly used sheet


@dataclass(frozen=True)
class Sheet(Generic[T]):
    number: int  # 1-based
    cells: tuple[Cell[T], ...]

    @property
    def printed(self) -> list[Cell[T]]:
        return [cell for cell in self.cells if cell.item is not None]

    @property
    def blank(self) -> list[Cell[T]]:
        return [cell for cell in self.cells if cell.item is None]


def sheets_needed(count: int, layout: Layout, skip: int = 0) -> int:
    """How many sheets `count` labels take when the first `skip` places are already used."""
    if count <= 0:
        return 0
    return -(-(skip + count) // layout.per_sheet)


def fill_sheets(items: Sequence[T], layout: Layout, skip: int = 0) -> list[Sheet[T]]:
    """`items` on sheets of `layout`, one per label in order, after the first `skip` places of
    the first sheet. No items, no sheets."""
    if not 0 <= skip < layout.per_sheet:
        raise ValueError(f"skip must be from 0 to {layout.per_sheet - 1}")
    sheets: list[Sheet[T]] = []
    for page in range(sheets_needed(len(items), layout, skip)):
        cells = []
        for index in range(layout.per_sheet):
            position = page * layout.per_sheet + index - skip
            item = items[position] if 0 <= position < len(items) else None
            cells.append(Cell(index=index, box=layout.box(index), item=item, used=position < 0))
        sheets.append(Sheet(number=page + 1, cells=tuple(cells)))
    return sheets


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parent.parent / STYLESHEET
    target.write_text(stylesheet())
    print(f"Wrote {target}")
