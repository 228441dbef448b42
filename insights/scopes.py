"""The scopes a dashboard can show, and who may see which.

A scope is written as in `Tally.scope`: "network", "region:02000", "province:10000",
"municipality:11002", "partnership:3", "organisation:7" or "site:12". Rights follow the roles
(`accounts.permissions`): a network-wide role with figures (analyst, platform admin) sees every
scope; anyone else sees the organisations where they may see figures, those organisations'
sites and partnerships, and the sites where they may see figures. A scope outside that, or one
that does not exist, is a 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, User
from accounts.permissions import is_platform_admin, organisations_for, roles_granting, sites_for
from core.capabilities import Can
from network.models import Organisation, Partnership, Site
from territory.models import Municipality, Province, Region

KINDS = {
    "network": gettext_lazy("Whole network"),
    "region": gettext_lazy("Region"),
    "province": gettext_lazy("Province"),
    "municipality": gettext_lazy("Municipality"),
    "partnership": gettext_lazy("Partnership"),
    "organisation": gettext_lazy("Organisation"),
    "site": gettext_lazy("Digipunt"),
}
GEOGRAPHY = ("region", "province", "municipality")


@dataclass(frozen=True)
class Scope:
    kind: str
    key: str
    label: str

    @property
    def code(self) -> str:
        return self.kind if self.kind == "network" else f"{self.kind}:{self.key}"

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


# How each kind of scope finds its sites in the directory.
SITE_FILTER = {
    "site": "pk",
    "organisation": "organisation_id",
    "partnership": "organisation__partnerships",
    "municipality": "municipality_id",
    "province": "municipality__province_id",
    "region": "municipality__region_id",
}


def site_ids(scope: Scope) -> set[int] | None:
    """The ids of the scope's sites (None for the whole network: every site)."""
    if scope.kind == "network":
        return None
    rows = Site.objects.filter(**{SITE_FILTER[scope.kind]: scope.key})
    return set(rows.values_list("id", flat=True))


def sees_network(user: User) -> bool:
    """Whether `user` may see figures of the whole network (and so of every scope)."""
    known = getattr(user, "_sees_network", None)  # asked once per request's user
    if known is None:
        known = _sees_network(user)
        user._sees_network = known  # type: ignore[attr-defined]
    return bool(known)


def _sees_network(user: User) -> bool:
    if is_platform_admin(user):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        Membership.objects.active()
        .filter(
            user=user,
            organisation__isnull=True,
            site__isnull=True,
            role__in=roles_granting(Can.VIEW_FIGURES),
        )
        .exists()
    )


KEY = re.compile(r"[0-9]{1,10}")
REFNIS = re.compile(r"[0-9]{5}")


def _well_formed(kind: str, key: str) -> bool:
    """A key that can be looked up: five ASCII digits for a place, an id for the others."""
    if kind == "network":
        return key == ""
    return bool((REFNIS if kind in GEOGRAPHY else KEY).fullmatch(key))


def _named(kind: str, key: str) -> str | None:
    """The name of an existing scope, or None."""
    if kind == "network":
        return _("Digipunt network")
    if not key:
        return None
    if kind in GEOGRAPHY:
        places = {
            "region": Region.objects.all(),
            "province": Province.objects.all(),
            "municipality": Municipality.objects.all(),
        }[kind]
        place = places.filter(pk=key).first()
        return place.name if place is not None else None
    if not key.isdigit():
        return None
    rows = {
        "partnership": Partnership.objects.all(),
        "organisation": Organisation.objects.all(),
        "site": Site.objects.all(),
    }[kind]
    name: str | None = rows.filter(pk=int(key)).values_list("name", flat=True).first()
    return name


def allowed(user: User, kind: str, key: str) -> bool:
    if sees_network(user):
        return True
    if kind in ("network", *GEOGRAPHY) or not key.isdigit():
        return False
    organisations = organisations_for(user, Can.VIEW_FIGURES)
    if kind == "organisation":
        return organisations.filter(pk=int(key)).exists()
    if kind == "partnership":
        return Partnership.objects.filter(pk=int(key), organisations__in=organisations).exists()
    return sites_for(user, Can.VIEW_FIGURES).filter(pk=int(key)).exists()


def scope_for(user: User, code: str) -> Scope:
    """The scope `code` if it exists and `user` may see it; otherwise a 404."""
    kind, _sep, key = (code or "").partition(":")
    if kind not in KINDS or not _well_formed(kind, key):
        raise Http404
    name = _named(kind, key)
    if name is None or not allowed(user, kind, key):
        raise Http404
    return Scope(kind, key, name)


def default_scope(user: User, *, network: bool | None = None) -> Scope | None:
    """The widest scope `user` may see: the network, their organisation, or their site.
    `network`: what `sees_network(user)` said, when the caller asked already."""
    if network if network is not None else sees_network(user):
        return Scope("network", "", _("Digipunt network"))
    organisation = organisations_for(user, Can.VIEW_FIGURES).order_by("name").first()
    if organisation is not None:
        return Scope("organisation", str(organisation.pk), organisation.name)
    site = sites_for(user, Can.VIEW_FIGURES).order_by("name").first()
    if site is not None:
        return Scope("site", str(site.pk), site.name)
    return None


def choices(user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The scopes `user` may pick, grouped by kind, for the scope menu."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    network = sees_network(user)
    organisations = (
        Organisation.objects.all() if network else organisations_for(user, Can.VIEW_FIGURES)
    )
    if network:
        groups.append((str(KINDS["network"]), [("network", _("Digipunt network"))]))
        groups.append(
            (str(KINDS["region"]), [(f"region:{r.pk}", r.name) for r in Region.objects.all()])
        )
        groups.append(
            (
                str(KINDS["province"]),
                [(f"province:{p.pk}", p.name) for p in Province.objects.order_by("name_nl")],
            )
        )
        with_sites = Municipality.objects.filter(sites__isnull=False).distinct()
        groups.append(
            (
                str(KINDS["municipality"]),
                [(f"municipality:{m.pk}", m.name) for m in with_sites.order_by("name_nl")],
            )
        )
    partnerships = Partnership.objects.filter(organisations__in=organisations).distinct()
    groups.append(
        (
            str(KINDS["partnership"]),
            [(f"partnership:{p.pk}", p.name) for p in partnerships.order_by("name")],
        )
    )
    groups.append(
        (
            str(KINDS["organisation"]),
            [
                (f"organisation:{pk}", name)
                for pk, name in organisations.order_by("name").values_list("pk", "name")
            ],
        )
    )
    sites = Site.objects.all() if network else sites_for(user, Can.VIEW_FIGURES)
    groups.append(
        (
            str(KINDS["site"]),
            [(f"site:{pk}", name) for pk, name in sites.order_by("name").values_list("pk", "name")],
        )
    )
    return [(label, options) for label, options in groups if options]


def options(groups: list[tuple[str, list[tuple[str, str]]]], selected: str) -> SafeString:
    """The scope menu's options, escaped, written in Python: a network analyst's menu holds
    about 1,800 scopes, which the template language would take a quarter of a second to loop."""
    parts = []
    for label, group in groups:
        parts.append(f'<optgroup label="{escape(label)}">')
        for code, name in group:
            chosen = " selected" if code == selected else ""
            parts.append(f'<option value="{escape(code)}"{chosen}>{escape(name)}</option>')
        parts.append("</optgroup>")
    return mark_safe("\n".join(parts))
