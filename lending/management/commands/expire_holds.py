"""`manage.py expire_holds`: devices set aside and not picked up in time go to the next person
waiting (daily, see docs/operations.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lending.holds import holds_expire


class Command(BaseCommand):
    help = "Give devices not picked up in time to the next person on the waiting list."

    def handle(self, *args: object, **options: object) -> None:
        expired = holds_expire()
        self.stdout.write(f"{expired} device(s) not picked up in time went to the next in line.")
