"""The organisations and apps residents' questions are about (itsme, eBox, a bank's app, ...).

An editable list (platform admins change it in the admin); this is the starting set that a
migration seeds. Codes are stable identifiers (exports and the API use them); names may change.
"""

from __future__ import annotations

# code, Dutch, French, English
CONCERNS: tuple[tuple[str, str, str, str], ...] = (
    ("itsme", "itsme", "itsme", "itsme"),
    ("eid", "eID-kaart en kaartlezer", "Carte eID et lecteur", "eID card and card reader"),
    ("burgerprofiel", "Mijn Burgerprofiel", "Mon Profil citoyen", "My Citizen Profile"),
    ("ebox", "eBox", "eBox", "eBox"),
    ("myminfin", "MyMinfin / Tax-on-web", "MyMinfin / Tax-on-web", "MyMinfin / Tax-on-web"),
    ("bank-app", "App van een bank", "App d'une banque", "A bank's app"),
    (
        "health-insurer",
        "Ziekenfonds of Mijn Gezondheid",
        "Mutuelle ou Ma Santé",
        "Health insurer or My Health",
    ),
    ("vdab", "VDAB", "VDAB", "VDAB"),
    ("actiris", "Actiris", "Actiris", "Actiris"),
    (
        "school-platform",
        "Schoolplatform (Smartschool, ...)",
        "Plateforme scolaire",
        "School platform",
    ),
    ("webshop", "Webwinkel", "Boutique en ligne", "Webshop"),
    ("nmbs-delijn", "NMBS, De Lijn of MIVB", "SNCB, De Lijn ou STIB", "Rail and public transport"),
    ("bpost", "bpost", "bpost", "bpost"),
    ("energy", "Energieleverancier", "Fournisseur d'énergie", "Energy supplier"),
    ("telecom", "Telecomoperator", "Opérateur télécom", "Telecom operator"),
    ("messaging", "WhatsApp en berichtenapps", "WhatsApp et messageries", "WhatsApp and messaging"),
    ("social-media", "Sociale media", "Réseaux sociaux", "Social media"),
    (
        "email-provider",
        "E-maildienst (Gmail, Outlook)",
        "Messagerie (Gmail, Outlook)",
        "Email service",
    ),
    ("municipality", "Gemeente of OCMW", "Commune ou CPAS", "Municipality or social services"),
    ("other", "Iets anders", "Autre chose", "Something else"),
)


def concerns_ensure(concern_model: type) -> int:
    """Create the missing concerns (never renames or removes existing ones); returns the count."""
    existing = set(concern_model.objects.values_list("code", flat=True))
    new = [
        concern_model(code=code, name_nl=nl, name_fr=fr, name_en=en, position=position)
        for position, (code, nl, fr, en) in enumerate(CONCERNS, start=1)
        if code not in existing
    ]
    concern_model.objects.bulk_create(new)
    return len(new)
