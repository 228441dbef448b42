"""The pages that span every domain: "My Digipunten" (the staff home), the site switcher and a
site's "today".

They show what each domain app adds (`workspace.panels`), so they know no domain's data
themselves; permissions come from `accounts.permissions` as everywhere (a site outside one's scope
is a 404).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import staff_view
from accounts.permissions import (
    Can,
    capabilities_at,
    capabilities_for_organisations,
    organisations_for,
    site_for,
    sites_for,
)
from core.panels import Desk, OrganisationDesk, Place
from insights import scopes
from workspace.panels import organisation_pieces, site_pieces


@staff_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """ "My Digipunten": the sites one works for, and the organisations one manages."""
    user = request.user
    sites = list(
        sites_for(user, Can.VIEW_SITE)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )
    organisations = list(organisations_for(user, Can.MANAGE_SITES).order_by("name"))
    # Referrers (social workers) work for no Digipunt: their home is referring residents.
    can_refer = organisations_for(user, Can.REFER).exists()
    if len(sites) == 1 and not organisations and not can_refer:
        return redirect("workspace:today", site_id=sites[0].pk)
    capabilities = capabilities_for_organisations(user, organisations)
    managed = [
        (
            organisation,
            organisation_pieces(
                OrganisationDesk(
                    user=user, organisation=organisation, can=capabilities[organisation.pk]
                )
            ),
        )
        for organisation in organisations
    ]
    network = scopes.sees_network(user)
    context = {
        "sites": sites,
        "organisations": managed,
        "can_refer": can_refer,
        # Anyone who may see figures somewhere reaches the evidence's dashboards from here.
        "evidence": scopes.default_scope(user, network=network),
        "sees_network": network,
    }
    return render(request, "workspace/staff/home.html", context)


@staff_view
@require_GET
def switch(request: HttpRequest) -> HttpResponse:
    """The site switcher's target (a plain GET form, so it works without JavaScript)."""
    chosen = request.GET.get("site", "")
    if not chosen.isdecimal() or not chosen.isascii():
        return redirect("workspace:home")
    # The site page itself decides whether this person may see that site.
    return redirect("workspace:today", site_id=int(chosen))


@staff_view
@require_GET
def today(request: HttpRequest, site_id: int) -> HttpResponse:
    """A site's "today": what each domain has for the day, and the way to the day's work."""
    user = request.user
    current = site_for(user, site_id, Can.VIEW_SITE)
    now = timezone.now()
    desk = Desk(
        user=user,
        site=current,
        can=capabilities_at(user, current),
        now=now,
        today=timezone.localdate(now),
    )
    pieces = site_pieces(desk)
    context = {
        "current_site": current,
        "site": current,
        "now": desk.now,
        "today": desk.today,
        "switch_sites": list(sites_for(user, Can.VIEW_SITE).only("pk", "name").order_by("name")),
        "actions": pieces[Place.ACTION],
        "links": pieces[Place.LINK],
        "sections": pieces[Place.SECTION],
    }
    return render(request, "workspace/staff/today.html", context)
