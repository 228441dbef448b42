"""`manage.py load_demo_network`: the demo network and, on it, what each domain demonstrates.

It lives in the top layer because it fills every domain: the sites (network), then online booking
(appointments).
"""

from django.core.management.base import BaseCommand, CommandParser

from appointments.demo import demo_booking_enable
from funding.demo import load_demo_funding
from insights.rollups import refresh
from learning.demo import demo_cards_load, demo_courses_load
from lending.demo import demo_devices_load
from network.demo import demo_network_load
from questions.demo import demo_contacts_load


class Command(BaseCommand):
    help = "Replace the demo network (clearly labelled demo data) with a deterministic one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sites", type=int, default=900, help="How many sites (default 900).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args: object, sites: int, seed: int, **options: object) -> None:
        demo_network_load(sites=sites, seed=seed, log=self.stdout.write)
        booking = demo_booking_enable()
        self.stdout.write(f"Online booking at {booking} demo sites that work by appointment.")
        devices = demo_devices_load()
        self.stdout.write(f"{devices} demo devices at the demo sites that lend devices.")
        sessions = demo_courses_load()
        self.stdout.write(f"{sessions} demo course dates at the demo sites that give courses.")
        self.stdout.write(f"{demo_cards_load()} demo help cards.")
        self.stdout.write(f"{load_demo_funding(seed=seed)} demo grants.")
        contacts = demo_contacts_load(seed=seed)
        self.stdout.write(f"{contacts} demo contacts over the last eighteen months.")
        refresh(everything=True)
        self.stdout.write("The evidence's rollups are counted.")
