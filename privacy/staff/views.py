"""The staff's privacy pages: a resident's request to see or erase their data, the retention
periods and the register of processing. For organisation admins (and the platform), within the
organisations they administer: someone without that right gets a 404, as on an organisation's
pages, and another organisation's records are simply not found.

The search is always posted and carried from step to step in hidden fields (results, JSON, the
readable page, erasure with its confirmation), so a resident's name, phone number or email address
never stands in an address. Each step searches again within the admin's organisations and keeps
only the records chosen on the results page: a key typed into the form finds nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_view
from accounts.permissions import Can, organisations_for
from network.models import Organisation
from privacy.erasure import personal_data_erase
from privacy.export import (
    Line,
    Record,
    chosen,
    export_document,
    export_logged,
    personal_data_of,
    printable,
)
from privacy.register import RETENTION_COMMAND, kinds
from privacy.registry import personal_data
from privacy.staff.forms import PersonForm

if TYPE_CHECKING:
    from accounts.models import User


def _within(request: HttpRequest) -> QuerySet[Organisation]:
    """The organisations whose residents' requests the reader answers; a 404 for no one's."""
    within = organisations_for(cast("User", request.user), Can.MANAGE_PRIVACY)
    if not within.exists():
        raise Http404
    return within


@dataclass(frozen=True)
class Shown:
    """One record on the results and the confirmation."""

    record: Record
    title: str  # its reference, or its number
    context: list[tuple[str, Any]]
    personal: list[Line]
    holders: str
    found_by: str
    reason: str  # why it is kept at a request, or ""


def _found_by(record: Record) -> str:
    words = {"phone": _("phone number"), "email": _("email address"), "name": _("name")}
    return ", ".join(words[how] for how in ("phone", "email", "name") if how in record.matched_by)


def _title(record: Record) -> str:
    reference = record.values.get("reference")
    return str(reference) if reference else f"#{record.pk}"


@dataclass(frozen=True)
class Group:
    """The records of one kind, as the results show them."""

    label: str
    records: list[Shown]


def _groups(records: list[Record]) -> list[Group]:
    groups = []
    for entry in personal_data:
        mine = [record for record in records if record.kind == entry.name]
        if not mine:
            continue
        shown = [
            Shown(
                record=record,
                title=_title(record),
                holders=", ".join(name for _pk, name in record.organisations),
                found_by=_found_by(record),
                context=[(str(label), record.context[lookup]) for lookup, label in entry.context],
                personal=[
                    Line(entry.field_label(name), record.values[name]) for name in entry.fields
                ],
                reason=str(entry.still_needed_reason) if record.still_needed else "",
            )
            for record in mine
        ]
        groups.append(Group(label=entry.label, records=shown))
    return groups


def _results(
    request: HttpRequest,
    form: PersonForm,
    records: list[Record] | None,
    *,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "records": records,
        "groups": _groups(records or []),
        "problem": problem,
    }
    return render(request, "privacy/staff/requests.html", context, status=status)


def _chosen(
    request: HttpRequest, within: QuerySet[Organisation]
) -> tuple[PersonForm, list[Record] | None, list[Record]]:
    """The person's form, every record found again, and the records chosen of those."""
    form = PersonForm(request.POST)
    if not form.is_valid():
        return form, None, []
    found = personal_data_of(within=within, **form.person())
    return form, found, chosen(found, request.POST.getlist("record"))


@staff_view
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest) -> HttpResponse:
    """Find everything kept about a person, in the organisations the reader administers."""
    within = _within(request)
    if request.method != "POST":
        return _results(request, PersonForm(), None)
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _results(request, form, None, status=400)
    return _results(request, form, personal_data_of(within=within, **form.person()))


def _none_chosen(
    request: HttpRequest, form: PersonForm, found: list[Record] | None
) -> HttpResponse:
    problem = _("Choose at least one record.") if found else ""
    return _results(request, form, found, status=400, problem=problem)


@staff_view
@require_POST
def export_json(request: HttpRequest) -> HttpResponse:
    """The chosen records as a JSON file: every stored field, the domain, the retention date."""
    within = _within(request)
    form, found, records = _chosen(request, within)
    if not records:
        return _none_chosen(request, form, found)
    now = timezone.now()
    export_logged(actor=request.user, records=records, within=within, how="json")
    body = json.dumps(
        export_document(records, now=now), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"personal-data-{timezone.localdate(now):%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_view
@require_POST
def export_page(request: HttpRequest) -> HttpResponse:
    """The chosen records on a page to read with the person or print for them."""
    within = _within(request)
    form, found, records = _chosen(request, within)
    if not records:
        return _none_chosen(request, form, found)
    export_logged(actor=request.user, records=records, within=within, how="page")
    context = {
        "printed": printable(records),
        "now": timezone.now(),
        "organisations": sorted({name for r in records for _pk, name in r.organisations}),
    }
    return render(request, "privacy/staff/export_page.html", context)


@staff_view
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    """Erase the personal data of the chosen records, after a confirmation; the records stay."""
    within = _within(request)
    form, found, records = _chosen(request, within)
    if not records:
        return _none_chosen(request, form, found)
    if request.POST.get("confirm") != "yes":
        context = {
            "form": form,
            "groups": _groups(records),
            "erasable": [r for r in records if not r.still_needed and r.erased_at is None],
            "kept": [r for r in records if r.still_needed],
        }
        return render(request, "privacy/staff/erase.html", context)
    done = personal_data_erase(actor=request.user, records=records, within=within)
    if done.erased:
        messages.success(
            request,
            ngettext(
                "The personal data of %(count)d record is erased. The record stays, without "
                "it, so the figures stay the same.",
                "The personal data of %(count)d records is erased. The records stay, without "
                "it, so the figures stay the same.",
                len(done.erased),
            )
            % {"count": len(done.erased)},
        )
    if done.kept:
        messages.warning(
            request,
            ngettext(
                "%(count)d record was kept because it is still needed.",
                "%(count)d records were kept because they are still needed.",
                len(done.kept),
            )
            % {"count": len(done.kept)},
        )
    if not done.erased and not done.kept:
        messages.info(request, _("Nothing to erase: the personal data was erased already."))
    return redirect("privacy:requests")


@staff_view
@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    """How long each kind of personal data is kept, and what happens then."""
    _within(request)
    context = {"kinds": kinds(), "command": RETENTION_COMMAND}
    return render(request, "privacy/staff/retention.html", context)


@staff_view
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The register of processing (GDPR art. 30) of residents' personal data."""
    within = _within(request)
    context = {
        "kinds": kinds(),
        "organisations": within.order_by("name")[:20],
        "many": within.count() > 20,
    }
    return render(request, "privacy/staff/register.html", context)
