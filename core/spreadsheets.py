"""Tables as downloads a spreadsheet opens: XLSX (openpyxl) beside the CSV files.

Every cell of text is written as text, never as a formula, without the control characters XLSX
cannot hold: a device note or a site name that
starts with "=" stays the characters typed (the XLSX twin of the CSV exports' guard against
formula injection). Numbers, dates and booleans keep their type so a spreadsheet can sum them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limit on a sheet's name, and the characters it refuses in one.
_SHEET_NAME_MAX = 31
_SHEET_NAME_REFUSED = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # XLSX has no time zones: the local time is shown
    if value is not None and not isinstance(value, int | float | date | datetime | bool):
        # Control characters (a vertical tab pasted into a note) cannot be stored in XLSX.
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "="
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet named `title`: the header in bold, then the rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title.translate(_SHEET_NAME_REFUSED)[:_SHEET_NAME_MAX] or "Sheet")
    sheet.append([_cell(sheet, name, bold=True) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
