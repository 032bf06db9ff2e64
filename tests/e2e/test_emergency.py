"""An emergency sent from the console reaches several real kiosk processes; each acknowledges it.

Real processes only: the central server (`python -m server serve`), three kiosks
(`python -m kiosk run`, offscreen, each with its own sync agent), and staff using the console's
HTML form. The console's own page is what tells who has shown the emergency.
"""
from __future__ import annotations

import re

import pytest
from conftest import STAFF_PASSWORD, STAFF_USER, KioskProcess, StaffBrowser
from live_server import enroll, new_enrollment_code, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
"""Three kiosk processes and a server on a shared machine: starting them takes minutes there."""
KIOSKS = 3


def shown_summary(staff: StaffBrowser, detail_url: str) -> tuple[int, int, list[str]]:
    page = staff.session.get(detail_url, params={"lang": "en"}, timeout=10).text
    match = re.search(r"Shown by (\d+) of (\d+) kiosks", page)
    assert match, "the broadcast page says how many kiosks have shown it"
    not_shown = re.findall(r'<tr class="not-shown"><td class="ref">(\w+)</td>', page)
    return int(match.group(1)), int(match.group(2)), not_shown


def test_an_emergency_from_the_console_is_shown_and_acknowledged_by_every_kiosk(central_server, tmp_path):
    data_dirs = []
    for number in range(KIOSKS):
        data_dir = tmp_path / f"kiosk-{number}"
        enroll(central_server, data_dir, new_enrollment_code(central_server)).close()
        data_dirs.append(data_dir)
    kiosks = [KioskProcess(data_dir) for data_dir in data_dirs]
    try:
        staff = StaffBrowser(central_server.url)
        staff.log_in(STAFF_USER, STAFF_PASSWORD)
        form_page = staff.session.get(f"{central_server.url}/console/broadcasts/", timeout=10)
        assert form_page.status_code == 200
        mall = re.search(r'name="mall" value="([^"]+)"', form_page.text).group(1)
        sent = staff.session.post(
            f"{central_server.url}/console/broadcasts/",
            data={"csrfmiddlewaretoken": staff._csrf(form_page.text), "mall": mall, "kind": "emergency",
                  "reason": "evacuation", "duration_minutes": "60"},
            headers={"Referer": form_page.url}, timeout=10,
        )
        assert sent.status_code == 200 and "/console/broadcasts/" in sent.url, sent.status_code
        detail_url = sent.url.split("?")[0]
        _, targeted, _ = shown_summary(staff, detail_url)
        assert targeted >= KIOSKS

        everyone = wait_until(lambda: not shown_summary(staff, detail_url)[2], timeout=120, every=1.0)
        shown, targeted, not_shown = shown_summary(staff, detail_url)
        logs = "\n".join(k.log.read_text()[-1500:] for k in kiosks)
        assert everyone, f"kiosks {not_shown} never acknowledged the emergency:\n{logs}"
        assert shown == targeted >= KIOSKS
        for kiosk in kiosks:
            assert kiosk.process.poll() is None, "a kiosk process died"
    finally:
        for kiosk in kiosks:  # all asked at once, then each awaited
            if kiosk.process.poll() is None:
                kiosk.process.terminate()
        for kiosk in kiosks:
            kiosk.stop()
