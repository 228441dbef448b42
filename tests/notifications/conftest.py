"""Fixtures for the notifications tests: an SMS outbox in memory and a local SMS provider."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from notifications import sms


@pytest.fixture
def sms_outbox(settings) -> Iterator[list[sms.SMSMessage]]:
    """SMS go to `notifications.sms.outbox`, empty at the start of the test."""
    settings.SMS_BACKEND = "notifications.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@dataclass
class Provider:
    """What the local provider received, and how it answers the next requests."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 201
    answer: dict[str, Any] = field(
        default_factory=lambda: {"sid": "SM0123456789abcdef", "status": "queued"}
    )
    # When set, the provider keeps each request waiting until the event is set (a slow provider).
    hold: threading.Event | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _ProviderServer

    def do_POST(self) -> None:
        provider = self.server.provider
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        provider.requests.append(
            {
                "path": self.path,
                "headers": dict(self.headers),
                "form": {name: values[0] for name, values in parse_qs(body).items()},
            }
        )
        if provider.hold is not None:
            provider.hold.wait(10)
        payload = json.dumps(provider.answer).encode()
        self.send_response(provider.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean


class _ProviderServer(ThreadingHTTPServer):
    daemon_threads = True
    provider: Provider


@pytest.fixture
def sms_provider(settings) -> Iterator[Provider]:
    """A real HTTP server on 127.0.0.1 that answers like Twilio, with TwilioBackend aimed at it."""
    server = _ProviderServer(("127.0.0.1", 0), _Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    server.provider = Provider(url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "notifications.sms.TwilioBackend"
    settings.SMS_API_URL = url
    settings.SMS_ACCOUNT_SID = "AC0123456789"
    settings.SMS_AUTH_TOKEN = "secret-token"
    settings.SMS_FROM = "Digipunt"
    settings.SMS_TIMEOUT_SECONDS = 5
    try:
        yield server.provider
    finally:
        if server.provider.hold is not None:
            server.provider.hold.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (a provider that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
