"""The API's one OpenAPI 3.1 document, served at /api/openapi.json: the document's head here, and
each API's own part (`<app>/api/openapi.py`, see `core.openapi`) in the list below. A new API is
one more line in `PARTS`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.openapi import ApiPart, DeclaredQuery, assemble
from network.api import openapi as open_data
from network.api.hsds import Context
from network.api.links import absolute
from network.api.views import api_view
from questions.api import openapi as contacts

API_VERSION = "1.0.0"

DESCRIPTION = """\
Open data of the Digipunten (digital help points) in Flanders and Brussels.

The `/api/hsds/` endpoints follow the Open Referral Human Services Data Specification (HSDS) 3.0.
Each published Digipunt (site) is an HSDS *location*; each of the up to four things it offers
(help with digital questions, internet and computers, device lending, courses and workshops) is an
HSDS *service* at that location, provided by the site's *organization*. The themes a site helps
with (eID and itsme, taxes, ...) are terms of the taxonomy `digipunt-themes`, attached to its
services as attributes. Identifiers are stable UUIDs.

Opening hours are HSDS schedules (RFC 5545 rules) in Belgian local time (Europe/Brussels); a period
that lasts until midnight closes at 23:59. Closures are announced in the service's `alert` and make
its `status` "temporarily closed" while they last.

Names and texts are in Dutch unless `lang` asks for French or English. Every response allows any
origin (CORS) and may be cached for five minutes. Bad parameters give 400, unknown ids 404, both
with a JSON body `{"error": "..."}`.

One endpoint is not open data: `POST /api/v1/contacts` lets another tool of an organisation
register contacts at its Digipunten, with a token of that organisation (bearer authentication). It
answers 400 with `{"errors": {"field": ["..."]}}` and is never cached.

Every limit a parameter has is in its schema here, and the API keeps exactly those: an empty
value is a value (`?page=` is a 400; only `search` may be empty), a parameter given twice is a
400, parameters an endpoint does not list are ignored. The one rule of the open data that
OpenAPI cannot state: `proximity_radius` needs `proximity`. A method a path does not list is
answered 405 with an `Allow` header.

The HSDS schemas are "Human Services Data Specification: an Open Referral resource
(https://openreferral.org/)", CC BY-SA 4.0; they are served unchanged under /api/hsds/schemas/,
and copied into this document's components (`hsds_service`, ...) with their references to each
other pointing within the document.
"""


def this_document() -> ApiPart:
    """The path of the document itself (served here, with the open data's treatment)."""
    return ApiPart(
        paths={
            "/api/openapi.json": open_data.get(
                openapi_document,
                "getOpenApiDocument",
                "This document.",
                {
                    "description": "The OpenAPI 3.1 document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
            )
        }
    )


# Every API's part, in the order clients read them.
PARTS = (open_data.part, contacts.part, this_document)


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the whole API (paths are absolute, from the site root)."""
    head = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Digipunt open data API",
            "version": API_VERSION,
            "summary": "Digipunten in Flanders and Brussels as Open Referral HSDS 3.0 and "
            "GeoJSON, and an authenticated endpoint to register contacts.",
            "description": DESCRIPTION,
        },
        "servers": [{"url": absolute("")}],
    }
    parts: list[ApiPart] = [part() for part in PARTS]
    return assemble(head, parts)


@api_view()
def openapi_document(request: HttpRequest, ctx: Context, query: DeclaredQuery) -> dict[str, Any]:
    """GET /api/openapi.json, with the open data's treatment (JSON, open CORS, public caching)."""
    return document()
