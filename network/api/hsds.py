"""The network directory as Open Referral HSDS 3.0 objects: pure functions, no queries.

How our model maps onto HSDS:

- organization: an `Organisation` (id: its uuid).
- location: a published `Site` (id: the site's uuid), with one address and its coordinates.
- service: one pillar a site offers (help, access, lending, learning), so a site is up to four
  services, each linked to the site's location by one service_at_location.
- taxonomy "digipunt-themes": the `Theme` rows are its terms; a site's themes become attributes
  of each of its services.

Objects that have no row of their own get uuid5 identifiers derived from stable values (the site's
uuid, a pillar or theme code), so an id never changes between requests, exports or deployments
and consumers can keep them. The callers load what these functions read (organisation,
municipality with province and region, themes) up front; nothing here touches the database.

Optional values that are empty are left out rather than sent as "" (an empty string is not a
valid `email` or `uri`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from network import hours_document
from network.api.links import absolute, public_site_url
from network.models import LANGUAGE_NAMES, Accessibility, Organisation, Service, Site, Theme

if TYPE_CHECKING:
    from network.hours import HoursException, Period

logger = logging.getLogger(__name__)

HSDS_VERSION = "3.0"
# We publish core HSDS 3.0 without a named profile, so the profile URL is the specification.
HSDS_PROFILE = "https://github.com/openreferral/specification/tree/3.0"

# Namespace of the identifiers derived from our own codes (taxonomy, theme terms). Never change
# it: consumers store these ids.
NAMESPACE = uuid.UUID("a57055cf-b272-4c4a-af9f-371ef65351a5")
THEMES_TAXONOMY_NAME = "digipunt-themes"
THEMES_TAXONOMY_ID = uuid.uuid5(NAMESPACE, f"taxonomy:{THEMES_TAXONOMY_NAME}")

PILLARS: tuple[str, ...] = tuple(service.value for service in Service)

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_MIDNIGHT = time(0, 0)
# Weekdays as they read inside a sentence ("every Monday", "elke maandag", "chaque lundi"); a
# context of their own so that they are translated with the sentences, not as calendar headings.
_WEEKDAYS = (
    pgettext_lazy("in a sentence", "Monday"),
    pgettext_lazy("in a sentence", "Tuesday"),
    pgettext_lazy("in a sentence", "Wednesday"),
    pgettext_lazy("in a sentence", "Thursday"),
    pgettext_lazy("in a sentence", "Friday"),
    pgettext_lazy("in a sentence", "Saturday"),
    pgettext_lazy("in a sentence", "Sunday"),
)
_ORDINALS = {
    1: gettext_lazy("first"),
    2: gettext_lazy("second"),
    3: gettext_lazy("third"),
    4: gettext_lazy("fourth"),
    5: gettext_lazy("fifth"),
    -1: gettext_lazy("last"),
}
# How many upcoming closures a service's alert names; more would bury the first one.
_MAX_ALERT_CLOSURES = 3


@dataclass(frozen=True)
class Context:
    """What a mapping needs besides the data: the output language and today's date."""

    lang: str
    today: date


@dataclass(frozen=True)
class Owner:
    """The object a child entity (phone, language, schedule) belongs to, as HSDS links it."""

    key: str  # "service_id", "location_id" or "organization_id"
    id: uuid.UUID

    def child_id(self, name: str) -> str:
        return str(uuid.uuid5(self.id, name))

    def link(self) -> dict[str, str]:
        return {self.key: str(self.id)}


# --- identifiers -----------------------------------------------------------------------------


def service_id(site_uuid: uuid.UUID, pillar: str) -> uuid.UUID:
    """The id of the service a site offers for `pillar`."""
    return uuid.uuid5(site_uuid, pillar)


def service_at_location_id(site_uuid: uuid.UUID, pillar: str) -> uuid.UUID:
    """The id of the link between a site's `pillar` service and the site's location."""
    return uuid.uuid5(site_uuid, f"service_at_location:{pillar}")


def theme_term_id(code: str) -> uuid.UUID:
    """The id of a theme's taxonomy term; theme codes are stable, names are not."""
    return uuid.uuid5(NAMESPACE, f"theme:{code}")


# --- small helpers ---------------------------------------------------------------------------


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out optional values that are unknown (None) or empty strings."""
    return {key: value for key, value in data.items() if value is not None and value != ""}


def _timestamp(site: Site) -> str:
    # HSDS asks for millisecond accuracy; UTC with "Z" is the least ambiguous form.
    return site.updated_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _closes_at(value: time) -> str:
    # Our documents write "until midnight" as 00:00; consumers comparing closes_at > opens_at
    # would read that as closed, so midnight is 23:59 (as the engine's schema.org export does).
    return "23:59" if value == _MIDNIGHT else _hhmm(value)


def _hours(site: Site) -> tuple[list[Period], list[HoursException]]:
    """The site's opening hours; a stored document that no longer parses gives none."""
    return hours_document.readable(site.opening_hours) or ([], [])


# --- children --------------------------------------------------------------------------------


def phones(number: str, owner: Owner) -> list[dict[str, Any]]:
    """The phone of a service, location or organization (we keep at most one)."""
    if not number:
        return []
    return [{"id": owner.child_id("phone"), **owner.link(), "number": number, "type": "voice"}]


def languages(codes: Iterable[str], owner: Owner) -> list[dict[str, Any]]:
    """The languages help is given in (ISO 639-1, or 639-3 for Dari, Tigrinya and VGT)."""
    return [
        {
            "id": owner.child_id(f"language:{code}"),
            **owner.link(),
            "name": str(LANGUAGE_NAMES.get(code, code)),
            "code": code,
        }
        for code in codes
    ]


def _schedule_rule(period: Period) -> dict[str, Any]:
    """The RFC 5545 recurrence fields of one period."""
    byday = _BYDAY[period.weekday]
    if period.recurrence == "biweekly" and period.anchor is not None:
        # DTSTART must be an occurrence (RFC 5545 leaves a non-matching one undefined): the
        # period's weekday in the anchor's Monday-based week, which fixes the odd/even weeks.
        first = (
            period.anchor - timedelta(days=period.anchor.weekday()) + timedelta(days=period.weekday)
        )
        return {
            "freq": "WEEKLY",
            "interval": 2,
            "byday": byday,
            "wkst": "MO",
            "dtstart": first.isoformat(),
        }
    if period.recurrence == "monthly" and period.nth is not None:
        return {"freq": "MONTHLY", "interval": 1, "byday": f"{period.nth}{byday}"}
    return {"freq": "WEEKLY", "interval": 1, "byday": byday}


def _schedule_description(period: Period) -> str:
    times = {
        "weekday": str(_WEEKDAYS[period.weekday]),
        "opens": _hhmm(period.opens),
        "closes": (
            pgettext("in a sentence", "midnight")
            if period.closes == _MIDNIGHT
            else _hhmm(period.closes)
        ),
    }
    if period.recurrence == "biweekly":
        return _("Every other %(weekday)s from %(opens)s to %(closes)s") % times
    if period.recurrence == "monthly":
        ordinal = str(_ORDINALS.get(period.nth or 1, ""))
        return _("The %(ordinal)s %(weekday)s of the month from %(opens)s to %(closes)s") % {
            "ordinal": ordinal,
            **times,
        }
    return _("Every %(weekday)s from %(opens)s to %(closes)s") % times


def _period_key(period: Period) -> str:
    # Content-based, so a period keeps its id when others are added or reordered.
    return ":".join(
        str(part)
        for part in (
            period.weekday,
            _hhmm(period.opens),
            _hhmm(period.closes),
            period.recurrence,
            period.anchor,
            period.nth,
            period.valid_from,
            period.valid_until,
        )
    )


def schedules(site: Site, owner: Owner) -> list[dict[str, Any]]:
    """The site's regular opening periods as HSDS schedules (RFC 5545 rules).

    Times are Belgian wall-clock times (Europe/Brussels): HSDS's `timezone` is a fixed UTC
    offset, which cannot follow summer time, so it is left out and the notes say so.
    Closures and extra openings have no place in an HSDS schedule; closures are announced in the
    service's `alert`.
    """
    periods, _exceptions = _hours(site)
    notes = _("Times are local time in Belgium.")
    if site.closed_on_public_holidays:
        holidays_note = _("Closed on public holidays.")
        notes = f"{notes} {holidays_note}"
    result = []
    seen: set[str] = set()
    for period in sorted(periods, key=lambda p: (p.weekday, p.opens, p.recurrence)):
        key = _period_key(period)
        if key in seen:  # an identical duplicate would give two objects with one id
            continue
        seen.add(key)
        schedule = {
            "id": owner.child_id(f"schedule:{key}"),
            **owner.link(),
            **_schedule_rule(period),
            "opens_at": _hhmm(period.opens),
            "closes_at": _closes_at(period.closes),
            "valid_from": period.valid_from.isoformat() if period.valid_from else None,
            "valid_to": period.valid_until.isoformat() if period.valid_until else None,
            "description": _schedule_description(period),
            "notes": notes,
        }
        result.append(_compact(schedule))
    return result


def _current_closures(site: Site, today: date) -> list[HoursException]:
    _periods, exceptions = _hours(site)
    closures = [e for e in exceptions if e.closed and e.end >= today]
    return sorted(closures, key=lambda e: (e.start, e.end))


def _closure_text(closure: HoursException) -> str:
    if closure.start == closure.end:
        text = _("Closed on %(day)s") % {"day": closure.start.isoformat()}
    else:
        text = _("Closed from %(start)s to %(end)s") % {
            "start": closure.start.isoformat(),
            "end": closure.end.isoformat(),
        }
    return f"{text} ({closure.reason})." if closure.reason else f"{text}."


def alert(site: Site, today: date) -> str | None:
    """The site's current and upcoming closures, which HSDS schedules cannot express."""
    closures = _current_closures(site, today)[:_MAX_ALERT_CLOSURES]
    return " ".join(_closure_text(c) for c in closures) or None


def status(site: Site, today: date) -> str:
    """HSDS status: "temporarily closed" during a closure, otherwise "active"."""
    closed_today = any(c.start <= today for c in _current_closures(site, today))
    return "temporarily closed" if closed_today else "active"


def address(site: Site) -> dict[str, Any]:
    """The site's street address; Brussels has no province, so its region fills that field."""
    municipality = site.municipality
    region = municipality.region.name
    return _compact(
        {
            "id": str(uuid.uuid5(site.uuid, "address")),
            "location_id": str(site.uuid),
            "address_1": site.street,
            "city": site.locality,
            "region": region,
            "state_province": municipality.province.name if municipality.province else region,
            "postal_code": site.postal_code,
            "country": "BE",
            "address_type": _location_type(site),
        }
    )


def accessibility(site: Site) -> list[dict[str, Any]]:
    """One entry per accessibility feature the site has (absent features are not listed)."""
    return [
        {
            "id": str(uuid.uuid5(site.uuid, f"accessibility:{feature}")),
            "location_id": str(site.uuid),
            "description": str(Accessibility(feature).label),
        }
        for feature in site.accessibility
    ]


# --- taxonomy --------------------------------------------------------------------------------


def taxonomy() -> dict[str, Any]:
    """Our single taxonomy: the themes of digital questions."""
    return {
        "id": str(THEMES_TAXONOMY_ID),
        "name": THEMES_TAXONOMY_NAME,
        "description": _(
            "Themes of the digital questions Digipunten help with (eID and itsme, taxes, "
            "online safety, ...). Term codes are stable; names follow the requested language."
        ),
        "uri": absolute(f"/api/hsds/taxonomies/{THEMES_TAXONOMY_ID}"),
    }


def taxonomy_term(theme: Theme, ctx: Context) -> dict[str, Any]:
    """A theme as a term of the digipunt-themes taxonomy."""
    return {
        "id": str(theme_term_id(theme.code)),
        "code": theme.code,
        "name": theme.name,
        # HSDS requires a description; a theme has only its name (in three languages).
        "description": theme.name,
        "taxonomy": THEMES_TAXONOMY_NAME,
        "taxonomy_id": str(THEMES_TAXONOMY_ID),
        "language": ctx.lang,
    }


def attributes(site: Site, sid: uuid.UUID, ctx: Context) -> list[dict[str, Any]]:
    """The site's themes as attributes of one of its services (`sid`)."""
    return [
        {
            "id": str(uuid.uuid5(sid, f"attribute:{theme.code}")),
            "link_id": str(sid),
            "link_entity": "service",
            "taxonomy_term_id": str(theme_term_id(theme.code)),
            "taxonomy_term": taxonomy_term(theme, ctx),
        }
        for theme in site.themes.all()
    ]


# --- organization ----------------------------------------------------------------------------


def _organization_description(organisation: Organisation) -> str:
    kind = str(organisation.get_kind_display())
    if organisation.municipality is None:
        return kind
    return f"{kind}, {organisation.municipality.name}"


def organization(
    organisation: Organisation,
    ctx: Context,
    *,
    sites: list[Site] | None = None,
) -> dict[str, Any]:
    """An organisation; with `sites` (its published ones) also its locations and services."""
    owner = Owner("organization_id", organisation.uuid)
    data: dict[str, Any] = {
        "id": str(organisation.uuid),
        "name": organisation.name,
        "description": _organization_description(organisation),
        "email": organisation.email,
        "website": organisation.website,
        "phones": phones(organisation.phone, owner),
    }
    if sites is not None:
        data["locations"] = [location(site, ctx) for site in sites]
        # Not in organization.json; HSDS's compiled organization lists the services by id.
        data["services"] = [
            service(site, pillar, ctx, children=False) for site in sites for pillar in site.services
        ]
    return _compact(data)


# --- location --------------------------------------------------------------------------------


def _location_type(site: Site) -> str:
    # A home-visit service's address is where to write or call, not where to go.
    return "postal" if site.kind == Site.Kind.HOME_VISITS else "physical"


def _location_description(site: Site) -> str:
    parts = []
    if site.kind != Site.Kind.FIXED:
        parts.append(str(site.get_kind_display()))
    if site.location_note:
        parts.append(site.location_note)
    return ". ".join(parts)


def location(site: Site, ctx: Context) -> dict[str, Any]:
    """A site as an HSDS location with its address, coordinates, hours and facilities."""
    owner = Owner("location_id", site.uuid)
    return _compact(
        {
            "id": str(site.uuid),
            "location_type": _location_type(site),
            "url": site.website,
            "organization_id": str(site.organisation.uuid),
            "name": site.name,
            "alternate_name": site.brand,
            "description": _location_description(site),
            "latitude": site.latitude,
            "longitude": site.longitude,
            "languages": languages(site.language_codes, owner),
            "addresses": [address(site)],
            "phones": phones(site.phone or site.organisation.phone, owner),
            "accessibility": accessibility(site),
            "schedules": schedules(site, owner),
        }
    )


# --- service ---------------------------------------------------------------------------------


def service_name(site: Site, pillar: str) -> str:
    return f"{Service(pillar).label} — {site.name}"


def _facilities(site: Site) -> str:
    fields = [f for f in ("has_wifi", "has_computers", "has_printing") if getattr(site, f)]
    if not fields:
        return ""
    names = [str(Site._meta.get_field(f).verbose_name) for f in fields]
    text = ", ".join(names)
    return f"{text[0].upper()}{text[1:]}."


def _devices_lent(site: Site) -> str:
    names = site.device_kind_names
    if not names:
        return ""
    return _("Devices to borrow: %(kinds)s.") % {"kinds": ", ".join(names)}


def _service_description(site: Site, pillar: str) -> str:
    parts = [_facilities(site)] if pillar == Service.ACCESS else []
    if pillar == Service.LENDING:
        parts.append(_devices_lent(site))
    parts.append(site.description)
    return "\n\n".join(part for part in parts if part)


def _application_process(site: Site) -> str:
    steps = []
    if site.walk_in:
        steps.append(_("Walk in without an appointment."))
    if site.by_appointment:
        steps.append(_("You can make an appointment."))
    return " ".join(steps)


def service(
    site: Site,
    pillar: str,
    ctx: Context,
    *,
    children: bool = True,
    locations: bool = False,
) -> dict[str, Any]:
    """The service a site offers for `pillar`.

    `children` adds the related objects (organization, phones, schedules, languages, theme
    attributes), as in list contents; `locations` also nests the service_at_locations with their
    full location, as `/services/{id}` does. Without both it is the one-to-one fields only.
    """
    sid = service_id(site.uuid, pillar)
    data: dict[str, Any] = {
        "id": str(sid),
        "organization_id": str(site.organisation.uuid),
        "name": service_name(site, pillar),
        "description": _service_description(site, pillar),
        "url": public_site_url(site.slug, ctx.lang),
        "email": site.email or site.organisation.email,
        "status": status(site, ctx.today),
        "application_process": _application_process(site),
        "assured_date": site.last_verified.isoformat() if site.last_verified else None,
        "alert": alert(site, ctx.today),
        "last_modified": _timestamp(site),
    }
    if children:
        owner = Owner("service_id", sid)
        data.update(
            {
                "organization": organization(site.organisation, ctx),
                "phones": phones(site.phone or site.organisation.phone, owner),
                "schedules": schedules(site, owner),
                "languages": languages(site.language_codes, owner),
                "attributes": attributes(site, sid, ctx),
            }
        )
    if locations:
        data["service_at_locations"] = [service_at_location(site, pillar, ctx)]
    return _compact(data)


def service_at_location(
    site: Site, pillar: str, ctx: Context, *, nested_service: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The link of a site's `pillar` service to the site's location, with the full location.

    `nested_service` adds the service itself (not in service_at_location.json, but HSDS's
    compiled list schema carries it so that one call answers "what, where").
    """
    data: dict[str, Any] = {
        "id": str(service_at_location_id(site.uuid, pillar)),
        "service_id": str(service_id(site.uuid, pillar)),
        "location_id": str(site.uuid),
        "location": location(site, ctx),
    }
    if nested_service is not None:
        data["service"] = nested_service
    return data


# --- API root --------------------------------------------------------------------------------


def api_root(openapi_url: str) -> dict[str, str]:
    """The HSDS `/` response: which HSDS version and profile, and where the OpenAPI document is."""
    return {"version": HSDS_VERSION, "profile": HSDS_PROFILE, "openapi_url": openapi_url}
