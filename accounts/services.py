"""Writing invitations and memberships: who joins a team, with which role, and who leaves it.

Every service takes keyword arguments, checks what it is asked, runs in one transaction, writes an
audit entry scoped to the organisation, and sends its email only after the transaction commits
(a rolled-back change never mails anyone; a mail server that fails never undoes a change).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts.auth import throttle
from accounts.models import Invitation, Membership, Role, User
from accounts.permissions import ASSIGNABLE_ROLES, Can, organisations_for
from accounts.selectors import active_org_admins, hash_token, user_by_email
from audit.services import field_changes, log_action
from network.models import Organisation, Site


class InvitationUnusable(Exception):
    """The link cannot be used: `reason` is "unknown", "used" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- invitations ---------------------------------------------------------------------------------


def invitation_create(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    role: str,
    site: Site | None = None,
    language: str | None = None,
) -> Invitation:
    """Invite `email` to the organisation (or one of its sites) with `role`, and mail the link.

    The link holds a random token; only its SHA-256 is stored. It works once, for
    INVITATION_VALID_DAYS days. A new invitation for the same address and scope replaces any
    earlier one still pending (so "send it again" is simply inviting again). The email is written
    in `language` (by default the inviter's current language).
    """
    _require_team_manager(actor, organisation)
    email = User.objects.normalize_email(email.strip()).lower()
    _check_role(role, site)
    if site is not None and site.organisation_id != organisation.pk:
        raise ValidationError({"site": _("Choose one of this organisation's Digipunten.")})
    existing = user_by_email(email)
    if existing is not None and _membership_at(existing, organisation, site, active_only=True):
        raise ValidationError(
            {"email": _("This person already works here. Change their role in the team list.")}
        )

    token = secrets.token_urlsafe(32)
    now = timezone.now()
    scope: dict[str, Site | Organisation] = (
        {"site": site} if site is not None else {"organisation": organisation}
    )
    with transaction.atomic():
        Invitation.objects.filter(
            email=email, accepted_at__isnull=True, expires_at__gt=now, **scope
        ).update(expires_at=now)
        invitation = Invitation(
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=actor,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
            **scope,
        )
        invitation.full_clean()
        invitation.save()
        log_action(
            actor=actor,
            action="invitation.created",
            target=invitation,
            organisation=organisation,
            site=site,
            changes=field_changes({}, {"email": email, "role": role, "site": site}),
        )
        with translation.override(language or translation.get_language()):
            link = settings.SITE_URL + reverse("accounts:invitation", kwargs={"token": token})
            _mail_after_commit(
                to=email,
                subject=_("You are invited to help at %(place)s") % {"place": site or organisation},
                template="accounts/messages/invitation.txt",
                context={
                    "inviter": actor,
                    "organisation": organisation,
                    "site": site,
                    "role": Role(role).label,
                    "link": link,
                    "expires_at": invitation.expires_at,
                },
            )
    return invitation


def invitation_accept(
    *,
    token: str,
    full_name: str,
    password: str,
    language: str | None = None,
    ip_address: str | None = None,
) -> Membership:
    """Use an invitation link: create the account (or, for a known address, check its password),
    give it the invited membership, and mark the link used.

    Raises `InvitationUnusable` for an unknown, used or expired link, and `ValidationError`
    (keyed "full_name" or "password") for a missing name, a weak password, or the wrong password
    of an existing account. Wrong passwords count as failed sign-ins (per account and per
    `ip_address`), so the link cannot be used to guess a password faster than signing in allows.
    """
    invitation = _usable_invitation(token)
    account = user_by_email(invitation.email)
    if account is not None:
        _check_existing_account(account, invitation.email, password, ip_address)
    else:
        full_name = " ".join(full_name.split())
        if not full_name:
            raise ValidationError({"full_name": _("Please fill in your name.")})
        try:
            validate_password(password, user=User(email=invitation.email, full_name=full_name))
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error

    with transaction.atomic():
        # Locked and checked again: two clicks at once must not both use the link.
        invitation = _usable_invitation(token, lock=True)
        if account is None:
            account = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name
            )
        organisation = _invitation_organisation(invitation)
        membership = _membership_at(account, organisation, invitation.site, lock=True)
        before = {"role": membership.role, "is_active": membership.is_active} if membership else {}
        if membership is None:
            scope: dict[str, Site | Organisation] = (
                {"site": invitation.site} if invitation.site else {"organisation": organisation}
            )
            membership = Membership(user=account, role=invitation.role, **scope)
        # Someone switched off earlier comes back through a new invitation, with its role.
        membership.role = invitation.role
        membership.is_active = True
        membership.full_clean()
        membership.save()
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = account
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log_action(
            actor=account,
            action="invitation.accepted",
            target=membership,
            organisation=organisation,
            site=invitation.site,
            changes=field_changes(
                before, {"role": membership.role, "is_active": True, "invitation": invitation.pk}
            ),
        )
        with translation.override(language or translation.get_language()):
            _mail_after_commit(
                to=account.email,
                subject=_("Welcome to Digipunt"),
                template="accounts/messages/welcome.txt",
                context={"membership": membership, "organisation": organisation},
            )
    return membership


def _usable_invitation(token: str, *, lock: bool = False) -> Invitation:
    rows = Invitation.objects.select_related("organisation", "site__organisation")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("used")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable("expired")
    return invitation


def _check_existing_account(
    account: User, email: str, password: str, ip_address: str | None
) -> None:
    if not account.is_active:
        raise ValidationError(
            _("This account is switched off. Please ask the person who invited you.")
        )
    paused_until, attempt = throttle.attempt_begin(email=email, ip_address=ip_address)
    if paused_until is not None:
        raise ValidationError(
            {
                "password": _(
                    "Too many wrong passwords. For your safety, please try again at %(time)s."
                )
                % {"time": time_format(timezone.localtime(paused_until), "H:i")}
            }
        )
    if account.check_password(password):
        if attempt is not None:
            attempt.delete()
        return
    # The failure, recorded before the check, is kept although the request fails.
    raise ValidationError({"password": _("This is not the password of your account.")})


# -- memberships ---------------------------------------------------------------------------------


def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Give a member of a team another role. The organisation keeps at least one active admin."""
    organisation = _organisation_of(membership)
    _require_team_manager(actor, organisation)
    _check_role(role, membership.site)
    with transaction.atomic():
        _lock(organisation)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if not membership.is_active:
            raise ValidationError(
                _("This person no longer works here. Invite them again to give them a role.")
            )
        if membership.role == role:
            return membership
        if membership.role == Role.ORG_ADMIN:
            _keep_one_admin(actor, membership, organisation)
        before = {"role": membership.role}
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
        log_action(
            actor=actor,
            action="membership.role_changed",
            target=membership,
            organisation=organisation,
            site=membership.site,
            changes=field_changes(before, {"role": role}),
        )
        _mail_after_commit(
            to=membership.user.email,
            subject=_("Your role at %(place)s has changed")
            % {"place": membership.site or organisation},
            template="accounts/messages/role_changed.txt",
            context={"membership": membership, "actor": actor, "organisation": organisation},
        )
    return membership


def membership_deactivate(*, actor: User, membership: Membership) -> Membership:
    """Switch off a membership: the person loses that access at once (permissions are read live).

    The record stays for the audit trail; a new invitation switches it on again.
    """
    organisation = _organisation_of(membership)
    _require_team_manager(actor, organisation)
    with transaction.atomic():
        _lock(organisation)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if not membership.is_active:
            return membership
        if membership.role == Role.ORG_ADMIN:
            _keep_one_admin(actor, membership, organisation)
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        log_action(
            actor=actor,
            action="membership.deactivated",
            target=membership,
            organisation=organisation,
            site=membership.site,
            changes=field_changes({"is_active": True}, {"is_active": False}),
        )
        _mail_after_commit(
            to=membership.user.email,
            subject=_("Your access to %(place)s has been switched off")
            % {"place": membership.site or organisation},
            template="accounts/messages/deactivated.txt",
            context={"membership": membership, "actor": actor, "organisation": organisation},
        )
    return membership


# -- shared checks -------------------------------------------------------------------------------


def _require_team_manager(actor: User, organisation: Organisation) -> None:
    # Views already asked `organisation_for`; asking again keeps the service safe on its own.
    if not organisations_for(actor, Can.MANAGE_TEAM).filter(pk=organisation.pk).exists():
        raise PermissionDenied


def _check_role(role: str, site: Site | None) -> None:
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("Choose one of the roles in the list.")})
    if role == Role.ORG_ADMIN and site is not None:
        raise ValidationError(
            {
                "role": _(
                    "An organisation admin works for the whole organisation, not for one "
                    "Digipunt. Choose another role, or invite them for the whole organisation."
                )
            }
        )


def _organisation_of(membership: Membership) -> Organisation:
    if membership.organisation is not None:
        return membership.organisation
    if membership.site is not None:
        return membership.site.organisation
    raise PermissionDenied  # network-wide roles belong to no team


def _lock(organisation: Organisation) -> None:
    """Serialise team changes per organisation, so two admins cannot remove each other at once."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _keep_one_admin(actor: User, membership: Membership, organisation: Organisation) -> None:
    if membership.organisation_id is None or not membership.is_active:
        return
    if active_org_admins(organisation).exclude(pk=membership.pk).exists():
        return
    if membership.user_id == actor.pk:
        message = _(
            "You are the last organisation admin of %(organisation)s, so you cannot remove "
            "yourself. First make someone else organisation admin."
        )
    else:
        message = _(
            "%(name)s is the last organisation admin of %(organisation)s. First make someone "
            "else organisation admin."
        )
    raise ValidationError(message % {"organisation": organisation, "name": membership.user})


def _invitation_organisation(invitation: Invitation) -> Organisation:
    """The organisation an invitation is for: its own, or its site's (invite() sets one)."""
    if invitation.organisation is not None:
        return invitation.organisation
    assert invitation.site is not None, "an invitation names an organisation or a site"
    return invitation.site.organisation


def _membership_at(
    user: User,
    organisation: Organisation,
    site: Site | None,
    *,
    active_only: bool = False,
    lock: bool = False,
) -> Membership | None:
    """The person's membership with exactly this scope (the whole organisation, or one site)."""
    rows = Membership.objects.filter(user=user)
    rows = rows.filter(site=site) if site is not None else rows.filter(organisation=organisation)
    if active_only:
        rows = rows.filter(is_active=True)
    if lock:
        rows = rows.select_for_update()
    return rows.first()


def _mail_after_commit(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Render now (in the current language), send once the transaction has committed.

    `robust=True`: a mail server that fails is logged, and never turns a saved change into an
    error page.
    """
    body = render_to_string(template, context)
    message = EmailMessage(subject=subject, body=body, to=[to])
    transaction.on_commit(message.send, robust=True)
