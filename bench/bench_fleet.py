"""A simulated fleet against the real server: can it hold 500 kiosks heartbeating every 5 s?

For SQLite with one worker and PostgreSQL with two, a real server process (`python -m server
serve`, the demo mall, its log kept) and simulated kiosks in this process (asyncio, aiohttp),
each making the requests the kiosk's sync code makes (kiosk/sync_agent.py,
kiosk/broadcast_listener.py) over keep-alive connections of its own, two per kiosk as on a
kiosk (one for sync, one for the broadcast poll):

* a heartbeat every interval (±10 %), the reply's `sync_now` fetching the content manifest at once;
* the content manifest with If-None-Match every 60 s;
* a broadcast long poll (`wait=50` with its ETag, as the server offers), held by the server; a new emergency is
  "shown" when it arrives, and acknowledged after a jitter, as the listener does;
* after a 503, Retry-After plus jitter before trying again.

Printed per database:
1. heartbeat p50/p99, errors (5xx, 503 among them, and transport failures) at 100, 300 and 500
   kiosks with a 5 s heartbeat, and at 2,000 kiosks with the default 60 s;
2. cases accepted per second (20 kiosks uploading at once) against plain one-row inserts into
   the same database from one connection (the reference, measured in the same run);
3. publish → every one of 500 kiosks on the new version;
4. a console emergency (a staff member's form POST, with 500 kiosks heartbeating) → every kiosk
   has it, and the POST's own time;
5. recovery: far past the limit (1,500 kiosks, 1 s heartbeat), then back to 300 at 5 s: seconds
   until heartbeats are healthy again (a 2 s window without an error and p99 under 100 ms);
6. "too many clients" and "database is locked" lines in the server's log.

Targets (2 cores): p99 < 100 ms and zero 5xx at 500 kiosks; emergency to all 500 < 5 s; the
console's POST < 1 s; neither message in the logs; recovery within a minute.

`--quick` runs shorter phases and smaller fleets (development only); BENCH_FLEET_POSTGRES_URL
names the PostgreSQL server (a database `concierge_bench_fleet` is made there and dropped after);
BENCH_FLEET_REDIS_URL, when set, gives the server that Redis (CONCIERGE_REDIS_URL: its cache, and
broadcast changes announced through it rather than read every quarter second on SQLite).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from live_server import free_port, manage, server_env  # noqa: E402

from kiosk.broadcast_listener import ACK_SPREAD_S  # noqa: E402 - the kiosks' own spread
from kiosk.cases import encode_reference  # noqa: E402
from sync.protocol import BROADCASTS_PATH, BROADCASTS_SHOWN_PATH, CASES_PATH, CONTENT_PATH, HEARTBEAT_PATH  # noqa: E402

POSTGRES_URL = os.environ.get("BENCH_FLEET_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BENCH_DATABASE = "concierge_bench_fleet"
REDIS_URL = os.environ.get("BENCH_FLEET_REDIS_URL", "").strip()
LONG_POLL_S = 50
CONTENT_EVERY_S = 60.0
HEALTHY_P99_MS = 100.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


@dataclass
class Sample:
    at: float
    ms: float
    status: int  # 0: transport failure (refused, reset, timeout)


@dataclass
class Fleet:
    """What the simulated kiosks saw: heartbeat samples, versions, emergencies."""

    url: str
    keys: list[tuple[str, str]]  # (device key, kiosk code)
    heartbeats: list[Sample] = field(default_factory=list)
    versions: dict[int, str] = field(default_factory=dict)  # kiosk → content ETag it has
    numbers: dict[int, int] = field(default_factory=dict)  # kiosk → content version number it has
    seen: dict[str, dict[int, float]] = field(default_factory=dict)  # broadcast → kiosk → when it arrived
    tasks: dict[int, asyncio.Task] = field(default_factory=dict)
    interval: float = 5.0


def heartbeat_body(fleet: Fleet, number: int, started: float) -> bytes:
    return json.dumps({
        "app_version": "bench", "content_version": fleet.numbers.get(number), "outbox_depth": 0, "last_errors": [],
        "uptime_s": round(time.monotonic() - started, 1), "disk_free_bytes": 10_000_000_000,
        "sent_at": datetime.now(UTC).isoformat(),
    }).encode()


def retry_after(response: aiohttp.ClientResponse | None) -> float:
    try:
        return float(response.headers.get("Retry-After", "2")) if response is not None else 2.0
    except ValueError:
        return 2.0


async def kiosk(fleet: Fleet, number: int) -> None:
    """One kiosk: the sync session (heartbeat, content) and the broadcast session, as on a kiosk."""
    key, _code = fleet.keys[number]
    headers = {"Authorization": f"Bearer {key}", "User-Agent": "concierge-kiosk/bench"}
    timeout = aiohttp.ClientTimeout(total=LONG_POLL_S + 15, sock_connect=5)
    sync = aiohttp.ClientSession(headers=headers, timeout=timeout, connector=aiohttp.TCPConnector(limit=1))
    poll = aiohttp.ClientSession(headers=headers, timeout=timeout, connector=aiohttp.TCPConnector(limit=1))
    try:
        await asyncio.gather(sync_loop(fleet, number, sync), broadcast_loop(fleet, number, poll))
    finally:
        await sync.close()
        await poll.close()


async def fetch_content(fleet: Fleet, number: int, session: aiohttp.ClientSession) -> None:
    etag = fleet.versions.get(number)
    try:
        async with session.get(fleet.url + CONTENT_PATH, headers={"If-None-Match": etag} if etag else {}) as reply:
            body = await reply.read()
            if reply.status == 200:
                fleet.numbers[number] = json.loads(body)["version"]
                fleet.versions[number] = reply.headers.get("ETag", "")
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError):
        pass


async def sync_loop(fleet: Fleet, number: int, session: aiohttp.ClientSession) -> None:
    started = time.monotonic()
    await asyncio.sleep(random.uniform(0, fleet.interval))  # kiosks started over one interval
    next_content = time.monotonic()
    while True:
        if time.monotonic() >= next_content:
            next_content = time.monotonic() + CONTENT_EVERY_S * random.uniform(0.9, 1.1)
            await fetch_content(fleet, number, session)
        sent = time.monotonic()
        status, response, sync_now = 0, None, False
        try:
            async with session.post(fleet.url + HEARTBEAT_PATH, data=heartbeat_body(fleet, number, started),
                                    headers={"Content-Type": "application/json"}) as response:
                body = await response.read()
                status = response.status
                if status == 200:
                    sync_now = any(c.get("kind") == "sync_now" for c in json.loads(body).get("commands", []))
        except (aiohttp.ClientError, asyncio.TimeoutError):
            status = 0
        done = time.monotonic()
        fleet.heartbeats.append(Sample(done, (done - sent) * 1000, status))
        if sync_now:
            await fetch_content(fleet, number, session)
        if status == 200:
            wait = fleet.interval * random.uniform(0.9, 1.1) - (time.monotonic() - sent)
        elif status == 503:
            wait = retry_after(response) + random.uniform(0, 1)
        else:  # the sync agent's full-jitter backoff, first step
            wait = random.uniform(0, min(fleet.interval, 5.0))
        await asyncio.sleep(max(0.0, wait))


async def broadcast_loop(fleet: Fleet, number: int, session: aiohttp.ClientSession) -> None:
    etag, failures = None, 0
    await asyncio.sleep(random.uniform(0, fleet.interval))  # kiosks started over one interval
    while True:
        started = time.monotonic()
        try:
            query = f"?wait={LONG_POLL_S}" if etag else ""
            async with session.get(fleet.url + BROADCASTS_PATH + query,
                                   headers={"If-None-Match": etag} if etag else {}) as reply:
                body = await reply.read()
                status = reply.status
                if status == 200:
                    etag = reply.headers.get("ETag")
                    arrived = time.monotonic()
                    new = [item["id"] for item in json.loads(body)["broadcasts"]
                           if number not in fleet.seen.setdefault(item["id"], {})]
                    for broadcast_id in new:
                        fleet.seen[broadcast_id][number] = arrived
                    if new:  # drawn, then acknowledged after a jitter, as the listener does
                        await asyncio.sleep(random.uniform(0, ACK_SPREAD_S))
                        await acknowledge(fleet, session, new)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError):
            status = 0
        if status in (200, 304):
            failures = 0
            await asyncio.sleep(max(0.0, 2.0 - (time.monotonic() - started)))
        else:
            failures += 1
            await asyncio.sleep(random.uniform(0.5, min(2.0 * 2 ** (failures - 1), 5.0)))


async def acknowledge(fleet: Fleet, session: aiohttp.ClientSession, broadcast_ids: list[str]) -> None:
    report = {"shown": [{"broadcast_id": broadcast_id, "shown_at": datetime.now(UTC).isoformat()}
                        for broadcast_id in broadcast_ids]}
    for _attempt in range(5):
        try:
            async with session.post(fleet.url + BROADCASTS_SHOWN_PATH, json=report) as reply:
                await reply.read()
                if reply.status == 200:
                    return
                await asyncio.sleep(retry_after(reply) + random.uniform(0, 1))
        except (aiohttp.ClientError, asyncio.TimeoutError):
            await asyncio.sleep(random.uniform(0.5, 2))


def resize(fleet: Fleet, count: int) -> None:
    for number in range(count):
        if number not in fleet.tasks:
            fleet.tasks[number] = asyncio.get_running_loop().create_task(kiosk(fleet, number))
    for number in [n for n in fleet.tasks if n >= count]:
        fleet.tasks.pop(number).cancel()


async def stop_all(fleet: Fleet) -> None:
    tasks = list(fleet.tasks.values())
    fleet.tasks.clear()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def figures(samples: list[Sample]) -> dict:
    """Heartbeat figures, with the machine's load average (other work on it slows the server too)."""
    ok = [s.ms for s in samples if s.status == 200]
    return {"load_avg_1m": round(os.getloadavg()[0], 1), "heartbeats": len(samples),
            "p50_ms": round(percentile(ok, 0.50), 1), "p99_ms": round(percentile(ok, 0.99), 1),
            "5xx": sum(1 for s in samples if s.status >= 500),
            "503": sum(1 for s in samples if s.status == 503),
            "transport_errors": sum(1 for s in samples if s.status == 0),
            "other": sum(1 for s in samples if s.status not in (0, 200) and s.status < 500)}


async def load_level(fleet: Fleet, count: int, interval: float, ramp: float, measure: float) -> dict:
    fleet.interval = interval
    resize(fleet, count)
    await asyncio.sleep(ramp)
    begin = time.monotonic()
    await asyncio.sleep(measure)
    return figures([s for s in fleet.heartbeats if s.at >= begin])


# ---------------------------------------------------------------- the server and its database
class Server:
    def __init__(self, work: Path, database_url: str | None, workers: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = work / "server"
        self.data_dir.mkdir(parents=True)
        self.env = server_env(self.data_dir, self.port)
        self.env.pop("CONCIERGE_DATABASE_URL", None)
        if database_url:
            self.env["CONCIERGE_DATABASE_URL"] = database_url
        self.env.pop("CONCIERGE_REDIS_URL", None)
        if REDIS_URL:
            self.env["CONCIERGE_REDIS_URL"] = REDIS_URL
        self.env.update(CONCIERGE_ENROLL_RATE="1000000/m", CONCIERGE_LOGIN_RATE="1000/m")
        self.workers = workers
        self.log = self.data_dir / "serve.log"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        result = manage(self.env, *args, timeout=600)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers), "--no-migrate", "--no-jobs"],
            cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server did not become healthy:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_counts(self) -> dict:
        text = self.log.read_text(errors="replace")
        return {"too many clients": text.count("too many clients"),
                "database is locked": text.count("database is locked"),
                "tracebacks": text.count("Traceback (most recent call last)")}


def enroll_fleet(server: Server, count: int) -> list[tuple[str, str]]:
    code = (
        "import json; from server.malls.models import Mall; from server.fleet import services as s\n"
        "mall = Mall.objects.get(); out = []\n"
        f"for n in range({count}):\n"
        "    e = s.enroll_kiosk(s.create_enrollment_code(mall).code, app_version='bench', hostname=f'bench-{n}')\n"
        "    out.append((e.device_key, e.kiosk.code))\n"
        "print(json.dumps(out))"
    )
    return [tuple(pair) for pair in json.loads(server.shell(code))]


def plain_inserts_per_second(server: Server, seconds: float) -> float:
    """The reference: one-row insert transactions into a plain table of the same database, from
    one connection, for `seconds`."""
    code = (
        "import time; from django.db import connection, transaction\n"
        "c = connection.cursor()\n"
        "c.execute('DROP TABLE IF EXISTS bench_plain_insert')\n"
        "c.execute('CREATE TABLE bench_plain_insert (id varchar(26) PRIMARY KEY, body text NOT NULL)')\n"
        "n = 0; end = time.monotonic() + " + str(seconds) + "\n"
        "while time.monotonic() < end:\n"
        "    with transaction.atomic():\n"
        "        c.execute('INSERT INTO bench_plain_insert VALUES (%s, %s)', [f'{n:026d}', 'x' * 200])\n"
        "    n += 1\n"
        f"c.execute('DROP TABLE bench_plain_insert'); print(n / {seconds})"
    )
    return float(server.shell(code))


async def cases_per_second(fleet: Fleet, senders: int, seconds: float) -> dict:
    """`senders` kiosks each uploading cases one after another (the outbox), for `seconds`."""
    accepted, refused, counter = 0, 0, iter(range(10**9))
    end = time.monotonic() + seconds

    async def sender(number: int) -> None:
        nonlocal accepted, refused
        key, code = fleet.keys[number]
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as session:
            while time.monotonic() < end:
                from ulid import ULID

                case = {"id": str(ULID()), "reference": encode_reference(code, next(counter) % 1_000_000),
                        "tracking_token_sha256": secrets.token_hex(32), "kind": "complaint",
                        "category": "service_attitude", "description": "Bench: the queue at the till was long.",
                        "language": "en", "created_at": datetime.now(UTC).isoformat()}
                try:
                    async with session.post(fleet.url + CASES_PATH, json=case) as reply:
                        await reply.read()
                        if reply.status in (200, 201):
                            accepted += 1
                        else:
                            refused += 1
                            if reply.status == 503:
                                await asyncio.sleep(retry_after(reply))
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    refused += 1

    await asyncio.gather(*(sender(n) for n in range(senders)))
    return {"accepted_per_s": round(accepted / seconds, 1), "not_accepted": refused}


class Console:
    """A staff member in the console: signed in before the load, sends the emergency form."""

    USER, PASSWORD = "bench-fleet-desk", "Tall-Ceiling-Lamp-93"

    def __init__(self, server: Server):
        server.manage("create-user", self.USER, "--role", "manager", "--password", self.PASSWORD)
        self.url = server.url

    async def sign_in(self) -> None:
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with self.session.get(f"{self.url}/accounts/login/") as page:
            html = await page.text()
            login_url = str(page.url)
        async with self.session.post(login_url, headers={"Referer": login_url}, data={
                "username": self.USER, "password": self.PASSWORD, "csrfmiddlewaretoken": self._token(html)}) as done:
            await done.read()
        async with self.session.get(f"{self.url}/console/broadcasts/") as form:
            self.form = await form.text()
            self.form_url = str(form.url)
        self.mall = re.search(r'name="mall" value="([^"]+)"', self.form).group(1)

    @staticmethod
    def _token(html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    async def send_emergency(self) -> tuple[str, float]:
        started = time.monotonic()
        async with self.session.post(f"{self.url}/console/broadcasts/", allow_redirects=False,
                                     headers={"Referer": self.form_url},
                                     data={"csrfmiddlewaretoken": self._token(self.form), "mall": self.mall,
                                           "kind": "emergency", "reason": "evacuation",
                                           "duration_minutes": "15"}) as sent:
            await sent.read()
            if sent.status != 302:
                raise RuntimeError(f"the emergency was not sent: HTTP {sent.status}")
            location = sent.headers["Location"]
        return location.rstrip("/").rsplit("/", 1)[-1], time.monotonic() - started

    async def close(self) -> None:
        await self.session.close()


async def until(condition, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    return None


async def recovery(fleet: Fleet, quick: bool) -> dict:
    """Far past the limit, then back to a fleet the server holds: when are heartbeats healthy?"""
    overload = 600 if quick else 1500
    before = len(fleet.heartbeats)
    await load_level(fleet, overload, 1.0, 5, 10 if quick else 20)
    pushed = figures(fleet.heartbeats[before:])
    resize(fleet, 300)
    fleet.interval = 5.0
    eased = time.monotonic()
    healthy_after = None
    while time.monotonic() - eased < 90:
        await asyncio.sleep(1)
        now = time.monotonic()
        window = [s for s in fleet.heartbeats if s.at >= now - 2 and s.at >= eased]
        ok = [s.ms for s in window if s.status == 200]
        if len(window) >= 20 and len(ok) == len(window) and percentile(ok, 0.99) < HEALTHY_P99_MS:
            healthy_after = round(now - 2 - eased, 1)  # the healthy window's start
            healthy_after = max(healthy_after, 0.0)
            break
    return {"pushed_with": f"{overload} kiosks at 1 s", "while_pushed": pushed,
            "healthy_after_s": healthy_after if healthy_after is not None else "not within 90 s"}


async def run_fleet(server: Server, keys: list[tuple[str, str]], console: Console, quick: bool) -> dict:
    fleet = Fleet(server.url, keys)
    results: dict = {}
    ramp, measure = (6, 10) if quick else (8, 30)
    for count in ((50, 100) if quick else (100, 300, 500)):
        results[f"{count} kiosks @ 5 s"] = await load_level(fleet, count, 5.0, ramp, measure)
        print(f"  {count} kiosks @ 5 s: {results[f'{count} kiosks @ 5 s']}", flush=True)
    held = len(fleet.tasks)

    # publish → all kiosks on the new version
    await until(lambda: len(fleet.versions) >= held, 70)
    before = set(fleet.versions.values())
    server.shell("from server.malls.models import Mall; from server.content.services import publish; "
                 "print(publish(Mall.objects.get()))")
    published = time.monotonic()
    took = await until(lambda: len(fleet.versions) >= held and not before & set(fleet.versions.values()), 120)
    results["publish → all on new version"] = {"kiosks": held, "seconds": round(took, 2) if took else "not in 120 s"}
    print(f"  publish: {results['publish → all on new version']} (after {time.monotonic() - published:.1f} s)")

    # console emergency, heartbeats running
    await console.sign_in()
    await asyncio.sleep(LONG_POLL_S + 5)  # every kiosk's broadcast poll is held by now
    start_count = len(fleet.heartbeats)
    sent_at = time.monotonic()
    broadcast_id, post_s = await console.send_emergency()
    took = await until(lambda: len(fleet.seen.get(broadcast_id, {})) >= held, 60)
    arrivals = fleet.seen.get(broadcast_id, {})
    last = max(arrivals.values(), default=sent_at) - sent_at
    await asyncio.sleep(max(0.0, 10 - (time.monotonic() - sent_at)))  # the acknowledgements' time too
    results["console emergency"] = {
        "kiosks": held, "post_s": round(post_s, 3),
        "all_shown_s": round(last, 2) if took is not None else f"{len(arrivals)} of {held} in 60 s",
        "heartbeats_meanwhile": figures(fleet.heartbeats[start_count:]),
    }
    await console.close()
    print(f"  emergency: {results['console emergency']}", flush=True)
    await stop_all(fleet)

    # cases per second against plain inserts
    seconds = 5 if quick else 10
    cases = await cases_per_second(fleet, 20, seconds)
    reference = await asyncio.to_thread(plain_inserts_per_second, server, seconds)
    results["cases"] = {**cases, "plain_inserts_per_s": round(reference, 1),
                        "ratio": round(cases["accepted_per_s"] / reference, 3) if reference else None}
    print(f"  cases: {results['cases']}", flush=True)

    # a big fleet at the default interval
    big = 500 if quick else 2000
    results[f"{big} kiosks @ 60 s"] = await load_level(fleet, big, 60.0, 30 if quick else 65, 20 if quick else 60)
    print(f"  {big} kiosks @ 60 s: {results[f'{big} kiosks @ 60 s']}", flush=True)
    await stop_all(fleet)

    results["recovery"] = await recovery(fleet, quick)
    print(f"  recovery: {results['recovery']}", flush=True)
    await stop_all(fleet)
    return results


def postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(statement)


def run_database(kind: str, quick: bool) -> dict:
    database_url, workers = None, 1
    if kind == "postgresql":
        try:
            postgres_admin(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            postgres_admin(f"CREATE DATABASE {BENCH_DATABASE}")
        except Exception as unreachable:  # noqa: BLE001 - no PostgreSQL here: say so and go on
            return {"skipped": f"PostgreSQL at {POSTGRES_URL} not usable: {unreachable}"}
        database_url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + BENCH_DATABASE
        workers = 2
    # On disk, as a server's database is (not tmpfs): SQLite's commits are timed with their fsyncs.
    (ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-fleet-", dir=ROOT / "var") as work:
        server = Server(Path(work), database_url, workers)
        try:
            server.manage("migrate", "--noinput")
            server.manage("demo")
            keys = enroll_fleet(server, 600 if quick else 2000)
            console = Console(server)
            server.start()
            results = {"workers": workers, "redis": bool(REDIS_URL),
                       **asyncio.run(run_fleet(server, keys, console, quick))}
        finally:
            server.stop()
        results["server log"] = server.log_counts()
        kept = ROOT / "var" / f"bench-fleet-{kind}.log"
        kept.write_bytes(server.log.read_bytes())
        results["server log"]["kept as"] = str(kept.relative_to(ROOT))
    if kind == "postgresql":
        postgres_admin(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short phases, small fleets (development)")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    options = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # two connections per kiosk
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    report = {}
    for kind in (["sqlite", "postgresql"] if options.database == "both" else [options.database]):
        print(f"== {kind}", flush=True)
        report[kind] = run_database(kind, options.quick)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"(one run each; {os.cpu_count()} cores shared by the server, its database and the simulated kiosks)")


if __name__ == "__main__":
    main()
