"""The help button's request on the kiosk: filed durably in the outbox before anything is sent,
one open request at a time, kept for the sync agent when the server cannot be reached."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from kiosk import assistance, outbox
from kiosk.cases import CaseDraft, submit_case
from sync.protocol import ASSISTANCE_PATH, CASES_PATH, AssistanceRequest

NOW = datetime(2026, 12, 5, 6, 2, tzinfo=UTC)


def test_a_request_is_in_the_outbox_before_it_is_sent(store):
    filed = assistance.ask(store, "en", now=NOW)

    item = outbox.get(store, filed.id)
    assert not filed.already_asked and filed.delivery == assistance.Delivery.WAITING
    assert item is not None and item.kind == outbox.ASSISTANCE_KIND
    assert outbox.upload_path(item) == ASSISTANCE_PATH
    body = AssistanceRequest.model_validate_json(item.payload)
    assert (body.id, body.requested_at, body.language) == (filed.id, NOW, "en")


def test_pressing_again_while_open_files_nothing_and_after_the_window_files_anew(store):
    first = assistance.ask(store, "zh_CN", now=NOW)

    again = assistance.ask(store, "en", now=NOW + timedelta(minutes=5))
    later = assistance.ask(store, "zh_CN", now=NOW + timedelta(seconds=assistance.OPEN_FOR_S + 1))

    assert again.already_asked and again.id == first.id
    assert not later.already_asked and later.id != first.id
    assert outbox.depth(store) == 2


def test_an_unreachable_server_leaves_it_pending_for_the_agent(store, identity):
    filed = assistance.ask(store, "zh_CN", now=NOW)

    assert assistance.send_now(store, identity, filed.id) is None  # 127.0.0.1:9: refused

    item = outbox.get(store, filed.id)
    assert item is not None and item.attempts == 1 and "help request" in (item.last_error or "")
    assert outbox.depth(store) == 1
    assert assistance.open_request(store, NOW).delivery == assistance.Delivery.WAITING


def test_cases_still_go_to_the_cases_and_a_sent_request_keeps_its_body(store, identity):
    receipt = submit_case(store, identity, CaseDraft(kind="suggestion", description="多放几把椅子"), NOW)
    filed = assistance.ask(store, "zh_TW", now=NOW)

    assert outbox.upload_path(outbox.get(store, receipt.case_id)) == CASES_PATH
    assert outbox.mark_sent(store, filed.id)
    assert set(json.loads(outbox.get(store, filed.id).payload)) == {"id", "requested_at", "language"}
    assert assistance.open_request(store, NOW).delivery == assistance.Delivery.SENT
