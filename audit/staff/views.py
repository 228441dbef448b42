"""The audit trail as an organisation admin reads it: read-only, scoped, newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.decorators import staff_view
from accounts.permissions import Can, organisation_for
from audit.models import AuditEntry
from audit.selectors import entries_for_organisation

PAGE_SIZE = 50
# Longer values (a description) are cut in the list; the full text stays in the entry.
VALUE_CHARS = 80

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# What each action means, in words. Services of other apps add theirs here; an action without a
# label is shown by its code.
ACTION_LABELS: dict[str, Any] = {
    "site.created": gettext_lazy("Added a Digipunt"),
    "site.update_information": gettext_lazy("Changed the information"),
    "site.set_opening_hours": gettext_lazy("Changed the opening hours"),
    "site.mark_verified": gettext_lazy("Marked the information as checked"),
    "invitation.created": gettext_lazy("Invited someone"),
    "invitation.accepted": gettext_lazy("Accepted an invitation"),
    "membership.role_changed": gettext_lazy("Changed a role"),
    "membership.deactivated": gettext_lazy("Switched off someone's access"),
    "contact.register": gettext_lazy("Registered a visit"),
    "contact.update": gettext_lazy("Corrected a registered visit"),
    "contact.delete": gettext_lazy("Deleted a registered visit"),
    "visitor_codes.issue": gettext_lazy("Made visitor cards"),
    "appointment.book": gettext_lazy("Booked an appointment"),
    "appointment.move": gettext_lazy("Moved an appointment"),
    "appointment.cancel": gettext_lazy("Cancelled an appointment"),
    "appointment.mark": gettext_lazy("Marked an appointment"),
    "appointment.register_contact": gettext_lazy("Registered an appointment as a visit"),
    "booking_settings.update": gettext_lazy("Changed the online booking"),
    "device.add": gettext_lazy("Added a device"),
    "device.update": gettext_lazy("Changed a device"),
    "device.import": gettext_lazy("Added devices from a CSV file"),
    "device.status": gettext_lazy("Changed the status of a device"),
    "device.wipe": gettext_lazy("Recorded a device's wipe"),
    "borrower.add": gettext_lazy("Added a borrower"),
    "borrower.update": gettext_lazy("Corrected a borrower's details"),
    "lending.rules": gettext_lazy("Changed the lending rules"),
    "lending.agreement": gettext_lazy("Published a new version of the loan agreement"),
    "loan.checkout": gettext_lazy("Lent a device"),
    "loan.follow_up": gettext_lazy("Followed up an overdue loan"),
    "loan.renew": gettext_lazy("Renewed a loan"),
    "loan.return": gettext_lazy("Took a device back"),
    "loan.lost": gettext_lazy("Marked a lent device as lost"),
    "booking.create": gettext_lazy("Booked devices for a group loan"),
    "course.create": gettext_lazy("Added a course"),
    "course.update": gettext_lazy("Changed a course"),
    "session.create": gettext_lazy("Planned a course date"),
    "session.cancel": gettext_lazy("Cancelled a course date"),
    "session.attendance": gettext_lazy("Took attendance"),
    "registration.create": gettext_lazy("Registered for a course"),
    "registration.cancel": gettext_lazy("Cancelled a course registration"),
    "registration.promote": gettext_lazy("Gave a freed place to the first one waiting"),
    "registration.walk_in": gettext_lazy("Added someone who came without registering"),
    "help_card.create": gettext_lazy("Wrote a help card"),
    "help_card.publish": gettext_lazy("Published a new version of a help card"),
    "help_card.send": gettext_lazy("Sent a help card to a resident"),
    "hold.add": gettext_lazy("Put someone on the waiting list for a device"),
    "hold.cancel": gettext_lazy("Took someone off the waiting list"),
    "hold.ready": gettext_lazy("Set a device aside for the first one waiting"),
    "hold.expired": gettext_lazy("A device set aside was not picked up in time"),
    "booking.cancel": gettext_lazy("Cancelled a group loan"),
    "referral.created": gettext_lazy("Referred a resident"),
    "referral.status_changed": gettext_lazy("Changed the status of a referral"),
    "retention.erased": gettext_lazy("Erased personal data after the retention period"),
    "privacy.exported": gettext_lazy("Gave a resident a copy of their data"),
    "privacy.erased": gettext_lazy("Erased a resident's data at their request"),
    "api_token.create": gettext_lazy("Made an API token"),
    "api_token.revoke": gettext_lazy("Revoked an API token"),
    "grant.created": gettext_lazy("Recorded a grant"),
    "grant.updated": gettext_lazy("Changed a grant"),
    "grant.deleted": gettext_lazy("Removed a grant"),
    "admin_added": gettext_lazy("Added in the admin"),
    "admin_changed": gettext_lazy("Changed in the admin"),
    "admin_deleted": gettext_lazy("Deleted in the admin"),
    "two_factor_set_up": gettext_lazy("Set up the second sign-in step"),
    "recovery_code_used": gettext_lazy("Signed in with a recovery code"),
    "recovery_codes_renewed": gettext_lazy("Made new recovery codes"),
    "signed_out_everywhere": gettext_lazy("Signed out everywhere"),
}


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    what: str
    changes: list[str]


@staff_view
@require_GET
def organisation_audit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Who changed what and when, in the organisation and its sites."""
    organisation = organisation_for(request.user, organisation_id, Can.VIEW_AUDIT)
    page = Paginator(entries_for_organisation(organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        Row(
            entry=entry,
            what=str(ACTION_LABELS.get(entry.action, entry.action)),
            changes=describe_changes(entry),
        )
        for entry in page
    ]
    context = {"organisation": organisation, "page": page, "rows": rows}
    return render(request, "audit/staff/audit.html", context)


def describe_changes(entry: AuditEntry) -> list[str]:
    """ "Name: old → new" for each changed field; a changed document only says that it changed."""
    model = _model(entry.object_type)
    lines = []
    for name, change in (entry.changes or {}).items():
        label = _field_label(model, name)
        if not isinstance(change, list) or len(change) != 2:
            lines.append(_("%(field)s changed") % {"field": label})
            continue
        old, new = change
        if isinstance(old, dict) or isinstance(new, dict):
            # Opening hours and other documents: the whole before and after is in the entry.
            lines.append(_("%(field)s changed") % {"field": label})
            continue
        lines.append(f"{label}: {_value(old)} → {_value(new)}")
    return lines


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field_label(model: type[models.Model] | None, name: str) -> str:
    if model is None:
        return name
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except (FieldDoesNotExist, AttributeError):
        return name


def _value(value: Any) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value in ("", []):
        return _("(empty)")
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    if isinstance(value, str) and ISO_DATE.match(value):
        # Dates are stored as ISO text; people read "5 January 2027".
        try:
            return formats.date_format(date.fromisoformat(value), "j F Y")
        except ValueError:
            pass
    return Truncator(str(value)).chars(VALUE_CHARS)
