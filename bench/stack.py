"""Benchmark of the whole stack: the public pages under the production application server.

Builds a throwaway SQLite database with the territory and the 900-site demo network (or reuses
`--workdir`), starts gunicorn with one sync worker pinned to core 0 and the production settings
(`DEBUG=false`, a real secret key), and drives it with `wrk` pinned to core 1. For each page it
prints requests per second and the median latency, and the requests per second as a share of a
bare Django view (`bench/bare_urls.py`: the same middleware, no template, no query) measured in
the same run, before and after the pages. On a shared machine whose speed varies, that share is
the figure to compare; the absolute numbers are context.

    .venv/bin/python bench/stack.py [--duration 10] [--connections 8] [--workdir DIR]

"results, new query" asks for a page no request asked before: a wrk Lua script walks the
shuffled list of the network's postal codes and adds a counter (`&r=…`, which the finder
ignores), so the page cache cannot answer and every request searches and renders; the other
pages repeat one URL, as a popular page is asked again and again. "GeoJSON, unknown parameter
each time" does the same to `/api/sites.geojson` (`?r=…`, which it ignores); "GeoJSON, gzip"
sends `Accept-Encoding: gzip` as browsers and GIS tools do.

Needs `wrk` (Debian package; installed with apt-get when missing and allowed) and `taskset`.
Prints figures; it asserts nothing (targets are in docs/performance.md and issue 12).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = 8765
READY_MARK = "bench-http-ready"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is missing: apt-get install wrk")
    return found


def environment(workdir: Path) -> dict[str, str]:
    """The production settings: DEBUG off, a real key, the benchmark's own database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digipunt.settings",
        "DIGIPUNT_VAR_DIR": str(workdir),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
    }
    env.pop("DIGIPUNT_INSECURE_DEV_KEY", None)
    env.pop("DATABASE_URL", None)  # always the benchmark's own SQLite database
    return env


def prepare(workdir: Path, env: dict[str, str]) -> None:
    if (workdir / READY_MARK).exists():
        return
    manage = [str(BIN / "python"), str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput"], ["load_territory"], ["load_demo_network"]):
        print("manage.py", " ".join(command), flush=True)
        subprocess.run([*manage, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    # Planner statistics, as a running database has them.
    script = "from django.db import connection; connection.cursor().execute('ANALYZE')"
    subprocess.run([*manage, "shell", "-c", script], env=env, check=True)
    (workdir / READY_MARK).write_text("ok")


def facts(env: dict[str, str]) -> dict[str, str]:
    """What the URLs need: a published site, a site with online booking, the postal codes."""
    script = """
import json
from network.models import Site
from territory.models import PostalCode
site = Site.objects.filter(is_published=True).order_by("name").first()
booking = (Site.objects.filter(is_published=True, booking_settings__is_enabled=True)
           .order_by("name").first())
from territory.models import NETWORK_REGIONS
network = PostalCode.objects.filter(municipality__region_id__in=NETWORK_REGIONS)
codes = sorted(set(network.values_list("code", flat=True)))
print(json.dumps({"site": site.slug, "booking": booking.slug, "codes": " ".join(codes)}))
"""
    out = subprocess.run(
        [str(BIN / "python"), str(ROOT / "manage.py"), "shell", "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_server(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        "taskset",
        "-c",
        "0",
        str(BIN / "gunicorn"),
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "wsgi_bare:application",
    ]
    # From the project root: bench/ comes after it on the path (bench/questions.py is a script,
    # not the questions app).
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def status(path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def wrk(
    binary: str,
    path: str,
    *,
    duration: int,
    connections: int,
    script: Path | None,
    headers: tuple[str, ...] = (),
) -> dict:
    command = ["taskset", "-c", "1", binary, "-t1", f"-c{connections}", f"-d{duration}s"]
    command += ["--latency", "--timeout", "30s"]  # a slow page is measured, not dropped
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{PORT}{path}")
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[median.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": rate,
        "median_ms": float(median.group(1)) * scale,
        "errors": int(errors.group(1)) if errors else 0,
    }


def walk_script(workdir: Path, codes: list[str]) -> Path:
    """A wrk script that asks for a page never asked before: the next postal code of a shuffled
    list, and a counter that starts at a random number in every run."""
    random.Random(2026).shuffle(codes)
    listed = ",".join(f'"{code}"' for code in codes)
    script = workdir / "new-queries.lua"
    script.write_text(
        f"local codes = {{{listed}}}\n"
        "math.randomseed(os.time())\n"
        "local n = math.random(1, 1000000000)\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  return wrk.format("GET", "/nl/search/?q=" .. codes[n % #codes + 1] .. "&r=" .. n)\n'
        "end\n"
    )
    return script


def counter_script(workdir: Path, path: str) -> Path:
    """A wrk script that asks for `path` with a parameter the endpoint does not know (`&r=…`, a
    counter from a random start): what a cache-buster or a tracker's parameter does."""
    script = workdir / "unknown-parameter.lua"
    script.write_text(
        "math.randomseed(os.time())\n"
        "local n = math.random(1, 1000000000)\n"
        "request = function()\n"
        "  n = n + 1\n"
        f'  return wrk.format("GET", "{path}?r=" .. n)\n'
        "end\n"
    )
    return script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--workdir", help="reuse (or create) the database in this directory")
    parser.add_argument(
        "--only", help="measure only the pages whose label holds this text (and the bare view)"
    )
    args = parser.parse_args()
    binary = ensure_wrk()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="digipunt-bench-http-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = environment(workdir)
    prepare(workdir, env)
    known = facts(env)
    new_queries = walk_script(workdir, known["codes"].split())
    geojson_buster = counter_script(workdir, "/api/sites.geojson")
    pages = [
        ("bare Django view", "/bench/bare/", None),
        ("home page", "/nl/", None),
        ("results, postal code 9000", "/nl/search/?q=9000", None),
        ("results, place name Landegem", "/nl/search/?q=Landegem", None),
        ("results, 9000, open now", "/nl/search/?q=9000&open=on", None),
        ("results, new query each time", "/nl/search/?q=9000", new_queries),
        ("site page", f"/nl/digipunt/{known['site']}/", None),
        ("booking week page", f"/nl/digipunt/{known['booking']}/book/", None),
        ("HSDS /api/hsds/services", "/api/hsds/services", None),
        ("GeoJSON, whole directory", "/api/sites.geojson", None),
        ("GeoJSON, gzip", "/api/sites.geojson", None),
        ("GeoJSON, unknown parameter each time", "/api/sites.geojson", geojson_buster),
        ("bare Django view, again", "/bench/bare/", None),
    ]
    # A browser or GIS tool asks for gzip; wrk sends no Accept-Encoding unless told.
    headers = {"GeoJSON, gzip": ("Accept-Encoding: gzip",)}
    if args.only:
        pages = [page for page in pages if "bare" in page[0] or args.only in page[0]]
    server = start_server(env)
    try:
        rows = []
        for label, path, script in pages:
            code = status(path)
            extra = headers.get(label, ())
            warm_up = 2
            wrk(
                binary,
                path,
                duration=warm_up,
                connections=args.connections,
                script=script,
                headers=extra,
            )
            result = wrk(
                binary,
                path,
                duration=args.duration,
                connections=args.connections,
                script=script,
                headers=extra,
            )
            rows.append((label, path, code, result))
            print(f"  {label}: {result['rate']:.0f}/s", file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    bare = (rows[0][3]["rate"] + rows[-1][3]["rate"]) / 2
    print(
        f"\ngunicorn 1 sync worker on core 0, wrk -t1 -c{args.connections} -d{args.duration}s on "
        f"core 1, DEBUG=false, SQLite, 900 demo sites; bare view = mean of first and last run"
    )
    print(f"{'page':38} {'status':>6} {'req/s':>8} {'% bare':>7} {'p50 ms':>7} {'non-2xx':>7}")
    for label, _path, code, result in rows:
        share = 100 * result["rate"] / bare
        print(
            f"{label:38} {code:>6} {result['rate']:>8.0f} {share:>6.0f}% "
            f"{result['median_ms']:>7.1f} {result['errors']:>7}"
        )


if __name__ == "__main__":
    main()
