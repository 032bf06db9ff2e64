"""Fixtures for the sync agent: real kiosk stores and a scripted HTTP server."""
from __future__ import annotations

from pathlib import Path

import pytest
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
