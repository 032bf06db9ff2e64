"""Usage events (proof of play, satisfaction taps): stored once per batch, whatever the retries."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from server_helpers import assert_error, post_json
from ulid import ULID

from server.fleet.models import KioskEvent, KioskEventBatch
from sync.protocol import EventBatchReceipt

EVENTS = "/api/v1/kiosk/events"
START = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


def batch(count: int = 3, batch_id: str | None = None, kind: str = "promotion_shown") -> dict:
    return {
        "batch_id": batch_id or str(ULID()),
        "events": [
            {"kind": kind, "at": (START + timedelta(seconds=i)).isoformat(), "subject_id": f"promo-{i % 2}"}
            for i in range(count)
        ],
    }


def test_a_new_batch_is_stored_with_every_event(client, enrolled_kiosk):
    body = batch(5)
    response = post_json(client, EVENTS, body, **enrolled_kiosk.headers)

    assert response.status_code == 201
    receipt = EventBatchReceipt.model_validate(response.json())
    assert (receipt.batch_id, receipt.accepted, receipt.duplicate) == (body["batch_id"], 5, False)
    stored = KioskEvent.objects.filter(kiosk_id=enrolled_kiosk.id).order_by("at")
    assert [e.subject_id for e in stored] == ["promo-0", "promo-1", "promo-0", "promo-1", "promo-0"]
    assert stored[0].at == START and stored[0].kind == "promotion_shown"
    assert stored[0].mall_id == stored[0].kiosk.mall_id


def test_a_retried_batch_is_acknowledged_but_never_counted_twice(client, enrolled_kiosk):
    body = batch(4)
    assert post_json(client, EVENTS, body, **enrolled_kiosk.headers).status_code == 201
    retry = post_json(client, EVENTS, body, **enrolled_kiosk.headers)

    assert retry.status_code == 200
    assert EventBatchReceipt.model_validate(retry.json()).duplicate is True
    assert KioskEvent.objects.count() == 4
    assert KioskEventBatch.objects.count() == 1


def test_satisfaction_taps_keep_their_value(client, enrolled_kiosk):
    body = {"batch_id": str(ULID()), "events": [{"kind": "satisfaction", "at": START.isoformat(), "value": "4"}]}
    assert post_json(client, EVENTS, body, **enrolled_kiosk.headers).status_code == 201
    assert KioskEvent.objects.get().value == "4"


def test_an_empty_batch_is_fine(client, enrolled_kiosk):
    response = post_json(client, EVENTS, batch(0), **enrolled_kiosk.headers)
    assert response.status_code == 201 and response.json()["accepted"] == 0


def test_events_need_a_device_key(client, enrolled_kiosk):
    assert_error(post_json(client, EVENTS, batch()), 401, "unauthorized")
    assert KioskEvent.objects.count() == 0


@pytest.mark.parametrize("mangle", [
    lambda b: {**b, "batch_id": "not-a-ulid"},
    lambda b: {**b, "events": [{**b["events"][0], "kind": "rm -rf"}]},
    lambda b: {**b, "events": [{**b["events"][0], "subject_id": "x" * 65}]},
    lambda b: {**b, "events": [{**b["events"][0], "at": "yesterday"}]},
    lambda b: {**b, "events": b["events"] * 400},
    lambda b: {"events": b["events"]},
    lambda b: [b],
])
def test_bad_batches_get_422_json_and_store_nothing(client, enrolled_kiosk, mangle):
    assert_error(post_json(client, EVENTS, mangle(batch(3)), **enrolled_kiosk.headers), 422)
    assert KioskEvent.objects.count() == 0 and KioskEventBatch.objects.count() == 0


def test_the_daily_play_counts_grow_with_each_new_batch_and_never_with_a_retry(client, enrolled_kiosk):
    from server.fleet.models import PlayCount

    first, second = batch(4), batch(3)
    second["events"].append({"kind": "promotion_touched", "at": START.isoformat(), "subject_id": "promo-1"})
    second["events"].append({"kind": "screen_view", "at": START.isoformat(), "subject_id": "home"})
    for body in (first, second, first, second):  # each sent twice: the replies were lost
        assert post_json(client, EVENTS, body, **enrolled_kiosk.headers).status_code in (200, 201)
    counts = {(c.promotion_id, c.day.isoformat()): (c.impressions, c.touches)
              for c in PlayCount.objects.filter(kiosk_id=enrolled_kiosk.id)}
    # 10:00 UTC is 18:00 in the mall (Asia/Shanghai): the same day.
    assert counts == {("promo-0", "2026-11-20"): (4, 0), ("promo-1", "2026-11-20"): (3, 1)}
