"""Staff pages of device lending: the desk (scan a tag, the devices out on loan), a device with
its history and what can be done with it now, lending, a loan (renew, take back, lost), the
inventory and the borrowers.

Views stay thin: `accounts.permissions.site_for` decides who may work at the site (another site's
id is a 404), `lending.selectors` reads (a device, loan or borrower of another site or
organisation is a 404), `lending.services` writes, and refusals come back as clear messages next
to the field they are about, with what was typed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_view
from accounts.permissions import Can, capabilities_at, site_for
from core.forms import add_service_errors
from core.spreadsheets import xlsx_response
from lending import agreements, holds, inventory_csv, selectors, services
from lending.models import Device, Loan
from lending.staff.forms import (
    BookingForm,
    BorrowerForm,
    BorrowerSearchForm,
    CheckoutForm,
    DeviceForm,
    FollowUpForm,
    HoldForm,
    ImportForm,
    ReturnForm,
    TagForm,
    WipeForm,
    borrower_label,
)

SET_ASIDE = {
    "repair": Device.Status.IN_REPAIR,
    "retire": Device.Status.RETIRED,
    "lost": Device.Status.LOST,
}


def _device_url(device: Device) -> str:
    return reverse("lending:device", kwargs={"site_id": device.site_id, "device_id": device.pk})


@staff_view
@require_GET
def desk(request: HttpRequest, site_id: int) -> HttpResponse:
    """The lending desk: one box for a scanned or typed tag, and the devices out on loan. A tag
    leads to its device, whose page offers what can be done now (lend, take back, wipe)."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    form = TagForm(request.GET or None)
    if form.is_bound and form.is_valid():
        tag = services.normalise_tag(form.cleaned_data["tag"])
        device = selectors.device_with_tag(site, tag)
        if device is not None:
            return redirect(_device_url(device))
        form.add_error(
            "tag",
            _("No device of this Digipunt has the tag %(tag)s. Check the label, or add the device.")
            % {"tag": tag},
        )
    today = timezone.localdate()
    context = {
        "site": site,
        "current_site": site,
        "form": form,
        "loans": selectors.open_loans_at(site),
        "today": today,
        "can": capabilities_at(request.user, site),
    }
    return render(request, "lending/staff/desk.html", context)


@staff_view
@require_GET
def devices(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    context = {
        "site": site,
        "current_site": site,
        "devices": selectors.devices_at(site),
        "can": capabilities_at(request.user, site),
    }
    return render(request, "lending/staff/devices.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def device_add(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.MANAGE_DEVICES)
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.device_add(actor=request.user, site=site, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Device %(tag)s added.") % {"tag": device.asset_tag})
            return redirect(_device_url(device))
    return render(
        request,
        "lending/staff/device_form.html",
        {"site": site, "current_site": site, "form": form, "device": None},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def device_edit(request: HttpRequest, site_id: int, device_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.MANAGE_DEVICES)
    device = selectors.device_at_site(site, device_id)
    form = DeviceForm(request.POST or None, instance=Device.objects.get(pk=device.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.device_update(actor=request.user, device=device, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_device_url(device))
    return render(
        request,
        "lending/staff/device_form.html",
        {"site": site, "current_site": site, "form": form, "device": device},
    )


def _device_context(request: HttpRequest, site: Any, device: Device, **forms: Any) -> dict:
    loan = selectors.open_loan_of(device)
    lend = _lend_context(site, "", device.asset_tag) if device.status == "available" else {}
    return {
        "site": site,
        "current_site": site,
        "device": device,
        "loan": loan,
        "history": selectors.history_of(device),
        "today": timezone.localdate(),
        "can": capabilities_at(request.user, site),
        **lend,
        "return_form": forms.get("return_form")
        or ReturnForm(
            accessories=device.accessories,
            initial={"accessories_back": device.accessories, "condition": device.condition},
        ),
        "wipe_form": forms.get("wipe_form") or WipeForm(),
    }


@staff_view
@require_GET
def device(request: HttpRequest, site_id: int, device_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    found = selectors.device_at_site(site, device_id)
    return render(request, "lending/staff/device.html", _device_context(request, site, found))


def _lend_context(site: Any, query: str, tag: str, form: CheckoutForm | None = None) -> dict:
    """What the lending form needs: the search for the borrower, the borrowers it found (all
    of them when the organisation has few), the form and the agreement the borrower accepts."""
    found = selectors.borrowers_matching(site.organisation, query)
    agreement = agreements.agreement_current(site.organisation)
    if form is None:
        form = CheckoutForm(
            initial={"tag": tag, "q": query, "agreement_version": agreement.version},
            borrowers=found,
        )
    return {
        "search_form": BorrowerSearchForm(initial={"q": query, "tag": tag}, auto_id="search_%s"),
        "checkout_form": form,
        "found": found,
        "query": query,
        "agreement": agreement,
        "many_borrowers": not query and not found,
    }


@staff_view
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, site_id: int) -> HttpResponse:
    """Lend a device: its tag (scanned or typed), the borrower (found by a search), the
    agreement accepted. The search for the borrower is posted too ("find"), so that names,
    phone numbers and emails never stand in an address that reaches a log."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "")[:100] if request.method == "POST" else ""
    tag = source.get("tag", "")[:40]
    form = None
    if request.method == "POST" and "find" not in request.POST:
        # A lending is checked against the one borrower chosen, of this organisation.
        chosen = _chosen_borrower(request, site)
        form = CheckoutForm(request.POST, borrowers=[chosen] if chosen else [])
        if form.is_valid() and chosen is not None:
            rules = services.rules_of(site.organisation)
            try:
                loan, token = services.loan_checkout(
                    actor=request.user,
                    site=site,
                    asset_tag=form.cleaned_data["tag"],
                    borrower=chosen,
                    agreement_accepted=form.cleaned_data["agreement"],
                    agreement_version=form.cleaned_data["agreement_version"],
                    rules=rules,
                    tell_borrower=True,
                )
            except ValidationError as error:
                add_service_errors(form, error)
                if "agreement_changed" in _codes(error):
                    _show_new_agreement(form, site)
            else:
                # The loan's page, with the private link: shown this once, never stored (not
                # in the session, not in a URL that could reach a log).
                link = _private_link(request, token, translation.get_language())
                context = _loan_context(request, site, loan, private_link=link, rules=rules)
                return render(request, "lending/staff/loan.html", context)
        # The form comes back with what was typed and the borrowers of the search again.
        found = selectors.borrowers_matching(site.organisation, query)
        if chosen is not None and chosen not in found:
            found.insert(0, chosen)
        form.fields["borrower"].choices = [(b.pk, borrower_label(b)) for b in found]
    context = {
        "site": site,
        "current_site": site,
        **_lend_context(site, query, tag, form),
    }
    status = 400 if form is not None else 200
    return render(request, "lending/staff/checkout.html", context, status=status)


def _codes(error: ValidationError) -> set[str | None]:
    if hasattr(error, "error_dict"):
        return {item.code for items in error.error_dict.values() for item in items}
    return {item.code for item in error.error_list}


def _show_new_agreement(form: CheckoutForm, site: Any) -> None:
    """The refused form comes back naming the agreement's new version, its box unticked (the
    refusal stays next to it): the borrower reads the new version, then the desk lends again."""
    data = form.data.copy()
    data["agreement_version"] = str(agreements.agreement_current(site.organisation).version)
    data.pop("agreement", None)
    form.data = data


def _private_link(request: HttpRequest, token: str, language: str | None) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse("lending:private", kwargs={"token": token}))


def _chosen_borrower(request: HttpRequest, site: Any) -> Any:
    """The borrower a posted lending form names, when it is one of the organisation's."""
    raw = request.POST.get("borrower", "")
    if not raw.isdigit():
        return None
    return selectors.borrowers_of(site.organisation).filter(pk=int(raw)).first()


@staff_view
@require_GET
def loan(request: HttpRequest, site_id: int, loan_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    found = selectors.loan_at_site(site, loan_id)
    return render(request, "lending/staff/loan.html", _loan_context(request, site, found))


def _loan_context(
    request: HttpRequest,
    site: Any,
    loan: Loan,
    *,
    private_link: str | None = None,
    rules: Any = None,
    **forms: Any,
) -> dict:
    return {
        "site": site,
        "current_site": site,
        "loan": loan,
        "device": loan.device,
        "private_link": private_link,
        "today": timezone.localdate(),
        "rules": rules or services.rules_of(site.organisation),
        "return_form": forms.get("return_form")
        or ReturnForm(
            accessories=loan.device.accessories,
            initial={
                "accessories_back": loan.device.accessories,
                "condition": loan.device.condition,
            },
        ),
    }


@staff_view
@require_POST
def loan_action(request: HttpRequest, site_id: int, loan_id: int, action: str) -> HttpResponse:
    """Renew, take back or mark lost (POST); a refusal comes back on the loan's page."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    found = selectors.loan_at_site(site, loan_id)
    if action == "renew":
        try:
            renewed = services.loan_renew(actor=request.user, loan=found)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Renewed: bring it back by %(date)s.")
                % {"date": renewed.due_on.strftime("%d/%m/%Y")},
            )
        return redirect("lending:loan", site_id=site.pk, loan_id=found.pk)
    if action == "return":
        form = ReturnForm(request.POST, accessories=found.device.accessories)
        if form.is_valid():
            try:
                services.loan_return(
                    actor=request.user,
                    loan=found,
                    accessories_back=form.cleaned_data.get("accessories_back", []),
                    condition=form.cleaned_data["condition"],
                    wipe_method=form.cleaned_data["wipe_method"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Taken back."))
                return redirect(_device_url(found.device))
        context = _loan_context(request, site, found, return_form=form)
        return render(request, "lending/staff/loan.html", context, status=400)
    if action == "follow-up":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.loan_follow_up(
                    actor=request.user, loan=found, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The follow-up is noted."))
                return redirect("lending:follow-up", site_id=site.pk)
        if not selectors.overdue_loans_at(site, timezone.localdate()).filter(pk=found.pk):
            # No longer on the list (brought back meanwhile): the refusal as a message.
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
            return redirect("lending:follow-up", site_id=site.pk)
        return _follow_up_page(request, site, failed=(found.pk, form), status=400)
    if action == "lost":
        try:
            services.loan_mark_lost(actor=request.user, loan=found)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The loan is closed and the device is marked as lost."))
        return redirect("lending:loan", site_id=site.pk, loan_id=found.pk)
    return redirect("lending:loan", site_id=site.pk, loan_id=found.pk)


@staff_view
@require_POST
def device_action(request: HttpRequest, site_id: int, device_id: int, action: str) -> HttpResponse:
    """Record a wipe (anyone at the desk); send for repair, retire, mark lost or back from
    repair (the inventory's managers)."""
    capability = Can.LEND_DEVICES if action == "wipe" else Can.MANAGE_DEVICES
    site = site_for(request.user, site_id, capability)
    found = selectors.device_at_site(site, device_id)
    if action == "wipe":
        form = WipeForm(request.POST)
        if form.is_valid():
            try:
                services.device_wipe(
                    actor=request.user,
                    device=found,
                    method=form.cleaned_data["method"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The wipe is recorded."))
                return redirect(_device_url(found))
        context = _device_context(request, site, found, wipe_form=form)
        return render(request, "lending/staff/device.html", context, status=400)
    try:
        if action in SET_ASIDE:
            services.device_set_aside(actor=request.user, device=found, status=SET_ASIDE[action])
        elif action == "repaired":
            services.device_repaired(actor=request.user, device=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect(_device_url(found))


@staff_view
@require_GET
def follow_up(request: HttpRequest, site_id: int) -> HttpResponse:
    """The overdue loans to follow up: who to call, since when, which reminders they had."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    return _follow_up_page(request, site)


def _follow_up_page(
    request: HttpRequest, site: Any, failed: tuple[int, Any] | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for overdue in selectors.overdue_loans_at(site, today):
        if failed and failed[0] == overdue.pk:
            form = failed[1]
        else:
            form = FollowUpForm(auto_id=f"follow-up-{overdue.pk}-%s")
        rows.append((overdue, (today - overdue.due_on).days, form))
    context = {"site": site, "current_site": site, "rows": rows, "today": today}
    return render(request, "lending/staff/follow_up.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def borrowers(request: HttpRequest, site_id: int) -> HttpResponse:
    """The organisation's borrowers, and adding one (then back to lending, when asked)."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    form = BorrowerForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        try:
            borrower = services.borrower_add(
                actor=request.user, organisation=site.organisation, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s can now borrow.") % {"name": borrower.name})
            return redirect("lending:borrowers", site_id=site.pk)
    context = {
        "site": site,
        "current_site": site,
        "form": form,
        "borrowers": selectors.borrowers_of(site.organisation),
    }
    return render(request, "lending/staff/borrowers.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def borrower(request: HttpRequest, site_id: int, borrower_id: int) -> HttpResponse:
    """One borrower: their loans at the organisation's sites the reader works at, and
    correcting their details (a new phone number, the language of their messages)."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    found = selectors.borrower_of(site.organisation, borrower_id)
    initial = {name: getattr(found, name) for name in services.BORROWER_FIELDS}
    form = BorrowerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.borrower_update(actor=request.user, borrower=found, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("lending:borrower", site_id=site.pk, borrower_id=found.pk)
    context = {
        "site": site,
        "current_site": site,
        "borrower": found,
        "form": form,
        "loans": selectors.loans_of(found, site),
    }
    status = 400 if form.is_bound else 200
    return render(request, "lending/staff/borrower.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def bookings(request: HttpRequest, site_id: int) -> HttpResponse:
    """Group loans booked ahead at the site, and booking one."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    organisations = list(selectors.borrowers_of(site.organisation).filter(kind="organisation"))
    bookable = list(selectors.bookable_devices_at(site))
    form = BookingForm(request.POST or None, organisations=organisations, devices=bookable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.booking_create(
                actor=request.user,
                site=site,
                borrower=next(b for b in organisations if b.pk == data["borrower"]),
                devices=[d for d in bookable if d.pk in data["devices"]],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Booked."))
            return redirect("lending:bookings", site_id=site.pk)
    context = {
        "site": site,
        "current_site": site,
        "form": form,
        "bookings": selectors.upcoming_bookings_at(site, timezone.localdate()),
        "rules": services.rules_of(site.organisation),
    }
    return render(request, "lending/staff/bookings.html", context)


@staff_view
@require_POST
def booking_cancel(request: HttpRequest, site_id: int, booking_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    services.booking_cancel(actor=request.user, booking=selectors.booking_at_site(site, booking_id))
    messages.success(request, _("The booking is cancelled."))
    return redirect("lending:bookings", site_id=site.pk)


@staff_view
@require_http_methods(["GET", "POST"])
def devices_import(request: HttpRequest, site_id: int) -> HttpResponse:
    """Add many devices from a CSV file: all or none, with a report row by row."""
    site = site_for(request.user, site_id, Can.MANAGE_DEVICES)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = inventory_csv.devices_import(
                actor=request.user, site=site, raw=form.cleaned_data["file"].read()
            )
        except ValidationError as error:
            add_service_errors(form, ValidationError({"file": error.messages}))
            status = 400
        else:
            if report.ok:
                messages.success(request, _("%(count)d devices added.") % {"count": report.added})
                return redirect("lending:devices", site_id=site.pk)
            status = 400
    context = {"site": site, "current_site": site, "form": form, "report": report}
    return render(request, "lending/staff/import.html", context, status=status)


@staff_view
@require_GET
def devices_export(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    response = HttpResponse(
        inventory_csv.devices_export(site), content_type="text/csv; charset=utf-8"
    )
    name = f"devices-{site.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_view
@require_GET
def devices_export_xlsx(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    name = f"devices-{site.slug}-{timezone.localdate():%Y-%m-%d}.xlsx"
    return xlsx_response(name, inventory_csv.devices_export_xlsx(site))


@staff_view
@require_http_methods(["GET", "POST"])
def waiting(request: HttpRequest, site_id: int) -> HttpResponse:
    """The waiting list of the site, and putting someone on it."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    borrowers = list(selectors.borrowers_of(site.organisation))
    form = HoldForm(request.POST or None, borrowers=borrowers)
    if request.method == "POST" and form.is_valid():
        try:
            holds.hold_add(
                actor=request.user,
                site=site,
                borrower=next(b for b in borrowers if b.pk == form.cleaned_data["hold_borrower"]),
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            add_service_errors(form, _renamed(error, {"borrower": "hold_borrower"}))
        else:
            messages.success(request, _("Added to the waiting list."))
            return redirect("lending:waiting", site_id=site.pk)
    context = {
        "site": site,
        "current_site": site,
        "form": form,
        "holds": selectors.waiting_list_at(site),
    }
    return render(request, "lending/staff/waiting.html", context)


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(k, k): v for k, v in error.message_dict.items()})


@staff_view
@require_POST
def hold_cancel(request: HttpRequest, site_id: int, hold_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    holds.hold_cancel(actor=request.user, hold=selectors.hold_at_site(site, hold_id))
    messages.success(request, _("Taken off the waiting list."))
    return redirect("lending:waiting", site_id=site.pk)
