"""Load test: mixed public traffic, 200 concurrent users for 60 seconds, on loopback.

What a resident does, as locust users (each one a person: a request, then a pause to read, 1
to 5 s, then the next request):

- the finder: a search for one of the network's postal codes (a fifth of them with "open now"
  or "lends devices"), in Dutch, French or English (weight 4);
- a site's page, any of the published sites (weight 3);
- the booking week page of a site with online booking (weight 2; `no-store`, never cached);
- the course list, all courses or near a postal code (weight 1).

"200 concurrent users" means 200 such users running at once for the whole measured minute, each
with at most one request in flight; with pauses of 3 s on average that is about 65 requests a
second (not 200 requests in flight all the time; `--wait-min 0.5 --wait-max 1.5` asks three
times as much). They start within the first second. Each set-up starts with an empty cache
(FLUSHDB) and a warm-up of 30 s with the same 200 users, not measured; then the measured minute.
Static files are not requested (browsers keep them; WhiteNoise serves them).

Two set-ups, one after the other, on the same database:
1. one application server: gunicorn with 2 sync workers (one per core), the production settings
   (`DEBUG=false`, a real key), PostgreSQL, the cache in Redis;
2. two application servers (gunicorn, 1 sync worker each, separate ports) behind one address:
   nginx (Debian's, installed with apt-get when missing) as a round-robin proxy, or the Python
   proxy of bench/scaleout.py with `--proxy python`.

Needs PostgreSQL on 127.0.0.1:5432 (creates and at the end drops the database
`helper_load_bench`, or uses `--database-url`) and Redis on 127.0.0.1:6379 (database 13, emptied
first). locust is installed into a throwaway venv (`var/bench-load-venv`, or `--venv`), never
into the project's lock. Prints requests/s, failures, median, p95 and p99 per page and overall;
the targets (docs/performance.md) are zero errors and p95 ≤ 250 ms.

    .venv/bin/python bench/load.py                  # or: make bench-load
    .venv/bin/python bench/load.py --users 200 --seconds 60 --only two
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaleout import (
    ROOT,
    AppServer,
    RoundRobinProxy,
    app_environment,
    bench_database,
    flush_redis,
    free_port,
    prepare_database,
    priority,
    shell,
    wait_for,
)

LOCUST = "locust==2.47.0"
REDIS = "redis://127.0.0.1:6379/13"

LOCUSTFILE = """
import json
import os
import random

from locust import FastHttpUser, between, task

FACTS = json.loads(open(os.environ["LOAD_FACTS"]).read())
EXTRA = ["", "", "", "", "", "", "", "", "&open=on", "&service=lending"]


class Resident(FastHttpUser):
    wait_time = between(float(os.environ["LOAD_WAIT_MIN"]), float(os.environ["LOAD_WAIT_MAX"]))

    def on_start(self):
        self.lang = random.choice(["nl", "nl", "nl", "fr", "en"])

    @task(4)
    def finder(self):
        code = random.choice(FACTS["codes"])
        self.client.get(f"/{self.lang}/search/?q={code}{random.choice(EXTRA)}", name="finder")

    @task(3)
    def site_page(self):
        slug = random.choice(FACTS["sites"])
        self.client.get(f"/{self.lang}/digipunt/{slug}/", name="site page")

    @task(2)
    def booking_week(self):
        slug = random.choice(FACTS["booking"])
        self.client.get(f"/{self.lang}/digipunt/{slug}/book/", name="booking week")

    @task(1)
    def course_list(self):
        near = random.choice(["", "?q=" + random.choice(FACTS["codes"])])
        self.client.get(f"/{self.lang}/courses/{near}", name="course list")
"""

FACTS = """
import json
from network.models import Site
from territory.models import NETWORK_REGIONS, PostalCode
sites = Site.objects.filter(is_published=True)
booking = sites.filter(booking_settings__is_enabled=True)
codes = PostalCode.objects.filter(municipality__region_id__in=NETWORK_REGIONS)
print(json.dumps({
    "sites": sorted(sites.values_list("slug", flat=True)),
    "booking": sorted(booking.values_list("slug", flat=True)),
    "codes": sorted(set(codes.values_list("code", flat=True))),
}))
"""

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream digipunt {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://digipunt;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def ensure_locust(venv: Path) -> Path:
    """locust in a venv of its own (created once, reused)."""
    locust = venv / "bin" / "locust"
    if not locust.exists():
        print(f"installing {LOCUST} into {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, LOCUST], check=True)
    return locust


def ensure_nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env)
        found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not found or not Path(found).exists():
        sys.exit("nginx is missing: apt-get install nginx (or --proxy python)")
    return found


class Nginx:
    """nginx in the foreground with a configuration of its own: round robin over `backends`."""

    def __init__(self, binary: str, backends: list[str], workdir: Path, nice: int = 0) -> None:
        self.dir = workdir / "nginx"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        servers = "\n".join(f"        server {backend};" for backend in backends)
        conf = NGINX_CONF.format(dir=self.dir, servers=servers, port=self.port)
        (self.dir / "nginx.conf").write_text(conf)
        command = [binary, "-p", str(self.dir), "-e", str(self.dir / "error.log")]
        self.process = subprocess.Popen(
            [*command, "-c", str(self.dir / "nginx.conf")], preexec_fn=priority(nice)
        )
        wait_for(self.address, self.process)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes and all their children, in seconds."""
    total = 0.0
    seen: set[int] = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(child) for child in children)
    return total


def machine_cpu_seconds() -> float:
    """CPU time the whole machine spent busy (all cores, every process), in seconds."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / TICK


def run_locust(
    locust: Path,
    address: str,
    facts: Path,
    workdir: Path,
    label: str,
    args: argparse.Namespace,
    app_pids: list[int],
) -> dict[str, dict[str, float]]:
    nice = priority(args.nice)
    locustfile = workdir / "locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    env = {
        **os.environ,
        "LOAD_FACTS": str(facts),
        "LOAD_WAIT_MIN": str(args.wait_min),
        "LOAD_WAIT_MAX": str(args.wait_max),
    }
    common = [str(locust), "-f", str(locustfile), "--headless", "--host", f"http://{address}"]
    common += ["--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"]
    flush_redis(REDIS)  # each set-up starts from an empty cache
    print(f"  {label}: warm-up, {args.users} users for {args.warm_up} s", flush=True)
    subprocess.run(
        [*common, "-u", str(args.users), "-r", str(args.users), "-t", f"{args.warm_up}s"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=nice,
    )
    prefix = workdir / label.replace(" ", "-")
    print(f"  {label}: {args.users} users for {args.seconds} s", flush=True)
    started = time.monotonic()
    app_before, machine_before = cpu_seconds(app_pids), machine_cpu_seconds()
    subprocess.run(
        [
            *common,
            "-u",
            str(args.users),
            "-r",
            str(args.users),
            "-t",
            f"{args.seconds}s",
            "--csv",
            str(prefix),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=nice,
    )
    elapsed = time.monotonic() - started
    app_cpu = cpu_seconds(app_pids) - app_before
    machine_cpu = machine_cpu_seconds() - machine_before
    print(f"  {label}: done in {elapsed:.0f} s", flush=True)
    rows: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rate": float(row["Requests/s"]),
                "median": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
                "max": float(row["Max Response Time"]),
            }
    served = rows["Aggregated"]["requests"] or 1
    rows["cpu"] = {
        "app_seconds": app_cpu,
        "machine_seconds": machine_cpu,
        "available_seconds": elapsed * (os.cpu_count() or 1),
        "app_ms_per_request": 1000 * app_cpu / served,
    }
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        lines = failures.read_text().strip().splitlines()[1:]
        for line in lines[:10]:
            print(f"    failure: {line}", flush=True)
    return rows


def report(label: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{label}")
    print(
        f"{'page':14} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7}"
    )
    for name in ("finder", "site page", "booking week", "course list", "Aggregated"):
        row = rows.get(name)
        if row is None:
            continue
        print(
            f"{'all' if name == 'Aggregated' else name:14} {row['requests']:>8} "
            f"{row['failures']:>6} {row['rate']:>7.1f} {row['median']:>7.0f} {row['p95']:>7.0f} "
            f"{row['p99']:>7.0f} {row['max']:>7.0f}"
        )
    cpu = rows["cpu"]
    print(
        f"CPU while measured: the application servers {cpu['app_seconds']:.0f} s "
        f"({cpu['app_ms_per_request']:.1f} ms a request), the whole machine "
        f"{cpu['machine_seconds']:.0f} s of {cpu['available_seconds']:.0f} s "
        f"(the rest: locust, nginx, PostgreSQL, Redis and whatever else runs on the machine)"
    )
    overall = rows["Aggregated"]
    verdict = overall["failures"] == 0 and overall["p95"] <= 250
    print(f"target (0 errors, p95 <= 250 ms): {'met' if verdict else 'NOT MET'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warm-up", type=int, default=30, help="seconds, not measured (30)")
    parser.add_argument("--wait-min", type=float, default=1.0, help="pause, seconds (1)")
    parser.add_argument("--wait-max", type=float, default=5.0, help="pause, seconds (5)")
    parser.add_argument("--sites", type=int, default=900, help="demo sites (900)")
    parser.add_argument("--only", choices=["one", "two"], help="one set-up only")
    parser.add_argument("--proxy", choices=["nginx", "python"], default="nginx")
    parser.add_argument("--database-url", help="a prepared PostgreSQL database to use instead")
    parser.add_argument("--keep", action="store_true", help="keep helper_load_bench afterwards")
    parser.add_argument("--venv", default=str(ROOT / "var" / "bench-load-venv"))
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="nice value of the servers, nginx and locust (-10: ahead of the other processes "
        "of a shared machine; root only)",
    )
    args = parser.parse_args()
    locust = ensure_locust(Path(args.venv))
    nginx = ensure_nginx() if args.proxy == "nginx" and args.only != "one" else ""
    results: dict[str, dict[str, dict[str, float]]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="digipunt-load-") as tmp,
        bench_database(args.database_url, args.keep) as url,
    ):
        workdir = Path(tmp)
        env = app_environment(url, REDIS, workdir)
        env["LOG_LEVEL"] = "ERROR"
        flush_redis(REDIS)
        prepare_database(env, sites=args.sites)
        facts = workdir / "facts.json"
        facts.write_text(shell(env, FACTS))
        known = json.loads(facts.read_text())
        print(
            f"{len(known['sites'])} sites, {len(known['booking'])} with online booking, "
            f"{len(known['codes'])} postal codes",
            flush=True,
        )
        if args.only != "two":
            server = AppServer(env, workers=2, nice=args.nice).start()
            try:
                label = "one server, 2 workers"
                results[label] = run_locust(
                    locust, server.address, facts, workdir, "one", args, [server.pid]
                )
            finally:
                server.stop()
        if args.only != "one":
            servers = [AppServer(env, workers=1, nice=args.nice).start() for _ in range(2)]
            backends = [server.address for server in servers]
            proxy: Nginx | RoundRobinProxy = (
                Nginx(nginx, backends, workdir, args.nice)
                if args.proxy == "nginx"
                else RoundRobinProxy(backends).start()
            )
            try:
                label = f"two servers, 1 worker each, behind {args.proxy}"
                pids = [server.pid for server in servers]
                results[label] = run_locust(
                    locust, proxy.address, facts, workdir, "two", args, pids
                )
            finally:
                proxy.stop()
                for server in servers:
                    server.stop()
    print(
        f"\n{args.users} locust users (FastHttpUser), each: a request, then a pause of "
        f"{args.wait_min}-{args.wait_max} s; {args.seconds} s measured after a "
        f"{args.warm_up} s warm-up; PostgreSQL, Redis cache, DEBUG=false; nice {args.nice}; "
        "load average at the "
        f"end {os.getloadavg()[0]:.1f}"
    )
    for label, rows in results.items():
        report(label, rows)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
