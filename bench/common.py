"""What the benchmark scripts share: Django set up on a database of their own, and planner
statistics as a database that has been running for a while has them."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(workdir: str) -> None:
    """Django on the benchmark's own database: SQLite under `workdir` (never the development
    database), or the PostgreSQL database that DATABASE_URL names."""
    os.environ["DIGIPUNT_VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digipunt.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DIGIPUNT_INSECURE_DEV_KEY", "true")
    import django
    from django.conf import settings

    django.setup()
    # The project's URLs plus a bare view to measure against (bench/bare_urls.py).
    settings.ROOT_URLCONF = "bare_urls"


def analyse(*tables: str) -> None:
    """Fresh planner statistics after a bulk load, as autovacuum (PostgreSQL) or a periodic
    `ANALYZE` (SQLite) would give a running database. On PostgreSQL, VACUUM also sets the
    visibility map that index-only scans need. No tables: the whole database."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables or ("",):
                cursor.execute(f"VACUUM ANALYZE {table}".strip())
        else:
            cursor.execute("ANALYZE")


def coordinator_client(site_id: int):
    """A test client signed in (past the second factor) as a coordinator of the site."""
    from django.test import Client

    from accounts.models import Membership, Role, User
    from accounts.sessions import TWO_FACTOR_VERIFIED, start_session

    email = "bench-coordinator@example.org"
    person = User.objects.filter(email=email).first()
    if person is None:
        person = User.objects.create_user(email=email, password=uuid.uuid4().hex, full_name="Bench")
    Membership.objects.get_or_create(user=person, site_id=site_id, role=Role.COORDINATOR)
    client = Client()
    client.force_login(person)
    session = client.session
    session[TWO_FACTOR_VERIFIED] = True
    holder = type("Holder", (), {"session": session})()
    start_session(holder)
    session.save()
    return client, person
