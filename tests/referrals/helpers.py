"""Helpers for the referral tests: URLs on the English pages, form data, referrals made directly."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from network.models import Organisation, Site
from referrals.models import Referral
from referrals.services import referral_create
from tests.cast import Cast


def form_data(**changes: Any) -> dict[str, Any]:
    """What the referral form posts for a resident with a phone number and consent."""
    data: dict[str, Any] = {
        "name": "Marie Peeters",
        "phone": "0470 12 34 56",
        "email": "",
        "question": "Help with itsme on a new phone",
        "theme": "",
        "language": "nl",
        "consent": "on",
    }
    data.update(changes)
    return data


def refer(cast: Cast, site: Site | None = None, **changes: Any) -> Referral:
    """A referral from the cast's referrer (Stad Gent) through the service."""
    values: dict[str, Any] = {
        "actor": cast.referrer,
        "organisation": cast.gent,
        "site": site or cast.gent_a,
        "name": "Marie Peeters",
        "phone": "0470 12 34 56",
        "email": "",
        "question": "Help with itsme",
        "theme": None,
        "language": "nl",
        "consent": True,
    }
    values.update(changes)
    return referral_create(**values)


def stored_referral(
    site: Site, organisation: Organisation, referrer: User | None = None, **fields: Any
) -> Referral:
    """A referral written straight to the database (for another organisation, or old dates)."""
    n = Referral.objects.count() + 1
    values: dict[str, Any] = {
        "reference": f"T-{n:06d}",
        "site": site,
        "organisation": organisation,
        "referrer": referrer,
        "name": "Jan Janssens",
        "phone": "+32470123456",
        "email": "jan@example.org",
        "question": "A question",
        "consent_at": timezone.now(),
    }
    values.update(fields)
    return Referral.objects.create(**values)


# --- rows of tests/test_role_url_matrix.py -------------------------------------------------------


def matrix_sent(cast: Cast, other_org: bool = False) -> dict[str, object]:
    """A referral Stad Gent sent (or, with `other_org`, one Bibliotheek Aalst sent)."""
    if other_org:
        referral = stored_referral(cast.gent_a, cast.aalst_org)
    else:
        referral = stored_referral(cast.aalst, cast.gent, cast.referrer)
    return {"referral_id": referral.pk}


def matrix_inbox(cast: Cast, other_org: bool = False) -> dict[str, object]:
    """A referral in the inbox of gent_a (or, with `other_org`, of the Aalst site)."""
    site = cast.aalst if other_org else cast.gent_a
    referral = stored_referral(site, cast.gent, cast.referrer)
    return {"site_id": site.pk, "referral_id": referral.pk}
