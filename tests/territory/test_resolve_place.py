"""Tests for the place resolver: what place a resident means by what they typed."""

from __future__ import annotations

import pytest
from django.utils import translation

from territory.selectors import Place, resolve_place, suggest_places

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


@pytest.mark.parametrize(
    ("text", "refnis"),
    [
        ("9000", "44021"),
        ("9000 Gent", "44021"),
        ("B-9000", "44021"),
        ("Gent 9000", "44021"),
        ("1080", "21012"),
        ("Molenbeek-Saint-Jean", "21012"),
        ("Sint-Jans-Molenbeek", "21012"),
        ("molenbeek saint jean", "21012"),
        ("MOLENBEEK-SAINT-JEAN", "21012"),
        ("Molenbeek-St-Jean", "21012"),
        ("Anvers", "11002"),
        ("Antwerpen", "11002"),
        ("Melle", "44088"),
        ("Borsbeek", "11002"),
        ("Mariakerke", "44021"),
        ("Bruxelles", "21004"),
        ("Brussel", "21004"),
        ("Schaerbeek", "21015"),
        ("Schaarbeek", "21015"),
        ("Sint-Niklaas", "46021"),
        ("St-Niklaas", "46021"),
        ("St. Niklaas", "46021"),
        ("  gent  ", "44021"),
    ],
)
def test_a_postal_code_or_a_name_in_the_network_is_found(text, refnis):
    resolution = resolve_place(text)
    assert resolution.status == "found"
    assert resolution.place is not None
    assert resolution.place.municipality_refnis == refnis
    assert resolution.place.in_network


def test_a_postal_code_is_labelled_with_the_code_and_its_place():
    place = resolve_place("9000").place
    assert place == Place(
        label="9000 Gent",
        municipality_refnis="44021",
        municipality_name_nl="Gent",
        municipality_name_fr="Gand",
        latitude=place.latitude,
        longitude=place.longitude,
        in_network=True,
        postal_code="9000",
        name="Gent",
    )


def test_a_postal_code_of_a_part_of_a_municipality_keeps_the_part_in_its_label():
    assert resolve_place("9030").place.label == "9030 Mariakerke"


def test_a_postal_code_label_follows_the_active_language():
    assert resolve_place("1080").place.label == "1080 Sint-Jans-Molenbeek"
    with translation.override("fr"):
        assert resolve_place("1080").place.label == "1080 Molenbeek-Saint-Jean"


def test_a_postal_code_shared_by_two_municipalities_goes_to_the_one_it_names():
    assert resolve_place("1040").place.municipality_refnis == "21005"  # Etterbeek, not Brussel
    assert resolve_place("1050").place.municipality_refnis == "21009"  # Elsene


def test_a_postal_code_without_coordinates_of_its_own_uses_its_municipality():
    place = resolve_place("1804").place
    assert place.latitude
    assert place.longitude


def test_a_former_municipality_is_labelled_with_the_municipality_it_belongs_to_now():
    place = resolve_place("Melle").place
    assert place.label == "Melle (Merelbeke-Melle)"
    assert place.postal_code == "9090"
    assert resolve_place("Borsbeek").place.label == "Borsbeek (Antwerpen)"


def test_a_locality_is_labelled_with_its_municipality_in_the_active_language():
    assert resolve_place("Mariakerke").place.label == "Mariakerke (Gent)"
    with translation.override("fr"):
        place = resolve_place("Mariakerke").place
        assert place.label == "Mariakerke (Gand)"
        assert place.municipality_name == "Gand"
    assert place.municipality_name == "Gent"


def test_a_municipality_name_is_labelled_as_it_was_typed():
    assert resolve_place("anvers").place.label == "Anvers"
    assert resolve_place("st-niklaas").place.label == "Sint-Niklaas"


def test_a_municipality_name_wins_over_a_locality_of_another_municipality():
    # Halle is a city, and also a part of Zoersel.
    assert resolve_place("Halle").place.municipality_refnis == "23027"


def test_a_district_of_antwerp_wins_over_a_village_of_the_same_name_which_is_offered():
    resolution = resolve_place("Deurne")
    assert resolution.status == "found"
    assert (resolution.place.label, resolution.place.postal_code) == ("Deurne (Antwerpen)", "2100")
    assert [place.choice_label for place in resolution.alternatives] == ["Deurne, 3290 Diest"]
    assert resolve_place("Berchem").place.label == "Berchem (Antwerpen)"


@pytest.mark.parametrize(
    ("text", "refnis"),
    [("Liège", "62063"), ("Luik", "62063"), ("Namur", "92094"), ("4000", "62063")],
)
def test_a_place_outside_flanders_and_brussels_is_outside_the_network(text, refnis):
    resolution = resolve_place(text)
    assert resolution.status == "outside_network"
    assert resolution.place.municipality_refnis == refnis
    assert not resolution.place.in_network


@pytest.mark.parametrize(("text", "suggestion"), [("Gnet", "Gent"), ("Antwerpn", "Antwerpen")])
def test_a_misspelt_name_is_not_found_with_the_right_name_among_the_suggestions(text, suggestion):
    resolution = resolve_place(text)
    assert resolution.status == "not_found"
    assert resolution.place is None
    assert suggestion in resolution.suggestions
    assert len(resolution.suggestions) <= 5


def test_suggestions_are_in_the_active_language():
    with translation.override("fr"):
        assert suggest_places("Gnet") == ("Gand",)
        assert suggest_places("Antwerpn") == ("Anvers",)


def test_suggestions_find_places_by_a_whole_word_of_their_name():
    assert suggest_places("Woluwe")[:2] == ("Sint-Lambrechts-Woluwe", "Sint-Pieters-Woluwe")
    assert {"Heist-op-den-Berg", "Knokke-Heist", "Heist-aan-Zee"} <= set(suggest_places("Heist"))


def test_suggestions_are_limited_and_never_repeat_a_place():
    suggestions = suggest_places("sint", limit=3)
    assert len(suggestions) == len(set(suggestions)) <= 3
    assert suggest_places("sint niklas").count("Sint-Niklaas") == 1


def test_nothing_like_a_place_gives_no_suggestions():
    assert suggest_places("xyz") == ()
    assert suggest_places("") == ()


def test_an_unknown_postal_code_is_not_found_without_suggestions():
    resolution = resolve_place("9999")
    assert (resolution.status, resolution.suggestions) == ("not_found", ())


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_nothing_typed_is_empty(text):
    assert resolve_place(text).status == "empty"


@pytest.mark.parametrize("text", ["x" * 101, "Gent " * 400, "' -- ;", "!!!"])
def test_too_long_or_meaningless_input_is_invalid(text):
    resolution = resolve_place(text)
    assert resolution.status == "invalid"
    assert len(resolution.query) <= 100


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "' OR 1=1 --", "%", "_", "\x00"])
def test_hostile_input_is_simply_not_found_or_invalid(text):
    assert resolve_place(text).status in {"not_found", "invalid"}


def test_the_query_is_the_cleaned_input():
    assert resolve_place("  Gent \n").query == "Gent"


def test_resolving_a_postal_code_takes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert resolve_place("9000").status == "found"


def test_resolving_a_name_takes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert resolve_place("Molenbeek-Saint-Jean").status == "found"
