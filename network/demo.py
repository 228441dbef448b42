"""A deterministic demo network: about 900 Digipunten over Flanders and Brussels.

Sites are spread over the 285 Flemish and 19 Brussels municipalities in proportion to their
population (every municipality gets at least one), with the kinds of opening hours real
Digipunten keep (fortnightly and monthly ones too), services, themes and languages. Everything is
flagged `is_demo` and says so on every page. The same seed and date always give the same network.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from core import public_cache
from network.hours_document import closure, extra_opening, period
from network.models import Organisation, Partnership, Site, Theme
from network.themes import themes_ensure
from network.week_mask import weekly_slots
from territory.models import BRUSSELS_REGION, Municipality, PostalCode

BRANDS = ("Digipunt", "Digipunt", "Digipunt", "Digicafé", "Digibank", "Digiplek", "Digiplein")
HOSTS_NL = (
    ("Bibliotheek", Organisation.Kind.LIBRARY),
    ("Sociaal Huis", Organisation.Kind.OCMW),
    ("Lokaal Dienstencentrum", Organisation.Kind.OCMW),
    ("Gemeentehuis", Organisation.Kind.MUNICIPALITY),
    ("Buurthuis", Organisation.Kind.NGO),
    ("CVO", Organisation.Kind.SCHOOL),
)
HOSTS_FR = (
    ("Bibliothèque", Organisation.Kind.LIBRARY),
    ("CPAS", Organisation.Kind.OCMW),
    ("Maison de quartier", Organisation.Kind.NGO),
    ("Espace public numérique", Organisation.Kind.MUNICIPALITY),
)
STREETS = (
    "Kerkstraat",
    "Stationsstraat",
    "Dorpsstraat",
    "Marktplein",
    "Schoolstraat",
    "Molenstraat",
)
STREETS_BXL = ("Rue de la Loi", "Chaussée de Gand", "Rue Haute", "Place communale", "Avenue Louise")
EXTRA_LANGUAGES = ("en", "fr", "ar", "tr", "uk", "es", "pl", "ro", "ru", "prs", "ti", "de")


def _allocate(populations: dict[str, int], total: int) -> dict[str, int]:
    """Share `total` sites over municipalities by population, at least one each.

    Largest-remainder rounding, so the shares add up to exactly `total`.
    """
    if total < len(populations):  # too few for one each: the most populous get one
        chosen = set(sorted(populations, key=lambda c: (-populations[c], c))[: max(total, 0)])
        return {code: int(code in chosen) for code in populations}
    base = dict.fromkeys(populations, 1)
    left = total - len(base)
    people = sum(populations.values()) or 1
    quotas = {code: left * pop / people for code, pop in populations.items()}
    for code, quota in quotas.items():
        base[code] += int(quota)
    remainder = total - sum(base.values())
    by_fraction = sorted(quotas, key=lambda c: (quotas[c] - int(quotas[c]), c), reverse=True)
    for code in by_fraction[:remainder]:
        base[code] += 1
    return base


def _hours(rng: random.Random, today: date) -> dict[str, Any]:
    """Opening hours in the shapes real Digipunten use."""
    style = rng.random()
    periods: list[dict[str, Any]] = []
    if style < 0.35:  # a few half days a week
        for weekday in sorted(rng.sample(range(5), rng.randint(2, 4))):
            if rng.random() < 0.5:
                periods.append(period(weekday, "09:00", "12:00"))
            else:
                periods.append(period(weekday, "13:30", "16:30"))
    elif style < 0.60:  # library hours, with a lunch break
        for weekday in range(1, 5):
            periods.append(period(weekday, "10:00", "12:30"))
            periods.append(period(weekday, "13:30", "18:00"))
        periods.append(period(5, "10:00", "13:00"))
    elif style < 0.82:  # fortnightly, as many small Digipunten open
        anchor = today - timedelta(days=today.weekday()) + timedelta(weeks=rng.randint(0, 1))
        weekday = rng.randint(0, 4)
        periods.append(period(weekday, "14:00", "16:00", recurrence="biweekly", anchor=anchor))
        if rng.random() < 0.4:
            periods.append(period((weekday + 2) % 5, "09:30", "11:30"))
    elif style < 0.92:  # once a month
        periods.append(
            period(
                rng.randint(0, 4),
                "13:30",
                "16:00",
                recurrence="monthly",
                nth=rng.choice((1, 3, -1)),
            )
        )
        periods.append(period(rng.randint(0, 4), "09:00", "12:00"))
    else:  # every weekday
        for weekday in range(5):
            periods.append(period(weekday, "09:00", "12:00"))
            periods.append(period(weekday, "13:00", "16:00"))
    exceptions: list[dict[str, Any]] = []
    christmas = date(today.year, 12, 24)
    if rng.random() < 0.5:
        exceptions.append(closure(christmas, christmas + timedelta(days=8), "Kerstvakantie"))
    if rng.random() < 0.3:
        summer = date(today.year + (1 if today.month > 8 else 0), 7, 15)
        exceptions.append(closure(summer, summer + timedelta(days=31), "Zomersluiting"))
    if rng.random() < 0.1:
        exceptions.append(
            extra_opening(
                today + timedelta(days=rng.randint(1, 20)), "10:00", "12:00", "Aangepaste uren"
            )
        )
    return {"periods": periods, "exceptions": exceptions}


def _phone(rng: random.Random) -> str:
    digits = [rng.randint(2, 9), rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)]
    return "0{} {} {} {}".format(*digits)


def _site_fields(
    rng: random.Random, muni: Municipality, codes: list[PostalCode], n: int, today: date
) -> dict[str, Any]:
    brussels = muni.region_id == BRUSSELS_REGION
    place = rng.choice(codes)
    host, _kind = rng.choice(HOSTS_FR if brussels and rng.random() < 0.6 else HOSTS_NL)
    brand = rng.choice(BRANDS)
    locality = place.locality or muni.name_nl
    languages = ["nl", "fr"] if brussels else ["nl"]
    for code in EXTRA_LANGUAGES:
        chance = 0.35 if code == "en" else 0.06 if brussels or muni.population > 80000 else 0.02
        if rng.random() < chance and code not in languages:
            languages.append(code)
    offers_access = rng.random() < 0.55
    walk_in = rng.random() < 0.7
    kind = rng.choices(("fixed", "mobile", "home"), weights=(90, 6, 4))[0]
    return {
        "name": f"{brand} {host} {locality}",
        "slug": slugify(f"{brand} {host} {locality}")[:100] + f"-{n}",
        "brand": brand,
        "kind": kind,
        "street": f"{rng.choice(STREETS_BXL if brussels else STREETS)} {rng.randint(1, 180)}",
        "postal_code": place.code,
        "locality": locality,
        "municipality": muni,
        "latitude": round(
            (place.latitude or muni.latitude or 50.85) + rng.uniform(-0.012, 0.012), 6
        ),
        "longitude": round(
            (place.longitude or muni.longitude or 4.35) + rng.uniform(-0.018, 0.018), 6
        ),
        "offers_help": rng.random() < 0.95,
        "offers_access": offers_access,
        "offers_lending": rng.random() < 0.25,
        "offers_learning": rng.random() < 0.4,
        "has_wifi": offers_access and rng.random() < 0.9,
        "has_computers": offers_access and rng.random() < 0.8,
        "has_printing": offers_access and rng.random() < 0.6,
        "languages": "," + ",".join(languages) + ",",
        "step_free": rng.random() < 0.7,
        "accessible_toilet": rng.random() < 0.45,
        "hearing_loop": rng.random() < 0.1,
        "accessible_parking": rng.random() < 0.4,
        "walk_in": walk_in,
        "by_appointment": (not walk_in) or rng.random() < 0.4,
        "phone": _phone(rng),
        "email": f"digipunt{n}@demo.digipunt.invalid",
        "opening_hours": _hours(rng, today),
        "last_verified": today - timedelta(days=rng.randint(0, 420)),
        "is_demo": True,
    }


@transaction.atomic
def demo_network_load(
    *,
    sites: int = 900,
    seed: int = 2026,
    today: date | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Replace the demo network (and only it) with a fresh deterministic one."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    themes_ensure(Theme)
    theme_ids = list(Theme.objects.order_by("position").values_list("pk", flat=True))
    # What was done with the demo (visits registered, appointments booked, visitor cards, ...)
    # is demo data too: it goes with the demo network, or `make run` could not load it again.
    _delete_with_what_protects_it(Site.objects.filter(is_demo=True))
    Partnership.objects.filter(is_demo=True).delete()
    _delete_with_what_protects_it(Organisation.objects.filter(is_demo=True))

    if sites <= 0:  # "--sites 0": remove the demo network and add nothing
        log("Demo network removed.")
        return {"sites": 0, "organisations": 0, "partnerships": 0}
    municipalities = list(Municipality.objects.in_network().order_by("refnis"))
    if not municipalities:
        raise RuntimeError("Load the territory first: manage.py load_territory")
    codes_by_muni: dict[str, list[PostalCode]] = {}
    for code in PostalCode.objects.filter(latitude__isnull=False).order_by("code"):
        codes_by_muni.setdefault(code.municipality_id, []).append(code)
    counts = _allocate({m.refnis: m.population for m in municipalities}, sites)

    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=(
                f"Commune de {m.name_fr}"
                if m.region_id == BRUSSELS_REGION
                else f"Gemeente {m.name_nl}"
            ),
            kind=Organisation.Kind.MUNICIPALITY,
            municipality=m,
            is_demo=True,
        )
        for m in municipalities
    )
    org_by_muni = {org.municipality_id: org for org in organisations}

    new_sites: list[Site] = []
    n = 0
    for muni in municipalities:
        codes = codes_by_muni.get(muni.refnis)
        if not codes:
            continue
        for _ in range(counts[muni.refnis]):
            n += 1
            new_sites.append(
                Site(
                    organisation=org_by_muni[muni.refnis],
                    **_site_fields(rng, muni, codes, n, today),
                )
            )
    for site in new_sites:  # bulk_create skips Site.save, which derives the mask
        site.open_slots = weekly_slots(site.opening_hours)
    created = Site.objects.bulk_create(new_sites, batch_size=500)
    through = Site.themes.through
    links = []
    for site in created:
        chosen = {theme_ids[0]} | set(rng.sample(theme_ids, rng.randint(4, len(theme_ids) - 1)))
        links.extend(through(site_id=site.pk, theme_id=theme_id) for theme_id in sorted(chosen))
    through.objects.bulk_create(links, batch_size=2000)
    public_cache.bump()  # bulk_create sends no signals: the public pages are told here

    partnerships = _partnerships(municipalities, org_by_muni)
    log(
        f"Demo network: {len(created)} sites, {len(organisations)} organisations, "
        f"{partnerships} partnerships."
    )
    return {
        "sites": len(created),
        "organisations": len(organisations),
        "partnerships": partnerships,
    }


def _delete_with_what_protects_it(queryset: QuerySet[Any]) -> None:
    """Delete `queryset`, first deleting the rows whose PROTECT foreign keys hold it back (and,
    in turn, what holds those back)."""
    for _round in range(10):
        try:
            queryset.delete()
            return
        except ProtectedError as error:
            by_model: dict[type[Model], list[Any]] = {}
            for blocking in error.protected_objects:
                by_model.setdefault(type(blocking), []).append(blocking.pk)
            for model, pks in by_model.items():
                _delete_with_what_protects_it(model._default_manager.filter(pk__in=pks))
    queryset.delete()  # still protected after ten rounds: let the error say by what


def _partnerships(municipalities: list[Municipality], org_by_muni: dict[str, Organisation]) -> int:
    """Group neighbouring municipalities (by REFNIS order within a province) into Digibanken."""
    groups: dict[str, list[Municipality]] = {}
    for muni in municipalities:
        groups.setdefault(muni.province_id or muni.region_id, []).append(muni)
    made = 0
    for members in groups.values():
        for start in range(0, len(members), 6):
            chunk = members[start : start + 6]
            made += 1
            partnership = Partnership.objects.create(
                name=f"Digibank {chunk[0].name_nl}", kind=Partnership.Kind.DIGIBANK, is_demo=True
            )
            partnership.municipalities.set(chunk)
            partnership.organisations.set([org_by_muni[m.refnis] for m in chunk])
    return made
