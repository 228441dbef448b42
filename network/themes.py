"""The shared theme taxonomy: what residents' digital questions are about.

Sites say which themes they help with; the questions work files every question under one. Codes
are stable identifiers (used in URLs, exports and the API); names can be improved freely.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

# code, Dutch, French, English
THEMES: tuple[tuple[str, str, str, str], ...] = (
    ("eid-itsme", "eID en itsme", "eID et itsme", "eID and itsme"),
    (
        "ebox",
        "Mijn Burgerprofiel en eBox",
        "Mon Profil citoyen et eBox",
        "My Citizen Profile and eBox",
    ),
    (
        "taxes",
        "Belastingen (MyMinfin, Tax-on-web)",
        "Impôts (MyMinfin, Tax-on-web)",
        "Taxes (MyMinfin, Tax-on-web)",
    ),
    ("banking", "Bankieren en betalen", "Banque et paiements", "Banking and payments"),
    (
        "safety",
        "Online veiligheid en phishing",
        "Sécurité en ligne et hameçonnage",
        "Online safety and phishing",
    ),
    ("health", "Gezondheid en ziekenfonds", "Santé et mutuelle", "Health and health insurance"),
    ("work", "Werk en solliciteren (VDAB)", "Emploi et candidatures", "Work and job search"),
    ("school", "Schoolplatformen", "Plateformes scolaires", "School platforms"),
    (
        "contact",
        "Contact met familie en berichten",
        "Contact avec la famille et messagerie",
        "Staying in touch and messaging",
    ),
    (
        "basics",
        "Smartphone, tablet en computer: de basis",
        "Smartphone, tablette et ordinateur : les bases",
        "Smartphone, tablet and computer basics",
    ),
    ("email", "E-mail", "E-mail", "Email"),
    ("shopping", "Online winkelen", "Achats en ligne", "Online shopping"),
    ("mobility", "Tickets en mobiliteit", "Billets et mobilité", "Tickets and travel"),
    (
        "government",
        "Andere overheidsdiensten",
        "Autres services publics",
        "Other government services",
    ),
    (
        "ai",
        "Artificiële intelligentie (AI)",
        "Intelligence artificielle (IA)",
        "Artificial intelligence (AI)",
    ),
)


def themes_ensure(theme_model: type) -> int:
    """Create the missing themes (never renames or removes existing ones). Returns how many new."""
    existing = set(theme_model.objects.values_list("code", flat=True))
    new = [
        theme_model(code=code, name_nl=nl, name_fr=fr, name_en=en, position=position)
        for position, (code, nl, fr, en) in enumerate(THEMES, start=1)
        if code not in existing
    ]
    theme_model.objects.bulk_create(new)
    return len(new)


THEME_CACHE_KEY = "network:themes:v2"
THEME_CACHE_SECONDS = 300


def themes_cached() -> list[Any]:
    """Every theme in the taxonomy's order, cached briefly per process: the taxonomy changes
    rarely (only a migration adds to it), and the finder needs it on every results page, for
    the filter menu and for the names of each result's themes."""
    from network.models import Theme

    themes = cache.get(THEME_CACHE_KEY)
    if themes is None:
        themes = list(Theme.objects.order_by("position", "code"))
        cache.set(THEME_CACHE_KEY, themes, THEME_CACHE_SECONDS)
    return themes


def themes_forget() -> None:
    """A theme changed: the next `themes_cached` reads the taxonomy again."""
    cache.delete(THEME_CACHE_KEY)
