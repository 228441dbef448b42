"""Staff pages of help cards: every card of the network (to send or print), writing a card, a new
version of one's own organisation's card, and sending a card's link to a resident after a visit.

Anyone who works at a site sends cards; coordinators and organisation admins write them for their
organisation. A card of another organisation can be used, not changed (404 on its edit page).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import staff_view
from accounts.permissions import Can, capabilities_at, site_for
from core.forms import add_service_errors
from learning import help_cards
from learning.models import HelpCard
from learning.staff.forms import HelpCardForm, NewHelpCardForm, SendCardForm
from network.models import Theme


def _language() -> str:
    return translation.get_language() or "nl"


@staff_view
@require_GET
def cards(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.RUN_SESSIONS)
    context = {
        "site": site,
        "current_site": site,
        "rows": help_cards.cards_with_titles(_language()),
        "own": set(
            HelpCard.objects.filter(organisation=site.organisation).values_list("pk", flat=True)
        ),
        "can": capabilities_at(request.user, site),
    }
    return render(request, "learning/staff/cards.html", context)


@staff_view
@require_http_methods(["GET", "POST"])
def card_add(request: HttpRequest, site_id: int) -> HttpResponse:
    site = site_for(request.user, site_id, Can.WRITE_HELP_CARDS)
    form = NewHelpCardForm(
        request.POST or None,
        initial={"language": _language(), "checked_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        theme = Theme.objects.filter(code=data["theme"]).first() if data["theme"] else None
        try:
            card = help_cards.card_create(
                actor=request.user, organisation=site.organisation, theme=theme, data=data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The help card is published."))
            return redirect("learning:card", slug=card.slug)
    status = 400 if form.is_bound else 200
    context = {"site": site, "current_site": site, "form": form, "card": None}
    return render(request, "learning/staff/card_form.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, site_id: int, card_id: int) -> HttpResponse:
    """A new version of one of the organisation's cards, in one language."""
    site = site_for(request.user, site_id, Can.WRITE_HELP_CARDS)
    card = HelpCard.objects.filter(pk=card_id, organisation=site.organisation).first()
    if card is None:
        raise Http404
    language = request.GET.get("language", _language())
    current = help_cards.current_version(card, language)
    initial = {"language": language, "checked_on": timezone.localdate()}
    if current is not None:
        initial.update(title=current.title, summary=current.summary, steps=current.steps)
    form = HelpCardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            help_cards.card_publish(actor=request.user, card=card, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The new version is published."))
            return redirect("learning:cards-staff", site_id=site.pk)
    status = 400 if form.is_bound else 200
    context = {"site": site, "current_site": site, "form": form, "card": card}
    return render(request, "learning/staff/card_form.html", context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def card_send(request: HttpRequest, site_id: int) -> HttpResponse:
    """Send a help card's link by SMS or email to the resident just helped (from the visit's
    registration, with its theme): only a count is kept."""
    site = site_for(request.user, site_id, Can.RUN_SESSIONS)
    rows = help_cards.cards_with_titles(_language())
    theme = request.GET.get("theme", "")
    suggested = next((c.slug for c, _v in rows if c.theme and c.theme.code == theme), "")
    form = SendCardForm(
        request.POST or None,
        cards=rows,
        initial={"card": request.GET.get("card", suggested), "language": _language()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        card = next(c for c, _v in rows if c.slug == data["card"])
        try:
            help_cards.card_send(
                actor=request.user,
                card=card,
                phone=data["phone"],
                email=data["email"],
                language=data["language"],
                site=site,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The help card is sent. Nothing of the address is kept."))
            return redirect("questions:contact-new", site_id=site.pk)
    status = 400 if form.is_bound else 200
    context = {"site": site, "current_site": site, "form": form}
    return render(request, "learning/staff/card_send.html", context, status=status)
