"""Staff pages of referrals: the referrer's (find a Digipunt, refer, follow) and the site's inbox.

Views stay thin. Who may do what comes from `accounts.permissions`: the referrer's pages need
the right to refer for an organisation (someone without it gets a 404, as on organisation pages),
the inbox needs the right to handle referrals at the site (`site_for`: another organisation's
site is a 404, a visible site without the right a 403). Reads go through `referrals.selectors`,
writes through `referrals.services`, and a refused form comes back with everything typed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import staff_view
from accounts.permissions import Can, organisations_for, site_for
from core.forms import add_service_errors
from network.finder import Filters, find_sites
from network.models import Organisation
from referrals import selectors, services
from referrals.models import Referral
from referrals.staff.forms import PlaceForm, ReferralForm, StatusForm
from territory.selectors import resolve_place

PAGE_SIZE = 50


def _referring_organisations(request: HttpRequest) -> list[Organisation]:
    """The organisations the person refers for; none means these pages do not exist for them."""
    organisations = list(organisations_for(request.user, Can.REFER).order_by("name"))
    if not organisations:
        raise Http404
    return organisations


# --- the referrer -------------------------------------------------------------------------------


@staff_view
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """The referrals of the referrer's organisation(s), newest first, with their status."""
    _referring_organisations(request)
    page = Paginator(selectors.referrals_sent_by(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/staff/sent.html", {"page": page})


@staff_view
@require_GET
def new(request: HttpRequest) -> HttpResponse:
    """Step 1: the Digipunten that help, nearest to where the resident lives."""
    _referring_organisations(request)
    form = PlaceForm(request.GET)
    context: dict[str, Any] = {"form": form}
    if form.is_valid() and "q" in request.GET:
        resolution = resolve_place(form.cleaned_data["q"])
        context["resolution"] = resolution
        context["postal_code_typed"] = resolution.query.isdigit()
        if resolution.status == "found" and resolution.place is not None:
            now = context["now"] = timezone.now()
            context["result"] = find_sites(
                resolution.place,
                Filters(service="help"),
                now=now,
                page_size=settings.FINDER_PAGE_SIZE,
            )
    return render(request, "referrals/staff/new.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def new_for_site(request: HttpRequest, site_id: int) -> HttpResponse:
    """Step 2: the resident's details, their question and their consent, for one Digipunt."""
    organisations = _referring_organisations(request)
    destination = selectors.destination_for_referral(site_id)
    if request.method == "POST":
        form = ReferralForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = services.referral_create(
                    actor=request.user,
                    organisation=form.chosen_organisation(),
                    site=destination,
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    question=data["question"],
                    theme=data["theme"],
                    language=data["language"],
                    consent=data["consent"],
                    submission=form.submission(),
                )
            except services.AlreadySent as already:
                messages.info(request, _("This referral was already sent."))
                return redirect("referrals:sent-detail", referral_id=already.referral.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The referral is sent to %(site)s. Its reference is %(reference)s.")
                    % {"site": destination.name, "reference": referral.reference},
                )
                return redirect("referrals:sent-detail", referral_id=referral.pk)
    else:
        form = ReferralForm(organisations=organisations)
    now = timezone.now()
    status = destination.schedule().status(now)
    context = {
        "form": form,
        "destination": destination,
        "now": now,
        "status": status,
        "back_query": request.GET.get("q", ""),
    }
    return render(request, "referrals/staff/new_for_site.html", context)


@staff_view
@require_GET
def sent_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral the organisation sent: to where, for whom, and its status over time."""
    _referring_organisations(request)
    referral = selectors.referral_sent(request.user, referral_id)
    context = {"referral": referral, "history": selectors.status_history(referral)}
    return render(request, "referrals/staff/sent_detail.html", context)


# --- the site -----------------------------------------------------------------------------------


@staff_view
@require_GET
def inbox(request: HttpRequest, site_id: int) -> HttpResponse:
    """The site's referrals, new ones first, filtered by status."""
    site = site_for(request.user, site_id, Can.HANDLE_REFERRALS)
    chosen = request.GET.get("status") or selectors.ALL
    unknown_filter = chosen not in selectors.INBOX_FILTERS
    if unknown_filter:
        chosen = selectors.ALL
    page = Paginator(
        selectors.referrals_for_site(request.user, site.pk, chosen), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    filters = [
        (selectors.ALL, _("All")),
        (selectors.OPEN, _("Still open")),
        *Referral.Status.choices,
    ]
    context = {
        "current_site": site,
        "site": site,
        "page": page,
        "chosen": chosen,
        "filters": filters,
        "unknown_filter": unknown_filter,
        "new_count": selectors.new_count(request.user, site.pk),
    }
    return render(request, "referrals/staff/inbox.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, site_id: int, referral_id: int) -> HttpResponse:
    """One referral of the inbox: the resident's details and the status, to change."""
    site = site_for(request.user, site_id, Can.HANDLE_REFERRALS)
    found = selectors.referral_for_site(request.user, site.pk, referral_id)
    if request.method == "POST":
        form = StatusForm(request.POST)
        if form.is_valid():
            changed = services.referral_set_status(
                actor=request.user, referral=found, status=form.cleaned_data["status"]
            )
            messages.success(
                request,
                _("The status of %(reference)s is now “%(status)s”.")
                % {"reference": changed.reference, "status": changed.get_status_display()},
            )
            return redirect("referrals:referral", site_id=site.pk, referral_id=changed.pk)
    else:
        form = StatusForm(initial={"status": found.status})
    context = {
        "current_site": site,
        "site": site,
        "referral": found,
        "form": form,
        "history": selectors.status_history(found),
    }
    return render(request, "referrals/staff/referral.html", context)
