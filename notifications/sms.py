"""SMS through a pluggable backend, like Django's email backends.

`settings.SMS_BACKEND` names the backend class; `get_backend()` makes one. Every backend has
`send_messages(messages) -> int` (how many went out) and raises `SMSError` when the provider
refuses or cannot be reached. Residents are reached through `notifications.services.notify`,
never through a backend directly: `notify` sends after the commit and logs failures.

- `ConsoleBackend` prints each message (the development default).
- `FileBackend` writes one file per message into `settings.SMS_FILE_PATH` (default `var/sms/`).
- `LocmemBackend` appends to `notifications.sms.outbox` (tests; clear it with `outbox.clear()`,
  never rebind it, since other modules hold the same list).
- `TwilioBackend` posts to the Twilio Messages API over HTTPS (settings `SMS_API_URL`,
  `SMS_ACCOUNT_SID`, `SMS_AUTH_TOKEN`, `SMS_FROM`, `SMS_TIMEOUT_SECONDS`).

Keep SMS bodies short: a message longer than one segment is sent (and billed) as several, and
text is never truncated here, because a cut-off date or link is worse than a long message. See
`sms_segments`.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import math
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from uuid import uuid4

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("notifications")

# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
E164 = re.compile(r"\+[1-9]\d{6,14}")

# GSM 03.38, the 7-bit alphabet of SMS: its basic table costs one septet a character, the
# extension table two (an escape, then the character). Anything else switches the whole message
# to UCS-2, which holds less than half as many characters per segment.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


class SMSError(Exception):
    """The SMS could not be sent: refused by the provider, unreachable, or not configured."""


@dataclass(frozen=True)
class SMSMessage:
    """One SMS: the recipient in E.164 (+32470123456) and the text."""

    to: str
    body: str

    def __post_init__(self) -> None:
        if not E164.fullmatch(self.to):
            raise ValueError(f"An SMS needs a number in E.164 form (+32470123456), not {self.to!r}")


# Every message this process "sent" with LocmemBackend, oldest first.
outbox: list[SMSMessage] = []


def sms_segments(body: str) -> int:
    """How many SMS segments the body takes (each one billed as an SMS).

    GSM 7-bit text: 160 characters in one segment, 153 a segment beyond that. With a single
    character outside that alphabet (an emoji, ê, ç, Arabic): 70, then 67 a segment.
    """
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in body):
        units = len(body) + sum(char in GSM7_EXTENSION for char in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def mask_phone(number: str) -> str:
    """A number as logs show it: enough to tell messages apart, not enough to call someone."""
    return f"{number[:3]}…{number[-3:]}" if len(number) > 6 else "…"


def get_backend(path: str | None = None) -> BaseSMSBackend:
    """A new instance of the backend named by `path` or `settings.SMS_BACKEND`."""
    backend_class = import_string(path or settings.SMS_BACKEND)
    return backend_class()


class BaseSMSBackend:
    """What every SMS backend does: send a list of messages and say how many went out."""

    def send_messages(self, messages: list[SMSMessage]) -> int:
        raise NotImplementedError


class ConsoleBackend(BaseSMSBackend):
    """Prints each message, like Django's console email backend (development)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        # Threads of the development server share stdout: keep each message in one piece.
        self._lock = threading.RLock()

    def send_messages(self, messages: list[SMSMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"SMS to: {message.to}\n\n{message.body}\n{'-' * 79}\n")
            self.stream.flush()
        return len(messages)


class FileBackend(BaseSMSBackend):
    """Writes one UTF-8 file per message into `settings.SMS_FILE_PATH` (development, tests)."""

    def __init__(self, file_path: str | Path | None = None) -> None:
        self.file_path = Path(file_path or settings.SMS_FILE_PATH)

    def send_messages(self, messages: list[SMSMessage]) -> int:
        try:
            self.file_path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SMSError(f"Cannot create the SMS folder {self.file_path}: {error}") from error
        for message in messages:
            # The time first, so that a directory listing reads in order; the uuid keeps two
            # messages of the same microsecond apart.
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S-%f")
            path = self.file_path / f"{stamp}-{uuid4().hex[:8]}.txt"
            path.write_text(f"To: {message.to}\n\n{message.body}\n", encoding="utf-8")
        return len(messages)


class LocmemBackend(BaseSMSBackend):
    """Keeps messages in `notifications.sms.outbox`, like `django.core.mail.outbox` (tests)."""

    def send_messages(self, messages: list[SMSMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


class TwilioBackend(BaseSMSBackend):
    """Twilio's Messages API over plain HTTPS (urllib: no SDK to keep up to date).

    One POST per message to `{SMS_API_URL}/2010-04-01/Accounts/{sid}/Messages.json` with basic
    authentication and the form fields To, From and Body. `SMS_FROM` is a Twilio number in E.164
    or an alphanumeric sender ID ("Digipunt") where the destination country allows one.
    """

    def __init__(self) -> None:
        self.api_url = settings.SMS_API_URL.rstrip("/")
        self.account_sid = settings.SMS_ACCOUNT_SID
        self.auth_token = settings.SMS_AUTH_TOKEN
        self.sender = settings.SMS_FROM
        self.timeout = settings.SMS_TIMEOUT_SECONDS
        missing = [
            name
            for name, value in [
                ("SMS_ACCOUNT_SID", self.account_sid),
                ("SMS_AUTH_TOKEN", self.auth_token),
                ("SMS_FROM", self.sender),
            ]
            if not value
        ]
        if missing:
            raise SMSError(f"TwilioBackend needs the setting(s) {', '.join(missing)}")
        if urllib.parse.urlsplit(self.api_url).scheme not in {"https", "http"}:
            raise SMSError(f"SMS_API_URL must be an https:// address, not {self.api_url!r}")

    def send_messages(self, messages: list[SMSMessage]) -> int:
        for message in messages:
            self._send(message)
        return len(messages)

    def _send(self, message: SMSMessage) -> None:
        sid = urllib.parse.quote(self.account_sid, safe="")
        url = f"{self.api_url}/2010-04-01/Accounts/{sid}/Messages.json"
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        form = {"To": message.to, "From": self.sender, "Body": message.body}
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            url,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        recipient = mask_phone(message.to)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
                answer = response.read(10_000)
        except urllib.error.HTTPError as error:
            detail = _provider_detail(error.read(10_000)).replace(message.to, recipient)
            raise SMSError(
                f"The SMS provider refused the SMS to {recipient}: HTTP {error.code}{detail}"
            ) from error
        except (OSError, http.client.HTTPException) as error:
            # Connection refused, DNS failure, timeout, a connection dropped halfway.
            raise SMSError(
                f"The SMS provider at {self.api_url} could not be reached: {error}"
            ) from error
        if not 200 <= status < 300:
            raise SMSError(f"The SMS provider answered HTTP {status} for the SMS to {recipient}")
        logger.info("SMS to %s accepted by the provider%s", recipient, _provider_detail(answer))


def _provider_detail(answer: bytes) -> str:
    """The useful part of Twilio's JSON answer (message id, or error code and text), if any."""
    try:
        data = json.loads(answer)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    if data.get("sid"):
        return f" (message {data['sid']}, status {data.get('status', '?')})"
    if data.get("code") or data.get("message"):
        return f" (code {data.get('code', '?')}: {data.get('message', '')})"
    return ""
