"""Tests for the import of Statbel's yearly population file, and the territory commands."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from territory.models import Municipality
from territory.population import PopulationImportError, territory_import_population

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

HEADER = "CD_REFNIS|TX_DESCR_NL|TX_DESCR_FR|CD_SEX|CD_AGE|MS_POPULATION"
# Several rows per municipality, as in the real file (one per sex, age, nationality, ...), and a
# pre-2025 code (11007 Borsbeek) that counts for the municipality it is part of now (Antwerpen).
GOOD_ROWS = [
    "44021|Gent|Gand|M|30|150000",
    "44021|Gent|Gand|F|30|120000",
    "11002|Antwerpen|Anvers|M|40|300000",
    "11002|Antwerpen|Anvers|F|40|250000",
    "11007|Borsbeek|Borsbeek|F|40|11000",
    "21004|Brussel|Bruxelles|F|20|190000",
]


def statbel_file(directory: Path, rows: list[str], name: str = "TF_SOC_POP_STRUCT_2024.txt"):
    """A file in Statbel's format: UTF-8 with a BOM, pipe-delimited, CRLF line ends."""
    path = directory / name
    path.write_text("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8")
    return path


def populations() -> dict[str, tuple[int, date | None]]:
    rows = Municipality.objects.values_list("refnis", "population", "population_date")
    return {refnis: (population, population_date) for refnis, population, population_date in rows}


def test_the_import_adds_up_the_rows_of_each_municipality(tmp_path):
    report = territory_import_population(statbel_file(tmp_path, GOOD_ROWS))
    assert Municipality.objects.get(refnis="44021").population == 270_000
    assert Municipality.objects.get(refnis="21004").population == 190_000
    assert report["rows"] == 6
    assert report["municipalities"] == 3
    assert report["population"] == 1_021_000
    assert len(report["missing"]) == 562


def test_a_pre_2025_code_counts_for_the_merged_municipality(tmp_path):
    territory_import_population(statbel_file(tmp_path, GOOD_ROWS))
    assert Municipality.objects.get(refnis="11002").population == 561_000


def test_the_population_date_is_the_first_of_january_of_the_year_in_the_file_name(tmp_path):
    report = territory_import_population(statbel_file(tmp_path, GOOD_ROWS))
    assert report["year"] == 2024
    assert Municipality.objects.get(refnis="44021").population_date == date(2024, 1, 1)


def test_a_year_given_explicitly_wins_over_the_file_name(tmp_path):
    path = statbel_file(tmp_path, GOOD_ROWS, name="population.txt")
    territory_import_population(path, year=2025)
    assert Municipality.objects.get(refnis="44021").population_date == date(2025, 1, 1)


def test_a_file_without_a_year_in_its_name_needs_one(tmp_path):
    path = statbel_file(tmp_path, GOOD_ROWS, name="population.txt")
    with pytest.raises(PopulationImportError, match="year"):
        territory_import_population(path)


def test_municipalities_not_in_the_file_are_left_as_they_were(tmp_path):
    territory_import_population(statbel_file(tmp_path, GOOD_ROWS))
    leuven = Municipality.objects.get(refnis="24062")
    assert leuven.population_date == date(2020, 1, 1)


def test_a_bad_file_changes_nothing_and_names_every_bad_row(tmp_path):
    before = populations()
    rows = [
        *GOOD_ROWS[:2],  # rows 2 and 3
        "99999|Nergens|Nulle part|M|30|10",  # row 4
        "44021|Gent|Gand|F|31|veel",  # row 5
        "44021|Gent|Gand|F|32|-3",  # row 6
        "44021|Gent|Gand|F",  # row 7
        *GOOD_ROWS[2:],
    ]
    with pytest.raises(PopulationImportError) as raised:
        territory_import_population(statbel_file(tmp_path, rows))
    assert raised.value.errors == [
        "row 4: unknown REFNIS code '99999'",
        "row 5: population 'veel' is not a whole number",
        "row 6: population '-3' is not a whole number",
        "row 7: 4 fields, expected 6",
    ]
    assert populations() == before


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    path = tmp_path / "TF_SOC_POP_STRUCT_2024.txt"
    path.write_text("\ufeffCD_REFNIS|POPULATION\n44021|1\n", encoding="utf-8")
    with pytest.raises(PopulationImportError) as raised:
        territory_import_population(path)
    assert raised.value.errors == ["row 1: missing column(s) MS_POPULATION"]


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "TF_SOC_POP_STRUCT_2024.txt"
    path.write_bytes((HEADER + "\n44021|Gent|Gand|M|30|1\n").encode("utf-16"))
    with pytest.raises(PopulationImportError, match="UTF-8"):
        territory_import_population(path)


def test_the_import_command_reports_what_it_imported(tmp_path):
    out = StringIO()
    call_command("import_population", str(statbel_file(tmp_path, GOOD_ROWS)), stdout=out)
    report = out.getvalue()
    assert "Population on 01/01/2024" in report
    assert "municipalities updated: 3" in report
    assert "total population: 1021000" in report


def test_the_import_command_takes_the_year_as_an_option(tmp_path):
    path = statbel_file(tmp_path, GOOD_ROWS, name="population.txt")
    call_command("import_population", str(path), "--year", "2023", stdout=StringIO())
    assert Municipality.objects.get(refnis="44021").population_date == date(2023, 1, 1)


def test_the_import_command_fails_with_the_row_by_row_errors(tmp_path):
    before = populations()
    path = statbel_file(tmp_path, [*GOOD_ROWS, "12345|Nergens|Nulle part|M|30|10"])
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_population", str(path), stdout=StringIO(), stderr=err)
    assert "row 8: unknown REFNIS code '12345'" in err.getvalue()
    assert populations() == before


def test_the_import_command_fails_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_population", str(tmp_path / "nothing.txt"))


def test_the_load_command_prints_the_counts():
    out = StringIO()
    call_command("load_territory", stdout=out)
    assert "municipalities: 565" in out.getvalue()
    assert "regions: 3" in out.getvalue()
    assert Municipality.objects.count() == 565
