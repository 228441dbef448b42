"""The staff back-office of Digipunten: a site's information and hours, an organisation's sites.

The staff home and a site's "today" are the workspace's (`workspace.views`); the network's part
of "today" is `network.staff.panels`.

Views stay thin: they ask `accounts.permissions` who may do what (a site outside one's scope is a
404, a visible site without the right is a 403), parse the form, call one service in
`network.services`, and render with an explicit context.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_view
from accounts.permissions import (
    Can,
    organisation_for,
    organisations_for,
    site_for,
)
from core.forms import add_service_errors
from network import hours_document, services
from network.hours import DayHours
from network.models import Site
from network.staff.forms import SiteInformationForm
from network.staff.hours_editor import HoursEditor

# The hours preview shows this many weeks, Monday to Sunday, from the current week.
PREVIEW_WEEKS = 4
# Information not checked for this long is flagged on the organisation's list of sites.
STALE_AFTER_DAYS = 180


@staff_view
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, site_id: int) -> HttpResponse:
    """The site's information: everything but the opening hours."""
    current = site_for(request.user, site_id, Can.EDIT_SITE)
    if request.method == "POST":
        form = SiteInformationForm(request.POST, instance=current)
        if form.is_valid():
            try:
                services.site_update_information(
                    actor=request.user, site=current, data=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The information is saved."))
                return redirect("workspace:today", site_id=current.pk)
    else:
        form = SiteInformationForm(instance=current)
    context = {"current_site": current, "site": current, "form": form}
    return render(request, "network/staff/site_edit.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def site_hours(request: HttpRequest, site_id: int) -> HttpResponse:
    """The opening-hours editor: regular hours and exceptions, a preview, and save.

    A POST without the save button (the preview button, or Enter in a field) only shows the
    preview: nothing is saved until "Save" is pressed.
    """
    current = site_for(request.user, site_id, Can.EDIT_SITE)
    today = timezone.localdate()
    preview = None
    save_error = None
    if request.method == "POST":
        editor = HoursEditor(request.POST)
        if editor.is_valid():
            document = editor.document()
            if "save" in request.POST:
                try:
                    services.site_set_opening_hours(
                        actor=request.user, site=current, document=document
                    )
                except ValidationError as error:
                    save_error = " ".join(error.messages)
                else:
                    messages.success(request, _("The opening hours are saved."))
                    return redirect("workspace:today", site_id=current.pk)
            else:
                preview = _preview(current, document, today)
    else:
        editor = HoursEditor(document=current.opening_hours)
    context = {
        "current_site": current,
        "site": current,
        "editor": editor,
        "row_errors": editor.row_errors() if editor.periods.is_bound else [],
        "save_error": save_error,
        "preview": preview,
        "today": today,
    }
    return render(request, "network/staff/site_hours.html", context)


def _preview(site: Site, document: dict[str, Any], today: date) -> dict[str, Any]:
    """The next weeks of `document` as the public page will show them (nothing is saved)."""
    schedule = hours_document.schedule_from_document(
        document,
        closed_on_public_holidays=site.closed_on_public_holidays,
        holiday_language=(get_language() or "nl")[:2],
    )
    monday = today - timedelta(days=today.weekday())
    weeks: list[list[DayHours]] = [
        schedule.week(monday + timedelta(weeks=n)) for n in range(PREVIEW_WEEKS)
    ]
    return {
        "weeks": weeks,
        "closures": schedule.upcoming_closures(today, days=PREVIEW_WEEKS * 7),
    }


@staff_view
@require_POST
def site_verify(request: HttpRequest, site_id: int) -> HttpResponse:
    """ "All information is correct": marks the site's data as checked today."""
    current = site_for(request.user, site_id, Can.EDIT_SITE)
    try:
        services.site_mark_verified(actor=request.user, site=current, today=timezone.localdate())
    except ValidationError:
        messages.error(
            request,
            _("Some information is not valid. Open “Edit information”, correct it and save first."),
        )
    else:
        messages.success(request, _("Thank you. The information is marked as checked today."))
    return redirect("workspace:today", site_id=current.pk)


@staff_view
@require_GET
def organisation_sites(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """An organisation's Digipunten, with when each was last checked."""
    organisation = organisation_for(request.user, organisation_id, Can.MANAGE_SITES)
    today = timezone.localdate()
    rows = []
    for each in organisation.sites.order_by("name"):
        days = each.verified_days_ago(today)
        rows.append({"site": each, "days": days, "stale": days is None or days > STALE_AFTER_DAYS})
    context = {
        "organisation": organisation,
        "rows": rows,
        "stale_after_days": STALE_AFTER_DAYS,
        "can_view_audit": organisations_for(request.user, Can.VIEW_AUDIT)
        .filter(pk=organisation.pk)
        .exists(),
    }
    return render(request, "network/staff/organisation_sites.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """A new Digipunt of the organisation: its information first, the opening hours next."""
    organisation = organisation_for(request.user, organisation_id, Can.MANAGE_SITES)
    blank = Site(organisation=organisation)
    form = SiteInformationForm(request.POST or None, instance=blank)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.site_create(
                actor=request.user, organisation=organisation, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The Digipunt is added. Now add its opening hours."))
            return redirect("network:site-hours", site_id=created.pk)
    context = {"organisation": organisation, "form": form}
    return render(request, "network/staff/site_create.html", context)
