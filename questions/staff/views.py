"""Staff pages of contact registration and visitor cards.

Views stay thin: `accounts.permissions.site_for` decides who may work at the site (another
site's id is a 404), `questions.selectors` reads, `questions.services` writes, and errors come
back at the fields with everything the helper chose still there. A helper only ever reaches
their own entries of the last 24 hours: anyone else's, or an older one, is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_view
from accounts.permissions import Can, site_for
from network.models import Site
from questions import selectors, services
from questions.models import Contact
from questions.services import QuestionInput
from questions.staff.forms import (
    ContactForm,
    VisitorCardsForm,
    initial_for_contact,
    initial_for_registration,
)
from questions.visitor_codes import display

# Cards made in this session, by the token of their form, so the print page can be reloaded.
PRINTED_CARDS = "questions.printed_cards"
KEEP_CARD_SETS = 3


def _summary(count: int, questions: list[QuestionInput] | list[Any]) -> str:
    themes = ", ".join(dict.fromkeys(question.theme.name for question in questions))
    return ngettext(
        "%(count)d contact about %(themes)s.",
        "%(count)d contacts about %(themes)s.",
        count,
    ) % {"count": count, "themes": themes}


def _page_context(request: HttpRequest, site: Site, form: ContactForm) -> dict[str, Any]:
    return {
        "current_site": site,
        "site": site,
        "form": form,
        "entries": selectors.recent_entries(request.user, site),
    }


@staff_view
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, site_id: int) -> HttpResponse:
    """The fast form: site, helper and time are given; a theme and Save are enough.

    A POST checks the choices against the themes in plain order (one cheap query) and only
    sorts them by use when the form has to come back with errors.
    """
    site = site_for(request.user, site_id, Can.REGISTER_CONTACTS)
    concerns = selectors.concerns_offered()
    if request.method == "POST":
        form = ContactForm(request.POST, themes=selectors.themes_in_order(), concerns=concerns)
        if form.is_valid():
            data = form.contact_input()
            try:
                services.contact_register(
                    actor=request.user, site=site, data=data, submission=form.submission()
                )
            except services.AlreadyRegistered as already:
                earlier = already.contact
                summary = _summary(
                    selectors.group_size(earlier), list(earlier.questions.select_related("theme"))
                )
                messages.info(
                    request,
                    _("This was already saved: %(summary)s Nothing was registered twice.")
                    % {"summary": summary},
                )
                return redirect("questions:contact-new", site_id=site.pk)
            except ValidationError as error:
                form.add_service_errors(error.message_dict)
            else:
                summary = _summary(data.people, list(data.questions))
                messages.success(request, _("Saved: %(summary)s") % {"summary": summary})
                return redirect("questions:contact-new", site_id=site.pk)
        form.show_themes_in(selectors.themes_by_use(site))
    else:
        channel = selectors.default_channel(request.user, site)
        form = ContactForm(
            initial=initial_for_registration(channel=channel),
            themes=selectors.themes_by_use(site),
            concerns=concerns,
        )
    return render(request, "questions/staff/contact_new.html", _page_context(request, site, form))


def _own_contact(request: HttpRequest, site: Site, contact_id: int) -> Contact:
    """The helper's own contact at `site` of the last 24 hours; anything else is a 404."""
    contacts = selectors.correctable_contacts(request.user, site).select_related("visitor")
    return get_object_or_404(contacts, pk=contact_id)


@staff_view
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, site_id: int, contact_id: int) -> HttpResponse:
    """Correct one of one's own entries of the last 24 hours."""
    site = site_for(request.user, site_id, Can.REGISTER_CONTACTS)
    contact = _own_contact(request, site, contact_id)
    options = {
        "themes": selectors.themes_by_use(site),
        "concerns": selectors.concerns_offered(),
        "rows": len(contact.questions.all()),
        "registration": False,
    }
    if request.method == "POST":
        form = ContactForm(request.POST, **options)
        if form.is_valid():
            data = form.contact_input()
            try:
                services.contact_update(actor=request.user, contact=contact, data=data)
            except ValidationError as error:
                form.add_service_errors(error.message_dict)
            else:
                messages.success(
                    request,
                    _("Corrected: %(summary)s") % {"summary": _summary(1, list(data.questions))},
                )
                return redirect("questions:contact-new", site_id=site.pk)
    else:
        form = ContactForm(initial=initial_for_contact(contact), **options)
    context = {
        "current_site": site,
        "site": site,
        "contact": contact,
        "group_size": selectors.group_size(contact),
        "form": form,
    }
    return render(request, "questions/staff/contact_edit.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, site_id: int, contact_id: int) -> HttpResponse:
    """Delete one of one's own entries of the last 24 hours, after a confirmation."""
    site = site_for(request.user, site_id, Can.REGISTER_CONTACTS)
    contact = _own_contact(request, site, contact_id)
    if request.method == "POST":
        questions = list(contact.questions.all())
        try:
            services.contact_delete(actor=request.user, contact=contact)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Deleted: %(summary)s") % {"summary": _summary(1, questions)}
            )
        return redirect("questions:contact-new", site_id=site.pk)
    context = {
        "current_site": site,
        "site": site,
        "contact": contact,
        "group_size": selectors.group_size(contact),
    }
    return render(request, "questions/staff/contact_delete.html", context)


# --- visitor cards --------------------------------------------------------------------------


def _qr_svg(text: str) -> str:
    # segno's SVG holds only shapes (the text is encoded in them), never text to escape.
    return segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff")


@staff_view
@require_http_methods(["GET", "POST"])
def visitor_codes(request: HttpRequest, site_id: int) -> HttpResponse:
    """Make visitor cards for the site's organisation, then a page to print them.

    After making the cards the page redirects to itself with `?print=<token>`: reloading shows
    the same cards again instead of making new ones. The codes are kept in the session only, so
    nobody else can open that page.
    """
    site = site_for(request.user, site_id, Can.ISSUE_VISITOR_CODES)
    made: dict[str, list[str]] = dict(request.session.get(PRINTED_CARDS, []))
    if request.method == "POST":
        form = VisitorCardsForm(request.POST)
        token = request.POST.get("form_token", "")
        if token and token in made:
            return _to_print(site, token)
        if form.is_valid():
            try:
                codes = services.visitor_codes_issue(
                    actor=request.user,
                    organisation=site.organisation,
                    count=form.cleaned_data["count"],
                )
            except ValidationError as error:
                form.add_error("count", error.message_dict.get("count", error.messages))
            else:
                token = token or codes[0].code
                made[token] = [code.code for code in codes]
                request.session[PRINTED_CARDS] = list(made.items())[-KEEP_CARD_SETS:]
                return _to_print(site, token)
    else:
        printed = made.get(request.GET.get("print", ""))
        if printed is not None:
            return _cards(request, site, printed)
        if "print" in request.GET:
            messages.info(request, _("Those cards are no longer here. Make new ones below."))
        form = VisitorCardsForm(initial={"count": 10, "form_token": uuid.uuid4().hex})
    context = {"current_site": site, "site": site, "form": form}
    return render(request, "questions/staff/visitor_codes.html", context)


def _to_print(site: Site, token: str) -> HttpResponse:
    url = reverse("questions:visitor-codes", kwargs={"site_id": site.pk})
    return redirect(f"{url}?{urlencode({'print': token})}")


def _cards(request: HttpRequest, site: Site, codes: list[str]) -> HttpResponse:
    cards = [
        {
            "code": display(code),
            "qr": mark_safe(_qr_svg(display(code))),  # shapes only, see _qr_svg
        }
        for code in codes
    ]
    context = {
        "current_site": site,
        "site": site,
        "cards": cards,
    }
    return render(request, "questions/staff/visitor_cards.html", context)
