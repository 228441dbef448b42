"""The lending rules of an organisation and its loan agreement: the rules page of an organisation
admin (the numbers, and a new version of the agreement in three languages), and the agreement to
read or print for signing, blank or filled in for one loan."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import staff_view
from accounts.permissions import Can, organisation_for, site_for
from core.forms import add_service_errors
from lending import agreements, selectors, services
from lending.models import LoanAgreement
from lending.staff.forms import AgreementForm, RulesForm


@staff_view
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The organisation's lending rules, and publishing a new version of its agreement (two
    forms on one page, told apart by the button pressed)."""
    organisation = organisation_for(request.user, organisation_id, Can.SET_LENDING_RULES)
    current = agreements.agreement_current(organisation)
    saved_rules = services.rules_of(organisation)
    texts = {f"text_{code}": current.text_in(code) for code in agreements.LANGUAGES}
    posted = request.POST if request.method == "POST" else None
    rules_form = RulesForm(
        posted if posted and "save_rules" in posted else None, instance=saved_rules
    )
    agreement_form = AgreementForm(
        posted if posted and "publish" in posted else None, initial=texts
    )
    status = 200
    if rules_form.is_bound:
        if rules_form.is_valid():
            data = {name: rules_form.cleaned_data[name] for name in RulesForm.Meta.fields}
            try:
                services.rules_set(actor=request.user, organisation=organisation, data=data)
            except ValidationError as error:
                add_service_errors(rules_form, error)
            else:
                messages.success(request, _("The lending rules are saved."))
                return redirect("lending:rules", organisation_id=organisation.pk)
        status = 400
    elif agreement_form.is_bound:
        if agreement_form.is_valid():
            try:
                published = agreements.agreement_publish(
                    actor=request.user,
                    organisation=organisation,
                    texts={
                        code: agreement_form.cleaned_data[f"text_{code}"]
                        for code in agreements.LANGUAGES
                    },
                )
            except ValidationError as error:
                add_service_errors(agreement_form, error)
            else:
                messages.success(
                    request,
                    _("Version %(version)d of the loan agreement is published.")
                    % {"version": published.version},
                )
                return redirect("lending:rules", organisation_id=organisation.pk)
        status = 400
    context = {
        "organisation": organisation,
        "rules_form": rules_form,
        "agreement_form": agreement_form,
        "current": current,
        "versions": LoanAgreement.objects.filter(organisation=organisation).order_by("-version"),
        "sites": organisation.sites.order_by("name"),
    }
    return render(request, "lending/staff/rules.html", context, status=status)


def _language(request: HttpRequest, default: str) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else default


def _version(request: HttpRequest) -> int | None:
    raw = request.GET.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else None


@staff_view
@require_GET
def agreement(request: HttpRequest, site_id: int) -> HttpResponse:
    """The organisation's loan agreement to read with a borrower or print blank for signing:
    the current version, or `?version=`; in the page's language or `?lang=`."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    wanted = _version(request)
    found = (
        agreements.agreement_version(site.organisation, wanted)
        if wanted is not None
        else agreements.agreement_current(site.organisation)
    )
    if found is None:
        raise Http404
    return _printable(request, site, found, loan=None)


@staff_view
@require_GET
def loan_agreement(request: HttpRequest, site_id: int, loan_id: int) -> HttpResponse:
    """The agreement a loan's borrower accepted, filled in with the loan, to print and sign."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    loan = selectors.loan_at_site(site, loan_id)
    found = agreements.agreement_version(site.organisation, loan.agreement_version)
    if found is None:  # a loan from before the agreements were kept: the current text
        found = agreements.agreement_current(site.organisation)
    return _printable(request, site, found, loan=loan)


def _printable(request: HttpRequest, site: Any, found: LoanAgreement, loan: Any) -> HttpResponse:
    page_language = translation.get_language() or settings.LANGUAGE_CODE
    default = loan.borrower.language if loan is not None else page_language
    language = _language(request, default)
    context = {
        "site": site,
        "current_site": site,
        "agreement": found,
        "paragraphs": [p for p in found.text_in(language).split("\n\n") if p.strip()],
        "loan": loan,
        "rules": services.rules_of(site.organisation),
        "language": language,
        "languages": settings.LANGUAGES,
    }
    # The printed agreement is in the borrower's language; the page around it in the reader's.
    with translation.override(language):
        context["printed"] = _printed_labels()
    return render(request, "lending/staff/agreement.html", context)


def _printed_labels() -> dict[str, str]:
    """The words of the printed sheet, in the language it is printed in."""
    return {
        "title": _("Loan agreement"),
        "version": _("Version"),
        "borrower": _("Borrower"),
        "device": _("Device"),
        "tag": _("Tag"),
        "accessories": _("Comes with"),
        "lent_on": _("Lent on"),
        "due_on": _("Bring it back by"),
        "deposit": _("Deposit"),
        "loan_days": _("Loan length"),
        "days": _("days"),
        "signature_borrower": _("Signature of the borrower"),
        "signature_digipunt": _("For the Digipunt"),
        "date": _("Date"),
        "name": _("Name"),
        "reference": _("Loan"),
    }
