"""`POST /api/v1/contacts`: other tools of an organisation register contacts at its sites.

The request path: the bearer token names the organisation (`tokens.api_token_authenticate`),
the body is read into a `ContactInput` (`payload`: a malformed body is a 400 whatever site it
names), the site must be one of the token's organisation (any other uuid, also another
organisation's site, is the same 404), and `questions.services.contact_register` does the rest,
exactly as for the form. Answers are JSON:

- 201 `{"ids": [...], "count": n}`;
- 400 `{"errors": {"field": ["message", ...]}}`;
- 401 (with `WWW-Authenticate: Bearer`), 404, 405 and 413 `{"error": "message"}`.

Messages are in English unless `Accept-Language` asks for Dutch or French. The endpoint is
described in the OpenAPI document (`questions.api.openapi`, served at /api/openapi.json).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts import api_tokens as tokens
from accounts.models import ApiToken
from network.models import Site
from questions import selectors
from questions.api import payload
from questions.models import Source
from questions.services import AlreadyRegistered, contact_register

MAX_BODY = 64 * 1024
API_LANGUAGES = ("en", "nl", "fr")
# The service names fields as the form does; the API's body nests some of them.
FIELD_NAMES = {
    "age_band": "profile.age_band",
    "gender": "profile.gender",
    "visitor_language": "profile.language",
    "first_visit": "profile.first_visit",
    "situation": "profile.situation",
    "outcome": "questions",
    "referred_to": "questions",
    "concern": "questions",
    "form_token": "submission",
    NON_FIELD_ERRORS: "body",
}


def _language(request: HttpRequest) -> str:
    """The first of en/nl/fr that Accept-Language names, in its order; English otherwise."""
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in API_LANGUAGES:
            return code
    return "en"


def _answer(data: dict[str, Any], status: int) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _error(message: str, status: int) -> JsonResponse:
    return _answer({"error": message}, status)


def _bearer(request: HttpRequest) -> ApiToken | None:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return tokens.api_token_authenticate(credentials.strip())


def _body(request: HttpRequest) -> bytes | None:
    """The body if it is at most 64 KB (None otherwise), without reading a bigger one."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return body if len(body) <= MAX_BODY else None


@csrf_exempt  # no cookies: the bearer token is the credential, so there is nothing to forge
def contacts(request: HttpRequest) -> HttpResponse:
    """Register one contact (or a group of `people`) with its questions at one site."""
    with translation.override(_language(request)):
        return _contacts(request)


def _contacts(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _error(_("Only POST is allowed here."), 405)
        response["Allow"] = "POST"
        return response
    token = _bearer(request)
    if token is None:
        response = _error(_("Send a valid API token: Authorization: Bearer <token>."), 401)
        response["WWW-Authenticate"] = 'Bearer realm="digipunt"'
        return response
    body = _body(request)
    if body is None:
        return _error(_("The body is larger than 64 KB."), 413)
    try:
        data = payload.decode(body)
        wanted = payload.site_uuid(data)
        # The body's shape first: a malformed body is a 400 whichever site it names.
        contact_input = payload.contact_input(data)
        site = (
            Site.objects.filter(uuid=wanted, organisation_id=token.organisation_id)
            .select_related("organisation")
            .first()
        )
        if site is None:
            return _error(_("Your organisation has no Digipunt with this id."), 404)
        registered = contact_register(
            actor=None,
            site=site,
            data=contact_input,
            helper=None,
            source=Source.API,
            submission=payload.submission(data),
        )
    except AlreadyRegistered as already:
        # A retry of a registration that arrived: the same answer, nothing counted twice.
        ids = selectors.registration_ids(already.contact)
        return _answer({"ids": ids, "count": len(ids), "already_registered": True}, 200)
    except payload.PayloadError as error:
        return _answer({"errors": error.errors}, 400)
    except ValidationError as error:
        found = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
        errors: dict[str, list[str]] = {}
        for field, messages in found.items():
            errors.setdefault(FIELD_NAMES.get(field, field), []).extend(messages)
        return _answer({"errors": errors}, 400)
    ids = [contact.pk for contact in registered]
    return _answer({"ids": ids, "count": len(ids)}, 201)
