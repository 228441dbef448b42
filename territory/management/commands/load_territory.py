"""`manage.py load_territory`: load or refresh the Belgian territory reference data."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from territory.services import territory_load


class Command(BaseCommand):
    help = (
        "Load or refresh regions, provinces, municipalities, postal codes and place names "
        "(idempotent: safe to run on every start)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        counts = territory_load()
        for name, count in counts.items():
            self.stdout.write(f"{name.replace('_', ' ')}: {count}")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Territory loaded in {elapsed:.1f} s."))
