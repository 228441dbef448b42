"""Courses for the demo network, so that `make run` shows the course finder, course pages and
rosters at work. Every course is marked "(demo)" and belongs to a demo organisation."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from learning.models import Course, Meeting, Session
from network.models import Site

BRUSSELS = ZoneInfo("Europe/Brussels")

# (title, summary, competences, language)
DEMO_COURSES = (
    (
        "itsme gebruiken (demo)",
        "Je installeert itsme op je smartphone en meldt je ermee aan bij de overheid.",
        ",2.6,4.2,",
        "nl",
    ),
    (
        "Veilig online bankieren (demo)",
        "Je betaalt en bekijkt je rekening in de app van je bank, en je herkent valse berichten.",
        ",4.2,4.1,",
        "nl",
    ),
    (
        "Videobellen met je kleinkinderen (demo)",
        "Je belt met beeld en geluid met familie, op een tablet of smartphone.",
        ",2.1,",
        "nl",
    ),
    (
        "Utiliser itsme (démo)",
        "Vous installez itsme sur votre smartphone et vous vous connectez aux services publics.",
        ",2.6,4.2,",
        "fr",
    ),
)


def demo_courses_load() -> int:
    """Give every demo organisation with a demo site that offers courses the demo courses, and
    each such site two dates of one of them (in one and two weeks, 14:00 to 16:00, 12 places);
    returns how many sessions. Real organisations and sites are never touched."""
    sites = list(
        Site.objects.filter(is_demo=True, offers_learning=True, course_sessions__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    by_org: dict[int, list[Course]] = {}
    for site in sites:
        if site.organisation_id in by_org:
            continue
        by_org[site.organisation_id] = [
            Course(
                organisation_id=site.organisation_id,
                slug=f"demo-{site.organisation_id}-{n}",
                title=title,
                summary=summary,
                competences=codes,
                language=language,
                is_demo=True,
            )
            for n, (title, summary, codes, language) in enumerate(DEMO_COURSES, start=1)
        ]
    Course.objects.bulk_create([c for courses in by_org.values() for c in courses], batch_size=500)
    today = timezone.localdate()
    sessions: list[Session] = []
    for n, site in enumerate(sites):
        offered = by_org[site.organisation_id]
        item = offered[n % len(offered)]
        if site.municipality_id.startswith("21") and n % 2:  # Brussels: the French one too
            item = offered[-1]
        for week in (1, 2):
            day = today + timedelta(weeks=week)
            starts = datetime.combine(day, time(14, 0), tzinfo=BRUSSELS)
            sessions.append(
                Session(
                    course=item,
                    site=site,
                    capacity=12,
                    registration_closes_at=starts,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    trainer_name="Demo",
                )
            )
    created = Session.objects.bulk_create(sessions, batch_size=500)
    Meeting.objects.bulk_create(
        [Meeting(session=s, starts_at=s.starts_at, ends_at=s.ends_at) for s in created],
        batch_size=500,
    )
    return len(created)


# (slug, theme code, {language: (title, summary, steps)}): demo cards, marked as demo.
DEMO_CARDS = (
    (
        "demo-itsme",
        "eid-itsme",
        {
            "nl": (
                "Aanmelden met itsme (demo)",
                "Zo meld je je aan bij een overheidsdienst met de itsme-app.",
                "Kies op de website: aanmelden met itsme.\nTyp je gsm-nummer.\n"
                "Open de itsme-app op je gsm.\nKijk of de naam van de website klopt.\n"
                "Bevestig met je itsme-code.",
            ),
            "fr": (
                "Se connecter avec itsme (démo)",
                "Comment vous connecter à un service public avec l’app itsme.",
                "Sur le site, choisissez : se connecter avec itsme.\nTapez votre numéro de GSM.\n"
                "Ouvrez l’app itsme sur votre GSM.\nVérifiez le nom du site.\n"
                "Confirmez avec votre code itsme.",
            ),
            "en": (
                "Signing in with itsme (demo)",
                "How to sign in to a public service with the itsme app.",
                "On the website, choose: sign in with itsme.\nType your mobile number.\n"
                "Open the itsme app on your phone.\nCheck the name of the website.\n"
                "Confirm with your itsme code.",
            ),
        },
    ),
    (
        "demo-phishing",
        "safety",
        {
            "nl": (
                "Valse berichten herkennen (demo)",
                "Zo herken je een bericht dat je geld of gegevens wil stelen.",
                "Vraagt het bericht om snel te klikken of te betalen? Wees op je hoede.\n"
                "Kijk naar de afzender: klopt het adres?\nKlik niet op de link.\n"
                "Twijfel je? Bel de organisatie zelf, met het nummer op hun website.\n"
                "Stuur het bericht door naar suspicious@safeonweb.be.",
            ),
            "fr": (
                "Reconnaître les faux messages (démo)",
                "Comment reconnaître un message qui veut voler votre argent ou vos données.",
                "Le message vous presse de cliquer ou de payer ? Méfiez-vous.\n"
                "Regardez l’expéditeur : l’adresse est-elle correcte ?\n"
                "Ne cliquez pas sur le lien.\n"
                "Un doute ? Appelez vous-même l’organisation, au numéro de son site.\n"
                "Transférez le message à suspicious@safeonweb.be.",
            ),
            "en": (
                "Spotting fake messages (demo)",
                "How to recognise a message that wants to steal your money or data.",
                "Does the message rush you to click or pay? Be careful.\n"
                "Look at the sender: is the address right?\nDo not click the link.\n"
                "In doubt? Call the organisation yourself, on the number on its website.\n"
                "Forward the message to suspicious@safeonweb.be.",
            ),
        },
    ),
    (
        "demo-ebox",
        "ebox",
        {
            "nl": (
                "Je eBox openen (demo)",
                "Zo lees je de brieven van de overheid in je eBox.",
                "Ga naar myebox.be.\nMeld je aan met itsme of je eID.\n"
                "Klik op een bericht om het te openen.\nBewaar belangrijke brieven als pdf.",
            ),
            "en": (
                "Opening your eBox (demo)",
                "How to read the government's letters in your eBox.",
                "Go to myebox.be.\nSign in with itsme or your eID.\n"
                "Click a message to open it.\nSave important letters as a PDF.",
            ),
        },
    ),
)


def demo_cards_load() -> int:
    """The demo help cards, owned by the first demo organisation; returns how many. Loaded
    again, they are replaced."""
    from learning.models import HelpCard, HelpCardVersion
    from network.models import Organisation, Theme

    HelpCard.objects.filter(is_demo=True).delete()
    owner = Organisation.objects.filter(is_demo=True).order_by("pk").first()
    if owner is None:
        return 0
    themes = {theme.code: theme for theme in Theme.objects.all()}
    now = timezone.now()
    made = 0
    for slug, theme_code, texts in DEMO_CARDS:
        card = HelpCard.objects.create(
            organisation=owner, slug=slug, theme=themes.get(theme_code), is_demo=True
        )
        HelpCardVersion.objects.bulk_create(
            HelpCardVersion(
                card=card,
                language=language,
                version=1,
                title=title,
                summary=summary,
                steps=steps,
                checked_on=now.date(),
                created_at=now,
            )
            for language, (title, summary, steps) in texts.items()
        )
        made += 1
    return made
