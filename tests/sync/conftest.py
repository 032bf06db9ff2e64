"""Fixtures for the sync agent: real kiosk stores and a scripted HTTP server."""
from __future__ import annotations

from pathlib import Path

import pytest
from live_server import ServerProcess, free_port, manage, new_enrollment_code
from sync_helpers import ScriptedServer, make_identity

from kiosk.identity import KioskIdentity, save_identity
from kiosk.store import LocalStore


@pytest.fixture
def scripted_server():
    server = ScriptedServer().start()
    yield server
    server.close()


@pytest.fixture
def kiosk_store(tmp_path: Path):
    with LocalStore.in_dir(tmp_path / "kiosk") as store:
        yield store


@pytest.fixture
def scripted_identity(kiosk_store, scripted_server) -> KioskIdentity:
    identity = make_identity(scripted_server.url)
    save_identity(kiosk_store, identity)
    return identity


@pytest.fixture(scope="session")
def central_server(tmp_path_factory):
    """The real server (`python -m server serve`) on the demo mall, shared by the sync tests that
    need one: migrating and seeding it is the slow part. `first_code` enrolls the first kiosk;
    `codes` holds one more code for each further kiosk a test enrolls."""
    data_dir = tmp_path_factory.mktemp("server")
    server = ServerProcess(data_dir, free_port())
    migrated = manage(server.env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    server.first_code = new_enrollment_code(server)
    made = manage(server.env, "shell", "-c", (
        "from server.fleet.services import create_enrollment_code\n"
        "from server.malls.models import Mall\n"
        "print(' '.join(create_enrollment_code(Mall.objects.get()).code for _ in range(8)))\n"))
    assert made.returncode == 0, made.stderr
    server.codes = made.stdout.split()
    server.start()
    yield server
    server.stop()
