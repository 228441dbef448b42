"""Every staff URL × every role: allowed or denied, decided by the table below.

The URL list comes from the URL configuration itself, so a new staff URL without a row here
makes `test_every_staff_url_has_a_row_in_the_matrix` fail. Denied means 404 when the object is
outside the person's scope (its existence is not revealed) and 403 when they can see it but their
role does not allow the action. Objects of another organisation answer 404.

The cast is built once for the module (see `module_cast`); every case still runs in its own
transaction, rolled back after it, on top of that.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Membership
from tests.cast import Cast, make_cast, sign_in

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def module_cast(territory, django_db_setup, django_db_blocker) -> Iterator[Cast]:
    """The cast, built once for this module's ~500 cases inside a transaction that is rolled back
    when the module is done (what Django's `TestCase.setUpTestData` does for a class).

    pytest-django's `db` fixture, set up after this one, wraps each case in a savepoint of this
    transaction and rolls it back after the case, so what one case writes never reaches the next.
    """
    block = transaction.atomic()
    with django_db_blocker.unblock():
        block.__enter__()
    try:
        # Hashed as for every other test (the function-scoped `_fast_password_hashing`).
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            cast = make_cast()
        yield cast
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def cast(module_cast, db) -> Cast:
    """This module's cast, as a fresh copy for each case: a case that changes one of its objects
    in memory (signing in sets `last_login`) leaves the next case's copy as it was built."""
    return copy.deepcopy(module_cast)


ROLES = (
    "anonymous",
    "volunteer",
    "coordinator",
    "org_admin",
    "referrer",
    "analyst",
    "platform_admin",
    "outsider",
    "other_coordinator",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
SITE_VIEWERS = frozenset({"volunteer", "coordinator", "org_admin", "platform_admin"})
SITE_EDITORS = frozenset({"coordinator", "org_admin", "platform_admin"})
ORG_ADMINS = frozenset({"org_admin", "platform_admin"})


@dataclass(frozen=True)
class Row:
    """How to call one URL, who may, and how a denial looks."""

    kwargs: Callable[[Cast], dict[str, object]] = lambda cast: {}
    other_org: Callable[[Cast], dict[str, object]] | None = None  # the same URL, another org
    allowed: frozenset[str] = SIGNED_IN
    method: str = "get"
    query: str = ""
    ok: frozenset[int] = frozenset({200})
    # 403 for these roles (they see the object, their role lacks the action); 404 for the rest.
    forbidden: frozenset[str] = field(default_factory=frozenset)
    public: bool = False  # reachable without signing in (sign-in, reset, invitation pages)


def gent_a(cast: Cast) -> dict[str, object]:
    return {"site_id": cast.gent_a.pk}


def aalst(cast: Cast) -> dict[str, object]:
    return {"site_id": cast.aalst.pk}


def gent(cast: Cast) -> dict[str, object]:
    return {"organisation_id": cast.gent.pk}


def aalst_org(cast: Cast) -> dict[str, object]:
    return {"organisation_id": cast.aalst_org.pk}


def gent_member(cast: Cast) -> dict[str, object]:
    membership = Membership.objects.get(user=cast.volunteer)
    return {"organisation_id": cast.gent.pk, "membership_id": membership.pk}


def aalst_member(cast: Cast) -> dict[str, object]:
    membership = Membership.objects.get(user=cast.other_coordinator)
    return {"organisation_id": cast.aalst_org.pk, "membership_id": membership.pk}


def _learning():  # type: ignore[no-untyped-def]
    return __import__("tests.learning.helpers", fromlist=["_"])


def _lending():  # type: ignore[no-untyped-def]
    return __import__("tests.lending.helpers", fromlist=["_"])


def _funding():  # type: ignore[no-untyped-def]
    return __import__("tests.funding.helpers", fromlist=["_"])


MATRIX: dict[str, Row] = {
    # Signing in and out, resetting a password, accepting an invitation: public pages.
    "accounts:login": Row(public=True),
    "accounts:two-factor-verify": Row(public=True, ok=frozenset({200, 302})),
    "accounts:recovery-verify": Row(public=True, ok=frozenset({200, 302})),
    "accounts:password-reset": Row(public=True),
    "accounts:password-reset-done": Row(public=True),
    "accounts:password-reset-confirm": Row(
        kwargs=lambda cast: {"uidb64": "MQ", "token": "set-password"}, public=True
    ),
    "accounts:password-reset-complete": Row(public=True),
    "accounts:invitation": Row(
        kwargs=lambda cast: {"token": "no-such-token"}, public=True, ok=frozenset({404})
    ),
    # Any signed-in person, about themselves.
    "accounts:two-factor-setup": Row(ok=frozenset({200, 302})),
    # Someone without an authenticator app (the analyst) is sent to set one up first.
    "accounts:recovery-codes": Row(ok=frozenset({200, 302})),
    "accounts:logout": Row(public=True, ok=frozenset({200, 302})),
    "accounts:logout-everywhere": Row(method="post", ok=frozenset({302})),
    "workspace:home": Row(ok=frozenset({200, 302})),
    "workspace:switch": Row(query="?site=0", ok=frozenset({302})),
    # One site.
    "workspace:today": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "network:site-edit": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    "network:site-hours": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    "network:site-verify": Row(
        kwargs=gent_a,
        other_org=aalst,
        allowed=SITE_EDITORS,
        method="post",
        ok=frozenset({302}),
        forbidden=frozenset({"volunteer"}),
    ),
    # One organisation.
    "network:organisation-sites": Row(kwargs=gent, other_org=aalst_org, allowed=ORG_ADMINS),
    "network:site-create": Row(kwargs=gent, other_org=aalst_org, allowed=ORG_ADMINS),
    "accounts:team": Row(kwargs=gent, other_org=aalst_org, allowed=ORG_ADMINS),
    "accounts:team-invite": Row(kwargs=gent, other_org=aalst_org, allowed=ORG_ADMINS),
    "accounts:team-member": Row(kwargs=gent_member, other_org=aalst_member, allowed=ORG_ADMINS),
    "audit:organisation-audit": Row(kwargs=gent, other_org=aalst_org, allowed=ORG_ADMINS),
    # --- contacts and visitor codes ---
    "questions:contact-new": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    # Only the person who entered a contact opens it (for 24 hours); for anyone else it is a 404.
    "questions:contact-edit": Row(
        kwargs=lambda cast: __import__(
            "tests.questions.registration", fromlist=["_"]
        ).matrix_contact(cast),
        other_org=lambda cast: __import__(
            "tests.questions.registration", fromlist=["_"]
        ).matrix_contact(cast, other_org=True),
        allowed=frozenset({"volunteer"}),
    ),
    "questions:contact-delete": Row(
        kwargs=lambda cast: __import__(
            "tests.questions.registration", fromlist=["_"]
        ).matrix_contact(cast),
        other_org=lambda cast: __import__(
            "tests.questions.registration", fromlist=["_"]
        ).matrix_contact(cast, other_org=True),
        allowed=frozenset({"volunteer"}),
    ),
    "questions:visitor-codes": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    # --- appointments ---
    "appointments:agenda": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "appointments:book": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "appointments:settings": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    # "cancel" without confirming answers the confirmation page; nothing changes.
    "appointments:action": Row(
        kwargs=lambda cast: __import__(
            "tests.appointments.helpers", fromlist=["_"]
        ).matrix_appointment(cast),
        other_org=lambda cast: __import__(
            "tests.appointments.helpers", fromlist=["_"]
        ).matrix_appointment(cast, other_org=True),
        allowed=SITE_VIEWERS,
        method="post",
    ),
    # --- lending ---
    # The desk, lending, taking back and wiping: everyone who works at the site; the inventory
    # (adding, changing, setting devices aside): coordinators and organisation admins.
    "lending:desk": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:checkout": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:devices": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:borrowers": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:bookings": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:waiting": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:hold-cancel": Row(
        kwargs=lambda cast: _lending().matrix_hold(cast),
        other_org=lambda cast: _lending().matrix_hold(cast, other_org=True),
        allowed=SITE_VIEWERS,
        method="post",
        ok=frozenset({302}),
    ),
    "lending:booking-cancel": Row(
        kwargs=lambda cast: _lending().matrix_booking(cast),
        other_org=lambda cast: _lending().matrix_booking(cast, other_org=True),
        allowed=SITE_VIEWERS,
        method="post",
        ok=frozenset({302}),
    ),
    "lending:export": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:export-xlsx": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:labels": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:figures": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:follow-up": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:agreement": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "lending:loan-agreement": Row(
        kwargs=lambda cast: _lending().matrix_loan(cast),
        other_org=lambda cast: _lending().matrix_loan(cast, other_org=True),
        allowed=SITE_VIEWERS,
    ),
    "lending:rules": Row(kwargs=gent, other_org=aalst_org, allowed=ORG_ADMINS),
    "lending:borrower": Row(
        kwargs=lambda cast: _lending().matrix_borrower(cast),
        other_org=lambda cast: _lending().matrix_borrower(cast, other_org=True),
        allowed=SITE_VIEWERS,
    ),
    "lending:import": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    "lending:device-add": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    "lending:device": Row(
        kwargs=lambda cast: _lending().matrix_device(cast),
        other_org=lambda cast: _lending().matrix_device(cast, other_org=True),
        allowed=SITE_VIEWERS,
    ),
    "lending:device-edit": Row(
        kwargs=lambda cast: _lending().matrix_device(cast),
        other_org=lambda cast: _lending().matrix_device(cast, other_org=True),
        allowed=SITE_EDITORS,
        forbidden=frozenset({"volunteer"}),
    ),
    # "repaired" of a device that is not in repair: a clear message and back to the device.
    "lending:device-action": Row(
        kwargs=lambda cast: _lending().matrix_device(cast, action="repaired"),
        other_org=lambda cast: _lending().matrix_device(cast, other_org=True, action="repaired"),
        allowed=SITE_EDITORS,
        forbidden=frozenset({"volunteer"}),
        method="post",
        ok=frozenset({302}),
    ),
    "lending:loan": Row(
        kwargs=lambda cast: _lending().matrix_loan(cast),
        other_org=lambda cast: _lending().matrix_loan(cast, other_org=True),
        allowed=SITE_VIEWERS,
    ),
    "lending:loan-action": Row(
        kwargs=lambda cast: _lending().matrix_loan(cast, action="renew"),
        other_org=lambda cast: _lending().matrix_loan(cast, other_org=True, action="renew"),
        allowed=SITE_VIEWERS,
        method="post",
        ok=frozenset({302}),
    ),
    # --- learning ---
    # The dates and rosters: everyone who works at the site; the catalogue, planning and
    # cancelling: coordinators and organisation admins (a volunteer sees the site: 403).
    "learning:sessions": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "learning:figures": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "learning:courses": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    "learning:course-add": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    "learning:course-edit": Row(
        kwargs=lambda cast: _learning().matrix_course(cast),
        other_org=lambda cast: _learning().matrix_course(cast, other_org=True),
        allowed=SITE_EDITORS,
        forbidden=frozenset({"volunteer"}),
    ),
    "learning:session-add": Row(
        kwargs=lambda cast: _learning().matrix_course(cast),
        other_org=lambda cast: _learning().matrix_course(cast, other_org=True),
        allowed=SITE_EDITORS,
        forbidden=frozenset({"volunteer"}),
    ),
    "learning:session": Row(
        kwargs=lambda cast: _learning().matrix_session(cast),
        other_org=lambda cast: _learning().matrix_session(cast, other_org=True),
        allowed=SITE_VIEWERS,
    ),
    # Help cards: everyone at the site sends them; coordinators and org admins write them.
    "learning:cards-staff": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "learning:card-send": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "learning:card-add": Row(
        kwargs=gent_a, other_org=aalst, allowed=SITE_EDITORS, forbidden=frozenset({"volunteer"})
    ),
    "learning:card-edit": Row(
        kwargs=lambda cast: _learning().matrix_card(cast),
        other_org=lambda cast: _learning().matrix_card(cast, other_org=True),
        allowed=SITE_EDITORS,
        forbidden=frozenset({"volunteer"}),
    ),
    # A walk-in with no name: a clear message on the roster (400), nothing added.
    "learning:session-action": Row(
        kwargs=lambda cast: _learning().matrix_session(cast, action="walk-in"),
        other_org=lambda cast: _learning().matrix_session(cast, other_org=True, action="walk-in"),
        allowed=SITE_VIEWERS,
        method="post",
        ok=frozenset({400}),
    ),
    # --- referrals ---
    # The referrer's pages need the right to refer for an organisation (referrer, platform
    # admin). Everyone else gets 404, as on organisation pages: there is no page for them here.
    "referrals:sent": Row(allowed=frozenset({"referrer", "platform_admin"})),
    "referrals:new": Row(allowed=frozenset({"referrer", "platform_admin"})),
    # Any published Digipunt that helps may be chosen, whichever organisation runs it: no
    # "another organisation" row.
    "referrals:new-for-site": Row(kwargs=gent_a, allowed=frozenset({"referrer", "platform_admin"})),
    "referrals:sent-detail": Row(
        kwargs=lambda cast: __import__("tests.referrals.helpers", fromlist=["_"]).matrix_sent(cast),
        other_org=lambda cast: __import__("tests.referrals.helpers", fromlist=["_"]).matrix_sent(
            cast, other_org=True
        ),
        allowed=frozenset({"referrer", "platform_admin"}),
    ),
    # The site's inbox: everyone who works at the site.
    "referrals:inbox": Row(kwargs=gent_a, other_org=aalst, allowed=SITE_VIEWERS),
    "referrals:referral": Row(
        kwargs=lambda cast: __import__("tests.referrals.helpers", fromlist=["_"]).matrix_inbox(
            cast
        ),
        other_org=lambda cast: __import__("tests.referrals.helpers", fromlist=["_"]).matrix_inbox(
            cast, other_org=True
        ),
        allowed=SITE_VIEWERS,
    ),
    # --- privacy ---
    # A resident's request to see or erase their data, the retention periods and the register:
    # organisation admins (within their organisations) and the platform admin; everyone else gets
    # 404, as on organisation pages. Posted without a person, a step asks for one (400).
    "privacy:requests": Row(allowed=ORG_ADMINS),
    "privacy:export-json": Row(allowed=ORG_ADMINS, method="post", ok=frozenset({400})),
    "privacy:export-page": Row(allowed=ORG_ADMINS, method="post", ok=frozenset({400})),
    "privacy:erase": Row(allowed=ORG_ADMINS, method="post", ok=frozenset({400})),
    "privacy:retention": Row(allowed=ORG_ADMINS),
    "privacy:register": Row(allowed=ORG_ADMINS),
    # --- funding ---
    # An organisation's grants: its admins record, change and remove them; the network analyst
    # reads every grant on the list and changes none (the pages that change one are a 404).
    "funding:grants": Row(allowed=ORG_ADMINS | {"analyst"}),
    "funding:grant-add": Row(kwargs=gent, other_org=aalst_org, allowed=ORG_ADMINS),
    "funding:grant-edit": Row(
        kwargs=lambda cast: _funding().matrix_grant(cast),
        other_org=lambda cast: _funding().matrix_grant(cast, other_org=True),
        allowed=ORG_ADMINS,
    ),
    "funding:grant-delete": Row(
        kwargs=lambda cast: _funding().matrix_grant(cast),
        other_org=lambda cast: _funding().matrix_grant(cast, other_org=True),
        allowed=ORG_ADMINS,
    ),
    # --- evidence ---
    # The dashboard: everyone who may see figures somewhere (their own scopes; the other
    # coordinator sees their site in Aalst); the rest have no scope to show (403). Coverage and
    # the funding cliff compare the whole network: network-wide roles only.
    "insights:dashboard": Row(
        allowed=frozenset(
            {"coordinator", "org_admin", "analyst", "platform_admin", "other_coordinator"}
        ),
        forbidden=frozenset({"volunteer", "referrer", "outsider"}),
    ),
    "insights:coverage": Row(
        allowed=frozenset({"analyst", "platform_admin"}),
        forbidden=SIGNED_IN - {"analyst", "platform_admin"},
    ),
    "insights:cliff": Row(
        allowed=frozenset({"analyst", "platform_admin"}),
        forbidden=SIGNED_IN - {"analyst", "platform_admin"},
    ),
    # --- figures and API tokens ---
    # No `other_org` for the figures: the network analyst rightly sees every site's figures, so
    # another organisation's site is not a 404 for every role. tests/questions/test_figures.py
    # checks that case role by role instead.
    "questions:figures": Row(
        kwargs=gent_a,
        allowed=frozenset({"coordinator", "org_admin", "analyst", "platform_admin"}),
        forbidden=frozenset({"volunteer"}),
    ),
    "questions:figures-csv": Row(
        kwargs=gent_a,
        allowed=frozenset({"coordinator", "org_admin", "analyst", "platform_admin"}),
        forbidden=frozenset({"volunteer"}),
    ),
    "accounts:api-tokens": Row(kwargs=gent, other_org=aalst_org, allowed=ORG_ADMINS),
    "accounts:api-token-revoke": Row(
        kwargs=lambda cast: __import__("tests.questions.api_support", fromlist=["_"]).matrix_token(
            cast
        ),
        other_org=lambda cast: __import__(
            "tests.questions.api_support", fromlist=["_"]
        ).matrix_token(cast, other_org=True),
        allowed=ORG_ADMINS,
        method="post",
        ok=frozenset({302}),
    ),
}


def staff_url_names() -> set[str]:
    """Every named URL under /<lang>/staff/, read from the URL configuration."""
    names: set[str] = set()

    def walk(patterns: list, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and "staff/" in prefix + str(pattern.pattern):
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "", None)
    return names


def test_every_staff_url_has_a_row_in_the_matrix():
    names = staff_url_names()
    assert names, "no staff URLs found: the walk no longer matches the URL configuration"
    assert sorted(names - MATRIX.keys()) == [], "add these URLs to MATRIX"
    assert sorted(MATRIX.keys() - names) == [], "these MATRIX rows name no URL"


def call(cast: Cast, role: str, name: str, kwargs: dict[str, object]):
    client = Client()
    if role != "anonymous":
        sign_in(client, cast.by_role()[role])
    row = MATRIX[name]
    url = reverse(name, kwargs=kwargs) + row.query
    return getattr(client, row.method)(url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_gets_the_expected_answer(cast, role, name):
    row = MATRIX[name]
    response = call(cast, role, name, row.kwargs(cast))

    if row.public or role in row.allowed:
        assert response.status_code in row.ok, (name, role, response.status_code)
    elif role == "anonymous":
        assert response.status_code == 302, (name, role, response.status_code)
        assert response.url.startswith(reverse("accounts:login")), response.url
    elif role in row.forbidden:
        assert response.status_code == 403, (name, role, response.status_code)
    else:
        assert response.status_code == 404, (name, role, response.status_code)


OBJECT_ROWS = sorted(name for name, row in MATRIX.items() if row.other_org is not None)


@pytest.mark.parametrize("role", sorted(SIGNED_IN - {"platform_admin", "other_coordinator"}))
@pytest.mark.parametrize("name", OBJECT_ROWS)
def test_an_object_of_another_organisation_answers_404(cast, role, name):
    response = call(cast, role, name, MATRIX[name].other_org(cast))

    assert response.status_code == 404, (name, role, response.status_code)
