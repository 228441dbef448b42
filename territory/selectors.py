"""Reads from the territory: what place a resident means by what they typed.

The common path (a postal code or a known name) is one database query. Suggestions for a
misspelt name are matched in memory against every place-name key, loaded once per process.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.db.models import F, FilteredRelation, Q
from django.utils.translation import get_language
from rapidfuzz import fuzz, process

from territory.models import NETWORK_REGIONS, Municipality, PlaceName, PostalCode
from territory.normalise import normalise

MAX_QUERY_LENGTH = 100
SUGGESTION_LIMIT = 5
# fuzz.ratio (0-100) of the normalised texts. 75 lets one typo or swapped pair through in a short
# name ("gnet" -> "gent") without offering unrelated places. (fuzz.WRatio was tried: its partial
# matching scores 90 for any short name inside the query, e.g. "mol" for "molenbeek".)
SUGGESTION_SCORE_CUTOFF = 75
# Whole words instead of a typo: "Woluwe" for the three Woluwes, "Heist" for Knokke-Heist and
# Heist-op-den-Berg, or a name with noise around it ("Schaarbeek Brussel").
PART_OF_NAME_SCORE = 90
NAME_IN_QUERY_SCORE = 85
# Fewer letters than this match too much to be worth suggesting as whole words.
MIN_WORD_MATCH_LETTERS = 3

FOUND = "found"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"
OUTSIDE_NETWORK = "outside_network"
EMPTY = "empty"
INVALID = "invalid"

# Belgian postal codes have four digits; "9000 Gent", "B-9000" and "Gent 9000" all contain one.
_POSTAL_CODE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# "B-9000": the country letter before a postal code is no part of a place's name.
_COUNTRY_PREFIX = re.compile(r"\bb (?=\d{4}(?!\d))")
# What follows a name to say where it is: "Haren, 3700 Tongeren-Borgloon", "Landegem (Deinze)",
# as the finder's own choices and headings write it.
_QUALIFIER = re.compile(r"[,(]")
# When a name is both, the official municipality name is the likelier meaning ("Halle" is a town,
# and also a part of Zoersel), then a 2025 former municipality, then a district of Antwerp
# ("Deurne"), then a village. The first three are "towns": a town is searched at once and its
# namesakes offered beside it; namesakes that are all villages are a choice.
_KIND_RANK: dict[str, int] = {
    PlaceName.Kind.MUNICIPALITY: 0,
    PlaceName.Kind.FORMER_MUNICIPALITY: 1,
    PlaceName.Kind.DISTRICT: 2,
    PlaceName.Kind.LOCALITY: 3,
}
_TOWN_RANK = _KIND_RANK[PlaceName.Kind.DISTRICT]


def _prefers_french() -> bool:
    return (get_language() or "nl").startswith("fr")


@dataclass(frozen=True)
class Place:
    """A point to search from, and the municipality it lies in."""

    label: str
    municipality_refnis: str
    municipality_name_nl: str
    municipality_name_fr: str
    latitude: float
    longitude: float
    in_network: bool
    postal_code: str = ""
    # The place's own name as typed or found ("Landegem"), without its municipality.
    name: str = ""

    @property
    def municipality_name(self) -> str:
        """The municipality's name in the active language (French for fr, else Dutch)."""
        return self.municipality_name_fr if _prefers_french() else self.municipality_name_nl

    @property
    def is_municipality(self) -> bool:
        """Whether the place's name is its municipality's ("Aalst", not the village of Aalst)."""
        key = normalise(self.name)
        return key in (normalise(self.municipality_name_nl), normalise(self.municipality_name_fr))

    @property
    def choice_label(self) -> str:
        """How to tell it from its namesakes: "Aalst, 3800 Sint-Truiden", "9300 Aalst"."""
        where = f"{self.postal_code} {self.municipality_name}".strip()
        return where if self.is_municipality else f"{self.name}, {where}"

    @property
    def choice_query(self) -> str:
        """What to search for to get exactly this place: "3800 Aalst" (a postal code decides)."""
        return f"{self.postal_code} {self.name}".strip()


@dataclass(frozen=True)
class PlaceResolution:
    """The outcome of resolving what someone typed; `status` says which fields are set."""

    query: str
    status: str
    place: Place | None = None
    alternatives: tuple[Place, ...] = ()
    suggestions: tuple[str, ...] = ()


def resolve_place(text: str) -> PlaceResolution:
    """What place `text` means: a postal code ("9000", "B-9000", "9000 Gent") or a name.

    Statuses: "empty" (nothing typed), "invalid" (too long, or no letters or digits), "found",
    "outside_network" (a real place outside Flanders and Brussels, with `place`), "ambiguous"
    (a name only villages bear, in several places: `alternatives` to choose from, in postal-code
    order) and "not_found" (with `suggestions` for a misspelt name). A found name that other
    places bear too ("Aalst": the city, and a village of Sint-Truiden) has those in
    `alternatives`. A postal code typed with the name ("9850 Landegem") decides between
    namesakes; a name that the code does not know leaves the code alone to decide. Never raises
    on user input.
    """
    # Format characters (a right-to-left override, zero-width spaces) are never part of a place
    # and would turn the page's heading around.
    visible = "".join(char for char in text or "" if unicodedata.category(char) != "Cf")
    query = " ".join(visible.split())
    if not query:
        return PlaceResolution(query="", status=EMPTY)
    if len(query) > MAX_QUERY_LENGTH:
        return PlaceResolution(query=query[:MAX_QUERY_LENGTH], status=INVALID)
    typed = _Typed.read(query)
    if typed is None:
        return PlaceResolution(query=query, status=INVALID)
    if typed.code:
        return _resolve_postal_code(query, typed)
    return _resolve_name(query, typed)


@dataclass(frozen=True)
class _Typed:
    """What was typed, taken apart: the first postal code, and the name (normalised)."""

    code: str
    # The name without postal codes ("9850 Landegem" -> "landegem"), then, if it differs, the
    # part before a comma or parenthesis ("Haren, Brussel" -> "haren").
    keys: tuple[str, ...]
    # The words after that comma or parenthesis ("brussel"), which may name the municipality.
    qualifier: str

    @classmethod
    def read(cls, query: str) -> _Typed | None:
        key = normalise(query)
        if not key:
            return None
        codes = _POSTAL_CODE.findall(key)
        head, *rest = _QUALIFIER.split(query, maxsplit=1)
        keys = (_name_key(key), _name_key(normalise(head)))
        return cls(
            code=codes[0] if codes else "",
            keys=tuple(dict.fromkeys(name for name in keys if name)),
            qualifier=_name_key(normalise(rest[0])) if rest else "",
        )


def _name_key(key: str) -> str:
    """A normalised text without its postal codes and the country letter before them."""
    return " ".join(_POSTAL_CODE.sub(" ", _COUNTRY_PREFIX.sub("", key)).split())


def suggest_places(text: str, limit: int = SUGGESTION_LIMIT) -> tuple[str, ...]:
    """Up to `limit` names of known places that look like `text`, closest first.

    Labels are ready to show and to search for: a municipality in the active language, else the
    name of the locality or former municipality.
    """
    key = normalise((text or "")[:MAX_QUERY_LENGTH])
    if not key or limit <= 0:
        return ()
    index = _suggestion_index()
    scores = {**_word_matches(key, index), **_typo_matches(key, index.keys, limit)}
    # Equal scores: the larger place first ("Gent" before "Genk" for "gen").
    ranked = sorted(scores, key=lambda found: (-scores[found], -index.entries[found].population))
    labels: dict[str, str] = {}
    for found in ranked:
        label = index.entries[found].label()
        labels.setdefault(normalise(label), label)
        if len(labels) == limit:
            break
    return tuple(labels.values())


def _typo_matches(key: str, keys: list[str], limit: int) -> dict[str, float]:
    matches = process.extract(
        key,
        keys,
        scorer=fuzz.ratio,
        score_cutoff=SUGGESTION_SCORE_CUTOFF,
        limit=limit * 4,  # some keys share a label (abbreviations, both languages)
    )
    return {found: score for found, score, _index in matches}


def _word_matches(key: str, index: _SuggestionIndex) -> dict[str, float]:
    if len(key.replace(" ", "")) < MIN_WORD_MATCH_LETTERS:
        return {}
    words = frozenset(key.split())
    scores: dict[str, float] = {}
    for found, found_words in index.words.items():
        if words < found_words:
            scores[found] = PART_OF_NAME_SCORE
        elif found_words < words:
            scores[found] = NAME_IN_QUERY_SCORE
    return scores


def clear_place_caches() -> None:
    """Forget the in-memory place names, e.g. after the territory was (re)loaded."""
    _suggestion_index.cache_clear()


# --- Postal codes --------------------------------------------------------------------------------


def _resolve_postal_code(query: str, typed: _Typed) -> PlaceResolution:
    """A postal code, and the place of the typed name at that code if there is one.

    One query: the code's rows (one per municipality) come joined to the place names of that name
    at that code in their municipality, so "9850 Landegem" is the village and "9030 Gent", whose
    name is not at that code, is the code (9030 Mariakerke).
    """
    code = typed.code
    codes = (
        PostalCode.objects.filter(code=code)
        .select_related("municipality")
        .order_by("municipality_id")
    )
    named_here: list[PlaceName] = []
    if not typed.keys:
        rows = list(codes)
    else:
        # A LEFT JOIN: a code row without such a name comes once, with the names empty.
        annotated = list(
            codes.annotate(
                named=FilteredRelation(
                    "municipality__place_names",
                    condition=Q(
                        municipality__place_names__key__in=typed.keys,
                        municipality__place_names__postal_code=code,
                    ),
                ),
                named_key=F("named__key"),
                named_label=F("named__label"),
                named_kind=F("named__kind"),
                named_latitude=F("named__latitude"),
                named_longitude=F("named__longitude"),
            )
        )
        rows = list(annotated)
        named = [row for row in annotated if row.named_key]
        # The whole name before its part ("Haren, 3700 Tongeren-Borgloon" -> "haren").
        whole = [row for row in named if row.named_key == typed.keys[0]]
        named_here = [
            PlaceName(
                key=row.named_key,
                label=row.named_label,
                kind=row.named_kind,
                municipality=row.municipality,
                postal_code=code,
                latitude=row.named_latitude,
                longitude=row.named_longitude,
            )
            for row in whole or named
        ]
    if not rows:
        return PlaceResolution(query=query, status=NOT_FOUND)
    if named_here:
        return _decide(query, named_here)
    # A code of two municipalities (1040 Etterbeek and Brussel): the one the typed name names,
    # else the one its locality names.
    row = next(
        (row for row in rows if any(_names_municipality(k, row.municipality) for k in typed.keys)),
        None,
    ) or next((row for row in rows if _names_municipality(row.locality, row.municipality)), rows[0])
    # A row without a point of its own (Brussel's part of 1040) is measured from the code's
    # localities, else from its municipality (1804, a code of businesses).
    located = next((other for other in [row, *rows] if other.latitude is not None), None)
    municipality = row.municipality
    name = _postal_code_locality(row)
    place = _place(
        label=f"{code} {name}",
        name=name,
        municipality=municipality,
        latitude=located.latitude if located else municipality.latitude,
        longitude=located.longitude if located else municipality.longitude,
        postal_code=code,
    )
    return _found(query, place)


def _postal_code_locality(row: PostalCode) -> str:
    # "1080 Sint-Jans-Molenbeek" in Dutch, not the locality's French spelling; but a part of a
    # municipality keeps its own name ("9030 Mariakerke", "1020 Laeken" in French). A code of
    # several villages (9850) is known by its municipality's name.
    if not row.locality or _names_municipality(row.locality, row.municipality):
        return row.municipality.name
    return row.locality_name


# --- Names ---------------------------------------------------------------------------------------


def _resolve_name(query: str, typed: _Typed) -> PlaceResolution:
    rows = list(PlaceName.objects.filter(key__in=typed.keys).select_related("municipality"))
    whole = [row for row in rows if row.key == typed.keys[0]]
    if whole:
        return _decide(query, whole)
    # "Landegem (Deinze)", "Haren, Brussel": the name before the comma, in the municipality
    # after it where that narrows it down.
    named = [row for row in rows if _names_municipality(typed.qualifier, row.municipality)]
    if named or rows:
        return _decide(query, named or rows)
    return PlaceResolution(query=query, status=NOT_FOUND, suggestions=suggest_places(typed.keys[0]))


def _decide(query: str, rows: list[PlaceName]) -> PlaceResolution:
    """One name, several rows: search the town it names, or let the resident choose a village.

    A town (municipality, former municipality, district) is searched at once and its namesakes
    come as `alternatives`; when only villages bear the name, a single one is found and several
    are a choice, never a guess.
    """
    places = _distinct_places(rows)
    inside = [row for row in places if row.municipality.in_network]
    if len(places) == 1 or _KIND_RANK[places[0].kind] <= _TOWN_RANK or not inside:
        chosen, *others = places
        if not chosen.municipality.in_network:
            # "Is in Wallonia" needs no choice; only namesakes in the network are worth a link.
            others = [row for row in others if row.municipality.in_network]
        return _found(
            query, _place_of_name(chosen), alternatives=tuple(map(_place_of_name, others))
        )
    return PlaceResolution(
        query=query, status=AMBIGUOUS, alternatives=tuple(map(_place_of_name, places))
    )


def _distinct_places(rows: list[PlaceName]) -> list[PlaceName]:
    """One row per place, towns first (largest first), then villages in postal-code order.

    A town stands for every row of its municipality (Antwerpen's postal codes, the village of
    Halle in Halle); villages are told apart by municipality and postal code.
    """

    def order(row: PlaceName) -> tuple[int, int, str, str]:
        rank = _KIND_RANK[row.kind]
        size = -row.municipality.population if rank <= _TOWN_RANK else 0
        return (rank, size, row.postal_code, row.municipality.name_nl)

    towns: set[str] = set()
    seen: set[tuple[str, str]] = set()
    places: list[PlaceName] = []
    for row in sorted(rows, key=order):
        if row.municipality_id in towns:
            continue
        if _KIND_RANK[row.kind] <= _TOWN_RANK:
            towns.add(row.municipality_id)
        elif (row.municipality_id, row.postal_code) in seen:
            continue
        seen.add((row.municipality_id, row.postal_code))
        places.append(row)
    return places


def _place_of_name(row: PlaceName) -> Place:
    municipality = row.municipality
    label = row.label
    if not _names_municipality(row.label, municipality):
        # Say which municipality a locality or former municipality belongs to now.
        label = f"{row.label} ({municipality.name})"
    return _place(
        label=label,
        municipality=municipality,
        latitude=row.latitude,
        longitude=row.longitude,
        postal_code=row.postal_code,
        name=row.label,
    )


# --- Shared --------------------------------------------------------------------------------------


def _names_municipality(name: str, municipality: Municipality) -> bool:
    key = normalise(name)
    return bool(key) and key in (normalise(municipality.name_nl), normalise(municipality.name_fr))


def _place(
    *,
    label: str,
    municipality: Municipality,
    latitude: float | None,
    longitude: float | None,
    postal_code: str,
    name: str = "",
) -> Place:
    return Place(
        label=label,
        municipality_refnis=municipality.refnis,
        municipality_name_nl=municipality.name_nl,
        municipality_name_fr=municipality.name_fr,
        latitude=latitude if latitude is not None else 0.0,
        longitude=longitude if longitude is not None else 0.0,
        in_network=municipality.region_id in NETWORK_REGIONS,
        postal_code=postal_code,
        name=name or municipality.name,
    )


def _found(query: str, place: Place, alternatives: tuple[Place, ...] = ()) -> PlaceResolution:
    return PlaceResolution(
        query=query,
        status=FOUND if place.in_network else OUTSIDE_NETWORK,
        place=place,
        alternatives=alternatives,
    )


# --- Suggestion index ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _SuggestionEntry:
    """The most meaningful place name behind a key, and how to show it."""

    rank: int
    name: str
    municipality_name_nl: str
    municipality_name_fr: str
    population: int

    def label(self) -> str:
        if self.rank == _KIND_RANK[PlaceName.Kind.MUNICIPALITY]:
            return self.municipality_name_fr if _prefers_french() else self.municipality_name_nl
        return self.name


@dataclass(frozen=True)
class _SuggestionIndex:
    keys: list[str]
    entries: dict[str, _SuggestionEntry]
    words: dict[str, frozenset[str]]


@cache
def _suggestion_index() -> _SuggestionIndex:
    """Every place-name key, and for each the place to suggest for it (one query, per process)."""
    rows = PlaceName.objects.values_list(
        "key",
        "kind",
        "label",
        "municipality__name_nl",
        "municipality__name_fr",
        "municipality__population",
    ).order_by("key", "postal_code")
    entries: dict[str, _SuggestionEntry] = {}
    for key, kind, label, name_nl, name_fr, population in rows:
        entry = _SuggestionEntry(_KIND_RANK[kind], label, name_nl, name_fr, population)
        known = entries.get(key)
        # Per key: the best kind, then the most populous municipality.
        if known is None or (entry.rank, -entry.population) < (known.rank, -known.population):
            entries[key] = entry
    return _SuggestionIndex(
        keys=list(entries),
        entries=entries,
        words={key: frozenset(key.split()) for key in entries},
    )
