"""The development and test SMS backends, the message type and the segment count."""

from __future__ import annotations

import io

import pytest

from notifications import sms
from notifications.sms import SMSMessage, get_backend, sms_segments


def test_console_backend_prints_the_number_and_the_text(settings, capsys):
    settings.SMS_BACKEND = "notifications.sms.ConsoleBackend"
    sent = get_backend().send_messages([SMSMessage(to="+32470123456", body="Tot dinsdag!")])

    assert sent == 1
    printed = capsys.readouterr().out
    assert "+32470123456" in printed
    assert "Tot dinsdag!" in printed


def test_console_backend_writes_to_the_stream_it_is_given():
    stream = io.StringIO()
    sms.ConsoleBackend(stream=stream).send_messages(
        [SMSMessage(to="+32470123456", body="één"), SMSMessage(to="+32470654321", body="twee")]
    )

    assert stream.getvalue().count("SMS to: ") == 2
    assert "één" in stream.getvalue()


def test_file_backend_writes_one_file_per_message_into_the_sms_folder(settings, tmp_path):
    settings.SMS_BACKEND = "notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"  # not there yet: the backend creates it
    messages = [
        SMSMessage(to="+32470123456", body="Rendez-vous à 14:00"),
        SMSMessage(to="+32470654321", body="Afspraak om 10:00"),
    ]

    assert get_backend().send_messages(messages) == 2

    contents = sorted(path.read_text(encoding="utf-8") for path in (tmp_path / "sms").iterdir())
    assert contents == [
        "To: +32470123456\n\nRendez-vous à 14:00\n",
        "To: +32470654321\n\nAfspraak om 10:00\n",
    ]


def test_file_backend_reports_a_folder_it_cannot_create(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    backend = sms.FileBackend(file_path=blocker / "sms")

    with pytest.raises(sms.SMSError, match="Cannot create the SMS folder"):
        backend.send_messages([SMSMessage(to="+32470123456", body="x")])


def test_locmem_backend_keeps_messages_in_the_outbox(sms_outbox):
    message = SMSMessage(to="+32470123456", body="Herinnering")

    assert get_backend().send_messages([message]) == 1

    assert sms_outbox == [message]
    assert sms.outbox is sms_outbox


def test_get_backend_loads_the_dotted_path_from_the_settings(settings):
    settings.SMS_BACKEND = "notifications.sms.FileBackend"
    assert isinstance(get_backend(), sms.FileBackend)
    assert isinstance(get_backend("notifications.sms.LocmemBackend"), sms.LocmemBackend)


def test_get_backend_fails_loudly_on_a_misspelt_backend(settings):
    settings.SMS_BACKEND = "notifications.sms.TwillioBackend"
    with pytest.raises(ImportError):
        get_backend()


@pytest.mark.parametrize("number", ["0470123456", "32470123456", "+0470123456", "+32 470 12"])
def test_an_sms_message_refuses_a_number_not_in_e164(number):
    with pytest.raises(ValueError, match=r"E\.164"):
        SMSMessage(to=number, body="x")


def test_the_base_backend_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        sms.BaseSMSBackend().send_messages([])


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("é" * 160, 1),  # é, è, à are in the GSM alphabet
        ("a" * 459, 3),
        ("a" * 460, 4),
        ("€" * 80, 1),  # the euro sign costs two septets
        ("€" * 81, 2),
        ("ê" * 70, 1),  # ê is not in the GSM alphabet: the message becomes UCS-2
        ("ê" * 71, 2),
        ("a" * 100 + "🙂", 2),  # one emoji is two UTF-16 units and makes it all UCS-2
    ],
)
def test_sms_segments_counts_what_the_operator_bills(body, segments):
    assert sms_segments(body) == segments


def test_mask_phone_hides_the_middle_of_the_number():
    assert sms.mask_phone("+32470123456") == "+32…456"
    assert sms.mask_phone("123") == "…"
