"""The fleet console in a real Chromium with a real kiosk: `python -m kiosk run`, rendering
offscreen, enrolled at the live server's mall. A manager sees it online, asks it for a
screenshot and gets its real screen back in the console; then restarts it: the app answers and
stops, the kiosk goes silent, and the offline alarm job (run as the scheduler would two minutes
later) raises its alarm, which the console shows and the notification queue carries to the manager."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import expect
from web_helpers import signed_in_page

from kiosk.identity import KioskIdentity, save_identity
from kiosk.store import LocalStore
from server.accounts.services import create_staff_user
from server.fleet import remote
from server.fleet import services as fleet
from server.fleet.models import FleetSettings, Kiosk, KioskCommand
from server.notifications.kiosk_alarms import ALARM_TRIGGER
from server.notifications.models import Message

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Fleet-console-2026!"
KIOSK_START_S = 180_000  # ms: first start renders fonts and downloads the demo mall's pictures


@pytest.fixture
def kiosk_dir(live_server, demo_mall, tmp_path, settings):
    settings.CONCIERGE_HEARTBEAT_POLL_SECONDS = 5  # the kiosk's minimum: commands arrive within seconds
    FleetSettings.objects.create(mall=demo_mall, offline_after_minutes=1)
    enrolled = fleet.enroll_kiosk(fleet.create_enrollment_code(demo_mall).code, hostname="lobby-kiosk")
    data_dir = tmp_path / "kiosk"
    with LocalStore.in_dir(data_dir) as store:
        save_identity(store, KioskIdentity(
            kiosk_id=enrolled.kiosk.pk, kiosk_code=enrolled.kiosk.code, device_key=enrolled.device_key,
            mall_id=demo_mall.pk, location_id=None, public_base_url=live_server.url, server_url=live_server.url))
    return data_dir, enrolled.kiosk


@pytest.fixture
def kiosk_process(kiosk_dir):
    data_dir, _kiosk = kiosk_dir
    log = data_dir / "run.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT), KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
               SDL_VIDEODRIVER="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--data-dir", str(data_dir), "--windowed",
         "--screenshots", str(data_dir / "own-screenshots")],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    yield process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_a_screenshot_comes_back_from_the_real_kiosk_and_a_silent_kiosk_raises_its_alarm(
        chromium, live_server, demo_mall, kiosk_dir, kiosk_process, screenshots):
    data_dir, kiosk = kiosk_dir
    manager = create_staff_user("boss", "manager", PASSWORD, mall=demo_mall, check_password=False)
    manager.email = "boss@mall.example"
    manager.save(update_fields=["email"])
    page = signed_in_page(chromium, f"{live_server.url}/console/fleet/?lang=en", "boss", PASSWORD,
                          "**/console/fleet/?lang=en")
    expect(page.locator('nav.sections a[href="/console/fleet/"]')).to_have_attribute("aria-current", "page")
    row = page.locator(f'tr[data-kiosk="{kiosk.code}"]')
    # The page refreshes itself: the kiosk's first heartbeats turn its row online with its version.
    expect(row.locator(".badge.fleet-online")).to_be_visible(timeout=KIOSK_START_S)
    expect(row).to_contain_text("portrait", timeout=KIOSK_START_S)

    page.goto(f"{live_server.url}/console/fleet/kiosks/{kiosk.pk}/?lang=en")
    page.click('form:has(input[name="kind"][value="screenshot"]) button')
    expect(page.locator('#commands tr[data-command="screenshot"][data-state="succeeded"]')).to_be_visible(
        timeout=90_000)
    picture = page.locator("#kiosk-screenshot img")
    expect(picture).to_be_visible()
    page.wait_for_function("document.querySelector('#kiosk-screenshot img').naturalWidth > 0")
    page.screenshot(path=str(screenshots / "fleet-kiosk-screenshot.png"), full_page=True)

    command = KioskCommand.objects.get(kiosk=kiosk, kind="screenshot")
    uploaded = Image.open(io.BytesIO(bytes(command.screenshot))).convert("RGB")
    assert uploaded.size == (1080, 1920)  # the kiosk's portrait window, not a placeholder
    own = sorted((data_dir / "own-screenshots").glob("*-home-*.png"))
    assert own, "the kiosk saved no picture of its home screen"
    home = Image.open(own[-1]).convert("RGB")
    difference = ImageStat.Stat(ImageChops.difference(uploaded, home).convert("L")).mean[0]
    assert difference < 12, f"the console's screenshot is not the kiosk's home screen (mean difference {difference})"
    assert ImageStat.Stat(uploaded.convert("L")).stddev[0] > 20  # a real screen, not a blank one

    # A restart: the app answers, then stops (under systemd, Restart=always starts it again; here
    # nothing does, so the kiosk goes silent).
    page.click('form:has(input[name="kind"][value="restart"]) button')
    assert kiosk_process.wait(120) == 0
    restart = KioskCommand.objects.get(kiosk=kiosk, kind="restart")
    assert (restart.state, restart.result) == ("succeeded", "restarting: the app stops and its service starts it again")
    heard = Kiosk.objects.get(pk=kiosk.pk).heartbeat_at
    sweep = remote.check_silent_kiosks(heard + timedelta(minutes=2))  # the scheduler's run two minutes on
    assert sweep.raised == 1
    page.goto(f"{live_server.url}/console/fleet/?lang=en")
    expect(row.locator(".badge.fleet-alarm")).to_have_text("Offline: alarm raised")
    page.screenshot(path=str(screenshots / "fleet-console.png"), full_page=True)
    page.goto(f"{live_server.url}/console/fleet/kiosks/{kiosk.pk}/?lang=zh-hans")
    expect(page.locator('#commands tr[data-command="restart"]')).to_contain_text("应用正在重启")
    page.screenshot(path=str(screenshots / "fleet-kiosk-zh.png"), full_page=True)
    alarm = Message.objects.get(trigger=ALARM_TRIGGER)
    assert (alarm.channel, alarm.recipient) == ("email", "boss@mall.example")
    assert kiosk.code in alarm.subject
