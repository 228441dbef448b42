"""The register of processing in Markdown, made from the registry of personal data:
`manage.py privacy_register` (docs/privacy.md holds its output for the default settings)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from privacy.register import register_markdown


class Command(BaseCommand):
    help = (
        "Print the register of processing of residents' personal data (GDPR art. 30) as a "
        "Markdown table, with the retention periods of the current settings."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--language", default="en", help="nl, fr or en (default: en, as in docs/privacy.md)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self.stdout.write(register_markdown(), ending="")
