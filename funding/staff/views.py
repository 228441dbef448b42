"""Staff pages of funding: the grants a person may read, and an organisation admin's add,
change and remove.

Views stay thin: `funding.selectors` decides what a person sees (another organisation's grant is
a 404; a network-wide reader sees every grant and changes none), `funding.services` writes, and
a refusal comes back next to what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import staff_view
from accounts.permissions import Can, organisation_for
from core.forms import add_service_errors
from funding import selectors, services
from funding.staff.forms import GrantForm


@staff_view
@require_GET
def grants(request: HttpRequest) -> HttpResponse:
    """The grants the reader may see, by organisation; those ending soon stand out."""
    if not selectors.organisations_to_read(request.user).exists():
        raise Http404
    today = timezone.localdate()
    context = {
        "groups": selectors.grants_by_organisation(request.user, today),
        "today": today,
        "ending_soon_days": selectors.ENDING_SOON_DAYS,
    }
    return render(request, "funding/staff/grants.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def grant_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = organisation_for(request.user, organisation_id, Can.MANAGE_FUNDING)
    form = GrantForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_create(
                actor=request.user, organisation=organisation, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The grant is recorded."))
            return redirect("funding:grants")
    status = 400 if form.is_bound else 200
    context = {"organisation": organisation, "form": form, "grant": None}
    return render(request, "funding/staff/grant_form.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def grant_edit(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = selectors.grant_to_manage(request.user, grant_id)
    form = GrantForm(request.POST or None, instance=grant, organisation=grant.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_update(actor=request.user, grant=grant, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("funding:grants")
    status = 400 if form.is_bound else 200
    context = {"organisation": grant.organisation, "form": form, "grant": grant}
    return render(request, "funding/staff/grant_form.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def grant_delete(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Ask first (GET), then remove the grant (POST)."""
    grant = selectors.grant_to_manage(request.user, grant_id)
    if request.method == "POST":
        services.grant_delete(actor=request.user, grant=grant)
        messages.success(request, _("The grant is removed."))
        return redirect("funding:grants")
    return render(request, "funding/staff/grant_delete.html", {"grant": grant})
