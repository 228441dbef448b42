"""Reads for the registration form: the themes in the order a site uses them, the helper's own
recent entries (the ones they may still correct) and the channel they used last.

Every query starts from a site the caller may see and, for entries, from the acting user, so an
entry of someone else is simply not there.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from network.models import Site, Theme
from questions.models import Channel, Concern, Contact, Question
from questions.services import CORRECTION_WINDOW

# The form puts the themes a site used most in this many days first.
POPULAR_DAYS = 90


def themes_by_use(site: Site, *, now: datetime | None = None) -> list[Theme]:
    """Every theme of the taxonomy, the ones `site` used most in the last 90 days first, the rest
    in taxonomy order. Two queries: the themes, and the site's questions of the period counted
    per theme (one grouped pass over the `(site, day, theme)` index).

    (A correlated subquery per theme was one query but read the busy site's questions once per
    theme: 120-190 ms with a million contacts, see docs/performance.md.)
    """
    since = timezone.localdate(now) - timedelta(days=POPULAR_DAYS)
    counts = dict(
        Question.objects.filter(site=site, day__gte=since)
        .order_by()
        .values_list("theme")
        .annotate(n=Count("*"))
    )
    # sorted() is stable: equal counts keep the taxonomy order.
    return sorted(themes_in_order(), key=lambda theme: -counts.get(theme.pk, 0))


def themes_in_order() -> list[Theme]:
    """Every theme in taxonomy order: all a form needs to check a choice (one query)."""
    return list(Theme.objects.order_by("position", "code"))


def concerns_offered() -> list[Concern]:
    """The organisations and apps the form offers, in the list's order."""
    return list(Concern.objects.filter(is_active=True))


def correctable_contacts(
    user: User, site: Site, *, now: datetime | None = None
) -> QuerySet[Contact]:
    """The contacts `user` entered at `site` that they may still correct or delete (24 hours)."""
    now = now or timezone.now()
    return Contact.objects.filter(
        site=site, created_by=user, created_at__gte=now - CORRECTION_WINDOW
    ).prefetch_related(
        Prefetch("questions", queryset=Question.objects.select_related("theme", "concern"))
    )


def recent_entries(user: User, site: Site, *, now: datetime | None = None) -> list[Contact]:
    """`user`'s own entries at `site` of the last 24 hours, newest first, with their questions
    (two queries). Each carries `group_size`: how many contacts of its group are left (1 for a
    contact entered alone), so the page can say "one of a group of 5"."""
    contacts = list(correctable_contacts(user, site, now=now).order_by("-created_at", "-pk"))
    # A group is entered at once by one person at one site, so all of it is in this list.
    sizes = Counter(contact.batch for contact in contacts if contact.batch is not None)
    for contact in contacts:
        # A display attribute for the template, which Contact does not declare.
        contact.group_size = sizes[contact.batch] if contact.batch is not None else 1  # type: ignore[attr-defined]
    return contacts


def group_size(contact: Contact) -> int:
    """How many contacts are left of the group `contact` was entered with (1 when alone)."""
    if contact.batch is None:
        return 1
    return Contact.objects.filter(batch=contact.batch, site_id=contact.site_id).count()


def registration_ids(first: Contact) -> list[int]:
    """The ids of the contacts registered together with `first` (its group, or itself)."""
    if first.batch is None:
        return [first.pk]
    group = Contact.objects.filter(batch=first.batch, site_id=first.site_id).order_by("pk")
    return list(group.values_list("pk", flat=True))


def default_channel(user: User, site: Site) -> str:
    """The channel `user` chose last at `site` (a helper at a phone line keeps choosing
    "phone"), or walk-in for their first entry there."""
    last = (
        Contact.objects.filter(site=site, created_by=user)
        .order_by("-created_at", "-pk")
        .values_list("channel", flat=True)
        .first()
    )
    return last or Channel.WALK_IN
