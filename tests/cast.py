"""The fixed cast of staff users for the staff-side tests.

Two organisations: "Stad Gent" (sites gent_a and gent_b) and "Bibliotheek Aalst" (site
aalst). People: a volunteer and a coordinator at gent_a, an organisation admin and a referrer
of Stad Gent, a network analyst, a platform admin, someone with no membership, and a
coordinator of the other organisation. Every password is PASSWORD; every device's TOTP secret
is TOTP_SECRET. Needs the `territory` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import unescape
from typing import Any

import pyotp
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Role, TOTPDevice, User
from accounts.sessions import TWO_FACTOR_VERIFIED, start_session
from network.models import Organisation, Site
from tests import factories

PASSWORD = "a long and quiet passphrase 42"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass
class Cast:
    gent: Organisation
    aalst_org: Organisation
    gent_a: Site
    gent_b: Site
    aalst: Site
    volunteer: User
    coordinator: User
    org_admin: User
    referrer: User
    analyst: User
    platform_admin: User
    outsider: User
    other_coordinator: User

    def by_role(self) -> dict[str, User]:
        return {
            "volunteer": self.volunteer,
            "coordinator": self.coordinator,
            "org_admin": self.org_admin,
            "referrer": self.referrer,
            "analyst": self.analyst,
            "platform_admin": self.platform_admin,
            "outsider": self.outsider,
            "other_coordinator": self.other_coordinator,
        }


def user(email: str, name: str, *, two_factor: bool = True, **fields: object) -> User:
    person = User.objects.create_user(email=email, password=PASSWORD, full_name=name, **fields)
    if two_factor:
        TOTPDevice.objects.create(user=person, secret=TOTP_SECRET, confirmed_at=timezone.now())
    return person


def make_cast() -> Cast:
    gent = factories.organisation(name="Stad Gent", kind=Organisation.Kind.MUNICIPALITY)
    aalst_org = factories.organisation(name="Bibliotheek Aalst", kind=Organisation.Kind.LIBRARY)
    gent_a = factories.site(name="Digipunt Gent A", organisation=gent)
    gent_b = factories.site(name="Digipunt Gent B", organisation=gent)
    aalst = factories.site(
        name="Digipunt Aalst",
        organisation=aalst_org,
        municipality="41002",
        postal_code="9300",
        latitude=50.9378,
        longitude=4.0403,
    )
    cast = Cast(
        gent=gent,
        aalst_org=aalst_org,
        gent_a=gent_a,
        gent_b=gent_b,
        aalst=aalst,
        volunteer=user("volunteer@example.org", "Vera Vrijwilliger"),
        coordinator=user("coordinator@example.org", "Koen Coördinator"),
        org_admin=user("admin@example.org", "Anna Admin"),
        referrer=user("referrer@example.org", "Rita Doorverwijzer"),
        analyst=user("analyst@example.org", "Ali Analist", two_factor=False),
        platform_admin=user(
            "platform@example.org", "Pieter Platform", is_staff=True, is_superuser=True
        ),
        outsider=user("outsider@example.org", "Olga Buitenstaander"),
        other_coordinator=user("other@example.org", "Omar Andere"),
    )
    Membership.objects.create(user=cast.volunteer, site=gent_a, role=Role.VOLUNTEER)
    Membership.objects.create(user=cast.coordinator, site=gent_a, role=Role.COORDINATOR)
    Membership.objects.create(user=cast.org_admin, organisation=gent, role=Role.ORG_ADMIN)
    Membership.objects.create(user=cast.referrer, organisation=gent, role=Role.REFERRER)
    Membership.objects.create(user=cast.analyst, role=Role.ANALYST)
    Membership.objects.create(user=cast.platform_admin, role=Role.PLATFORM_ADMIN)
    Membership.objects.create(user=cast.other_coordinator, site=aalst, role=Role.COORDINATOR)
    return cast


def current_code(secret: str = TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def sign_in(client: Client, person: User) -> Client:
    """A signed-in session past the second factor, for tests that are not about signing in."""
    client.force_login(person)
    session = client.session
    session[TWO_FACTOR_VERIFIED] = True
    session.save()
    # start_session needs a request-like object with a session; reuse the client's.
    holder = type("Holder", (), {"session": session})()
    start_session(holder)  # type: ignore[arg-type]
    session.save()
    return client


def signed_in(person: User, *, csrf: bool = False) -> Client:
    """A new client signed in as `person` (CSRF checks enforced when asked)."""
    return sign_in(Client(enforce_csrf_checks=csrf), person)


def url(name: str, lang: str = "en", **kwargs: Any) -> str:
    """A URL by its name, on the pages of `lang` (English, the source language, by default)."""
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


def text(response) -> str:
    """A response's HTML with its entities decoded, as a person reads it."""
    return unescape(response.content.decode())


def is_signed_in(client: Client) -> bool:
    """Whether the client's session belongs to a signed-in person."""
    return "_auth_user_id" in client.session
