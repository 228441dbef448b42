"""Issue 15, gap 8: secret links (`/nl/appointments/<token>/booked/`) landed in the logs.

Logs are kept longer than the data they mention and read by more people: no line may hold a
secret link, an email address or a phone number. The application's own log handler
(settings.LOGGING, core/logging.py) and gunicorn's access log, which uses the same
configuration (deploy/gunicorn.conf.py), write `[secret]`, `[email]` and `[phone]` instead.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from core.logging import JsonFormatter, RedactFilter, Redactor
from tests.appointments.helpers import book, bookable_site, tomorrow_at
from tests.cast import url

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "Zq9-secret_T0ken"


def _app_handler() -> logging.StreamHandler:
    """The application's log handler: the one settings.LOGGING puts on the root logger."""
    [handler] = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactFilter) for f in handler.filters)
    ]
    assert isinstance(handler, logging.StreamHandler)
    return handler


@pytest.fixture
def app_log() -> Iterator[io.StringIO]:
    """What the application's log handler writes."""
    written = io.StringIO()
    previous = _app_handler().setStream(written)
    try:
        yield written
    finally:
        _app_handler().setStream(previous)


@pytest.fixture
def json_logs(app_log) -> Iterator[io.StringIO]:
    """The handler's output as production writes it (LOG_FORMAT=json)."""
    handler = _app_handler()
    previous = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield app_log
    finally:
        handler.setFormatter(previous)


@pytest.mark.django_db
@pytest.mark.usefixtures("territory")
def test_a_secret_link_page_leaves_no_token_in_the_application_log(client, app_log):
    site = bookable_site()
    _appointment, token = book(site, tomorrow_at(10))

    assert client.get(url("appointments:online-manage", "nl", token=token)).status_code == 200
    # A link that is wrong or no longer exists is logged by Django with its path.
    for path in (
        f"/nl/appointments/{TOKEN}/booked/",
        f"/fr/loans/{TOKEN}/",
        f"/en/courses/registration/{TOKEN}/",
        f"/nl/staff/invitation/{TOKEN}/",
    ):
        client.get(path)

    written = app_log.getvalue()
    assert "Not Found: /nl/appointments/[secret]/booked/" in written
    assert "Not Found: /fr/loans/[secret]/" in written
    assert token not in written
    assert TOKEN not in written


@pytest.mark.django_db
def test_a_json_line_carries_the_request_id_method_path_and_status_without_the_token(
    client, json_logs
):
    response = client.get(f"/nl/appointments/{TOKEN}/booked/", HTTP_X_REQUEST_ID="abc123")

    [line] = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    assert response["X-Request-ID"] == "abc123"
    assert line["logger"] == "django.request"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /nl/appointments/[secret]/booked/"
    assert (line["request_id"], line["method"], line["path"], line["status"]) == (
        "abc123",
        "GET",
        "/nl/appointments/[secret]/booked/",
        404,
    )
    assert {"time", "process"} <= line.keys()


@pytest.mark.django_db
def test_a_request_without_a_usable_request_id_gets_a_new_one(client):
    response = client.get("/nl/", HTTP_X_REQUEST_ID="not a usable id; " + "x" * 80)

    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] != client.get("/nl/")["X-Request-ID"]


def test_an_email_address_or_phone_number_in_a_log_message_is_redacted(app_log):
    logging.getLogger("tests").warning(
        "Resident %s (%s, %s) could not be reached",
        "jan.peeters@example.be",
        "0470 12 34 56",
        "+32 9 210 10 10",
    )

    assert (
        app_log.getvalue()
        .rstrip()
        .endswith("tests: Resident [email] ([phone], [phone]) could not be reached")
    )


def test_a_traceback_is_redacted_too(app_log):
    try:
        raise LookupError(f"no loan for /nl/loans/{TOKEN}/ (jan@example.be)")
    except LookupError:
        logging.getLogger("tests").exception("Lookup failed")

    written = app_log.getvalue()
    assert "LookupError: no loan for /nl/loans/[secret]/ ([email])" in written
    assert TOKEN not in written


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("GET /nl/appointments/a-B_1/booked/ 200", "GET /nl/appointments/[secret]/booked/ 200"),
        ("https://x.be/fr/loans/abc?x=1", "https://x.be/fr/loans/[secret]?x=1"),
        ("/nl/staff/password/reset/MQ/c2a-9f/", "/nl/staff/password/reset/[secret]/[secret]/"),
        ("/appointments/abc/", "/appointments/[secret]/"),  # before the language redirect
        ("/nl/?q=0470123456&lang=nl", "/nl/?q=[phone]&lang=nl"),
        ("/nl/?email=jan%40example.be", "/nl/?email=[email]"),
        ("call 0032 470 12 34 56 or 09/210.10.10", "call [phone] or [phone]"),
        # No secret, no contact details: left as they are.
        ("/nl/staff/sites/3/appointments/12/cancel/", "/nl/staff/sites/3/appointments/12/cancel/"),
        ("/nl/staff/password/reset/done/", "/nl/staff/password/reset/done/"),
        ("Email to r…@example.be sent; SMS to +32…456 sent", None),
        ("at 2026-12-07 14:05:00, 9000 Gent, 0.123456 s, 10.0.0.1", None),
        ("task 0b7c1234-5678-4012-8123-456789abcdef, order 12345678901", None),
    ],
)
def test_the_redactor_hides_secrets_and_contact_details_and_nothing_else(text, redacted):
    assert Redactor(settings.SECRET_URL_ROUTES)(text) == (redacted or text)


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def test_every_url_with_a_token_is_a_registered_secret_route():
    """A new secret link (a URL with a `token`) must be added to settings.SECRET_URL_ROUTES."""
    redact = Redactor(settings.SECRET_URL_ROUTES)
    secret_urls = [
        (name, pattern)
        for name, pattern in _patterns(get_resolver())
        if "token" in getattr(pattern.pattern, "converters", {})
    ]
    assert len(secret_urls) >= 4, "the URLs with a token were not found"
    for name, pattern in secret_urls:
        arguments = dict.fromkeys(pattern.pattern.converters, TOKEN)
        with translation.override("nl"):
            path = reverse(name, kwargs=arguments)
        assert TOKEN not in redact(path), f"{name} ({path}) is not in SECRET_URL_ROUTES"


def _nginx_map(config: str, variable: str) -> list[tuple[re.Pattern[str], str]]:
    """The regular expressions of nginx's `map <variable> ...` block, with their values."""
    [block] = re.findall(r"map \$" + variable + r" \$\w+ \{(.*?)\n\}", config, re.S)
    return [(re.compile(regex), value) for regex, value in re.findall(r'"~(.+?)" "(.+?)";', block)]


def _nginx_value(entries: list[tuple[re.Pattern[str], str]], text: str) -> str:
    """What nginx's map gives for `text`: the first match's value, with its $1, $2 filled in."""
    for pattern, value in entries:
        match = pattern.search(text)
        if match:
            return re.sub(r"\$(\d)", lambda number, m=match: m.group(int(number.group(1))), value)
    raise AssertionError(f"no map entry matches {text}")


def test_the_nginx_example_keeps_the_same_secret_routes_out_of_its_access_log():
    """deploy/nginx/digipunt.conf has its own copy of the routes (nginx cannot read ours)."""
    config = (ROOT / "deploy" / "nginx" / "digipunt.conf").read_text()
    paths = _nginx_map(config, "request_uri")
    referers = _nginx_map(config, "http_referer")
    for route in settings.SECRET_URL_ROUTES:
        path = "/nl/" + route.replace("<secret>", TOKEN)
        logged = _nginx_value(paths, path + "?email=jan%40example.be")
        assert logged == "/nl/" + route.replace("<secret>", "[secret]")
        referer = _nginx_value(referers, "https://digipunt.example.be" + path)
        assert TOKEN not in referer, f"the nginx example misses {route} in the Referer"
    staff = "/nl/staff/sites/3/appointments/12/cancel/"
    assert _nginx_value(paths, staff + "?page=2") == staff


# --- gunicorn ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(address: str, headers: dict[str, str]) -> dict[str, str]:
    request = urllib.request.Request(address, headers=headers)  # noqa: S310 (a local address)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return dict(response.headers)
    except urllib.error.HTTPError as error:
        return dict(error.headers)


def test_gunicorns_access_log_writes_a_secret_link_as_secret(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DIGIPUNT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DIGIPUNT_INSECURE_DEV_KEY": "true",
        "LOG_FORMAT": "json",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = _free_port()
    # From another folder: the configuration finds the project by itself.
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                _get(f"{base}/nl/", {})
                break
            except OSError:
                time.sleep(0.1)
        headers = _get(
            f"{base}/nl/appointments/{TOKEN}/booked/?mail=jan%40example.be",
            # As nginx on the same host sends them (deploy/nginx/digipunt.conf).
            {
                "Referer": f"https://digipunt.example.be/nl/loans/{TOKEN}/",
                "X-Real-IP": "203.0.113.7",
            },
        )
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=30)

    assert TOKEN not in stdout + stderr
    lines = [json.loads(line) for line in stderr.splitlines()]
    [access] = [
        line
        for line in lines
        if line["logger"] == "gunicorn.access" and line["path"].startswith("/nl/appointments/")
    ]
    assert access["message"] == "GET /nl/appointments/[secret]/booked/?mail=[email] 404"
    assert access["path"] == "/nl/appointments/[secret]/booked/?mail=[email]"
    assert access["referer"] == "https://digipunt.example.be/nl/loans/[secret]/"
    assert (access["method"], access["status"]) == ("GET", 404)
    assert access["request_id"] == headers["X-Request-ID"]
    assert isinstance(access["duration_ms"], float)
    # The client nginx names (from 127.0.0.1, a trusted proxy), as a network only.
    assert access["client"] == "203.0.113.0"
    # The application's own line about the same request says the same, under the same id.
    [not_found] = [line for line in lines if line["logger"] == "django.request"]
    assert not_found["message"] == "Not Found: /nl/appointments/[secret]/booked/"
    assert not_found["request_id"] == access["request_id"]
