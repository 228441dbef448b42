"""Logs that may be kept: one line a record, and never a secret link or a resident's details.

A resident's booking, loan and course place each have a secret link (`/nl/appointments/<token>/`):
whoever holds it may see and change them. Access logs, error reports and "Not Found" warnings
would write that link down for everyone who reads the logs, for as long as they are kept, and
logs outlive the personal data they mention (privacy.retention). So every log line goes through
`RedactFilter` before it is written:

- each secret part of a route in `settings.SECRET_URL_ROUTES` ("appointments/<secret>/") becomes
  `[secret]`, wherever the path appears (the message, the request's path, a Referer, a
  traceback): `/nl/appointments/[secret]/booked/`;
- email addresses become `[email]`, phone numbers (`+32…`, `0032…`, `0470…`, as written or
  URL-encoded) `[phone]`. The services already shorten what they log (`r…@example.be`); this is
  the safety net for what they did not write themselves (a path, a query string, an exception).

`logging_config` is the one logging configuration: Django's (`settings.LOGGING`) and gunicorn's
(deploy/gunicorn.conf.py, access log included) both use it, as JSON (`JsonFormatter`: one object
a line, with the request's id, method, path, status and duration where known) in production or
as text in development. `RequestLogContextMiddleware` gives every request an id (nginx's
`X-Request-ID`, or a new one) that each line logged while serving it carries, and that the
response and gunicorn's access line repeat.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import phonenumbers

if TYPE_CHECKING:
    # Type hints only: the settings module imports this one, before Django is set up.
    from django.http import HttpRequest, HttpResponse

LINK_MARK = "[secret]"
EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"

# The attributes of a record that hold a path or a header, redacted like the message.
REDACTED_ATTRIBUTES = ("path", "referer", "user_agent")

# One segment of a secret: up to the next slash, or where a path ends in a log line.
_LINK_SEGMENT = r"([^/\s?#&\"'<>]+)"
# A route's path starts after a language prefix (/nl, /fr, /en, or one we do not serve: a
# mistyped link is still secret), or where a path starts (not inside a longer path: the staff
# page /nl/staff/sites/3/appointments/12/ is no secret link).
_PATH_START = r"(?:(?<=/[a-z]{2})|(?<![\w./%~-]))"

# user@example.be, also URL-encoded (user%40example.be) in a query string.
_EMAIL_ADDRESS = re.compile(
    r"(?<![\w.+%-])[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# What may be a phone number: an international (+, 00, %2B) or Belgian trunk (0) prefix, then
# 7 to 14 digits with the usual separators. phonenumbers decides (`_phone_or_text`), so dates,
# durations, ids and amounts stay as they are.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+%])(?:\+|%2[Bb]|00|0)[1-9](?:(?:[ ./+-]|%20)?\d){6,13}(?![\w%])"
)


def _route_pattern(route: str) -> tuple[re.Pattern[str], str]:
    """`route` ("appointments/<secret>/") as a pattern and what a match becomes."""
    parts = route.strip("/").split("/")
    if "<secret>" not in parts:
        raise ValueError(f"A secret route needs a <secret> part: {route!r}")
    pattern = "".join(
        "/" + (_LINK_SEGMENT if part == "<secret>" else re.escape(part)) for part in parts
    )
    replacement = "".join("/" + (LINK_MARK if part == "<secret>" else part) for part in parts)
    return re.compile(_PATH_START + pattern), replacement


def _phone_or_text(match: re.Match[str]) -> str:
    text = match.group(0)
    plain = text.replace("%2B", "+").replace("%2b", "+").replace("%20", " ")
    try:
        number = phonenumbers.parse(plain, "BE")
    except phonenumbers.NumberParseException:
        return text
    return PHONE_MARK if phonenumbers.is_possible_number(number) else text


class Redactor:
    """Takes secret links, email addresses and phone numbers out of a text."""

    def __init__(self, secret_routes: Sequence[str]) -> None:
        self.routes = [_route_pattern(route) for route in secret_routes]

    def __call__(self, text: str) -> str:
        for pattern, replacement in self.routes:
            text = pattern.sub(replacement, text)
        text = _EMAIL_ADDRESS.sub(EMAIL_MARK, text)
        return _PHONE_CANDIDATE.sub(_phone_or_text, text)


class RedactFilter(logging.Filter):
    """Redacts a record in place (message, traceback, path and headers): every handler after
    this one, and every formatter, sees only the redacted record. Put it on each handler."""

    def __init__(self, secret_routes: Sequence[str] = ()) -> None:
        super().__init__()
        self.redact = Redactor(secret_routes)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # The arguments do not fit the message: keep neither, since the error report that
            # logging would print quotes them whole.
            message = f"{record.msg} [the log call's arguments did not fit its message]"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for name in REDACTED_ATTRIBUTES:
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, self.redact(value))
        return True


# --- the request a record was logged in ---------------------------------------------------------


@dataclass(frozen=True)
class RequestContext:
    id: str
    method: str
    path: str


_current_request: ContextVar[RequestContext | None] = ContextVar("request", default=None)
# nginx's $request_id is 32 hexadecimal digits; a longer or stranger header is not taken over.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_ID_HEADER = "X-Request-ID"
_CONTEXT_ATTRIBUTE = "log_context"


class RequestLogContextMiddleware:
    """Gives each request an id (the proxy's X-Request-ID, or a new one), sent back in the
    response, and makes it, the method and the path part of every line logged meanwhile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        context = RequestContext(
            id=given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex,
            method=request.method or "",
            path=request.path,
        )
        # Also on the request: Django logs an error response ("Not Found: ...") with the
        # request, after this middleware has returned.
        setattr(request, _CONTEXT_ATTRIBUTE, context)
        token = _current_request.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response[REQUEST_ID_HEADER] = context.id
        return response


class RequestContextFilter(logging.Filter):
    """Adds the request's id, method and path to a record that has none of its own: the request
    being served, or the one the record names (django.request's records)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current_request.get() or getattr(
            getattr(record, "request", None), _CONTEXT_ATTRIBUTE, None
        )
        if isinstance(context, RequestContext) and not hasattr(record, "request_id"):
            record.request_id = context.id
            record.method = context.method
            record.path = context.path
        return True


def anonymised_address(address: str) -> str:
    """A client's address as logs keep it: the network, not the person (IPv4 /24, IPv6 /48)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "-"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


# --- formats ------------------------------------------------------------------------------------

# The fields a record may carry beyond time, level, logger and message, in the order written.
# `status_code` is what django.request sets on its records; JSON calls it `status`.
_FIELDS = (
    ("request_id", "request_id"),
    ("method", "method"),
    ("path", "path"),
    ("status", "status"),
    ("status_code", "status"),
    ("duration_ms", "duration_ms"),
    ("bytes", "bytes"),
    ("referer", "referer"),
    ("user_agent", "user_agent"),
    ("client", "client"),
)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request's fields where
    known (`_FIELDS`), the process and, for an error, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for attribute, key in _FIELDS:
            value = getattr(record, attribute, None)
            if value is not None and key not in entry:
                entry[key] = value
        entry["process"] = record.process
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


LOG_FORMATS = ("json", "text")


def logging_config(*, log_format: str, level: str, secret_routes: Sequence[str]) -> dict[str, Any]:
    """The logging configuration (`logging.config.dictConfig`) of Django and of gunicorn: one
    handler on standard error, behind `RequestContextFilter` and `RedactFilter`, that every
    logger writes through. `log_format` is `json` or `text`."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_context": {"()": RequestContextFilter},
            "redact": {"()": RedactFilter, "secret_routes": list(secret_routes)},
        },
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_context", "redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers (the console in DEBUG, email to ADMINS with the whole
            # request) would write around the redaction: its records go to the root's handler.
            "django": {"handlers": [], "propagate": True},
            "django.server": {"handlers": [], "propagate": True},
            # gunicorn's loggers do not propagate; they get the same handler.
            "gunicorn.error": {"handlers": ["console"], "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
