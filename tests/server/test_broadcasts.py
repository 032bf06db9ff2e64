"""Notices and emergencies: sent in the console, polled by kiosks (ETag/304), targeted by floor,
acknowledged with "shown at", ended by staff or by expiry."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from server_helpers import assert_error, post_json
from test_cases_support import csrf_token_of, make_staff, visible_text

from server.broadcasts import services
from server.broadcasts.models import Broadcast, ShownReceipt
from server.content.models import KioskPoint, Level
from server.fleet import services as fleet
from server.malls.models import Mall
from sync.protocol import BroadcastState, I18nText

pytestmark = pytest.mark.django_db
POLL = "/api/v1/kiosk/broadcasts"
SHOWN = "/api/v1/kiosk/broadcasts/shown"
CONSOLE = "/console/broadcasts/"


def bearer(kiosk_key: str) -> dict:
    return {"Authorization": f"Bearer {kiosk_key}"}


@pytest.fixture
def kiosks(imported_mall):
    """Two kiosks in the lobby (1F) and one upstairs (2F), each with its device key."""
    KioskPoint.objects.create(mall=imported_mall, content_id="k-upper", name_zh_cn="二楼",
                              level=Level.objects.get(mall=imported_mall, content_id="L2"), node_id="n2-b")
    enrolled = {}
    for name, point in (("lobby-a", "k-lobby"), ("lobby-b", "k-lobby"), ("upper", "k-upper")):
        enrollment = fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall, point).code, hostname=name)
        enrolled[name] = enrollment
    return enrolled


def emergency(mall, **overrides) -> Broadcast:
    fields = dict(kind="emergency", reason="evacuation",
                  title=I18nText(zh_CN="紧急疏散", en="Evacuate", zh_TW="緊急疏散"),
                  text=I18nText(zh_CN="请走最近的出口", en="Nearest exit", zh_TW="請走最近的出口"),
                  duration=timedelta(hours=1))
    return services.send_broadcast(mall, **{**fields, **overrides})


def poll(client: Client, enrollment, etag: str | None = None):
    headers = bearer(enrollment.device_key)
    if etag:
        headers["If-None-Match"] = etag
    return client.get(POLL, headers=headers)


def test_a_kiosk_polls_nothing_then_the_emergency_then_304_until_it_changes(client, kiosks, imported_mall):
    quiet = poll(client, kiosks["lobby-a"])
    assert quiet.status_code == 200
    assert BroadcastState.model_validate_json(quiet.content).broadcasts == []
    assert poll(client, kiosks["lobby-a"], quiet["ETag"]).status_code == 304

    sent = emergency(imported_mall)
    changed = poll(client, kiosks["lobby-a"], quiet["ETag"])
    assert changed.status_code == 200
    state = BroadcastState.model_validate_json(changed.content)
    assert [(b.id, b.kind, b.title.en) for b in state.broadcasts] == [(sent.id, "emergency", "Evacuate")]
    assert state.poll_seconds >= 1
    assert poll(client, kiosks["lobby-a"], changed["ETag"]).status_code == 304

    assert services.end_broadcast(sent)
    ended = poll(client, kiosks["lobby-a"], changed["ETag"])
    assert ended.status_code == 200 and BroadcastState.model_validate_json(ended.content).broadcasts == []


def test_a_floor_broadcast_reaches_only_the_kiosks_on_that_floor(client, kiosks, imported_mall):
    notice = emergency(imported_mall, kind="notice", reason="closing_time", level_ids=["L2"])
    got = {name: [b.id for b in BroadcastState.model_validate_json(poll(client, enrollment).content).broadcasts]
           for name, enrollment in kiosks.items()}
    assert got == {"lobby-a": [], "lobby-b": [], "upper": [notice.id]}
    assert [d.kiosk.hostname for d in services.deliveries(notice)] == ["upper"]


def test_emergencies_come_before_notices_and_expired_ones_are_gone(client, kiosks, imported_mall):
    notice = emergency(imported_mall, kind="notice", reason="lost_child")
    urgent = emergency(imported_mall)
    Broadcast.objects.filter(pk=notice.pk)
    stale = emergency(imported_mall, reason="fire")
    Broadcast.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    state = BroadcastState.model_validate_json(poll(client, kiosks["lobby-a"]).content)
    assert [b.id for b in state.broadcasts] == [urgent.id, notice.id]


def test_shown_at_is_recorded_once_per_kiosk_and_other_malls_broadcasts_are_ignored(client, kiosks, imported_mall):
    sent = emergency(imported_mall)
    elsewhere = emergency(Mall.objects.create(id="other", name_zh_cn="别处"))
    shown_at = timezone.now().isoformat()
    report = {"shown": [{"broadcast_id": sent.id, "shown_at": shown_at},
                        {"broadcast_id": elsewhere.id, "shown_at": shown_at}]}
    for _ in range(2):  # a retried report (the kiosk missed our reply)
        response = post_json(client, SHOWN, report, **bearer(kiosks["lobby-a"].device_key))
        assert response.status_code == 200
    assert ShownReceipt.objects.filter(broadcast=sent).count() == 1
    assert not ShownReceipt.objects.filter(broadcast=elsewhere).exists()
    shown = {d.kiosk.hostname: d.shown_at is not None for d in services.deliveries(sent)}
    assert shown == {"lobby-a": True, "lobby-b": False, "upper": False}


@pytest.mark.parametrize("body", [
    {"shown": [{"broadcast_id": "not-a-ulid", "shown_at": "2026-01-01T00:00:00Z"}]},
    {"shown": "everything"},
    "{not json",
])
def test_bad_acknowledgements_get_a_json_4xx(client, kiosks, body):
    response = post_json(client, SHOWN, body, **bearer(kiosks["lobby-a"].device_key))
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_polling_needs_a_device_key(client, kiosks):
    assert_error(client.get(POLL), 401)
    assert_error(client.get(POLL, headers=bearer("stolen")), 401)


def test_sending_needs_three_languages_a_known_floor_and_a_sane_duration(imported_mall):
    with pytest.raises(services.BroadcastError):
        emergency(imported_mall, title=I18nText(zh_CN="只有中文"))
    with pytest.raises(services.BroadcastError):
        emergency(imported_mall, level_ids=["L9"])
    with pytest.raises(services.BroadcastError):
        emergency(imported_mall, duration=timedelta(days=30))


# ---------------------------------------------------------------- console
@pytest.fixture
def desk(imported_mall) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_staff("desk-wang", "agent", imported_mall))
    return browser


def test_staff_send_an_emergency_with_the_standard_wording_and_see_who_showed_it(desk, client, kiosks, imported_mall):
    page = desk.get(CONSOLE)
    assert page.status_code == 200
    response = desk.post(CONSOLE, {
        "csrfmiddlewaretoken": csrf_token_of(page), "mall": imported_mall.pk, "kind": "emergency",
        "reason": "evacuation", "duration_minutes": "60",
    })
    assert response.status_code == 302
    sent = Broadcast.objects.get()
    assert (sent.title_zh_cn, sent.title_en, sent.title_zh_tw) == ("紧急疏散", "Evacuate the building", "緊急疏散")

    post_json(client, SHOWN, {"shown": [{"broadcast_id": sent.id, "shown_at": timezone.now().isoformat()}]},
              **bearer(kiosks["upper"].device_key))
    detail = desk.get(response["Location"], {"lang": "en"})
    text = visible_text(detail)
    assert "Shown by 1 of 3 kiosks" in text
    rows = re.findall(r'<tr class="(shown|not-shown)"><td class="ref">(\w+)</td>', detail.content.decode())
    assert sorted(rows) == sorted([("shown", kiosks["upper"].kiosk.code), ("not-shown", kiosks["lobby-a"].kiosk.code),
                                   ("not-shown", kiosks["lobby-b"].kiosk.code)])

    ended = desk.post(f"{CONSOLE}{sent.id}/end", {"csrfmiddlewaretoken": csrf_token_of(detail)})
    assert ended.status_code == 302
    assert BroadcastState.model_validate_json(poll(client, kiosks["upper"]).content).broadcasts == []


def test_a_form_without_a_kind_is_shown_again_with_the_error(desk, imported_mall):
    page = desk.get(CONSOLE)
    response = desk.post(CONSOLE, {"csrfmiddlewaretoken": csrf_token_of(page), "mall": imported_mall.pk,
                                   "reason": "fire", "duration_minutes": "60"})
    assert response.status_code == 400
    assert not Broadcast.objects.exists()


def test_content_editors_and_handlers_cannot_broadcast(imported_mall):
    for role in ("content_editor", "department_handler"):
        browser = Client()
        browser.force_login(make_staff(f"user-{role}", role, imported_mall))
        assert browser.get(CONSOLE).status_code == 403


def test_the_console_menu_lists_the_section_for_agents(desk):
    assert 'href="/console/broadcasts/" aria-current="page"' in desk.get(CONSOLE).content.decode()


@pytest.mark.parametrize("language, words", [
    ("zh-hans", ["终端上正在显示", "发送到终端", "立即发送", "紧急情况（占满整个屏幕）", "当前没有广播。"]),
    ("zh-hant", ["終端上正在顯示", "發送到終端", "立即發送", "緊急情況（佔滿整個螢幕）", "目前沒有廣播。"]),
])
def test_the_console_page_speaks_both_chinese_scripts(desk, language, words):
    text = visible_text(desk.get(CONSOLE, {"lang": language}))
    for word in words:
        assert word in text
    assert "Send now" not in text


def test_a_held_poll_answers_from_the_watchers_snapshot_exactly_as_from_the_database(kiosks, imported_mall):
    """200 woken polls answer from one read (server/broadcasts/watch.py): for every kiosk the
    snapshot gives the same list and ETag as its own database read, floor targeting included."""
    from server.broadcasts.watch import broadcasts_in_force, state_from
    from server.fleet.models import Kiosk

    everyone = emergency(imported_mall)
    upstairs = emergency(imported_mall, kind="notice", reason="closing_time", level_ids=["L2"])
    ended = emergency(imported_mall, kind="notice", reason="lost_child")
    services.end_broadcast(ended)
    snapshot = broadcasts_in_force()
    assert snapshot.fingerprint(imported_mall.pk) == (tuple(sorted(
        (b.id, b.expires_at, tuple(b.target_level_ids)) for b in (everyone, upstairs))), ())
    from server.fleet.remote import send_command

    commanded = Kiosk.objects.get(pk=next(iter(kiosks.values())).kiosk.pk)
    send_command(commanded, "screenshot", None)  # its poll also says a command waits
    snapshot = broadcasts_in_force()
    assert snapshot.fingerprint(imported_mall.pk)[1] == (commanded.pk,)
    for name, enrollment in kiosks.items():
        kiosk = Kiosk.objects.get(pk=enrollment.kiosk.pk)
        from_snapshot, snapshot_etag = state_from(snapshot, kiosk)
        assert from_snapshot.commands_waiting is (kiosk.pk == commanded.pk)
        from_database, database_etag = services.state_for_kiosk(kiosk)
        assert snapshot_etag == database_etag, name
        assert [b.id for b in from_snapshot.broadcasts] == [b.id for b in from_database.broadcasts], name
    upper = Kiosk.objects.get(pk=kiosks["upper"].kiosk.pk)
    assert [b.id for b in state_from(snapshot, upper)[0].broadcasts] == [everyone.id, upstairs.id]
