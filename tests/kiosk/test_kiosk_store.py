"""The local store: pragmas really in force, schema idempotent, blobs written atomically."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.store import SCHEMA_VERSION, LocalStore, StoreError
from sync.protocol import sha256_hex


def test_pragmas_are_set_on_the_connection(store: LocalStore):
    pragma = lambda name: store.db.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("secure_delete") == 1
    assert pragma("busy_timeout") >= 5000
    assert pragma("user_version") == SCHEMA_VERSION


def test_wal_mode_persists_in_the_file(store: LocalStore):
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


def test_schema_creation_is_idempotent(store: LocalStore):
    store.set_setting("language", "en")
    again = LocalStore(store.path)
    try:
        assert set(again.db.table_names()) >= {"settings", "content_versions", "outbox", "events"}
        assert again.get_setting("language") == "en"
    finally:
        again.close()


def test_a_newer_schema_is_refused_not_damaged(store: LocalStore):
    store.db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer kiosk software"):
        LocalStore(store.path)


def test_settings_round_trip_json_values(store: LocalStore):
    store.set_setting("k", {"nested": [1, "二"]})
    assert store.get_setting("k") == {"nested": [1, "二"]}
    assert store.get_setting("missing", 7) == 7
    store.delete_setting("k")
    assert store.get_setting("k") is None


def test_failed_transaction_leaves_nothing(store: LocalStore):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.set_setting("half", 1)
            raise RuntimeError("crash in the middle")
    assert store.get_setting("half") is None


def test_blob_written_atomically_without_leftovers(store: LocalStore):
    data = b"\x89PNG fake image bytes"
    sha = sha256_hex(data)
    path = store.write_blob(sha, data)
    assert path == store.blobs_dir / sha
    assert store.read_blob(sha) == data
    assert [p.name for p in store.blobs_dir.iterdir()] == [sha]


def test_blob_path_refuses_names_that_are_not_hashes(store: LocalStore):
    for bad in ("../kiosk.db", "ABC", "0" * 63, "g" * 64):
        with pytest.raises(ValueError):
            store.blob_path(bad)


def test_data_directory_is_private(store: LocalStore):
    assert store.data_dir.stat().st_mode & 0o077 == 0
