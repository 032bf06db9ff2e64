"""Fixtures for the kiosk core: real SQLite files under tmp_path and a small mall in code."""
from __future__ import annotations

from pathlib import Path

import pytest
from kiosk_helpers import Bundle, make_bundle

from kiosk.identity import KioskIdentity, save_identity
from kiosk.store import LocalStore


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "kiosk-data"


@pytest.fixture
def store(data_dir: Path):
    with LocalStore.in_dir(data_dir) as opened:
        yield opened


@pytest.fixture
def identity(store: LocalStore) -> KioskIdentity:
    enrolled = KioskIdentity(
        kiosk_id="01JKIOSK0000000000000000AA",
        kiosk_code="C7K",
        device_key="device-key-for-tests",
        mall_id="mall-1",
        location_id="kp-north",
        public_base_url="https://concierge.example.com",
        server_url="http://127.0.0.1:9",
    )
    save_identity(store, enrolled)
    return enrolled


@pytest.fixture
def bundle() -> Bundle:
    return make_bundle()


def database_bytes(store: LocalStore) -> bytes:
    """Every byte SQLite keeps for this database on disk: the file, its WAL and journal."""
    data = b""
    for suffix in ("", "-wal", "-journal", "-shm"):
        path = Path(str(store.path) + suffix)
        if path.exists():
            data += path.read_bytes()
    return data


@pytest.fixture
def disk_bytes():
    """database_bytes, for tests that grep what is on disk."""
    return database_bytes


@pytest.fixture
def bundle_factory():
    return make_bundle
