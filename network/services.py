"""Writes on sites: the one place where a Digipunt's information, hours and checks change.

Every service takes the acting user, validates, locks the site row (`select_for_update`) inside
one transaction, saves and appends exactly one audit entry with the changed fields. A service that
finds nothing to change saves nothing and logs nothing: an empty entry would only be noise in the
trail. Invalid input raises `django.core.exceptions.ValidationError`, so a form can show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import field_changes, log_action
from core import public_cache
from network import hours_document
from network.models import DeviceKind, Organisation, Site, Theme
from territory.models import Municipality, PostalCode

if TYPE_CHECKING:  # accounts sits above network: the actor is named only in the types
    from accounts.models import User

# What the staff information form may change (opening hours and checks have their own services;
# slug, organisation and demo flag are not the site's own team's to change).
INFORMATION_FIELDS: tuple[str, ...] = (
    "name",
    "brand",
    "description",
    "kind",
    "street",
    "postal_code",
    "locality",
    "latitude",
    "longitude",
    "location_note",
    "offers_help",
    "offers_access",
    "offers_lending",
    "offers_learning",
    "has_wifi",
    "has_computers",
    "has_printing",
    "languages",
    "step_free",
    "accessible_toilet",
    "hearing_loop",
    "accessible_parking",
    "walk_in",
    "by_appointment",
    "phone",
    "email",
    "website",
    "closed_on_public_holidays",
    "is_published",
)


def _locked(site: Site) -> Site:
    """A fresh copy of the site, its row locked until the surrounding transaction ends."""
    return (
        Site.objects.select_for_update(of=("self",))
        .select_related("organisation", "municipality")
        .get(pk=site.pk)
    )


def _information(site: Site, themes: Iterable[Theme]) -> dict[str, Any]:
    """The site's information as the audit trail records it (languages and themes as codes)."""
    values: dict[str, Any] = {name: getattr(site, name) for name in INFORMATION_FIELDS}
    values["languages"] = site.language_codes
    values["municipality"] = site.municipality
    values["themes"] = sorted(theme.code for theme in themes)
    return values


def _municipality_for(postal_code: str, current: Municipality | None) -> Municipality:
    """The municipality a (new) postal code belongs to: the address decides, not a separate list.

    A few postal codes span two municipalities; the current one is kept when it is one of them.
    """
    rows = list(PostalCode.objects.filter(code=postal_code).select_related("municipality"))
    municipalities = {row.municipality_id: row.municipality for row in rows}
    if not municipalities:
        raise ValidationError(
            {"postal_code": _("We do not know this postal code. A Belgian one has 4 digits.")},
            code="unknown_postal_code",
        )
    if current is not None and current.pk in municipalities:
        return current
    if len(municipalities) > 1:
        raise ValidationError(
            {
                "postal_code": _(
                    "This postal code belongs to more than one municipality. "
                    "Ask the platform team to change the address."
                )
            },
            code="ambiguous_postal_code",
        )
    return next(iter(municipalities.values()))


def _unique_slug(name: str, locality: str) -> str:
    """A web address from the name and place, with a number added when it is taken."""
    base = slugify(f"{name} {locality}")[:100] or "digipunt"
    slug, number = base, 1
    while Site.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def site_create(*, actor: User, organisation: Organisation, data: Mapping[str, Any]) -> Site:
    """Add a Digipunt to an organisation: the same information as `site_update_information`.

    It starts without opening hours (the team adds them next) and is audited as one entry with
    every field it was created with. Returns the new site.
    """
    unknown = set(data) - {*INFORMATION_FIELDS, "themes"}
    if unknown:
        raise ValueError(f"site_create cannot set {sorted(unknown)}")
    themes = list(data.get("themes") or [])
    with transaction.atomic():
        site = Site(organisation=organisation, opening_hours={"periods": [], "exceptions": []})
        for name in INFORMATION_FIELDS:
            if name in data:
                setattr(site, name, data[name])
        site.municipality = _municipality_for(site.postal_code, None)
        site.slug = _unique_slug(site.name, site.locality)
        site.full_clean()
        site.save()
        site.themes.set(themes)
        log_action(
            actor=actor,
            action="site.created",
            target=site,
            changes=field_changes({}, _information(site, themes)),
            site=site,
        )
    return site


def site_update_information(*, actor: User, site: Site, data: Mapping[str, Any]) -> Site:
    """Change a site's information (the fields in `INFORMATION_FIELDS`, plus `themes`).

    `data` holds the fields to change; `languages` is the stored ",nl,fr," text and `themes` an
    iterable of `Theme`. A changed postal code moves the site to that code's municipality.
    Returns the saved site.
    """
    unknown = set(data) - {*INFORMATION_FIELDS, "themes"}
    if unknown:
        raise ValueError(f"site_update_information cannot change {sorted(unknown)}")
    with transaction.atomic():
        locked = _locked(site)
        current_themes = list(locked.themes.all())
        before = _information(locked, current_themes)
        for name in INFORMATION_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        if locked.postal_code != before["postal_code"]:
            locked.municipality = _municipality_for(locked.postal_code, locked.municipality)
        themes = list(data["themes"]) if "themes" in data else current_themes
        locked.full_clean()
        changes = field_changes(before, _information(locked, themes))
        if not changes:
            return locked
        locked.save()
        if "themes" in changes:
            locked.themes.set(themes)
        log_action(
            actor=actor,
            action="site.update_information",
            target=locked,
            changes=changes,
            site=locked,
        )
    return locked


def _normalised(document: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    document = document or {}
    return {
        "periods": list(document.get("periods") or []),
        "exceptions": list(document.get("exceptions") or []),
    }


def site_set_opening_hours(*, actor: User, site: Site, document: Mapping[str, Any]) -> Site:
    """Replace a site's opening hours (periods and exceptions) with `document`.

    The document passes `hours_document.validate_document`, the gate every writer uses. The audit
    entry records the whole document before and after.
    """
    new = _normalised(document)
    try:
        hours_document.validate_document(new)
    except ValueError as problem:
        refusal = ValidationError(
            _("These opening hours are not valid: %(problem)s"),
            params={"problem": str(problem)},
            code="invalid_opening_hours",
        )
        raise ValidationError({"opening_hours": refusal}) from problem
    with transaction.atomic():
        locked = _locked(site)
        old = locked.opening_hours or {}
        changes = field_changes({"opening_hours": old}, {"opening_hours": new})
        if not changes:
            return locked
        locked.opening_hours = new
        locked.full_clean()
        locked.save(update_fields=["opening_hours", "updated_at"])
        log_action(
            actor=actor,
            action="site.set_opening_hours",
            target=locked,
            changes=changes,
            site=locked,
        )
    return locked


def site_mark_verified(*, actor: User, site: Site, today: date) -> Site:
    """Record that someone checked all of the site's information on `today`.

    Always logged, also when the site was already checked today: the entry says who checked.
    """
    with transaction.atomic():
        locked = _locked(site)
        before = {"last_verified": locked.last_verified}
        locked.last_verified = today
        locked.full_clean()
        locked.save(update_fields=["last_verified", "updated_at"])
        log_action(
            actor=actor,
            action="site.mark_verified",
            target=locked,
            changes=field_changes(before, {"last_verified": today}),
            site=locked,
        )
    return locked


def site_lending_from_inventory(site_id: int, kinds: Iterable[str]) -> bool:
    """Say in the directory that the site lends these kinds of device (none: it lends nothing
    now), as its inventory shows; called by the lending app whenever the inventory changes.

    Writes only when something differs, without an audit entry (the inventory's own changes
    are audited) and bumps the public pages' version, as a site's save does. Returns whether it
    wrote."""
    codes = [code for code, _label in DeviceKind.choices if code in set(kinds)]
    stored = "," + ",".join(codes) + "," if codes else ""
    current = Site.objects.filter(pk=site_id).values_list(
        "lending_from_inventory", "offers_lending", "device_kinds"
    )
    if list(current) == [(True, bool(codes), stored)]:
        return False
    Site.objects.filter(pk=site_id).update(
        lending_from_inventory=True, offers_lending=bool(codes), device_kinds=stored
    )
    public_cache.bump()
    return True
