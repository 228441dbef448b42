"""render_message(): a resident gets the message in the language they booked in."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from notifications.services import notify, render_message

# "Dutch", "French" and "English" are translated in every catalogue (the language names).
TEMPLATES = {
    "test/booked_subject.txt": '{% load i18n %}\n{% translate "Dutch" %}\n  {{ site }}\n',
    "test/booked.txt": (
        "{% load i18n %}\n"
        '{% translate "English" %}: {{ site }}   \n'
        "{% if missing %}never shown{% endif %}\n\n\n\n"
        "{% include 'test/_footer.txt' %}\n"
    ),
    "test/_footer.txt": '{% load i18n %}{% translate "French" %} <ok>',
}


@pytest.fixture
def message_templates(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]


@pytest.mark.parametrize(
    ("language", "subject", "text"),
    [
        ("nl", "Nederlands Café & Co", "Engels: Café & Co\n\nFrans <ok>"),
        ("fr", "néerlandais Café & Co", "anglais: Café & Co\n\nfrançais <ok>"),
        ("en", "Dutch Café & Co", "English: Café & Co\n\nFrench <ok>"),
    ],
)
def test_render_message_renders_subject_and_text_in_the_language_given(
    message_templates, language, subject, text
):
    assert render_message("test/booked", {"site": "Café & Co"}, language) == (subject, text)


def test_render_message_leaves_the_active_language_as_it_was(message_templates):
    with translation.override("nl"):
        render_message("test/booked", {"site": "x"}, "fr")
        assert translation.get_language() == "nl"


@pytest.mark.django_db
def test_an_email_reaches_the_resident_in_the_language_they_booked_in(
    message_templates, django_capture_on_commit_callbacks
):
    # The staff member works in Dutch; the resident booked in French.
    with translation.override("nl"), django_capture_on_commit_callbacks(execute=True):
        subject, text = render_message("test/booked", {"site": "Digipunt Gent"}, "fr")
        notify(to_email="resident@example.be", subject=subject, body=text)

    [email] = mail.outbox
    assert email.subject == "néerlandais Digipunt Gent"
    assert email.body == "anglais: Digipunt Gent\n\nfrançais <ok>"
