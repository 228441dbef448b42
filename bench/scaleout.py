"""Scale-out drill: two application processes, one PostgreSQL, one shared cache, one address.

Starts two gunicorn servers (separate ports, the production settings, the same SECRET_KEY) on
one PostgreSQL database and one shared cache (`CACHE_BACKEND=database` or `redis://…`), puts a
round-robin TCP proxy in front of them (one address; each new connection goes to the next
server), and checks that no state lives in a process:

1. sessions: a staff member types the password on server A and the code of the second factor
   on server B; then A and B both serve the staff home to that browser;
2. the page cache: both servers serve a site's page and the GeoJSON directory (each from its
   cache), the site is renamed by a third process, and both serve the new name at once;
3. throttling: wrong passwords for one account, alternately on A and on B, pause signing in
   on both (the failures are counted in the database);
4. one address: public pages through the proxy, every answer a 200, both servers used.

    .venv/bin/python bench/scaleout.py                      # database cache, then Redis
    .venv/bin/python bench/scaleout.py --cache redis://127.0.0.1:6379/14
    .venv/bin/python bench/scaleout.py --keep               # keep the database afterwards

It creates (and at the end drops) the PostgreSQL database `helper_load_bench` on
127.0.0.1:5432 unless `--database-url` names another one, which it then only migrates and fills.
A Redis database given with `--cache redis://…/N` is emptied first (FLUSHDB of that number
only). Prints one line per check and exits non-zero when one fails. `tests/test_scaleout.py`
runs the same drill on a copy of the test database (docs/operations.md, "Scale-out").
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
BENCH_DATABASE = "helper_load_bench"

PASSWORD = "a drill passphrase, long enough"  # noqa: S105 (a throwaway database's)
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


# --- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_environment(database_url: str, cache: str, workdir: Path) -> dict[str, str]:
    """The production settings for every process of the drill: DEBUG off, one real key shared by
    all (a session or a CSRF token made by one process is checked by another), one database,
    one cache."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digipunt.settings",
        "DIGIPUNT_VAR_DIR": str(workdir),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "CACHE_BACKEND": cache,
        "LOG_LEVEL": "WARNING",
        # Every request of the drill comes from 127.0.0.1: the pause per address (20 failures in
        # 30 minutes) would stop a second run; the drill counts failures per account.
        "LOGIN_FAILURES_ALLOWED_PER_ADDRESS": "100000",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("DIGIPUNT_INSECURE_DEV_KEY", "DATABASE_REPLICA_URL", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    command = [str(BIN / "python"), str(ROOT / "manage.py"), *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def shell(env: dict[str, str], script: str) -> str:
    """Run `script` in a Django shell of its own (a process apart from the servers)."""
    return manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1]


def prepare_database(env: dict[str, str], *, sites: int, migrate: bool = True) -> None:
    """Migrate (unless told not to), the cache tables, and the territory and a demo network
    unless the database has published sites already."""
    if migrate:
        manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    published = (
        "from network.models import Site; print(Site.objects.filter(is_published=True).count())"
    )
    if int(shell(env, published)) == 0:
        for command in (["load_territory"], ["load_demo_network", "--sites", str(sites)]):
            print("manage.py", " ".join(command), flush=True)
            manage(env, *command)


SEED = """
from django.utils import timezone
from accounts.models import Membership, Role, TOTPDevice, User
from network.models import Site
site = Site.objects.filter(is_published=True).order_by("name").first()
for email in EMAILS:
    person = User.objects.create_user(email=email, password=PASSWORD, full_name=email.split("@")[0])
    TOTPDevice.objects.create(user=person, secret=SECRET, confirmed_at=timezone.now())
    Membership.objects.create(user=person, site=site, role=Role.COORDINATOR)
print(site.slug)
"""


@dataclass(frozen=True)
class Cast:
    """Who the drill signs in as (new people every run: a TOTP code counts once, a paused
    account stays paused), and the site it renames."""

    staff: str
    locked: str
    slug: str


def seed(env: dict[str, str]) -> Cast:
    """Two staff members, coordinators of the first published site."""
    run = secrets.token_hex(4)
    staff, locked = f"drill-staff-{run}@example.org", f"drill-locked-{run}@example.org"
    values = f"EMAILS = {(staff, locked)!r}\nPASSWORD = {PASSWORD!r}\nSECRET = {TOTP_SECRET!r}\n"
    return Cast(staff, locked, shell(env, values + SEED))


@dataclass
class AppServer:
    """One gunicorn server: its own master and sync workers, its own port."""

    env: dict[str, str]
    workers: int = 1
    nice: int = 0  # below 0: ahead of the machine's other processes (root only)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        command = [
            str(BIN / "gunicorn"),
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--bind",
            self.address,
            "--log-level",
            "warning",
            "--no-control-socket",  # its default path in the home folder is shared
            "digipunt.wsgi:application",
        ]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, preexec_fn=priority(self.nice)
        )
        wait_for(self.address, self.process)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def priority(nice: int) -> Callable[[], None] | None:
    """For Popen's preexec_fn: run the child (and its children) at this nice value."""
    if nice == 0:
        return None
    return lambda: os.setpriority(os.PRIO_PROCESS, 0, nice)


def wait_for(address: str, process: subprocess.Popen[bytes] | None = None) -> None:
    host, port = address.split(":")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on {address} stopped at start-up")
        try:
            with socket.create_connection((host, int(port)), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on {address}")


class RoundRobinProxy:
    """A TCP proxy on one address: each new connection goes to the next backend in turn (as
    nginx's default `upstream` does per request on new connections). Runs in a thread."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.connections: Counter[str] = Counter()
        self._turn = itertools.cycle(backends)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _close(self, server: asyncio.Server) -> None:
        server.close()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=512)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._close(server))
            self._loop.close()

    async def _handle(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter):
        backend = next(self._turn)
        self.connections[backend] += 1
        host, port = backend.split(":")
        try:
            server_in, server_out = await asyncio.open_connection(host, int(port))
            await asyncio.gather(_pipe(client_in, server_out), _pipe(server_in, client_out))
        except (OSError, asyncio.CancelledError):
            client_out.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    except (ConnectionError, OSError, asyncio.CancelledError):
        pass
    finally:
        sink.close()


# --- a browser -----------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    """One person's browser: its cookies go with every request, to whichever server; one new
    connection per request (so a proxy in front hands each to the next server)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, address: str, method: str, path: str, form: dict[str, str] | None = None
    ) -> Answer:
        host, port = address.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    for name, morsel in SimpleCookie(value).items():
                        if morsel["max-age"] == "0" or not morsel.value:
                            self.cookies.pop(name, None)
                        else:
                            self.cookies[name] = morsel.value
            return Answer(
                response.status, {k.lower(): v for k, v in response.getheaders()}, content
            )
        finally:
            connection.close()

    def get(self, address: str, path: str) -> Answer:
        return self.request(address, "GET", path)

    def post_form(self, address: str, path: str, fields: dict[str, str]) -> Answer:
        """Fetch the form's page, then post it with its CSRF token."""
        page = self.get(address, path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if token is None:
            raise RuntimeError(f"no form on {path} ({page.status})")
        return self.request(
            address, "POST", path, {"csrfmiddlewaretoken": token.group(1), **fields}
        )


# --- the drill -----------------------------------------------------------------------------------


@dataclass
class Check:
    claim: str
    ok: bool
    detail: str


LOGIN = "/en/staff/login/"
CODE = "/en/staff/login/code/"
STAFF_HOME = "/en/staff/"


def _totp_now() -> str:
    import pyotp

    return pyotp.TOTP(TOTP_SECRET).now()


def check_sessions(a: str, b: str, cast: Cast) -> Check:
    browser = Browser()
    password = browser.post_form(a, LOGIN, {"email": cast.staff, "password": PASSWORD})
    code = browser.post_form(b, CODE, {"code": _totp_now()})
    # The staff home sends a coordinator of one site to that site's page.
    home = browser.get(a, STAFF_HOME)
    page = home.headers.get("location", STAFF_HOME)
    on_a, on_b = browser.get(a, page), browser.get(b, page)
    name = cast.staff.split("@")[0]  # shown in the staff menu
    ok = (
        password.status == 302
        and CODE in password.headers.get("location", "")
        and code.status == 302
        and home.status in (200, 302)
        and page.startswith(STAFF_HOME)
        and on_a.status == on_b.status == 200
        and name in on_a.body
        and name in on_b.body
    )
    detail = (
        f"password on A: {password.status} to {password.headers.get('location')}; code on B: "
        f"{code.status} to {code.headers.get('location')}; staff home on A: {home.status}; "
        f"{page} on A: {on_a.status}, on B: {on_b.status}, signed in on both: "
        f"{name in on_a.body and name in on_b.body}"
    )
    return Check("a session started on one process is valid on the other", ok, detail)


def check_page_cache(a: str, b: str, env: dict[str, str], cast: Cast) -> Check:
    slug = cast.slug
    page = f"/nl/digipunt/{slug}/"
    geojson = "/api/sites.geojson"
    browser = Browser()
    before = [browser.get(server, path) for server in (a, b) for path in (page, geojson, page)]
    new_name = f"Digipunt Drill {secrets.token_hex(3)}"
    shell(
        env,
        "from network.models import Site\n"
        f"site = Site.objects.get(slug={slug!r})\n"
        f"site.name = {new_name!r}\n"
        "site.save()\n"
        "print('renamed')",
    )
    after = [browser.get(server, path) for server in (a, b) for path in (page, geojson)]
    ok = (
        all(answer.status == 200 for answer in before + after)
        and not any(new_name in answer.body for answer in before)
        and all(new_name in answer.body for answer in after)
    )
    detail = (
        f"before: {[answer.status for answer in before]}, the new name in none; after the "
        f"rename by a third process: site page and GeoJSON on A and on B "
        f"{[new_name in answer.body for answer in after]}"
    )
    return Check("a change seen by one process is seen by the other (page cache)", ok, detail)


def check_throttling(a: str, b: str, cast: Cast, allowed: int) -> Check:
    browser = Browser()
    wrong = [
        browser.post_form(server, LOGIN, {"email": cast.locked, "password": "not the password"})
        for server, _n in zip(itertools.cycle((a, b)), range(allowed), strict=False)
    ]
    right = browser.post_form(b, LOGIN, {"email": cast.locked, "password": PASSWORD})
    ok = (
        all(answer.status == 200 for answer in wrong)
        and right.status == 200
        and "signing in is paused" in right.body
    )
    detail = (
        f"{allowed} wrong passwords on A and B in turn, then the right one on B: "
        f"{right.status}, {'paused' if 'signing in is paused' in right.body else 'not paused'}"
    )
    return Check("sign-in throttling counts across processes", ok, detail)


def check_one_address(proxy: RoundRobinProxy, cast: Cast, requests: int = 20) -> Check:
    browser = Browser()
    paths = ["/nl/", "/nl/search/?q=9000", f"/nl/digipunt/{cast.slug}/", "/api/sites.geojson"]
    before = Counter(proxy.connections)
    statuses = Counter(
        browser.get(proxy.address, paths[n % len(paths)]).status for n in range(requests)
    )
    used = Counter(proxy.connections) - before
    ok = statuses == Counter({200: requests}) and all(used[server] > 0 for server in proxy.backends)
    detail = (
        f"{requests} requests through {proxy.address}: {dict(statuses)}; per server {dict(used)}"
    )
    return Check("two processes behind one address answer every request", ok, detail)


def _run(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except (RuntimeError, OSError) as error:
        return Check(name, False, f"{type(error).__name__}: {error}")


def login_failures_allowed(env: dict[str, str]) -> int:
    return int(
        shell(env, "from django.conf import settings; print(settings.LOGIN_FAILURES_ALLOWED)")
    )


def drill(env: dict[str, str], cast: Cast, *, workers: int = 1) -> list[Check]:
    """Start two servers and the proxy on the environment's database and cache, run the checks,
    stop them."""
    servers = [AppServer(env, workers=workers), AppServer(env, workers=workers)]
    proxy = None
    try:
        for server in servers:
            server.start()
        proxy = RoundRobinProxy([server.address for server in servers]).start()
        a, b = (server.address for server in servers)
        allowed = login_failures_allowed(env)
        checks = [
            ("sessions", lambda: check_sessions(a, b, cast)),
            ("page cache", lambda: check_page_cache(a, b, env, cast)),
            ("throttling", lambda: check_throttling(a, b, cast, allowed)),
            ("one address", lambda: check_one_address(proxy, cast)),
        ]
        return [_run(name, check) for name, check in checks]
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()


# --- the bench database --------------------------------------------------------------------------


def psql(*sql: str) -> None:
    for statement in sql:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", statement],
            check=True,
        )


@contextmanager
def bench_database(url: str | None, keep: bool) -> Iterator[str]:
    if url is not None:
        yield url
        return
    psql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}", f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        yield f"{POSTGRES}/{BENCH_DATABASE}"
    finally:
        if not keep:
            psql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def flush_redis(cache: str) -> None:
    if cache.startswith("redis://"):
        import redis

        redis.Redis.from_url(cache).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache",
        action="append",
        help="CACHE_BACKEND to drill with (repeatable; default: database and redis://…/14)",
    )
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead")
    parser.add_argument("--sites", type=int, default=50, help="demo sites (50)")
    parser.add_argument("--workers", type=int, default=1, help="sync workers per server (1)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    caches = args.cache or ["database", "redis://127.0.0.1:6379/14"]
    failed = False
    with (
        tempfile.TemporaryDirectory(prefix="digipunt-scaleout-") as workdir,
        bench_database(args.database_url, args.keep) as url,
    ):
        prepared = False
        for cache in caches:
            env = app_environment(url, cache, Path(workdir))
            flush_redis(cache)
            if not prepared:
                prepare_database(env, sites=args.sites)
                prepared = True
            cast = seed(env)
            started = time.monotonic()
            checks = drill(env, cast, workers=args.workers)
            print(f"\nCACHE_BACKEND={cache}, {time.monotonic() - started:.1f} s")
            for check in checks:
                print(f"  {'ok ' if check.ok else 'FAIL'} {check.claim}: {check.detail}")
                failed |= not check.ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
