"""One API's part of the OpenAPI document, and how parts become one document.

Each API describes itself (`network.api.openapi.part`, `questions.api.openapi.part`); the top layer
(`workspace.openapi`) puts the parts together, so that no API imports another to be described and
clients still find one document at /api/openapi.json.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The components an API part may add, in the order the document lists them.
COMPONENTS = ("schemas", "securitySchemes", "parameters", "responses")


@dataclass(frozen=True)
class ApiPart:
    """The paths one API serves and the components they refer to (`#/components/...`)."""

    paths: Mapping[str, Any]
    schemas: Mapping[str, Any] = field(default_factory=dict)
    security_schemes: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    responses: Mapping[str, Any] = field(default_factory=dict)

    def components(self) -> dict[str, Mapping[str, Any]]:
        return {
            "schemas": self.schemas,
            "securitySchemes": self.security_schemes,
            "parameters": self.parameters,
            "responses": self.responses,
        }


def assemble(head: Mapping[str, Any], parts: Iterable[ApiPart]) -> dict[str, Any]:
    """The OpenAPI document: `head` (openapi, info, servers...) and every part's paths and
    components, in the parts' order. Two parts that name the same path or component are a
    mistake, refused here rather than one silently replacing the other."""
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {name: {} for name in COMPONENTS}
    for part in parts:
        _add(paths, part.paths, "path")
        for name, entries in part.components().items():
            _add(components[name], entries, name)
    return {
        **head,
        "paths": paths,
        "components": {name: entries for name, entries in components.items() if entries},
    }


def _add(into: dict[str, Any], entries: Mapping[str, Any], kind: str) -> None:
    for key, value in entries.items():
        if key in into:
            raise ValueError(f"Two API parts describe the same {kind}: {key}")
        into[key] = value
