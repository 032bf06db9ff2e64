"""A damaged kiosk database and a full disk, found and mended at start without losing the cases
and proof-of-play records that wait to be uploaded (real SQLite files, a real small filesystem)."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk import events, outbox
from kiosk.cases import CaseDraft, submit_case
from kiosk.content import install_bundle
from kiosk.identity import load_identity
from kiosk.recovery import LOW_DISK_BYTES, check_at_start, database_intact, take_start_problems
from kiosk.store import LocalStore
from sync.protocol import CaseKind

CASES, EVENTS = 12, 40


def fill(store: LocalStore, identity) -> set[str]:
    references = set()
    for n in range(CASES):
        receipt = submit_case(store, identity, CaseDraft(kind=CaseKind.SUGGESTION, description=f"建议 {n}：多放座椅"))
        references.add(receipt.reference)
    for n in range(EVENTS):
        events.record_event(store, "screen_view", at=datetime(2026, 12, 1, 10, n, tzinfo=UTC),
                            subject_id="directory")
    return references


def damage_pages_of(path: Path, table: str) -> None:
    """Overwrite the pages that hold `table` with garbage, as a worn-out card would."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def test_an_intact_database_is_left_alone(store, identity, data_dir):
    fill(store, identity)
    store.close()
    report = check_at_start(data_dir)
    assert report.problems == [] and report.damaged_copy is None
    assert not (data_dir / "damaged").exists()


def test_a_damaged_database_is_rebuilt_with_every_waiting_case_and_event(store, identity, data_dir, bundle):
    references = fill(store, identity)
    install_bundle(store, bundle)
    store.close()
    damage_pages_of(data_dir / "kiosk.db", "content_versions")
    assert not database_intact(data_dir / "kiosk.db")

    report = check_at_start(data_dir)

    assert report.problems and report.damaged_copy is not None and report.damaged_copy.exists()
    assert database_intact(data_dir / "kiosk.db")
    with LocalStore.in_dir(data_dir) as recovered:
        waiting = outbox.pending(recovered, float("inf"), limit=100)
        assert sorted(item.reference for item in waiting) == sorted(references)  # none lost, none twice
        assert events.queued_count(recovered) == EVENTS
        assert load_identity(recovered) == identity  # no re-enrolment needed
        receipt = submit_case(recovered, identity, CaseDraft(kind=CaseKind.PRAISE, description="谢谢"))
        assert receipt.reference not in references  # the reference counter carried over


def test_a_database_that_is_not_sqlite_at_all_still_lets_the_kiosk_start(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.db").write_bytes(os.urandom(8192))
    report = check_at_start(data_dir)
    assert report.damaged_copy is not None and report.damaged_copy.read_bytes()
    with LocalStore.in_dir(data_dir) as fresh:
        assert outbox.depth(fresh) == 0 and load_identity(fresh) is None


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MiB filesystem of its own (tmpfs), so the kiosk's disk really fills up."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_is_cleared_of_what_can_be_fetched_again_and_keeps_the_cases(small_disk, bundle, identity):
    data_dir = small_disk / "kiosk"
    with LocalStore.in_dir(data_dir) as store:
        from kiosk.identity import save_identity

        save_identity(store, identity)
        references = fill(store, identity)
        install_bundle(store, bundle)
    leftover = data_dir / "blobs" / ".0123456789abcdef.partial.tmp"  # a download cut by the power
    with contextlib.suppress(OSError), leftover.open("wb") as handle:
        while True:
            handle.write(b"\0" * 65536)
    assert os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize < LOW_DISK_BYTES

    report = check_at_start(data_dir)

    assert any("nearly full" in problem for problem in report.problems)
    assert report.bytes_freed > 1_000_000 and not leftover.exists()
    with LocalStore.in_dir(data_dir) as store:
        assert sorted(item.reference for item in outbox.pending(store, float("inf"), limit=100)) == sorted(references)
        submit_case(store, identity, CaseDraft(kind=CaseKind.PRAISE, description="谢谢"))  # room to write again


def test_what_the_start_mended_is_handed_to_the_sync_agent_once(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.db").write_bytes(os.urandom(8192))
    report = check_at_start(data_dir)
    with LocalStore.in_dir(data_dir) as store:
        assert take_start_problems(store) == report.problems and report.problems
        assert take_start_problems(store) == []
