"""Messages go through the task queue: with the database backend (production) `notify` stores a
task in the change's transaction and only the worker (`manage.py db_worker`) sends it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from notifications.checks import check_task_backend_for_production
from notifications.services import notify

pytestmark = pytest.mark.django_db

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def database_queue(settings):
    """The production backend: tasks are rows for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def run_worker(monkeypatch) -> Callable[[], None]:
    """What `manage.py db_worker` does in production, until the queue is empty.

    The worker recycles the database connection between tasks (`close_old_connections`), which
    would close the test's transaction; Django's test client turns the same call off for
    requests, and so does this fixture for the worker."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_notify_stores_a_task_and_nothing_is_sent_until_the_worker_runs_it(
    database_queue, run_worker, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(to_email="resident@example.be", subject="Afspraak geboekt", body="Tot dinsdag.")
        notify(to_phone="0470 12 34 56", subject="S", body="Tot dinsdag.")

    tasks = DBTaskResult.objects.order_by("enqueued_at")
    assert [task.task_path for task in tasks] == [
        "notifications.tasks.send_email",
        "notifications.tasks.send_sms",
    ]
    assert {task.status for task in tasks} == {TaskResultStatus.READY}
    assert mail.outbox == []
    assert sms_outbox == []

    run_worker()

    [email] = mail.outbox
    assert (email.to, email.subject, email.body) == (
        ["resident@example.be"],
        "Afspraak geboekt",
        "Tot dinsdag.",
    )
    assert [(message.to, message.body) for message in sms_outbox] == [
        ("+32470123456", "Tot dinsdag.")
    ]
    assert {task.status for task in DBTaskResult.objects.all()} == {TaskResultStatus.SUCCESSFUL}

    # A second run finds nothing left: each message goes once.
    run_worker()
    assert len(mail.outbox) == 1
    assert len(sms_outbox) == 1


def test_a_rolled_back_transaction_queues_nothing(database_queue, run_worker, sms_outbox):
    # The error must come after notify(), inside the transaction: two statements on purpose.
    with pytest.raises(RuntimeError, match="the booking failed"), transaction.atomic():  # noqa: PT012
        notify(to_email="resident@example.be", to_phone="+32470123456", subject="S", body="B")
        raise RuntimeError("the booking failed after notify() was called")

    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []
    assert sms_outbox == []


def test_the_email_keeps_its_html_version_and_attachment_through_the_queue(
    database_queue, run_worker
):
    notify(
        to_email="resident@example.be",
        subject="Je plaats\nin de cursus",
        body="Tekst",
        html_body="<p>HTML</p>",
        attachments=[("cursus.ics", ICS, "text/calendar")],
    )
    run_worker()

    [email] = mail.outbox
    assert email.subject == "Je plaats in de cursus"
    assert email.alternatives[0].content == "<p>HTML</p>"
    [(name, content, mimetype)] = email.attachments
    assert (name, mimetype) == ("cursus.ics", "text/calendar")
    # Django keeps a text attachment as text.
    assert content == ICS.decode()


def test_a_mail_server_that_is_down_is_logged_by_the_worker_without_the_address(
    database_queue, run_worker, settings, closed_port, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    notify(to_email="resident@example.be", subject="S", body="B")

    run_worker()

    [error] = [r for r in caplog.records if r.name == "notifications" and r.levelname == "ERROR"]
    assert error.getMessage() == "Email to r…@example.be could not be sent: ConnectionRefusedError"
    assert "resident@example.be" not in caplog.text


def test_the_deploy_check_warns_when_messages_are_sent_by_the_web_process(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert [message.id for message in check_task_backend_for_production()] == ["notifications.W004"]

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert check_task_backend_for_production() == []
