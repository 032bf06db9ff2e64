"""A lost child's photo: the broadcast listener fetches it by hash after the list, checks it, and
keeps it through a content prune; a bad or missing photo leaves the notice without one."""
from __future__ import annotations

from sync_helpers import Reply

from kiosk import broadcasts
from kiosk.sync_agent import SyncAgent
from sync.protocol import BLOB_PATH, BROADCASTS_PATH, MAX_BROADCAST_PHOTO_BYTES, sha256_hex

PHOTO = b"\x89PNG\r\n\x1a\n" + b"a small picture of a boy" * 10
PHOTO_SHA = sha256_hex(PHOTO)


def notice_state(photo_sha256: str | None) -> dict:
    return {"server_time": "2026-11-23T10:00:00Z", "poll_seconds": 2, "broadcasts": [{
        "id": "01JDZ8Y5X3A4B5C6D7E8F9G0H1", "kind": "notice", "reason": "lost_child",
        "title": {"zh_CN": "寻找走失儿童", "en": "Lost child", "zh_TW": "尋找走失兒童"},
        "text": {"zh_CN": "5岁男孩", "en": "A boy of 5", "zh_TW": "5歲男孩"},
        "starts_at": "2026-11-23T10:00:00Z", "expires_at": "2099-11-23T11:00:00Z", "photo_sha256": photo_sha256,
    }]}


def listener_for(store, identity, server, photo_reply: Reply):
    listener = SyncAgent(store, identity, "test-1.0").broadcasts
    server.routes[("GET", BROADCASTS_PATH)] = lambda r: Reply(200, notice_state(PHOTO_SHA), {"ETag": '"b-1"'})
    server.routes[("GET", BLOB_PATH.format(sha256=PHOTO_SHA))] = lambda r: photo_reply
    return listener


def test_the_photo_is_fetched_once_after_the_list(kiosk_store, scripted_identity, scripted_server):
    listener = listener_for(kiosk_store, scripted_identity, scripted_server, Reply(200, PHOTO))
    listener.run_once(kiosk_store)
    assert kiosk_store.has_blob(PHOTO_SHA)
    assert kiosk_store.blob_path(PHOTO_SHA).read_bytes() == PHOTO
    listener.run_once(kiosk_store)
    assert len(scripted_server.calls("GET", BLOB_PATH.format(sha256=PHOTO_SHA))) == 1, "kept, not fetched again"
    assert broadcasts.photo_hashes(kiosk_store) == {PHOTO_SHA}


def test_a_photo_that_does_not_match_its_hash_or_is_too_large_is_not_stored(kiosk_store, scripted_identity,
                                                                             scripted_server):
    listener = listener_for(kiosk_store, scripted_identity, scripted_server, Reply(200, b"other bytes"))
    listener.run_once(kiosk_store)
    assert not kiosk_store.has_blob(PHOTO_SHA)
    assert broadcasts.load_state(kiosk_store)[0][0].title.en == "Lost child", "the notice itself is kept"

    scripted_server.routes[("GET", BLOB_PATH.format(sha256=PHOTO_SHA))] = \
        lambda r: Reply(200, b"x" * (MAX_BROADCAST_PHOTO_BYTES + 1))
    assert listener.fetch_photos(kiosk_store) == 0


def test_a_missing_photo_is_tried_again_at_the_next_poll(kiosk_store, scripted_identity, scripted_server):
    listener = listener_for(kiosk_store, scripted_identity, scripted_server, Reply(404, b"unknown"))
    listener.run_once(kiosk_store)
    assert not kiosk_store.has_blob(PHOTO_SHA)
    scripted_server.routes[("GET", BLOB_PATH.format(sha256=PHOTO_SHA))] = lambda r: Reply(200, PHOTO)
    listener.run_once(kiosk_store)
    assert kiosk_store.has_blob(PHOTO_SHA)


def test_pruning_old_content_keeps_the_photo_of_a_notice_on_screen(kiosk_store, scripted_identity, scripted_server):
    from kiosk.content import prune_content

    listener = listener_for(kiosk_store, scripted_identity, scripted_server, Reply(200, PHOTO))
    listener.run_once(kiosk_store)
    kiosk_store.write_blob(sha256_hex(b"an old logo"), b"an old logo")
    assert prune_content(kiosk_store) == 1
    assert kiosk_store.has_blob(PHOTO_SHA)
