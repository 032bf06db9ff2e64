"""`python -m server.rundemo` (what `make demo` runs): the whole product on one machine.

Seeds the demo (as `python -m server demo`), starts the server, waits until it is ready,
enrolls a kiosk against it (once: a kiosk already enrolled with this server is reused) and
starts the kiosk. Without a display the kiosk runs offscreen and saves screenshots. Prints the
console URL and the staff login; Ctrl-C stops both processes.

Environment: CONCIERGE_PORT (default 8000), CONCIERGE_HOST (default 127.0.0.1; 0.0.0.0 to let
phones on the LAN in, then also set CONCIERGE_PUBLIC_BASE_URL to this machine's LAN address).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10


def _configure_environment() -> tuple[str, int, str]:
    host = os.environ.get("CONCIERGE_HOST", "127.0.0.1")
    port = int(os.environ.get("CONCIERGE_PORT", "8000"))
    local_url = f"http://127.0.0.1:{port}"
    os.environ.setdefault("CONCIERGE_PUBLIC_BASE_URL", local_url)
    os.environ.setdefault("CONCIERGE_DATA_DIR", str(REPO_DIR / "var" / "server"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    return host, port, local_url


def _seed():
    """Run the demo seeding in this process, then let go of the database for the server."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from server.demo.services import describe, seed_demo

    call_command("migrate", interactive=False, verbosity=0)
    summary = seed_demo()
    print(describe(summary), flush=True)
    connections.close_all()
    return summary


def _wait_until_ready(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server was not ready at {url}/readyz within {READY_TIMEOUT_S} s")


def _enrolled_here(kiosk_dir: Path, server_url: str) -> bool:
    """Whether the kiosk in `kiosk_dir` is enrolled with this server and still known to it."""
    if not (kiosk_dir / "kiosk.db").exists():
        return False
    from kiosk.config import KioskConfig
    from kiosk.identity import load_identity
    from kiosk.store import LocalStore
    from server.fleet.models import Kiosk

    store = LocalStore(KioskConfig(data_dir=kiosk_dir).database_path)
    try:
        identity = load_identity(store)
    finally:
        store.close()
    if identity is None or identity.server_url.rstrip("/") != server_url:
        return False
    return Kiosk.objects.filter(pk=identity.kiosk_id, revoked_at__isnull=True).exists()


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # A SIGTERM (systemd, `timeout`, `kill`) stops the demo like Ctrl-C: the children go too.
    signal.signal(signal.SIGTERM, _interrupt)
    host, port, local_url = _configure_environment()
    summary = _seed()
    python = sys.executable
    kiosk_dir = REPO_DIR / "var" / "kiosk"
    processes: list[subprocess.Popen] = []
    # Children get their own process group: Ctrl-C reaches only us, and we stop them in order.
    server = subprocess.Popen(
        [python, "-m", "server", "serve", "--host", host, "--port", str(port)],
        cwd=REPO_DIR, start_new_session=True,
    )
    processes.append(server)
    try:
        _wait_until_ready(local_url, server)
        if _enrolled_here(kiosk_dir, local_url):
            print(f"Kiosk in {kiosk_dir} is already enrolled with this server.", flush=True)
        else:
            enrolled = subprocess.run(
                [python, "-m", "kiosk", "enroll", "--server", local_url, "--code", summary.enrollment_code,
                 "--data-dir", str(kiosk_dir), "--force"],
                cwd=REPO_DIR,
            )
            if enrolled.returncode != 0:
                raise SystemExit(f"kiosk enrollment failed (exit code {enrolled.returncode})")
        kiosk_command = [python, "-m", "kiosk", "run", "--data-dir", str(kiosk_dir)]
        kiosk_env = dict(os.environ)
        screenshots = None
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            kiosk_env["SDL_VIDEODRIVER"] = "offscreen"
            screenshots = kiosk_dir / "screenshots"
            screenshots.mkdir(parents=True, exist_ok=True)
            kiosk_command += ["--screenshots", str(screenshots)]
        kiosk = subprocess.Popen(kiosk_command, cwd=REPO_DIR, env=kiosk_env, start_new_session=True)
        processes.append(kiosk)
        print(
            "\nConcierge demo is running.\n"
            f"  Staff console: {summary.console_url}\n"
            f"  Staff login:   {summary.agent_username} / {summary.agent_password}"
            f"   (administrator: {summary.admin_username} / {summary.admin_password})\n"
            + (f"  No display: the kiosk runs offscreen; screenshots in {screenshots}\n" if screenshots else "")
            + "  Ctrl-C stops the server and the kiosk.",
            flush=True,
        )
        while True:
            for process, name in ((server, "server"), (kiosk, "kiosk")):
                if process.poll() is not None:
                    print(f"The {name} exited (code {process.returncode}); stopping.", flush=True)
                    return process.returncode or 0
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        _stop(list(reversed(processes)))


if __name__ == "__main__":
    sys.exit(main())
