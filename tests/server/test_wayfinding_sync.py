"""A closure made in the console reaches a kiosk by its next content sync, and the kiosk's route
goes around it and says why: real server process, real sync agent, real kiosk store."""
from __future__ import annotations

import json
import re

import pytest
import requests
from live_server import ServerProcess, enroll, free_port, manage, new_enrollment_code

from kiosk.content import active_content, active_version
from kiosk.identity import load_identity
from kiosk.sync_agent import SyncAgent
from venue.routing.router import route_from_kiosk
from venue.routing.wording import closure_reason

pytestmark = pytest.mark.e2e
DESTINATION = "gale-sports"


@pytest.fixture(scope="module")
def central_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("server"), free_port())
    migrated = manage(server.env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    server.first_code = new_enrollment_code(server)
    server.start()
    yield server
    server.stop()


def console_session(server: ServerProcess) -> requests.Session:
    """Signed in as the demo's administrator, the way a browser does it (CSRF cookie and token)."""
    username = "demo-admin"  # server.demo.services.DEMO_ADMIN; its password is kept in the data dir
    password = json.loads((server.data_dir / "demo-credentials.json").read_text())[username]
    session = requests.Session()
    login = f"{server.url}/accounts/login/"
    session.get(login, timeout=10)
    response = session.post(login, data={"username": username, "password": password,
                                         "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                            headers={"Referer": login}, timeout=30, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return session


def test_a_kiosk_reroutes_after_its_next_sync_and_says_why(central_server, tmp_path):
    store = enroll(central_server, tmp_path / "kiosk", central_server.first_code)
    identity = load_identity(store)
    agent = SyncAgent(store, identity, "test")
    assert agent.pull_content(store) is not None
    before = route_from_kiosk(active_content(store), "lobby-1f", DESTINATION, "step_free")
    lift = next(step.connector_id for step in before.steps if step.kind == "connector")
    assert closure_reason(before, active_content(store), "en") == ""

    session = console_session(central_server)
    console = f"{central_server.url}/console/wayfinding/"
    assert lift in session.get(console, timeout=10).text
    response = session.post(f"{console}closures", data={
        "connector": lift, "closed": "1", "mall": identity.mall_id,
        "csrfmiddlewaretoken": session.cookies["csrftoken"]}, headers={"Referer": console}, timeout=30,
        allow_redirects=False)
    assert response.status_code == 302

    # Until it syncs, the kiosk keeps the route it had (it works offline from its own copy).
    assert route_from_kiosk(active_content(store), "lobby-1f", DESTINATION, "step_free").steps == before.steps
    version_before = active_version(store).version
    assert agent.pull_content(store) is not None
    assert active_version(store).version == version_before + 1
    content = active_content(store)
    after = route_from_kiosk(content, "lobby-1f", DESTINATION, "step_free")
    assert after.reachable and lift not in {step.connector_id for step in after.steps}
    reason = closure_reason(after, content, "en")
    assert re.fullmatch(r"Lift [AB] is closed: this route goes another way\.", reason)
    assert "暂停使用" in closure_reason(after, content, "zh_CN")
    store.close()
