"""On PostgreSQL the held broadcast polls wake on the database's notification, not a timer: an
emergency committed by any connection reaches a held poll, and the watcher read the broadcasts
because it was told to (server/broadcasts/watch.py, migration 0004's trigger)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from server.broadcasts import services, watch
from server.content.services import etag_matches
from server.fleet import services as fleet
from sync.protocol import I18nText

pytestmark = pytest.mark.django_db(transaction=True)  # the notification is sent on commit


@pytest.fixture
def kiosk_at_the_mall(mall):
    return fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk


def test_an_emergency_wakes_a_held_poll_through_listen_notify(kiosk_at_the_mall, mall, settings):
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite's one worker reads on its own")
    settings.CONCIERGE_REDIS_URL = ""  # LISTEN/NOTIFY is what wakes PostgreSQL without Redis
    # Only a notification (or the next expiry) makes the watcher read again within the test.
    settings.CONCIERGE_BROADCAST_RECHECK_SECONDS = 600.0
    kiosk = kiosk_at_the_mall

    async def scenario():
        watcher = watch.BroadcastWatch()
        _state, etag = await sync_to_async(services.state_for_kiosk)(kiosk)
        held = asyncio.ensure_future(watcher.hold(
            kiosk, 120, lambda: sync_to_async(services.state_for_kiosk)(kiosk),
            lambda current: etag_matches(etag, current)))
        while not (watcher.listening and watcher.snapshot is not None):
            await asyncio.sleep(0.05)
        await sync_to_async(services.send_broadcast)(
            mall, kind="emergency", reason="fire", title=I18nText(zh_CN="火警", en="Fire", zh_TW="火警"),
            text=I18nText(zh_CN="请离开", en="Leave now", zh_TW="請離開"), duration=timedelta(minutes=5))
        state, _etag = await asyncio.wait_for(held, 60)
        await sync_to_async(lambda: connection.close())()  # the one of the thread the reads ran on
        return state, watcher.notifications

    state, notifications = asyncio.run(scenario())

    assert [broadcast.title.en for broadcast in state.broadcasts] == ["Fire"]
    assert notifications >= 1
