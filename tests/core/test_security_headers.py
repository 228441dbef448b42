"""Security headers on every response: a strict Content-Security-Policy (no inline code or
style, no eval; the results map's tile host for images), a Permissions-Policy that turns off
what the site never uses, HSTS in production; and templates that the policy does not break (no
inline script, event handler, <style> or style attribute anywhere in them)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from core.security_headers import SecurityHeadersMiddleware, build_policy, map_tile_source
from tests.cast import signed_in, url

ROOT = Path(__file__).resolve().parents[2]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a page that fails")


# A page that fails, for the 500 page (`pytest.mark.urls(__name__)`).
urlpatterns = [path("boom/", boom)]


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy of a response, directive by directive."""
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def permissions(response) -> dict[str, str]:
    header = response.headers["Permissions-Policy"]
    return dict(item.strip().split("=", 1) for item in header.split(","))


def assert_secure_headers(response, where: str) -> None:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {where}"
    assert "unsafe" not in header, where
    directives = policy(response)
    assert directives["script-src"] == ["'self'"], where
    assert directives["style-src"] == ["'self'"], where
    assert directives["default-src"] == ["'self'"], where
    assert directives["object-src"] == ["'none'"], where
    assert directives["frame-ancestors"] == ["'none'"], where
    assert directives["base-uri"] == ["'self'"], where
    assert directives["form-action"] == ["'self'"], where
    features = permissions(response)
    for feature in ("camera", "microphone", "payment", "usb"):
        assert features[feature] == "()", (where, feature)
    assert features["geolocation"] == "(self)", where


# -- on every kind of response ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("territory")
@pytest.mark.parametrize(
    "address", ["/nl/", "/fr/search/?q=9000", "/en/search/?q=Haren", "/static/css/site.css"]
)
def test_public_pages_and_static_files_carry_the_policies(client, address):
    response = client.get(address)

    assert response.status_code == 200
    assert_secure_headers(response, address)
    if response["Content-Type"].startswith("text/html"):
        assert inline_code(response.content.decode()) == [], address


@pytest.mark.django_db
@pytest.mark.usefixtures("territory")
def test_a_site_page_keeps_its_json_ld_and_has_no_inline_code(client):
    from tests import factories

    site = factories.site(name="Digipunt Bibliotheek Melle")
    response = client.get(url("network:site", slug=site.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<script type="application/ld+json">' in html  # data, which the policy allows
    assert inline_code(html) == []


def test_staff_pages_carry_the_policies(cast):
    response = signed_in(cast.coordinator).get(url("workspace:today", site_id=cast.gent_a.pk))

    assert response.status_code == 200
    assert_secure_headers(response, "a site's today page")


@pytest.mark.parametrize(
    "address",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/membership/",
    ],
)
def test_the_platform_admin_pages_have_no_inline_code(cast, address):
    response = signed_in(cast.platform_admin).get(address)

    assert response.status_code == 200
    assert_secure_headers(response, address)
    assert inline_code(response.content.decode()) == [], address


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/api/hsds/", "/api/openapi.json", "/api/v1/contacts"])
def test_the_api_carries_the_policies(client, address):
    response = client.get(address)

    assert response.status_code < 500
    assert_secure_headers(response, address)


@pytest.mark.django_db
def test_a_page_not_found_and_a_redirect_carry_the_policies(client):
    missing = client.get("/nl/no-such-page-at-all/")
    admin = client.get("/admin/")

    assert missing.status_code == 404
    assert_secure_headers(missing, "the 404 page")
    assert admin.status_code == 302
    assert_secure_headers(admin, "a redirect")


def test_a_page_that_is_not_allowed_carries_the_policies(cast):
    # A volunteer of Gent A asking for the team page of the organisation: refused.
    response = signed_in(cast.volunteer).get(url("accounts:team", organisation_id=cast.gent.pk))

    assert response.status_code in {403, 404}
    assert_secure_headers(response, "a refused page")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_server_error_page_carries_the_policies_and_its_style_is_a_file():
    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    assert_secure_headers(response, "the 500 page")
    html = response.content.decode()
    assert "style=" not in html
    assert "css/site.css" in html


# -- the policy and its settings ----------------------------------------------------------------


def middleware_headers() -> dict[str, str]:
    """The headers the middleware adds, with the settings as they are now."""
    response = SecurityHeadersMiddleware(lambda request: HttpResponse())(HttpRequest())
    return dict(response.headers)


def test_images_may_come_from_the_maps_tile_server(settings):
    settings.MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

    header = middleware_headers()["Content-Security-Policy"]

    assert "img-src 'self' data: https://tile.openstreetmap.org;" in header
    assert "connect-src 'self';" in header


def test_the_tile_host_is_a_source_a_browser_understands():
    assert map_tile_source("") is None
    assert map_tile_source("/tiles/{z}/{x}/{y}.png") is None  # this site: 'self'
    assert map_tile_source("https://{s}.tile.example.be/{z}/{x}/{y}.png") == (
        "https://*.tile.example.be"
    )
    assert map_tile_source("http://tiles.example.be:8080/{z}/{x}/{y}.png") == (
        "http://tiles.example.be:8080"
    )
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_URL"):
        map_tile_source("https://tiles.{s}.example.be/{z}/{x}/{y}.png")


def test_without_a_map_images_come_from_this_site_only(settings):
    settings.MAP_TILE_URL = ""

    assert "img-src 'self' data:;" in middleware_headers()["Content-Security-Policy"]


def test_extra_sources_from_the_settings_widen_their_directive(settings):
    settings.CSP_EXTRA_SOURCES = [
        "connect-src=https://stats.example.be",
        "frame-src=https://video.example.be",
        "object-src=https://old.example.be",
    ]

    header = middleware_headers()["Content-Security-Policy"]

    assert "connect-src 'self' https://stats.example.be;" in header
    # A directive the policy had not named falls back to default-src: it keeps 'self'.
    assert "frame-src 'self' https://video.example.be" in header
    assert "object-src https://old.example.be;" in header  # instead of 'none'


@pytest.mark.parametrize(
    "extra",
    [
        ["script-src='unsafe-inline'"],
        ["script-src='unsafe-eval'"],
        ["style-src='UNSAFE-INLINE'"],
        ["script-src='unsafe-hashes'"],
        ["img-src"],
        ["img-src=a.example b.example"],
        ["img-src=a.example;script-src=b.example"],
        ["Img Src=https://a.example"],
    ],
)
def test_unsafe_or_unreadable_extra_sources_stop_the_start(settings, extra):
    settings.CSP_EXTRA_SOURCES = extra

    with pytest.raises(ImproperlyConfigured, match="CSP_EXTRA_SOURCES"):
        SecurityHeadersMiddleware(lambda request: HttpResponse())


def test_report_only_and_a_report_address(settings):
    settings.CSP_REPORT_ONLY = True
    settings.CSP_REPORT_URI = "https://reports.example.be/csp"

    headers = middleware_headers()

    assert "Content-Security-Policy" not in headers
    assert headers["Content-Security-Policy-Report-Only"].endswith(
        "; report-uri https://reports.example.be/csp"
    )


def test_a_views_own_policy_is_kept():
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(HttpRequest())

    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "Permissions-Policy" in response.headers


def test_the_policy_never_allows_inline_code_or_eval():
    header = build_policy(tile_url=settings.MAP_TILE_URL)

    assert "unsafe" not in header
    assert "'strict-dynamic'" not in header
    assert "*" not in header.replace("https://*.", "")


# -- HSTS in production -------------------------------------------------------------------------


def test_the_production_environment_asks_for_hsts_for_a_year():
    values = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy" / "production.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )

    assert int(values["SECURE_HSTS_SECONDS"]) >= 365 * 24 * 3600
    assert values["SECURE_SSL_REDIRECT"] == "true"
    assert "CSP_REPORT_ONLY" not in values or values["CSP_REPORT_ONLY"] == "false"


@pytest.mark.django_db
def test_with_hsts_set_a_secure_response_carries_it(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = Client().get("/api/hsds/", secure=True)

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_secure_headers(response, "a secure response")


# -- templates the policy does not break --------------------------------------------------------

# A <script> of one of these types is a data block, not code: CSP does not apply to it.
DATA_BLOCKS = {"application/ld+json", "application/json"}
EVENT_HANDLER = re.compile(r"^on[a-z]+$")
TEMPLATE_COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)


class InlineCodeFinder(HTMLParser):
    """What the Content-Security-Policy would block in a page: inline scripts (code inside
    <script>, event handler attributes, javascript: URLs) and inline styles (<style> elements
    and style attributes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._script: tuple[int, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if name == "style":
                self.found.append((line, f"a style attribute on <{tag}>"))
            elif EVENT_HANDLER.match(name) and value is not None:
                self.found.append((line, f"an event handler {name}= on <{tag}>"))
            elif value and value.strip().lower().startswith("javascript:"):
                self.found.append((line, f"a javascript: URL in {name}= on <{tag}>"))
        if tag == "style":
            self.found.append((line, "a <style> element"))
        elif tag == "script":
            kind = (dict(attrs).get("type") or "").strip().lower()
            self._script = (line, kind)

    def handle_data(self, data: str) -> None:
        if self._script is not None and data.strip():
            line, kind = self._script
            if kind not in DATA_BLOCKS:
                self.found.append((line, "code inside <script>"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def inline_code(source: str) -> list[tuple[int, str]]:
    # Django comments are never sent; blank them out (keeping their lines) before parsing.
    source = TEMPLATE_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), source)
    finder = InlineCodeFinder()
    finder.feed(source)
    finder.close()
    return finder.found


def template_files() -> list[Path]:
    folders = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
    return sorted(
        file
        for folder in folders
        if ".venv" not in folder.parts
        for file in folder.rglob("*")
        if file.suffix in {".html", ".svg", ".xml"}
    )


@pytest.mark.parametrize(
    ("snippet", "what"),
    [
        ("<script>alert(1)</script>", "code inside <script>"),
        ('<script type="module">import "x";</script>', "code inside <script>"),
        ('<button onclick="go()">Go</button>', "an event handler onclick= on <button>"),
        ('<body ONLOAD="x()">', "an event handler onload= on <body>"),
        ("<style>p { color: red }</style>", "a <style> element"),
        ("<svg><style>path { fill: red }</style></svg>", "a <style> element"),
        ('<div class="a" style="{{ box.style }}">', "a style attribute on <div>"),
        ('<a href="javascript:void(0)">x</a>', "a javascript: URL in href= on <a>"),
    ],
)
def test_the_scan_finds_each_kind_of_inline_code(snippet, what):
    assert [found for _line, found in inline_code(snippet)] == [what]


def test_the_scan_lets_script_files_data_blocks_and_words_through():
    page = """{% comment %}<script>old()</script> style="x"{% endcomment %}
<script src="{% asset 'js/map.js' %}" defer></script>
<script type="application/ld+json">{{ json_ld|safe }}</script>
<p data-onward="yes">Use the style you like; only online.</p>
<input {% if only %}checked{% endif %} name="q">"""

    assert inline_code(page) == []


def test_no_template_has_inline_scripts_event_handlers_or_styles():
    files = template_files()
    found = [
        f"{file.relative_to(ROOT)}:{line}: {what}"
        for file in files
        for line, what in inline_code(file.read_text())
    ]

    assert len(files) > 100, "the scan no longer finds the templates"
    assert found == [], "The Content-Security-Policy blocks these:\n" + "\n".join(found)
