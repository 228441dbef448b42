"""Staff pages where an organisation admin makes and revokes the organisation's API tokens.

`accounts.permissions.organisation_for` decides (`Can.MANAGE_TOKENS`): another organisation, or
a token of another organisation, is a 404. A new token is shown once, in the answer to the form
that made it; it is never stored in the clear, so it cannot be shown again.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import api_tokens as tokens
from accounts.decorators import staff_view
from accounts.models import ApiToken
from accounts.permissions import Can, organisation_for


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Which tool will use it, for example “Agenda of the library”."),
    )


@staff_view
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The organisation's tokens, and a form to make one."""
    organisation = organisation_for(request.user, organisation_id, Can.MANAGE_TOKENS)
    new_token = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_token = tokens.api_token_create(
                    actor=request.user, organisation=organisation, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form = TokenForm()
    else:
        form = TokenForm()
    context = {
        "organisation": organisation,
        "tokens": list(organisation.api_tokens.select_related("created_by")),
        "form": form,
        "new_token": new_token,
    }
    return render(request, "accounts/staff/api_tokens.html", context)


@staff_view
@require_POST
def token_revoke(request: HttpRequest, organisation_id: int, token_id: int) -> HttpResponse:
    """Revoke one token of the organisation for good."""
    organisation = organisation_for(request.user, organisation_id, Can.MANAGE_TOKENS)
    token = get_object_or_404(ApiToken, pk=token_id, organisation=organisation)
    was_active = token.revoked_at is None
    tokens.api_token_revoke(actor=request.user, token=token)
    if was_active:
        messages.success(
            request,
            _("The token “%(name)s” is revoked: a tool that uses it can no longer send data.")
            % {"name": token.name},
        )
    return redirect("accounts:api-tokens", organisation_id=organisation.pk)
