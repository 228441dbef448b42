"""One API's part of the OpenAPI document, how parts become one document, and the declarations
that the document and the views share.

Each API describes itself (`network.api.openapi.part`, `questions.api.openapi.part`); the top layer
(`workspace.openapi`) puts the parts together, so that no API imports another to be described and
clients still find one document at /api/openapi.json.

What a client may send is declared once: a query parameter (`Integer`, `Number`, `Text`, `Choice`,
`Uuid`, `Pattern`) gives the document its Parameter Object *and* reads the value in the view, so
the document cannot promise a limit the view does not keep, nor the view refuse what the document
allows. The rules every parameter follows:

- absent means the default; present means validated, also when empty (`?page=` is a 400, as
  `?page=x` is; only a text parameter such as `search` accepts "");
- a parameter given twice is a 400 (which of the two did the client mean?);
- no value holds control characters or is longer than `MAX_VALUE_LENGTH`;
- parameters the endpoint does not declare are ignored (caches and trackers add their own).

`allow_methods` answers every other method with 405 and the `Allow` header: a path answers the
methods its Path Item lists, and no other.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Generic, Protocol, TypeVar

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt

T = TypeVar("T")

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


# --- methods -------------------------------------------------------------------------------------

View = Callable[..., HttpResponse]
# Methods a framework answers for any resource; a Path Item does not list them.
IMPLICIT = {"GET": ("HEAD",)}


def allow_methods(
    *methods: str, headers: Mapping[str, str] | None = None
) -> Callable[[View], View]:
    """Answer `methods` (GET also answers HEAD) and every other method with a JSON 405
    `{"error": ...}` and an `Allow` header, before CSRF or authentication: the API holds no
    cookie session to protect, and a method the path does not have is refused whoever asks.
    `headers` go on the 405 too (the open data's CORS and caching headers). The message is in
    English, as the open data's other errors are."""
    allowed = [m for method in methods for m in (method, *IMPLICIT.get(method, ()))]
    allow = ", ".join(allowed)

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                verb = "is" if len(allowed) == 1 else "are"
                message = f"Only {' and '.join(allowed)} {verb} allowed here."
                response = JsonResponse(
                    {"error": message}, status=405, json_dumps_params={"ensure_ascii": False}
                )
                response["Allow"] = allow
                for name, value in (headers or {}).items():
                    response[name] = value
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --- query parameters ----------------------------------------------------------------------------

# Longest value any parameter may have; more is a mistake or an attack, never a real query.
# Each kind's schema implies it (a bounded number, a UUID, a choice) or states it (`maxLength`).
MAX_VALUE_LENGTH = 200
# In the document: "no control characters" (C0: PostgreSQL refuses NUL in text outright, and no
# real value holds one). The same pattern in ECMA-262 and Python.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f]*$"
_CONTROL = re.compile(r"[\x00-\x1f]")
_INTEGER = re.compile(r"-?[0-9]+")
# A JSON number (RFC 8259): how a client writes a number, and nothing that `float()` also takes
# ("nan", "1_000", " 5", "+5").
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
# The textual form of a UUID (RFC 9562), the one JSON Schema's "uuid" format names.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class ParamError(ValueError):
    """A parameter the API cannot use; the message is shown to the client as is (a 400)."""


class Query(Protocol):
    """A query string (Django's QueryDict, or a `DeclaredQuery`)."""

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True, kw_only=True)
class Param(Generic[T]):
    """One parameter: its Parameter Object in the document and how a view reads it.

    Subclasses give the JSON Schema (`schema`) and the conversion of a present value (`convert`,
    which accepts exactly what the schema allows and raises ParamError otherwise)."""

    name: str
    description: str
    default: T | None = None
    location: str = "query"

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def convert(self, value: str) -> T:
        raise NotImplementedError

    def document(self) -> dict[str, Any]:
        """The Parameter Object."""
        schema = self.schema()
        if self.default is not None:
            schema["default"] = self.default
        return {
            "name": self.name,
            "in": self.location,
            "required": self.location == "path",
            "description": self.description,
            "schema": schema,
        }

    def parse(self, value: str) -> T:
        """A value as the client sent it (a path segment, or a query value that is present)."""
        if len(value) > MAX_VALUE_LENGTH:
            raise ParamError(f"{self.name} is too long (at most {MAX_VALUE_LENGTH} characters)")
        if _CONTROL.search(value):
            raise ParamError(f"{self.name} contains control characters")
        return self.convert(value)

    def read(self, query: Query) -> T | None:
        """The parameter from a query string: the default when absent, else its value."""
        values = query.getlist(self.name)
        if not values:
            return self.default
        if len(values) > 1:
            raise ParamError(f"{self.name} is given more than once")
        return self.parse(values[0])

    def get(self, query: Query) -> T:
        """`read` for a parameter with a default (never None)."""
        value = self.read(query)
        if value is None:
            raise TypeError(f"{self.name} has no default")
        return value

    def fail(self, what: str, value: object) -> ParamError:
        shown = value[:50] if isinstance(value, str) else value
        return ParamError(f"{self.name} must be {what}, not {shown!r}")


@dataclass(frozen=True, kw_only=True)
class Integer(Param[int]):
    minimum: int
    maximum: int

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def convert(self, value: str) -> int:
        if not _INTEGER.fullmatch(value) or int(value) < self.minimum:
            raise self.fail(f"a whole number of at least {self.minimum}", value)
        number = int(value)
        if number > self.maximum:
            raise self.fail(f"at most {self.maximum}", number)
        return number


@dataclass(frozen=True, kw_only=True)
class Number(Param[float]):
    """A decimal number above `above` (exclusive) and at most `maximum`, in `unit`."""

    above: float
    maximum: float
    unit: str = ""

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "exclusiveMinimum": self.above, "maximum": self.maximum}

    def convert(self, value: str) -> float:
        if not _NUMBER.fullmatch(value):
            raise self.fail("a number", value)
        number = float(value)
        if not (math.isfinite(number) and self.above < number <= self.maximum):
            unit = f" {self.unit}" if self.unit else ""
            raise self.fail(f"more than {self.above:g} and at most {self.maximum:g}{unit}", value)
        return number


@dataclass(frozen=True, kw_only=True)
class Text(Param[str]):
    """Free text of at most `max_length` characters (without control characters); "" is text."""

    max_length: int

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length, "pattern": NO_CONTROL_CHARACTERS}

    def convert(self, value: str) -> str:
        if len(value) > self.max_length:
            raise ParamError(f"{self.name} is too long (at most {self.max_length} characters)")
        return value


@dataclass(frozen=True, kw_only=True)
class Choice(Param[str]):
    choices: Sequence[str]

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}

    def convert(self, value: str) -> str:
        if value not in self.choices:
            one = self.choices[0] if len(self.choices) == 1 else f"one of {', '.join(self.choices)}"
            raise self.fail(one, value)
        return value


@dataclass(frozen=True, kw_only=True)
class Uuid(Param[uuid.UUID]):
    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "uuid"}

    def convert(self, value: str) -> uuid.UUID:
        if not _UUID.fullmatch(value):
            raise self.fail("a UUID", value)
        return uuid.UUID(value)


@dataclass(frozen=True, kw_only=True)
class Pattern(Param[str]):
    """A string that matches `regex` whole (written so that ECMA-262 and Python read it alike);
    `what` names it in the error message ("a Belgian postal code of four digits")."""

    regex: str
    what: str

    def schema(self) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": f"^(?:{self.regex})$",
            "maxLength": MAX_VALUE_LENGTH,
        }

    def convert(self, value: str) -> str:
        if not re.fullmatch(self.regex, value):
            raise self.fail(self.what, value)
        return value


def is_uuid(value: str) -> bool:
    """Whether `value` is a UUID in its textual form (what `format: uuid` allows)."""
    return bool(_UUID.fullmatch(value))


class DeclaredQuery:
    """The query string as a view may read it: only the parameters it declares. Reading another
    is a programming error (a 500 on every request, so the first test that calls the view finds
    it): what a view reads is what its operation in the document lists."""

    def __init__(self, query: QueryDict, declared: Iterable[Param[Any]]) -> None:
        self._query = query
        self._names = {param.name for param in declared}

    def getlist(self, key: str) -> list[str]:
        if key not in self._names:
            raise LookupError(f"The view reads the parameter {key}, which it does not declare")
        return self._query.getlist(key)


ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def accepts(*declared: Param[Any]) -> Callable[[ViewT], ViewT]:
    """Record the query parameters a view reads; its operation in the document lists exactly
    these (`parameters_of`)."""

    def decorator(view: ViewT) -> ViewT:
        view.parameters = declared  # type: ignore[attr-defined]
        return view

    return decorator


def parameters_of(view: Callable[..., Any]) -> tuple[Param[Any], ...]:
    """The query parameters a view declared with `accepts`."""
    declared: tuple[Param[Any], ...] = getattr(view, "parameters", ())
    return declared
