"""Tables of figures: what a dashboard or the public report shows beside each chart, and the same
table as a CSV or XLSX download.

A `Table` holds its rows as plain values; a cell of `None` is hidden (a small count suppressed so
no one can be recognised) and reads "–" on the page, with the table's note saying why. The
downloads keep such a cell empty and add the note as their last row, so the file explains itself.
Numbers are written for the reader's language only on the page (`format_number`); the downloads
keep them as numbers a spreadsheet can sum.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.formats import number_format

from core.spreadsheets import xlsx_bytes, xlsx_response

Value = str | int | float | None

HIDDEN_MARK = "–"  # an en dash: the figure is there but not shown
CHART_KINDS = ("bar", "columns", "")

# A spreadsheet runs a cell that starts like a formula: such text gets a leading apostrophe in CSV
# (the XLSX writer stores text as text, so it needs none).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = True
    # Decimal places on the page; None: whole numbers as they are, other numbers with one decimal.
    decimals: int | None = None


@dataclass(frozen=True)
class Cell:
    """One cell as the page shows it."""

    value: Value
    text: str
    numeric: bool
    hidden: bool


@dataclass(frozen=True)
class Table:
    key: str  # a stable slug: export URLs (?table=<key>), file names, element ids
    title: str  # the caption
    columns: tuple[Column, ...]  # the first is the label column (numeric=False)
    rows: tuple[tuple[Value, ...], ...]  # None: a hidden cell, shown as "–" with the note
    note: str = ""  # for example "Cells under 5 are hidden."
    chart: str = "bar"  # "bar" (categories), "columns" (a series of months), "" (no chart)

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("A table needs at least one column.")
        if self.chart not in CHART_KINDS:
            raise ValueError(f"Unknown chart kind {self.chart!r}; expected one of {CHART_KINDS}.")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"Table {self.key!r}: a row has {len(row)} cells for {len(self.columns)} "
                    "columns."
                )

    @property
    def has_hidden(self) -> bool:
        return any(value is None for row in self.rows for value in row)

    @property
    def body(self) -> Iterator[tuple[Cell, ...]]:
        """The rows as the page shows them, numbers written in the active language."""
        for row in self.rows:
            yield tuple(
                _cell(value, column) for value, column in zip(row, self.columns, strict=True)
            )

    def export_rows(self) -> list[list[Value]]:
        """The rows of a download: hidden cells empty, then the note (when there is one)."""
        rows: list[list[Value]] = [list(row) for row in self.rows]  # None: an empty cell
        if self.note:
            rows.append([self.note, *[None] * (len(self.columns) - 1)])
        return rows


def format_number(value: int | float, decimals: int | None = None) -> str:
    """A number in the active language, with its thousands separators: 12 345 or 12.345,5."""
    if isinstance(value, float) and not math.isfinite(value):
        return HIDDEN_MARK
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _cell(value: Value, column: Column) -> Cell:
    if value is None:
        return Cell(value, HIDDEN_MARK, column.numeric, True)
    if isinstance(value, bool):
        return Cell(value, str(value), False, False)
    if isinstance(value, int | float):
        return Cell(value, format_number(value, column.decimals), column.numeric, False)
    return Cell(value, str(value), False, False)


def _filename(table: Table, filename: str | None, extension: str) -> str:
    name = filename or table.key or "table"
    # A header value: no quotes, no line breaks, no path.
    name = "".join(c for c in name if c.isprintable() and c not in '"\\/;')
    return name if name.lower().endswith(extension) else name + extension


def _guarded(value: Value) -> Value:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def table_csv(table: Table) -> str:
    """The table as CSV (RFC 4180: commas, quotes where needed, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_guarded(column.label) for column in table.columns])
    for row in table.export_rows():
        writer.writerow([_guarded(value) for value in row])
    return out.getvalue()


def table_csv_response(table: Table, filename: str | None = None) -> HttpResponse:
    """A CSV download, UTF-8 with a byte order mark so that Excel reads accents."""
    response = HttpResponse("\ufeff" + table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, filename, ".csv")}"'
    return response


def table_xlsx(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet named after its title (text stays text)."""
    return xlsx_bytes(
        table.title or table.key,
        [column.label for column in table.columns],
        table.export_rows(),
    )


def table_xlsx_response(table: Table, filename: str | None = None) -> HttpResponse:
    return xlsx_response(_filename(table, filename, ".xlsx"), table_xlsx(table))


def table_download(table: Table, export: str, filename: str | None = None) -> HttpResponse | None:
    """The download a view's `?export=csv|xlsx` asks for, or None for anything else."""
    if export == "csv":
        return table_csv_response(table, filename)
    if export == "xlsx":
        return table_xlsx_response(table, filename)
    return None
