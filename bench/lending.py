"""Benchmark of device lending: how long a checkout takes, and how many SQL queries.

Builds a database of its own (SQLite under a temporary directory, or the PostgreSQL database that
DATABASE_URL names, whose lending tables it empties) with the territory, the 900-site demo
network and its demo devices, plus, at one site, `--devices` laptops (2,000 by default) and as
many borrowers, half of them with a device already out. Then, through Django's full request path
(middleware, the staff gate, the view, the service, the redirect), signed in as a volunteer of
that site, it lends `--runs` devices one after the other (the POST of the lending form, each to
another borrower) and prints the median and 90th-percentile server time and the most SQL
queries of one checkout, and the bare view's median measured between them.

    .venv/bin/python bench/lending.py [--devices 2000] [--runs 200]

Prints figures; it asserts nothing (targets are in docs/performance.md and issue 13).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from common import analyse, coordinator_client, setup_django


def build(devices: int) -> tuple[int, list[str], list[int]]:
    """The database; returns the busy site's id, the tags of its available devices and the ids
    of borrowers without a device."""
    from django.core.management import call_command
    from django.utils import timezone

    from lending.demo import demo_devices_load
    from lending.models import Borrower, Device, Loan
    from network.demo import demo_network_load
    from network.models import Site

    call_command("migrate", verbosity=0)
    for model in (Loan, Device, Borrower):
        model.objects.all().delete()
    call_command("load_territory", verbosity=0)
    demo_network_load(sites=900, seed=2026, log=lambda _s: None)
    demo_devices_load()
    site = Site.objects.filter(is_demo=True, offers_lending=True).order_by("pk").first()
    Device.objects.bulk_create(
        Device(
            site=site,
            organisation_id=site.organisation_id,
            kind=Device.Kind.LAPTOP,
            make_model="Bench laptop",
            asset_tag=f"BENCH-{n:05d}",
            accessories=["charger"],
        )
        for n in range(devices)
    )
    borrowers = Borrower.objects.bulk_create(
        Borrower(
            organisation_id=site.organisation_id,
            kind=Borrower.Kind.RESIDENT,
            name=f"Resident {n}",
            phone=f"+3247{n:07d}",
        )
        for n in range(devices)
    )
    # Half of the borrowers have a device out already: lent the way the service does.
    out = list(Device.objects.filter(site=site, asset_tag__startswith="BENCH-")[: devices // 2])
    now = timezone.now()
    Loan.objects.bulk_create(
        Loan(
            reference=f"LB{n:08d}",
            token_hash=f"{n:064d}",
            device=device,
            borrower=borrowers[n],
            site=site,
            checked_out_at=now,
            due_on=timezone.localdate() + timezone.timedelta(days=28),
            agreement_accepted_at=now,
        )
        for n, device in enumerate(out)
    )
    Device.objects.filter(pk__in=[d.pk for d in out]).update(status=Device.Status.ON_LOAN)
    analyse()
    free = list(
        Device.objects.filter(site=site, status="available", asset_tag__startswith="BENCH-")
        .order_by("asset_tag")
        .values_list("asset_tag", flat=True)
    )
    idle = [b.pk for b in borrowers[devices // 2 :]]
    return site.pk, free, idle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--show-queries", action="store_true", help="print the last one's SQL")
    args = parser.parse_args()
    setup_django(tempfile.mkdtemp(prefix="digipunt-bench-lending-"))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site_id, free, idle = build(args.devices)
    client, _person = coordinator_client(site_id)
    checkout = f"/nl/staff/sites/{site_id}/lending/lend/"
    timings: list[float] = []
    bare: list[float] = []
    most_queries = 0
    warmup = 10
    for n in range(min(args.runs + warmup, len(free), len(idle))):
        start = time.perf_counter()
        client.get("/bench/bare/")
        bare.append((time.perf_counter() - start) * 1000)
        data = {"tag": free[n], "borrower": idle[n], "agreement": "on"}
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post(checkout, data)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (response.status_code, response.content[:500])
        assert b"/loans/" in response.content, "not lent"
        if n >= warmup:
            timings.append(elapsed)
            most_queries = max(most_queries, len(queries.captured_queries))
    print(f"database: {connection.vendor}, {args.devices} devices and borrowers at one site")
    print(f"checkout (POST, full request path), {len(timings)} runs:")
    print(
        f"  median {statistics.median(timings):.1f} ms, 90th percentile "
        f"{statistics.quantiles(timings, n=10)[-1]:.1f} ms, at most {most_queries} SQL queries"
    )
    print(f"bare Django view, same middleware: {statistics.median(bare):.2f} ms")
    if args.show_queries:
        for query in queries.captured_queries:
            print("  ", query["sql"][:160])


if __name__ == "__main__":
    main()
