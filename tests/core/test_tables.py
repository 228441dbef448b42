"""Tables of figures and their downloads (issue 16, evidence): CSV that Excel opens, XLSX that
keeps text as text, hidden cells empty with the note that says why, and the page's figure."""

from __future__ import annotations

import csv
import io

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import load_workbook

from core.charts import chart_for
from core.tables import (
    Column,
    Table,
    format_number,
    table_csv_response,
    table_download,
    table_xlsx_response,
)

TABLE = Table(
    key="themes",
    title="Questions by theme",
    columns=(Column("Theme", numeric=False), Column("This year"), Column("Last year")),
    rows=(
        ("Smartphone", 1234, 1100),
        ("=SUM(A1:A2)", 7, 12.5),
        ("Online banking", None, 6),
    ),
    note="Cells under 5 are hidden.",
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_row_must_have_a_cell_per_column():
    with pytest.raises(ValueError, match="a row has 1 cells for 2 columns"):
        Table("t", "T", (Column("A", numeric=False), Column("B")), (("x",),))
    with pytest.raises(ValueError, match="Unknown chart kind"):
        Table("t", "T", (Column("A", numeric=False),), (), chart="pie")


def test_csv_has_a_bom_the_header_rows_empty_hidden_cells_and_the_note_last():
    response = table_csv_response(TABLE, "themes-2025")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="themes-2025.csv"'
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Theme", "This year", "Last year"],
        ["Smartphone", "1234", "1100"],
        ["'=SUM(A1:A2)", "7", "12.5"],  # never run as a formula
        ["Online banking", "", "6"],
        ["Cells under 5 are hidden.", "", ""],
    ]


def test_csv_quotes_commas_and_quotes():
    table = Table(
        "t", "T", (Column("Place", numeric=False), Column("N")), (('Gent, "centrum"', 5),)
    )
    text = table_csv_response(table).content.decode("utf-8-sig")
    assert text.splitlines()[1] == '"Gent, ""centrum""",5'
    assert list(csv.reader(io.StringIO(text)))[1] == ['Gent, "centrum"', "5"]


def test_xlsx_round_trip_keeps_numbers_as_numbers_and_text_as_text():
    response = table_xlsx_response(TABLE, "themes-2025")
    assert response["Content-Disposition"] == 'attachment; filename="themes-2025.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Questions by theme"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [
        ["Theme", "This year", "Last year"],
        ["Smartphone", 1234, 1100],
        ["=SUM(A1:A2)", 7, 12.5],
        ["Online banking", None, 6],
        ["Cells under 5 are hidden.", None, None],
    ]
    cell = sheet["A3"]
    assert cell.data_type == "s"  # text, not a formula


def test_file_names_default_to_the_key_and_cannot_break_the_header():
    assert 'filename="themes.csv"' in table_csv_response(TABLE)["Content-Disposition"]
    bad = table_xlsx_response(TABLE, 'a"b\r\n/c')["Content-Disposition"]
    assert bad == 'attachment; filename="abc.xlsx"'


def test_download_follows_the_export_parameter():
    assert table_download(TABLE, "csv")["Content-Type"].startswith("text/csv")
    assert table_download(TABLE, "xlsx")["Content-Type"].startswith("application/vnd")
    assert table_download(TABLE, "pdf") is None


def test_numbers_on_the_page_follow_the_language():
    assert format_number(1234567) == "1,234,567"
    assert format_number(12.5) == "12.5"
    assert format_number(3.0) == "3"
    with translation.override("nl"):
        assert format_number(1234567) == "1.234.567"
        assert format_number(12.5) == "12,5"
    with translation.override("fr"):
        assert format_number(1234567).replace("\u202f", " ").replace("\xa0", " ") == "1 234 567"


def test_the_body_marks_hidden_and_numeric_cells():
    body = list(TABLE.body)
    assert [cell.text for cell in body[0]] == ["Smartphone", "1,234", "1,100"]
    hidden = body[2][1]
    assert hidden.hidden
    assert hidden.text == "–"
    assert hidden.numeric
    assert not body[0][0].numeric
    assert TABLE.has_hidden


def render(**context) -> str:
    return render_to_string("core/_figure.html", context)


def test_the_figure_shows_the_chart_the_table_the_note_and_the_downloads():
    svg = chart_for(TABLE, current_label="This year")
    html = render(table=TABLE, svg=svg, export_query="from=2025-01-01&to=2025-12-31")
    assert html.count("<figure") == 1
    assert "<figcaption" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html  # not escaped
    assert '<table class="data figures">' in html
    # The figcaption names the figure; the table's caption, for screen readers, says what it is.
    assert '<caption class="visually-hidden">Questions by theme: the figures of the chart' in html
    assert html.count('<th scope="col"') == 3
    assert '<th scope="row">Smartphone</th>' in html
    assert '<td class="number">1,234</td>' in html
    assert "&#x27;=SUM" not in html
    assert "=SUM(A1:A2)" in html
    assert 'class="number hidden-cell"' in html
    assert "–" in html
    assert "Cells under 5 are hidden." in html
    assert 'href="?from=2025-01-01&amp;to=2025-12-31&amp;export=csv&amp;table=themes"' in html
    assert "export=xlsx&amp;table=themes" in html
    assert "Download (CSV)" in html
    assert "Download (XLSX)" in html


def test_the_figure_without_export_query_has_no_links_and_escapes_labels():
    table = Table(
        "x", "<script>alert(1)</script>", (Column("<i>A</i>", numeric=False),), (("<b>",),)
    )
    html = render(table=table, svg="")
    assert "Download" not in html
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "<svg" not in html
    # An empty query (a page without filters) still gets its links, without "?&".
    html = render(table=TABLE, svg="", export_query="")
    assert 'href="?export=csv&amp;table=themes"' in html


def test_an_empty_table_says_so():
    table = Table("e", "Empty", (Column("A", numeric=False), Column("B")), ())
    html = render(table=table, svg="")
    assert "No figures for this period" in html
    assert '<caption class="visually-hidden">Empty</caption>' in html  # the figcaption shows it
