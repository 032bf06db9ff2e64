"""Acceptance 5 of issue 20: a help request from a kiosk appears in the console within 5 s.

Real processes: the central server (`python -m server serve`, uvicorn: the async live stream),
a kiosk process with its own sync agent where a visitor taps "Ask for help"
(tests/e2e/kiosk_help.py), and the desk's console open in Chromium. The time from the tap (the
kiosk process's wall clock) to the alert on the console page (this process's wall clock; the
same machine) is measured and must be at most 5 s: the product's requirement, so this test
does assert a duration. The page is watched by polling up to 30 s, so a slow run reports its
figure instead of a bare timeout. Then the agent answers "I'm on my way" from the alert, and
the visitor still waiting at the kiosk is told that staff are on the way.
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import STAFF_PASSWORD, STAFF_USER
from live_server import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path(__file__).with_name("kiosk_help.py")
ACCEPTED_LATENCY_S = 5.0


class HelpKiosk:
    def __init__(self, data_dir: Path, screenshot: Path):
        self.log = data_dir / "help-kiosk.log"
        self.process = subprocess.Popen(
            [sys.executable, str(DRIVER), "--data-dir", str(data_dir), "--screenshot", str(screenshot)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log.open("ab"), text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )

    def read(self, timeout: float) -> dict:
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"the kiosk said nothing within {timeout} s:\n{self.log.read_text()[-3000:]}")
        line = self.process.stdout.readline()
        assert line, f"the kiosk exited ({self.process.poll()}):\n{self.log.read_text()[-3000:]}"
        answer = json.loads(line)
        assert "error" not in answer, answer
        return answer

    def say(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def console_page(browser, base_url: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{base_url}/console/desk/help/")
    page.fill('input[name="username"]', STAFF_USER)
    page.fill('input[name="password"]', STAFF_PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/console/desk/help/")
    return page


def test_a_help_request_reaches_the_console_within_5_s(central_server, enrolled_kiosk_dir, chromium, tmp_path):
    screenshots = Path(os.environ.get("CONCIERGE_SCREENSHOTS") or tmp_path)
    screenshots.mkdir(parents=True, exist_ok=True)
    page = console_page(chromium, central_server.url)
    alert = page.locator(".help-alert")
    assert alert.count() == 0, "no alert before anyone asked"
    kiosk = HelpKiosk(enrolled_kiosk_dir, screenshots / "help-kiosk-zh-hans.png")
    try:
        ready = kiosk.read(timeout=240)
        place = ready["place"]
        assert place, "the demo kiosk stands at a kiosk point"

        kiosk.say("press")
        pressed_at = kiosk.read(timeout=30)["pressed_at"]
        seen_at = None
        while time.time() - pressed_at < 30:
            if alert.count() and alert.is_visible():
                seen_at = time.time()
                break
            page.wait_for_timeout(50)
        assert seen_at is not None, "the help request never reached the console"
        latency = seen_at - pressed_at
        print(f"help request: press to console alert {latency:.2f} s")
        assert latency <= ACCEPTED_LATENCY_S, f"the alert took {latency:.2f} s (at most {ACCEPTED_LATENCY_S} s)"
        assert f"有访客在 {place} 需要帮助" in alert.inner_text()

        answered = kiosk.read(timeout=30)
        assert answered["state"] == "sent", answered
        assert answered["title"] == "已通知工作人员"
        assert f"已请工作人员到本机这里来：{place}。" in answered["message"]
        page.screenshot(path=str(screenshots / "help-alert-console-zh-hans.png"), full_page=True)

        with page.expect_navigation():  # the form's POST, then back to this page
            alert.get_by_role("button", name="我这就过去").click()
        alert.get_by_text(f"{STAFF_USER} 正在前往").wait_for(timeout=15000)
        row = page.locator("table.help-requests tbody tr").first
        assert place in row.inner_text() and STAFF_USER in row.inner_text()

        kiosk.say("follow")
        followed = kiosk.read(timeout=45)
        assert followed["state"] == "on_the_way" and followed["shown"], followed
        assert "工作人员正在赶来，请在这里稍候。" in followed["message"]
        assert kiosk.process.poll() is None, "the kiosk process died"
    finally:
        kiosk.stop()
        page.context.close()
