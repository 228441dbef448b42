"""An organisation's team: who works there, inviting someone, changing a role, switching access
off; and the public page behind an invitation link.

Views stay thin: they ask `accounts.permissions` who may look, read through `accounts.selectors`,
write through `accounts.services`, and render.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.decorators import staff_view
from accounts.models import Invitation, Membership, Role
from accounts.permissions import Can, organisation_for
from accounts.staff.forms import (
    ExistingAccountForm,
    InviteForm,
    NewAccountForm,
    RoleForm,
)
from core.client import client_ip
from core.forms import add_service_errors


@staff_view
@require_http_methods(["GET", "HEAD"])
def team(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = organisation_for(request.user, organisation_id, Can.MANAGE_TEAM)
    context = {
        "organisation": organisation,
        "memberships": selectors.team_of(organisation),
        "invitations": selectors.pending_invitations(organisation),
    }
    return render(request, "accounts/staff/team/team.html", context)


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = organisation_for(request.user, organisation_id, Can.MANAGE_TEAM)
    form = InviteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                site=form.cleaned_data["site"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("We sent an invitation to %(email)s. The link works until %(date)s.")
                % {
                    "email": invitation.email,
                    "date": _short_date(invitation.expires_at),
                },
            )
            return redirect("accounts:team", organisation_id=organisation.pk)
    context = {
        "organisation": organisation,
        "form": form,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    return render(request, "accounts/staff/team/invite.html", context)


@staff_view
@require_http_methods(["GET", "HEAD", "POST"])
def member(request: HttpRequest, organisation_id: int, membership_id: int) -> HttpResponse:
    organisation = organisation_for(request.user, organisation_id, Can.MANAGE_TEAM)
    membership = selectors.membership_in(organisation, membership_id)
    for_site = membership.site_id is not None
    role_form = RoleForm(initial={"role": membership.role}, for_site=for_site)
    problems: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "role":
            role_form = RoleForm(request.POST, for_site=for_site)
            done = _change_role(request, membership, role_form)
        elif action == "deactivate":
            problems = _deactivate(request, membership)
            done = not problems
        else:
            return HttpResponseBadRequest()
        if done:
            return redirect("accounts:team", organisation_id=organisation.pk)
    context = {
        "organisation": organisation,
        "membership": membership,
        "role_form": role_form,
        "problems": problems,
    }
    return render(request, "accounts/staff/team/member.html", context)


def _change_role(request: HttpRequest, membership: Membership, form: RoleForm) -> bool:
    if not form.is_valid():
        return False
    role = form.cleaned_data["role"]
    unchanged = membership.role == role
    try:
        services.membership_change_role(actor=request.user, membership=membership, role=role)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    done = (
        _("Nothing changed: %(name)s is already %(role)s.")
        if unchanged
        else _("%(name)s is now %(role)s.")
    )
    messages.success(request, done % {"name": membership.user, "role": Role(role).label})
    return True


def _deactivate(request: HttpRequest, membership: Membership) -> list[str]:
    """Switch the membership off; the problems that stopped it, if any."""
    try:
        services.membership_deactivate(actor=request.user, membership=membership)
    except ValidationError as error:
        return error.messages
    messages.success(
        request,
        _("%(name)s no longer has access as %(role)s.")
        % {"name": membership.user, "role": membership.get_role_display()},
    )
    return []


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind an invitation link (public: the person has no account yet)."""
    invitation = selectors.invitation_by_token(token)
    problem = _unusable(invitation)
    if problem:
        return _unusable_page(request, problem)
    existing = selectors.user_by_email(invitation.email)
    form_class = ExistingAccountForm if existing else NewAccountForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data.get("full_name", ""),
                password=form.cleaned_data["password"],
                language=get_language(),
                ip_address=client_ip(request),
            )
        except services.InvitationUnusable as error:
            return _unusable_page(request, error.reason)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _welcome(request, membership)
    organisation = invitation.organisation or invitation.site.organisation
    context = {
        "invitation": invitation,
        # Who sent it; if their account is gone, the name of the organisation speaks for them.
        "inviter": invitation.invited_by or organisation,
        "organisation": organisation,
        "existing": existing is not None,
        "form": form,
    }
    return render(request, "accounts/staff/team/accept.html", context)


def _unusable(invitation: Invitation | None) -> str:
    if invitation is None:
        return "unknown"
    if invitation.accepted_at is not None:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return ""


def _unusable_page(request: HttpRequest, reason: str) -> HttpResponse:
    # 404 for a link that never existed; 410 (gone) for one that did but cannot be used again.
    status = 404 if reason == "unknown" else 410
    return render(request, f"accounts/staff/team/invitation_{reason}.html", status=status)


def _welcome(request: HttpRequest, membership: Membership) -> HttpResponse:
    """After accepting: on to signing in, where two factors are set up the first time."""
    if request.user.is_authenticated and request.user != membership.user:
        # A shared tablet: whoever was signed in is not the person who just joined.
        logout(request)
    messages.success(request, _("Your account is ready. Sign in to start."))
    return redirect("accounts:login")


def _short_date(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")
