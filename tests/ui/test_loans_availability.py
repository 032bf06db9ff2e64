"""The kiosk shows what the service desk can lend, live, through the real sync.

A real central server (`python -m server serve`, seeded with the demo mall, whose service desk
lends three of each kind) lends a wheelchair and takes it back; the kiosk's real sync agent
polls the availability endpoint and the real Kivy app redraws the map's place card and the
facility list. The numbers are read from the widget tree; a kiosk that has heard nothing for
minutes shows none.
"""
from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from live_server import ServerProcess, enroll, free_port, manage, new_enrollment_code, wait_until

from kiosk.config import KioskConfig
from kiosk.identity import load_identity
from kiosk.sync_agent import SyncAgent

pytestmark = [pytest.mark.ui, pytest.mark.e2e]

MALL = "galaxy-harbour"
DESK = "service-desk-1f"
SCREENSHOTS = Path(tempfile.gettempdir()) / "concierge-loans-availability"


def server_shell(server: ServerProcess, code: str) -> str:
    result = manage(server.env, "shell", "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


LEND = f"""
from django.contrib.auth import get_user_model
from server.loans import lending
from server.malls.models import Mall
loan = lending.lend(Mall.objects.get(pk={MALL!r}), lending.LoanRequest(
    surname="王", phone="13812345678", security="id_card_sighted", kind="wheelchair"),
    get_user_model().objects.get(username="desk-li"))
print(loan.pk)
"""
RETURN = """
from django.contrib.auth import get_user_model
from server.loans import lending
from server.loans.models import Loan
lending.return_loan(Loan.objects.get(pk={pk}), get_user_model().objects.get(username="desk-li"))
"""


@pytest.fixture(scope="module")
def central_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("server"), free_port())
    server.env["CONCIERGE_AVAILABILITY_POLL_SECONDS"] = "1"
    server.env["CONCIERGE_HEARTBEAT_POLL_SECONDS"] = "5"
    assert manage(server.env, "migrate", "--noinput").returncode == 0
    server.first_code = new_enrollment_code(server)
    made = manage(server.env, "create-user", "desk-li", "--role", "agent", "--password", "Desk-loans-2026!")
    assert made.returncode == 0, made.stdout + made.stderr
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kiosk(central_server, tmp_path_factory):
    """The real app on an enrolled kiosk's store, with the real agent running; its wall clock
    can be moved ahead (`skew`) to let what it received grow old."""
    from screens.headless import HeadlessKiosk

    data_dir = tmp_path_factory.mktemp("kiosk")
    store = enroll(central_server, data_dir, central_server.first_code)
    identity = load_identity(store)
    agent = SyncAgent(store, identity, "test", poll_s=5)
    skew = [timedelta(0)]
    config = KioskConfig(data_dir=data_dir, fullscreen=False, window_width=1920, window_height=1080)
    driver = HeadlessKiosk(config, store, identity=identity, agent=agent,
                           wall_clock=lambda: datetime.now(UTC) + skew[0]).start()
    driver.skew = skew
    driver.agent = agent
    agent.start()
    assert wait_until(lambda: (driver.pump(1), driver.app.index is not None)[1], timeout=90), "content never arrived"
    yield driver
    agent.stop()
    driver.stop()
    store.close()


def wheelchairs(text: str) -> str:
    """The wheelchair line of a place's availability (prams, umbrellas… have lines of their own)."""
    return next((line for line in text.splitlines() if line.startswith(("轮椅", "Wheelchairs"))), "")


def card_text(kiosk) -> str:
    kiosk.settle()
    return wheelchairs(kiosk.app.screen("map").ids.availability.text)


def row_text(kiosk, facility_id: str = DESK) -> str:
    kiosk.settle()
    rows = kiosk.app.screen("facilities").ids.facilities.layout_manager.children
    return wheelchairs(next((row.availability for row in rows if row.facility_id == facility_id), ""))


def shows(kiosk, read, expected: str, timeout: float = 30) -> bool:
    return wait_until(lambda: (kiosk.pump(2), read(kiosk) == expected)[1], timeout=timeout, every=0.05)


def save(kiosk, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    kiosk.image().save(SCREENSHOTS / name)


def test_wheelchairs_available_change_with_a_loan_and_a_return(central_server, kiosk):
    app = kiosk.app
    app.set_language("zh_CN")
    app.show("map", facility_id=DESK)
    assert shows(kiosk, card_text, "轮椅：服务台（1F）可借 3 辆"), card_text(kiosk)

    loan = server_shell(central_server, LEND).splitlines()[-1]
    assert shows(kiosk, card_text, "轮椅：服务台（1F）可借 2 辆"), card_text(kiosk)
    save(kiosk, "map-card-after-loan-zh_CN.png")

    app.show("facilities")
    assert shows(kiosk, row_text, "轮椅：服务台（1F）可借 2 辆"), row_text(kiosk)
    save(kiosk, "facilities-after-loan-zh_CN.png")
    app.show("facilities", kind="wheelchair_lending")  # the wheelchair point at the desk says it too
    assert shows(kiosk, lambda k: row_text(k, "wheelchair-1f"), "轮椅：服务台（1F）可借 2 辆")
    app.show("facilities", kind="")

    server_shell(central_server, RETURN.format(pk=int(loan)))
    assert shows(kiosk, row_text, "轮椅：服务台（1F）可借 3 辆"), row_text(kiosk)

    app.set_language("en")
    app.show("map", facility_id=DESK)
    assert shows(kiosk, card_text, "Wheelchairs: 3 available at Service desk, 1F"), card_text(kiosk)
    save(kiosk, "map-card-after-return-en.png")


def test_availability_not_heard_of_for_minutes_is_not_shown(kiosk):
    kiosk.agent.stop()
    app = kiosk.app
    app.set_language("zh_CN")
    app.show("map", facility_id=DESK)
    assert shows(kiosk, card_text, "轮椅：服务台（1F）可借 3 辆")
    assert "婴儿车：服务台（1F）可借 3 辆" in kiosk.app.screen("map").ids.availability.text
    kiosk.skew[0] = timedelta(minutes=6)  # the agent is silent and the last numbers grow old
    assert shows(kiosk, lambda k: k.app.screen("map").ids.availability.text, "", timeout=5)
    app.show("facilities")
    assert shows(kiosk, row_text, "", timeout=5)
    save(kiosk, "facilities-stale-zh_CN.png")
