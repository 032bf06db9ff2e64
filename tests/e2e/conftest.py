"""End-to-end fixtures: a real central server process and enrolled kiosk data dirs."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from live_server import ROOT, ServerProcess, enroll, free_port, manage, new_enrollment_code, wait_until

pytestmark = pytest.mark.e2e

VISITOR = Path(__file__).with_name("kiosk_visitor.py")
STAFF_USER, STAFF_PASSWORD = "desk-agent", "e2e-Desk-password-1"


@pytest.fixture(scope="module")
def central_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("server"), free_port())
    migrated = manage(server.env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    new_enrollment_code(server)  # seeds and publishes the demo mall
    made = manage(server.env, "create-user", STAFF_USER, "--role", "agent", "--password", STAFF_PASSWORD)
    assert made.returncode == 0, made.stdout + made.stderr
    server.start()
    yield server
    server.stop()


@pytest.fixture
def enrolled_kiosk_dir(central_server, tmp_path) -> Path:
    """A kiosk data dir enrolled with the server (content is pulled by the kiosk's own agent)."""
    data_dir = tmp_path / "kiosk"
    enroll(central_server, data_dir, new_enrollment_code(central_server)).close()
    return data_dir


class VisitorProcess:
    """tests/e2e/kiosk_visitor.py: a real kiosk process a visitor files a complaint on."""

    def __init__(self, data_dir: Path, screenshot: Path, **options: str):
        arguments = [sys.executable, str(VISITOR), "--data-dir", str(data_dir), "--screenshot", str(screenshot)]
        for name, value in options.items():
            arguments += [f"--{name}", value]
        self.log = data_dir / "visitor.log"
        self.process = subprocess.Popen(
            arguments, cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log.open("ab"), text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )

    def receipt(self, timeout: float = 180) -> dict:
        """Block until the kiosk shows the receipt; returns {"reference", "screenshot"}."""
        import selectors

        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            self.kill()
            raise AssertionError(f"no receipt within {timeout} s:\n{self.log.read_text()[-3000:]}")
        line = self.process.stdout.readline()
        assert line, f"the kiosk exited ({self.process.poll()}):\n{self.log.read_text()[-3000:]}"
        answer = json.loads(line)
        assert "error" not in answer, answer
        return answer

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up, as in a power cut."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


class KioskProcess:
    """`python -m kiosk run`, offscreen: the product's own command."""

    def __init__(self, data_dir: Path):
        self.log = data_dir / "run.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--data-dir", str(data_dir), "--windowed"],
            cwd=ROOT, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class StaffBrowser:
    """A staff member using the console's HTML forms over HTTP, CSRF token and all."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def _csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, "the page has no CSRF token"
        return match.group(1)

    def log_in(self, username: str, password: str) -> None:
        page = self.session.get(f"{self.base_url}/accounts/login/", timeout=10)
        response = self.session.post(
            f"{self.base_url}/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": self._csrf(page.text)},
            headers={"Referer": page.url}, timeout=10,
        )
        assert response.ok and "/accounts/login/" not in response.url, "login failed"

    def case_url(self, reference: str) -> str:
        listing = self.session.get(f"{self.base_url}/console/cases/", timeout=10).text
        for href, row in re.findall(r'href="(/console/cases/[^"/]+/)"(.*?)</tr>', listing, re.S):
            if reference in row:
                return self.base_url + href
        raise AssertionError(f"{reference} is not in the console's case list")

    def change_status(self, case_url: str, to_status: str, note: str, visibility: str = "public") -> str:
        page = self.session.get(case_url, timeout=10)
        response = self.session.post(
            case_url + "status",
            data={"to_status": to_status, "note": note, "visibility": visibility,
                  "csrfmiddlewaretoken": self._csrf(page.text)},
            headers={"Referer": case_url}, timeout=10,
        )
        assert response.status_code == 200, response.status_code
        return response.text


def cases_with_reference(server: ServerProcess, reference: str) -> int:
    result = manage(server.env, "shell", "-c",
                    "from server.cases.models import Case; "
                    f"print(Case.objects.filter(reference={reference!r}).count())")
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def wait_for_case(server: ServerProcess, reference: str, timeout: float = 90) -> bool:
    return wait_until(lambda: cases_with_reference(server, reference) >= 1, timeout=timeout, every=1.0)
