"""Charts drawn on the server (issue 16, evidence): accessible SVG without JavaScript.

Each chart is parsed as XML, so a label that could break out of the SVG fails here first."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from core.charts import (
    BELGIUM,
    MAP_HEIGHT,
    WIDTH,
    Bar,
    Dot,
    bar_chart,
    chart_for,
    column_chart,
    dot_map,
    project,
)
from core.tables import Column, Table

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check its structure


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "bar" in classes(r)]


def previous_of(root: ET.Element) -> list[ET.Element]:
    return [
        r for r in root.iter(f"{SVG}rect") if classes(r) == {"previous"}
    ]  # not the legend's swatch


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def assert_accessible(root: ET.Element, title: str) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text
    # It scales with its container: a viewBox 640 wide and no fixed width.
    assert root.get("viewBox").split()[:3] == ["0", "0", str(WIDTH)]
    assert root.get("width") == "100%"
    assert "style" not in root.attrib
    for element in root.iter():
        assert "style" not in element.attrib, "the CSP forbids style attributes"
        assert element.tag != f"{SVG}script"
        if element.tag == f"{SVG}text":
            assert float(element.get("font-size")) >= 12


THEMES = [Bar("Smartphone", 120, 100), Bar("E-mail", 45, 60), Bar("Online banking", 0, 5)]


def test_a_bar_chart_has_a_named_image_one_bar_per_category_and_its_values():
    svg = bar_chart(
        THEMES,
        title="Questions by theme",
        description="Most questions were about smartphones.",
        current_label="2025",
        previous_label="2024",
    )
    root = parse(svg)
    assert_accessible(root, "Questions by theme")
    assert len(bars_of(root)) == 3
    assert len(previous_of(root)) == 3
    words = texts(root)
    for label in ("Smartphone", "E-mail", "Online banking", "120", "45", "0", "2025", "2024"):
        assert label in words
    # Longer value, longer bar; a zero is a bar of no width, its value still written.
    widths = [float(r.get("width")) for r in bars_of(root)]
    assert widths[0] > widths[1] > widths[2] == 0
    # The previous period is told apart by its outline, not by colour alone.
    for rect in previous_of(root):
        assert rect.get("stroke")
        assert rect.get("fill") == "#ffffff"
    assert float(previous_of(root)[0].get("height")) < float(bars_of(root)[0].get("height"))


def test_without_a_previous_period_there_is_no_outline_and_a_legend_of_one():
    root = parse(bar_chart(THEMES, title="T", description="D", current_label="This month"))
    assert previous_of(root) == []
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert ["".join(t.itertext()) for t in legend.iter(f"{SVG}text")] == ["This month"]


def test_labels_are_escaped():
    nasty = '<script>alert("x")</script> & "Ünïcode"'
    svg = bar_chart(
        [Bar(nasty, 3)], title=f"<b>{nasty}</b>", description=nasty, current_label=nasty
    )
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed XML
    assert nasty in texts(root)
    assert root.find(f"{SVG}title").text == f"<b>{nasty}</b>"
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter("script"))


def test_two_charts_alike_on_one_page_have_different_ids():
    first = parse(bar_chart(THEMES, title="T", description="D", current_label="C"))
    second = parse(bar_chart(THEMES, title="T", description="D", current_label="C"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


@pytest.mark.parametrize("draw", [bar_chart, column_chart])
def test_no_data_says_so(draw):
    root = parse(draw([], title="Loans", description="D", current_label="2025"))
    assert_accessible(root, "Loans")
    assert bars_of(root) == []
    assert "No figures for this period" in texts(root)


@pytest.mark.parametrize("draw", [bar_chart, column_chart])
def test_all_zeros_and_hidden_values_draw_without_dividing_by_zero(draw):
    root = parse(
        draw(
            [Bar("A", 0, 0), Bar("B", None, None)],
            title="T",
            description="D",
            current_label="C",
            previous_label="P",
        )
    )
    assert len(bars_of(root)) == 2
    assert {float(r.get("height" if draw is column_chart else "width")) for r in bars_of(root)} == {
        0.0
    }


def test_huge_values_are_written_with_the_languages_thousands_separators():
    bars = [Bar("Network", 12_345_678), Bar("Site", 5)]
    root = parse(bar_chart(bars, title="T", description="D", current_label="C"))
    assert "12,345,678" in texts(root)
    with translation.override("nl"):
        root = parse(bar_chart(bars, title="T", description="D", current_label="C"))
    assert "12.345.678" in texts(root)
    # The largest bar stays inside the picture, with room for its value.
    bar = bars_of(root)[0]
    assert float(bar.get("x")) + float(bar.get("width")) < WIDTH - 50


def test_a_column_chart_has_one_column_per_month_with_the_previous_beside():
    months = [Bar(f"2025-{m:02}", m * 10, m * 8) for m in range(1, 13)]
    root = parse(
        column_chart(
            months,
            title="Contacts by month",
            description="Rising all year.",
            current_label="2025",
            previous_label="2024",
        )
    )
    assert_accessible(root, "Contacts by month")
    columns = bars_of(root)
    assert len(columns) == 12
    assert len(previous_of(root)) == 12
    xs = [float(c.get("x")) for c in columns]
    assert xs == sorted(xs)
    heights = [float(c.get("height")) for c in columns]
    assert heights == sorted(heights)
    assert heights[0] > 0
    # Each previous column stands just right of its month's column.
    for current, previous in zip(columns, previous_of(root), strict=True):
        assert float(current.get("x")) + float(current.get("width")) <= float(previous.get("x"))
    assert "2025-01" in texts(root)
    assert "120" in texts(root)


def test_many_months_keep_the_chart_inside_its_box():
    months = [Bar(f"Month {m}", m * 1000) for m in range(1, 61)]
    root = parse(column_chart(months, title="T", description="D", current_label="C"))
    assert len(bars_of(root)) == 60
    for rect in bars_of(root):
        assert float(rect.get("x")) >= 0
        assert float(rect.get("x")) + float(rect.get("width")) <= WIDTH


def test_each_column_and_bar_tells_its_value_on_hover():
    root = parse(
        bar_chart(
            [Bar("Smartphone", 1200, 900)],
            title="T",
            description="D",
            current_label="2025",
            previous_label="2024",
        )
    )
    row = root.find(f".//{SVG}g[@class='bar-row']")
    assert row.find(f"{SVG}title").text == "Smartphone: 1,200 (2024: 900)"


# --- The dot map -------------------------------------------------------------------------------


def outline_box() -> tuple[float, float, float, float]:
    points = [project(lat, lon) for lon, lat in BELGIUM]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def test_the_outline_of_belgium_is_a_coarse_polygon_inside_the_frame():
    assert 35 <= len(BELGIUM) <= 80
    left, top, right, bottom = outline_box()
    assert 0 <= left < right <= WIDTH
    assert 0 <= top < bottom <= MAP_HEIGHT


def test_dots_land_where_the_places_are():
    brussels, ostend, liege, arlon = (
        Dot(50.85, 4.35, "Brussels"),
        Dot(51.23, 2.92, "Ostend", "gap"),
        Dot(50.63, 5.57, "Liège", "closing"),
        Dot(49.68, 5.82, "Arlon", "locality-far"),
    )
    root = parse(
        dot_map(
            [brussels, ostend, liege, arlon],
            title="Gaps",
            description="Where help is missing.",
        )
    )
    assert_accessible(root, "Gaps")
    assert root.find(f"{SVG}polygon").get("class") == "map-outline"
    dots = {c.find(f"{SVG}title").text: c for c in root.iter(f"{SVG}circle") if "dot" in classes(c)}
    assert set(dots) == {"Brussels", "Ostend", "Liège", "Arlon"}
    where = {name: (float(c.get("cx")), float(c.get("cy"))) for name, c in dots.items()}
    left, top, right, bottom = outline_box()
    x, y = where["Brussels"]
    assert left < x < right
    assert top < y < bottom
    assert where["Ostend"][0] < where["Brussels"][0] < where["Liège"][0]  # west to east
    assert where["Arlon"][1] > where["Liège"][1] > where["Ostend"][1]  # north to south
    assert classes(dots["Ostend"]) == {"dot", "dot-gap"}
    assert classes(dots["Liège"]) == {"dot", "dot-closing"}
    # The legend names only the kinds on the map.
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert len(["".join(t.itertext()) for t in legend.iter(f"{SVG}text")]) == 4


def test_the_map_keeps_its_proportions():
    # The equirectangular projection shortens a degree of longitude by cos(50.6°) ≈ 0.635.
    x1, y1 = project(50.0, 4.0)
    x2, _ = project(50.0, 5.0)
    _, y2 = project(51.0, 4.0)
    assert (x2 - x1) / (y1 - y2) == pytest.approx(0.635, abs=0.002)


def test_dot_kinds_become_safe_classes_and_labels_are_escaped():
    root = parse(
        dot_map(
            [Dot(50.5, 4.5, "<script>x</script>", 'odd" onload="x'), Dot(10.0, 4.5, "Far away")],
            title="T",
            description="D",
        )
    )
    (dot,) = [c for c in root.iter(f"{SVG}circle") if "dot" in classes(c)]
    assert dot.find(f"{SVG}title").text == "<script>x</script>"
    assert classes(dot) == {"dot", "dot-oddonloadx"}
    assert "onload" not in dot.attrib


def test_an_empty_map_still_shows_belgium():
    root = parse(dot_map([], title="T", description="D"))
    assert root.find(f"{SVG}polygon") is not None
    assert "No places to show" in texts(root)


# --- A chart from a table ----------------------------------------------------------------------


def test_chart_for_draws_the_table_it_is_given():
    table = Table(
        key="themes",
        title="Questions by theme",
        columns=(Column("Theme", numeric=False), Column("2025"), Column("2024")),
        rows=(("Smartphone", 120, 100), ("E-mail", None, 7)),
        note="Cells under 5 are hidden.",
    )
    root = parse(chart_for(table, current_label="2025"))
    assert_accessible(root, "Questions by theme")
    assert len(bars_of(root)) == 2
    assert len(previous_of(root)) == 2
    assert "–" in texts(root)
    description = root.find(f"{SVG}desc").text
    assert "Smartphone" in description
    assert "Cells under 5 are hidden." in description
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert ["".join(t.itertext()) for t in legend.iter(f"{SVG}text")] == ["2025", "2024"]


def test_chart_for_columns_and_for_no_chart():
    months = Table(
        key="months",
        title="Contacts by month",
        columns=(Column("Month", numeric=False), Column("Contacts")),
        rows=tuple((f"2025-{m:02}", m) for m in range(1, 7)),
        chart="columns",
    )
    root = parse(chart_for(months, current_label="2025"))
    assert "chart-columns" in classes(root)
    assert len(bars_of(root)) == 6
    assert (
        chart_for(Table("t", "T", months.columns, months.rows, chart=""), current_label="C") == ""
    )


def test_ids_are_valid_and_referenced_once():
    svg = bar_chart(THEMES, title="T", description="D", current_label="C")
    ids = re.findall(r'\sid="([^"]+)"', svg)
    assert len(ids) == len(set(ids)) == 2
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", i) for i in ids)
