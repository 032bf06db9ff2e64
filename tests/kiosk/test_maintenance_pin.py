"""The maintenance screen's PIN: only a salted hash is stored, wrong PINs lock the pad for five
minutes (kept across a restart), the installer sets it with `python -m kiosk maintenance-pin`
and the fleet console with a `set_maintenance_pin` command carrying the hash."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.commands import CommandFailed, set_maintenance_pin
from kiosk.logfile import log_excerpt, log_to_file
from kiosk.maintenance import (
    LOCKOUT_S,
    MAX_WRONG_PINS,
    PIN_KEY,
    PinCheck,
    check_pin,
    locked_for,
    pin_is_set,
    set_pin,
)
from kiosk.store import LocalStore
from sync.maintenance_pin import hash_pin
from sync.protocol import Command, HeartbeatReply

ROOT = Path(__file__).resolve().parents[2]
NOW = 1_800_000_000.0


def test_only_a_salted_hash_is_stored(store: LocalStore):
    assert not pin_is_set(store)
    assert check_pin(store, "2468", now=NOW) is PinCheck.NOT_SET
    set_pin(store, "2468")
    record = store.get_setting(PIN_KEY)
    assert "2468" not in json.dumps(record)
    assert record["algorithm"] == "pbkdf2_sha256" and len(bytes.fromhex(record["salt"])) == 16
    expected = hashlib.pbkdf2_hmac("sha256", b"2468", bytes.fromhex(record["salt"]), record["iterations"])
    assert record["hash"] == expected.hex()
    set_pin(store, "2468")
    assert store.get_setting(PIN_KEY)["salt"] != record["salt"]  # a new salt each time
    assert check_pin(store, "2468", now=NOW) is PinCheck.RIGHT


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "", "١٢٣٤"])
def test_a_pin_is_4_to_12_ascii_digits(pin: str):
    with pytest.raises(ValueError):
        hash_pin(pin)


def test_five_wrong_pins_lock_for_five_minutes_across_a_restart(data_dir: Path):
    with LocalStore.in_dir(data_dir) as store:
        set_pin(store, "2468")
        for _ in range(MAX_WRONG_PINS - 1):
            assert check_pin(store, "1111", now=NOW) is PinCheck.WRONG
        assert check_pin(store, "1111", now=NOW) is PinCheck.LOCKED
    with LocalStore.in_dir(data_dir) as store:  # the kiosk restarted
        assert locked_for(store, now=NOW + 10) == LOCKOUT_S - 10
        assert check_pin(store, "2468", now=NOW + 10) is PinCheck.LOCKED  # even the right one
        assert check_pin(store, "2468", now=NOW + LOCKOUT_S) is PinCheck.RIGHT
        assert check_pin(store, "1111", now=NOW + LOCKOUT_S) is PinCheck.WRONG  # the count starts again


def test_a_clock_set_back_does_not_lengthen_the_lock(store: LocalStore):
    set_pin(store, "2468")
    for _ in range(MAX_WRONG_PINS):
        check_pin(store, "0000", now=NOW)
    assert locked_for(store, now=NOW - 86_400) == LOCKOUT_S


def test_a_right_pin_clears_the_count(store: LocalStore):
    set_pin(store, "2468")
    for _ in range(MAX_WRONG_PINS - 1):
        check_pin(store, "0000", now=NOW)
    assert check_pin(store, "2468", now=NOW) is PinCheck.RIGHT
    assert check_pin(store, "0000", now=NOW) is PinCheck.WRONG


def test_the_console_command_stores_the_hash_it_carries(store: LocalStore):
    record = hash_pin("97531", salt=bytes(range(16)), iterations=100_000)
    reply = HeartbeatReply.model_validate({"server_time": "2027-01-15T10:00:00Z", "commands": [
        {"kind": "set_maintenance_pin", "id": "01JCMD0000000000000000000A", "payload": record}]})
    for _ in range(MAX_WRONG_PINS):
        check_pin(store, "0000", now=NOW)
    assert set_maintenance_pin(store, reply.commands[0]) == "maintenance PIN replaced"
    assert check_pin(store, "97531", now=NOW) is PinCheck.RIGHT  # a new PIN lifts the lock


@pytest.mark.parametrize("payload", [
    {},
    {"algorithm": "md5", "iterations": 100_000, "salt": "00" * 16, "hash": "00" * 32},
    {"algorithm": "pbkdf2_sha256", "iterations": 10, "salt": "00" * 16, "hash": "00" * 32},
    {"algorithm": "pbkdf2_sha256", "iterations": 100_000, "salt": "zz" * 16, "hash": "00" * 32},
    {"algorithm": "pbkdf2_sha256", "iterations": 100_000, "salt": "00" * 4, "hash": "00" * 32},
    {"algorithm": "pbkdf2_sha256", "iterations": 100_000, "salt": "00" * 16, "hash": "00" * 8},
    {"algorithm": "pbkdf2_sha256", "iterations": True, "salt": "00" * 16, "hash": "00" * 32},
])
def test_a_malformed_hash_from_the_console_is_refused(store: LocalStore, payload: dict):
    set_pin(store, "2468")
    with pytest.raises(CommandFailed, match="malformed"):
        set_maintenance_pin(store, Command(kind="set_maintenance_pin", payload=payload))
    assert check_pin(store, "2468", now=NOW) is PinCheck.RIGHT


def kiosk(*args: str, data_dir: Path, stdin: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), CONCIERGE_KIOSK_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)


def test_the_cli_sets_the_pin_read_twice(data_dir: Path):
    result = kiosk("maintenance-pin", data_dir=data_dir, stdin="482916\n482916\n")
    assert result.returncode == 0, result.stderr
    assert "Maintenance PIN set" in result.stdout
    with LocalStore.in_dir(data_dir) as store:
        assert check_pin(store, "482916") is PinCheck.RIGHT


def test_the_cli_refuses_two_different_pins_or_a_bad_one(data_dir: Path):
    result = kiosk("maintenance-pin", data_dir=data_dir, stdin="482916\n482917\n")
    assert result.returncode == 1 and "differ" in result.stderr and "Traceback" not in result.stderr
    result = kiosk("maintenance-pin", data_dir=data_dir, stdin="12\n12\n")
    assert result.returncode == 1 and "4 to 12 digits" in result.stderr
    with LocalStore.in_dir(data_dir) as store:
        assert not pin_is_set(store)


def test_the_cli_help_names_the_command(data_dir: Path):
    result = kiosk("--help", data_dir=data_dir, stdin="")
    assert "maintenance-pin" in result.stdout


def test_the_log_excerpt_is_the_files_last_lines(tmp_path: Path):
    import logging

    handler = log_to_file(tmp_path)
    try:
        for number in range(60):
            logging.getLogger("kiosk.test").warning("line %d", number)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    excerpt = log_excerpt(tmp_path)
    assert len(excerpt) == 40
    assert excerpt[-1].endswith("kiosk.test: line 59") and excerpt[0].endswith("line 20")
    assert log_excerpt(tmp_path / "nowhere") == []


def test_a_download_reports_its_bytes_for_the_progress_bar(store: LocalStore, bundle):
    """install_version tells (bytes fetched, bytes to fetch) from the manifest's sizes, after each
    blob; blobs already on disk are not counted, and nothing is told when nothing is fetched."""
    from datetime import UTC, datetime

    from kiosk.content import DOCUMENT_MEDIA_TYPE, install_version
    from sync.protocol import BlobRef, ContentManifest, sha256_hex

    document = bundle.content.model_dump_json().encode()
    blobs = {sha256_hex(document): document, **{sha: data for sha, (data, _type) in bundle.blobs.items()}}
    manifest = ContentManifest(
        mall_id=bundle.content.mall.id, version=1, published_at=datetime.now(UTC),
        document=BlobRef(sha256=sha256_hex(document), size=len(document), media_type=DOCUMENT_MEDIA_TYPE),
        blobs=[BlobRef(sha256=sha, size=len(data), media_type=media_type)
               for sha, (data, media_type) in sorted(bundle.blobs.items())])
    reported: list[tuple[int, int]] = []
    install_version(store, manifest, blobs.__getitem__, progress=lambda done, total: reported.append((done, total)))
    total = sum(len(data) for data in blobs.values())
    assert reported[0] == (0, total) and reported[-1] == (total, total)
    assert len(reported) == len(blobs) + 1
    assert [done for done, _ in reported] == sorted(done for done, _ in reported)
    again: list[tuple[int, int]] = []
    install_version(store, manifest.model_copy(update={"version": 2}), blobs.__getitem__,
                    progress=lambda done, total: again.append((done, total)))
    assert again == []  # every blob already on disk
