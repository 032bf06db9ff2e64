"""A help request filed while the server was out of reach is delivered by the sync agent once
it is back, against the real central server (`python -m server serve`) in a subprocess."""
from __future__ import annotations

import dataclasses

import pytest
from live_server import ServerProcess, enroll, free_port, manage, new_enrollment_code

from kiosk import assistance, outbox
from kiosk.identity import load_identity
from kiosk.sync_agent import SyncAgent

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def central_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("server"), free_port())
    migrated = manage(server.env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    server.first_code = new_enrollment_code(server)
    server.start()
    yield server
    server.stop()


def open_requests_on_the_server(server: ServerProcess) -> list[str]:
    result = manage(server.env, "shell", "-c",
                    "from server.desk.models import HelpRequest; "
                    "open = HelpRequest.objects.filter(resolved_at__isnull=True); "
                    "print('OPEN:' + ','.join(open.values_list('id', flat=True)))")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("OPEN:"))
    return [value for value in line.removeprefix("OPEN:").split(",") if value]


def test_a_request_filed_offline_reaches_the_desk_when_the_server_is_back(central_server, tmp_path):
    store = enroll(central_server, tmp_path / "kiosk", central_server.first_code)
    identity = load_identity(store)
    cut_off = dataclasses.replace(identity, server_url=f"http://127.0.0.1:{free_port()}")
    try:
        filed = assistance.ask(store, "en")
        assert assistance.send_now(store, cut_off, filed.id) is None
        assert outbox.depth(store) == 1 and open_requests_on_the_server(central_server) == []

        outbox.retry_all_now(store)  # the network is back: the agent's next push
        pushed = SyncAgent(store, identity, "test").push_outbox(store)

        assert pushed.sent == 1 and outbox.depth(store) == 0
        assert open_requests_on_the_server(central_server) == [filed.id]
        assert assistance.open_request(store).delivery == assistance.Delivery.SENT
    finally:
        store.close()
