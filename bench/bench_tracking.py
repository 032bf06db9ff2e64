"""Tracking page throughput: GET /t/<token> (a case with a public timeline of six events) against
two references measured in the same run, on one uvicorn process each:

- the ratio: a minimal Django view returning a fixed string, served by the same server process
  (same settings, middleware stack and ASGI server, added to the URLs for this benchmark only);
- the limit: a bare ASGI hello-world app under uvicorn (no Django at all).

- a third figure: the minimal view plus `SELECT 1`, i.e. with the database connection that
  Django under ASGI opens and closes on every request that touches the database. The tracking
  page does not pay that: it is served on the database threads, whose connections are kept
  (server/core/database_threads.py).

Load: an asyncio HTTP/1.1 keep-alive client with CONNECTIONS connections for SECONDS each; the
tracking page and the minimal view alternate in short rounds (median round reported).
The machine has 2 cores shared by client and server, so the absolute figures are modest;
the ratios are the point. Target: the tracking page at least half the minimal view's rate.

Run: .venv/bin/python bench/bench_tracking.py   (internally also `--serve` / `--hello` PORT)
"""
from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

SECONDS = float(os.environ.get("BENCH_TRACKING_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_TRACKING_CONNECTIONS", "16"))
ROUNDS = 5
FIXED_BODY = b"ok: a fixed string from a minimal view"


# ---------------------------------------------------------------- the servers (child processes)
def fixed_view(request):
    from django.http import HttpResponse

    return HttpResponse(FIXED_BODY, content_type="text/plain")


def fixed_view_with_query(request):
    """The minimal view plus `SELECT 1`: under ASGI every request opens its own database
    connection (Django closes it at the end), and this shows what that costs."""
    from django.db import connection
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse(FIXED_BODY, content_type="text/plain")


def _urlpatterns():
    from django.urls import include, path

    return [path("bench/fixed", fixed_view), path("bench/fixed-db", fixed_view_with_query),
            path("", include("server.urls"))]


def __getattr__(name):  # this module doubles as the benchmark server's URLconf
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def serve_django(port: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    import django
    import uvicorn
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench_tracking"
    from django.core.asgi import get_asgi_application

    uvicorn.run(get_asgi_application(), host="127.0.0.1", port=port, lifespan="off",
                log_level="warning", access_log=False)


async def hello_app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"12")]})
    await send({"type": "http.response.body", "body": b"hello, world"})


def serve_hello(port: int) -> None:
    import uvicorn

    uvicorn.run(hello_app, host="127.0.0.1", port=port, lifespan="off", log_level="warning",
                access_log=False)


# ---------------------------------------------------------------- the load generator
async def _one_connection(port: int, path: str, until: float, latencies: list[float], errors: list[str]):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Language: zh-CN\r\n"
               f"User-Agent: bench\r\n\r\n").encode()
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if status != 200:
                errors.append(str(status))
                return
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def _load(port: int, path: str, seconds: float) -> tuple[float, float, float, list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    # Warm up (imports, templates, connections), then measure.
    await asyncio.gather(*(_one_connection(port, path, time.perf_counter() + 0.3, [], errors)
                           for _ in range(4)))
    started = time.perf_counter()
    await asyncio.gather(*(_one_connection(port, path, started + seconds, latencies, errors)
                           for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float("nan")
    return len(latencies) / elapsed, p50, p99, errors


def measure(port: int, path: str, seconds: float = SECONDS) -> tuple[float, float, float]:
    rate, p50, p99, errors = asyncio.run(_load(port, path, seconds))
    if errors:
        raise RuntimeError(f"{path}: non-200 responses {errors[:5]}")
    return rate, p50, p99


def measure_interleaved(port: int, paths: list[str], rounds: int = ROUNDS) -> list[tuple[float, float, float]]:
    """Alternate the paths in short rounds, so a neighbour's load on this shared machine falls
    on both alike; report the median round of each (rate, p50, p99)."""
    per_path: list[list[tuple[float, float, float]]] = [[] for _ in paths]
    for _ in range(rounds):
        for index, path in enumerate(paths):
            per_path[index].append(measure(port, path, SECONDS / rounds))
    return [sorted(results)[len(results) // 2] for results in per_path]


# ---------------------------------------------------------------- the run
def _seed(data_dir: Path) -> str:
    """Migrate a fresh SQLite database and make one case with a public history; return its token."""
    os.environ["CONCIERGE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from ulid import ULID

    from server.accounts.services import create_staff_user
    from server.cases import flows, intake, notes
    from server.fleet import services as fleet
    from server.malls.models import Mall
    from sync.protocol import CaseStatus, CaseUpload, sha256_hex

    call_command("migrate", interactive=False, verbosity=0)
    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza")
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    agent = create_staff_user("agent", "agent", "x", mall=mall, check_password=False)
    token = secrets.token_urlsafe(32)
    case = intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-7Q2M", tracking_token_sha256=sha256_hex(token.encode()),
        kind="complaint", category="service_attitude", description="收银员态度不好，希望商场处理。" * 3,
        contact_phone="13812345678", contact_consent=True, created_at="2026-11-20T15:42:10+08:00"))[0]
    flows.transition(case, CaseStatus.ACCEPTED, agent, note="您好，我们已受理。")
    notes.add_note(case, agent, "内部备注", "internal")
    flows.transition(case, CaseStatus.IN_PROGRESS, agent, note="已联系店长了解情况。")
    notes.add_note(case, agent, "店长正在调查，明天答复您。", "public")
    return token


def _start(mode: str, port: int, env: dict) -> subprocess.Popen:
    from live_server import wait_until

    process = subprocess.Popen([sys.executable, __file__, mode, str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def up() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{mode} server exited: {process.stderr.read().decode()[-2000:]}")
        import socket

        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    if not wait_until(up, timeout=60, every=0.2):
        process.kill()
        raise RuntimeError(f"{mode} server did not start")
    return process


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def main() -> None:
    from live_server import free_port

    data_dir = Path(tempfile.mkdtemp(prefix="bench-tracking-"))
    token = _seed(data_dir)
    # One client asks thousands of times: the per-address limit of the tracking page would answer
    # 429 after 60. The limit stays on (every request is still counted, at its real cost), only high.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
               CONCIERGE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="server.settings",
               CONCIERGE_TRACKING_RATE="1000000/s")
    results = {}
    django_port = free_port()
    server = _start("--serve", django_port, env)
    try:
        tracking, minimal, with_query = measure_interleaved(
            django_port, [f"/t/{token}", "/bench/fixed", "/bench/fixed-db"])
        results["tracking page GET /t/<token>"] = tracking
        results["minimal view (fixed string)"] = minimal
        results["minimal view + SELECT 1"] = with_query
    finally:
        _stop(server)
    hello_port = free_port()
    hello = _start("--hello", hello_port, env)
    try:
        results["bare ASGI hello-world"] = measure(hello_port, "/")
    finally:
        _stop(hello)

    print(f"{CONNECTIONS} keep-alive connections, {SECONDS:.0f} s each (tracking and minimal view "
          f"interleaved in {ROUNDS} rounds, median round), one uvicorn process, SQLite")
    for name, (rate, p50, p99) in results.items():
        print(f"  {name:32s} {rate:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
    tracking, minimal, with_query, hello_rate = (results[k][0] for k in results)
    ratio = tracking / minimal
    print(f"ratio tracking/minimal view: {ratio:.2f} (target >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'}); "
          f"p99 {results['tracking page GET /t/<token>'][2] / results['minimal view (fixed string)'][2]:.1f}x")
    print(f"ratio tracking/(minimal view + SELECT 1): {tracking / with_query:.2f} "
          f"(the per-request database connection alone: {minimal / with_query:.2f}x of the minimal view's time)")
    print(f"ratio tracking/bare ASGI (the limit): {tracking / hello_rate:.2f}; "
          f"minimal view/bare ASGI: {minimal / hello_rate:.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve_django(int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--hello":
        serve_hello(int(sys.argv[2]))
    else:
        main()
