"""Promotions from the console to the lobby screen, and proof of play that survives crashes.

Real processes only: the central server (`python -m server serve`), a kiosk on its attract loop
(tests/e2e/kiosk_signage.py: the real app and sync agent, offscreen) and a content editor using
the console's HTML forms over HTTP.
"""
from __future__ import annotations

import io
import json
import os
import re
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import StaffBrowser
from live_server import ROOT, ServerProcess, enroll, free_port, manage, new_enrollment_code, wait_until
from PIL import Image

pytestmark = pytest.mark.e2e

SIGNAGE = Path(__file__).with_name("kiosk_signage.py")
EDITOR, EDITOR_PASSWORD = "e2e-editor", "e2e-Editor-password-1"
POSTER_COLOUR = (214, 32, 168)
"""The new promotion's picture: one colour no demo picture has, to find it on the kiosk's screen."""


@pytest.fixture(scope="module")
def signage_server(tmp_path_factory):
    """A server whose kiosks sync every 5 s (the product's 60 s would make the test wait)."""
    server = ServerProcess(tmp_path_factory.mktemp("server"), free_port())
    server.env["CONCIERGE_HEARTBEAT_POLL_SECONDS"] = "5"
    migrated = manage(server.env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    new_enrollment_code(server)  # seeds and publishes the demo mall
    made = manage(server.env, "create-user", EDITOR, "--role", "content_editor", "--password", EDITOR_PASSWORD)
    assert made.returncode == 0, made.stdout + made.stderr
    server.start()
    yield server
    server.stop()


class SignageKiosk:
    """tests/e2e/kiosk_signage.py, its JSON lines read as they come."""

    def __init__(self, data_dir: Path, *options: str):
        self.log = data_dir / "signage.log"
        self.process = subprocess.Popen(
            [sys.executable, str(SIGNAGE), "--data-dir", str(data_dir), *options],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log.open("ab"), text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.impressions = 0
        self.heard: list[dict] = []

    def next_line(self, timeout: float) -> dict:
        if not self.selector.select(timeout):
            raise AssertionError(f"the kiosk said nothing more for {timeout:.0f} s; it said {self.heard[-12:]}:\n"
                                 f"{self.log.read_text()[-3000:]}")
        line = self.process.stdout.readline()
        assert line, f"the kiosk exited ({self.process.poll()}):\n{self.log.read_text()[-3000:]}"
        answer = json.loads(line)
        self.heard.append(answer)
        assert "error" not in answer, answer
        self.impressions = answer.get("impressions", self.impressions)
        return answer

    def wait_for(self, key: str, value=None, timeout: float = 60) -> dict:
        """Read lines until one has `key` (equal to `value`, when given)."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            answer = self.next_line(max(0.1, deadline - time.monotonic()))
            if key in answer and (value is None or answer[key] == value):
                return answer

    def ask(self, command: str, key: str) -> int:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.wait_for(key, timeout=30)[key]

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up, as in a power cut."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def poster() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), POSTER_COLOUR).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def publish_promotion_through_the_console(server: ServerProcess, content_id: str) -> None:
    staff = StaffBrowser(server.url)
    login = staff.session.get(f"{server.url}/accounts/login/", params={"next": "/console/promotions/"}, timeout=10)
    signed_in = staff.session.post(login.url, data={"username": EDITOR, "password": EDITOR_PASSWORD,
                                                    "csrfmiddlewaretoken": staff._csrf(login.text)},
                                   headers={"Referer": login.url}, timeout=10)
    assert signed_in.ok and "/console/promotions/" in signed_in.url, (signed_in.status_code, signed_in.url)
    form_url = f"{server.url}/console/promotions/new"
    form = staff.session.get(form_url, timeout=10)
    assert form.status_code == 200
    fields = {
        "csrfmiddlewaretoken": staff._csrf(form.text), "content_id": content_id,
        "title_zh_cn": "端到端特卖", "title_en": "End-to-end sale", "title_zh_tw": "端到端特賣",
        "text_zh_cn": "全场八折", "text_en": "20% off", "text_zh_tw": "全場八折", "store": "",
        "starts_on": "2020-01-01", "ends_on": "2099-12-31", "weekdays": [str(day) for day in range(7)],
        "hours_from": "00:00", "hours_to": "24:00", "priority": "9",
    }
    saved = staff.session.post(form_url, data=fields, files={"image": ("poster.jpg", poster(), "image/jpeg")},
                               headers={"Referer": form_url}, timeout=30)
    assert saved.status_code == 200 and saved.url.rstrip("/").endswith(content_id), saved.text[-2000:]
    listing = staff.session.get(f"{server.url}/console/promotions/", params={"lang": "en"}, timeout=10)
    published = staff.session.post(f"{server.url}/console/promotions/publish",
                                   data={"csrfmiddlewaretoken": staff._csrf(listing.text)},
                                   headers={"Referer": listing.url}, params={"lang": "en"}, timeout=60)
    assert published.status_code == 200
    assert re.search(r"Published as version \d+", published.text), published.text[-2000:]


def test_a_promotion_published_in_the_console_plays_on_a_running_kiosk(signage_server, tmp_path):
    data_dir = tmp_path / "kiosk"
    enroll(signage_server, data_dir, new_enrollment_code(signage_server)).close()
    shot = tmp_path / "playing.png"
    kiosk = SignageKiosk(data_dir, "--slide-seconds", "3", "--capture", "e2e-sale", "--screenshot", str(shot))
    try:
        kiosk.wait_for("shown", timeout=90)  # the demo mall's promotions are playing
        publish_promotion_through_the_console(signage_server, "e2e-sale")
        captured = kiosk.wait_for("captured", "e2e-sale", timeout=60)
        with Image.open(captured["screenshot"]) as screen:
            width, height = screen.size
            middle = screen.convert("RGB").getpixel((width // 2, height // 3))
        assert all(abs(a - b) < 12 for a, b in zip(middle, POSTER_COLOUR, strict=True)), (
            f"the kiosk's screen shows {middle}, not the new poster")
    finally:
        kiosk.kill()


def server_impressions(server: ServerProcess, kiosk_code: str, counted: bool = False) -> int:
    """The kiosk's impressions the server stored as events, or (`counted`) those the console's
    proof-of-play figures add up."""
    query = (f"from django.db.models import Sum; from server.fleet.models import PlayCount;"
             f"print(PlayCount.objects.filter(kiosk__code={kiosk_code!r}).aggregate(n=Sum('impressions'))['n'] or 0)"
             if counted else
             f"from server.fleet.models import KioskEvent;"
             f"print(KioskEvent.objects.filter(kind='promotion_shown', kiosk__code={kiosk_code!r}).count())")
    result = manage(server.env, "shell", "-c", query)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def test_proof_of_play_survives_a_power_cut_and_a_server_outage_exactly(signage_server, tmp_path):
    data_dir = tmp_path / "kiosk"
    store = enroll(signage_server, data_dir, new_enrollment_code(signage_server))
    from kiosk.identity import load_identity

    code = load_identity(store).kiosk_code
    store.close()
    recorded = 0

    # 1. Slides play and impressions upload; the power is cut (SIGKILL) at some slide.
    kiosk = SignageKiosk(data_dir)
    try:
        kiosk.wait_for("impressions", timeout=90)
        assert wait_until(lambda: server_impressions(signage_server, code) > 0, timeout=40, every=1.0)
        while kiosk.impressions < 6:
            kiosk.next_line(30)
        recorded += kiosk.ask("pause", "paused")
    finally:
        kiosk.kill()

    # 2. The server goes down; the kiosk restarts and plays offline, then is cut off again.
    signage_server.stop()
    try:
        kiosk = SignageKiosk(data_dir)
        try:
            while kiosk.impressions < 5:
                kiosk.next_line(60)
            recorded += kiosk.ask("pause", "paused")
            assert kiosk.ask("queued", "queued") > 0, "impressions made offline wait in the kiosk's queue"
        finally:
            kiosk.kill()
        kiosk = SignageKiosk(data_dir)
        while kiosk.impressions < 3:
            kiosk.next_line(60)
    finally:
        signage_server.start()  # 3. The server is back: the kiosk uploads what it kept.
    try:
        recorded += kiosk.ask("pause", "paused")
        assert wait_until(lambda: kiosk.ask("queued", "queued") == 0, timeout=60, every=1.0), \
            "the kiosk never emptied its queue of impressions"
        assert server_impressions(signage_server, code) == recorded
        assert server_impressions(signage_server, code, counted=True) == recorded, "the console's figures agree"
    finally:
        kiosk.kill()
