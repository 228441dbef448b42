"""Demo contacts at the demo sites, so that the figures and the evidence's dashboards show
something: a year and a half of visits, busier at some sites than others, at demo sites only.

Written in bulk (no model signals): the caller rebuilds the evidence's rollups afterwards
(`load_demo_network` does).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from network.models import Site, Theme
from questions.models import AgeBand, Channel, Contact, Duration, Outcome, Question, Situation

MONTHS = 18


def _raw_delete(queryset) -> None:  # type: ignore[no-untyped-def]
    queryset._raw_delete(connection.alias)


def demo_contacts_load(*, seed: int = 2026, per_site_month: int = 2) -> int:
    """Replace the contacts of the demo sites with `per_site_month` a month on average over the
    last eighteen months (busy sites up to four times as many). Returns how many were made."""
    rng = random.Random(seed)
    sites = list(Site.objects.filter(is_demo=True).values_list("id", flat=True).order_by("id"))
    themes = list(Theme.objects.values_list("id", flat=True))
    if not sites or not themes:
        return 0
    channels = [
        (Channel.WALK_IN, 60),
        (Channel.APPOINTMENT, 20),
        (Channel.PHONE, 15),
        (Channel.HOME_VISIT, 5),
    ]
    ages = ["", *AgeBand.values]
    situations = ["", *Situation.values]
    outcomes = [
        (Outcome.SOLVED, 65),
        (Outcome.PARTLY, 20),
        (Outcome.FOLLOW_UP, 10),
    ]
    today = timezone.localdate()
    days = MONTHS * 30
    with transaction.atomic():
        _raw_delete(Question.objects.filter(site__is_demo=True))
        _raw_delete(Contact.objects.filter(site__is_demo=True))
        contacts: list[Contact] = []
        for site_id in sites:
            busy = rng.choice((1, 1, 1, 2, 4))
            for _n in range(rng.randint(0, 2 * per_site_month * MONTHS * busy)):
                day = today - timedelta(days=rng.randint(1, days))
                at = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), 0)))
                contacts.append(
                    Contact(
                        site_id=site_id,
                        occurred_at=at,
                        day=day,
                        channel=rng.choices(*zip(*channels, strict=True))[0],
                        duration=rng.choice(Duration.values),
                        age_band=rng.choice(ages),
                        situation=rng.choice(situations),
                        first_visit=rng.random() < 0.4,
                    )
                )
        created = Contact.objects.bulk_create(contacts, batch_size=2000)
        Question.objects.bulk_create(
            [
                Question(
                    contact=contact,
                    site_id=contact.site_id,
                    day=contact.day,
                    theme_id=rng.choice(themes),
                    outcome=rng.choices(*zip(*outcomes, strict=True))[0],
                )
                for contact in created
                for _q in range(rng.choice((1, 1, 1, 2)))
            ],
            batch_size=2000,
        )
    return len(created)
