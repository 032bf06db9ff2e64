"""Device-key authentication and heartbeats."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from server_helpers import assert_error, post_json

from server.content.services import publish
from server.fleet import services
from server.fleet.models import Kiosk
from sync.protocol import HeartbeatReply

HEARTBEAT = "/api/v1/kiosk/heartbeat"
CONTENT = "/api/v1/kiosk/content"


def heartbeat(**overrides) -> dict:
    body = {
        "app_version": "0.1.0", "content_version": 1, "outbox_depth": 3,
        "last_errors": ["upload: connection refused"], "uptime_s": 3600.5, "disk_free_bytes": 10_000_000,
        "sent_at": datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc).isoformat(),
    }
    return {**body, **overrides}


# ---------------------------------------------------------------- authentication
@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer not-a-key"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Bearer " + "x" * 5000},
])
def test_missing_or_bad_keys_get_401_json(client, enrolled_kiosk, headers):
    for response in (client.get(CONTENT, headers=headers), post_json(client, HEARTBEAT, heartbeat(), **headers)):
        body = assert_error(response, 401, "unauthorized")
        assert response["WWW-Authenticate"] == "Bearer"
        assert enrolled_kiosk.device_key not in str(body)


def test_a_revoked_kiosk_is_locked_out(client, enrolled_kiosk):
    assert post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers).status_code == 200
    services.revoke_kiosk(Kiosk.objects.get(pk=enrolled_kiosk.id))
    assert_error(post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers), 401, "unauthorized")


def test_requests_mark_the_kiosk_as_seen(client, enrolled_kiosk):
    Kiosk.objects.filter(pk=enrolled_kiosk.id).update(last_seen_at=None)
    client.get(CONTENT, headers=enrolled_kiosk.headers)
    assert Kiosk.objects.get(pk=enrolled_kiosk.id).last_seen_at is not None


# ---------------------------------------------------------------- heartbeat
def test_a_heartbeat_is_stored_on_the_kiosk(client, enrolled_kiosk, settings):
    response = post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers)

    assert response.status_code == 200
    reply = HeartbeatReply.model_validate(response.json())
    assert reply.poll_seconds == settings.CONCIERGE_HEARTBEAT_POLL_SECONDS
    assert reply.commands == []  # nothing published yet, nothing queued
    kiosk = Kiosk.objects.get(pk=enrolled_kiosk.id)
    assert (kiosk.app_version, kiosk.content_version, kiosk.outbox_depth) == ("0.1.0", 1, 3)
    assert kiosk.last_errors == ["upload: connection refused"]
    assert (kiosk.uptime_s, kiosk.disk_free_bytes) == (3600.5, 10_000_000)
    assert kiosk.heartbeat_sent_at == datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    assert kiosk.heartbeat_at is not None


def test_a_kiosk_behind_the_published_version_is_told_to_sync(client, enrolled_kiosk, imported_mall):
    publish(imported_mall)
    publish(imported_mall)
    behind = HeartbeatReply.model_validate(
        post_json(client, HEARTBEAT, heartbeat(content_version=1), **enrolled_kiosk.headers).json())
    current = HeartbeatReply.model_validate(
        post_json(client, HEARTBEAT, heartbeat(content_version=2), **enrolled_kiosk.headers).json())

    assert [(c.kind, c.payload) for c in behind.commands] == [("sync_now", {"version": 2})]
    assert current.commands == []


def test_queued_commands_are_delivered_once(client, enrolled_kiosk):
    kiosk = Kiosk.objects.get(pk=enrolled_kiosk.id)
    services.queue_command(kiosk, "reload")
    services.queue_command(kiosk, "notice", {"text": "闭店提醒"})

    first = post_json(client, HEARTBEAT, heartbeat(content_version=None), **enrolled_kiosk.headers).json()
    second = post_json(client, HEARTBEAT, heartbeat(content_version=None), **enrolled_kiosk.headers).json()

    assert [c["kind"] for c in first["commands"]] == ["reload", "notice"]
    assert first["commands"][1]["payload"] == {"text": "闭店提醒"}
    assert second["commands"] == []
    assert Kiosk.objects.get(pk=enrolled_kiosk.id).pending_commands == []


@pytest.mark.parametrize("bad", [
    {"outbox_depth": -1},
    {"outbox_depth": "many"},
    {"sent_at": "yesterday"},
    {"last_errors": ["x" * 501]},
    {"last_errors": ["e"] * 21},
    {"app_version": None},
    {"surprise": True},
])
def test_bad_heartbeats_are_422_and_change_nothing(client, enrolled_kiosk, bad):
    assert_error(post_json(client, HEARTBEAT, heartbeat(**bad), **enrolled_kiosk.headers), 422, "invalid_request")
    assert Kiosk.objects.get(pk=enrolled_kiosk.id).heartbeat_at is None
