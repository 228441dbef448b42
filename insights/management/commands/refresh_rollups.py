"""Bring the evidence's rollups up to date with the raw facts (every few minutes; idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from insights.rollups import refresh


class Command(BaseCommand):
    help = "Recompute the rollups of the days changed since the last run (--all: every day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Rebuild every rollup from the raw rows (after a restore, or to check).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        done = refresh(everything=options["all"])
        seconds = time.perf_counter() - started
        if options["all"]:
            self.stdout.write(f"Every rollup rebuilt in {seconds:.1f} s.")
        else:
            self.stdout.write(
                f"{done.site_days} site days, {done.organisation_days} organisation days and "
                f"{done.people} people recomputed; {done.months} months summed"
                f"{' (scopes rebuilt: the directory changed)' if done.scopes_rebuilt else ''}"
                f" in {seconds:.1f} s."
            )
