"""Emergencies take over the real kiosk window above everything; notices are a banner."""
from __future__ import annotations

from datetime import timedelta

import pytest
from ui_helpers import home_tile
from ulid import ULID

from kiosk import broadcasts
from sync.protocol import Broadcast, I18nText

pytestmark = pytest.mark.ui
EMERGENCY_RED = (163, 10, 20)


def broadcast(kiosk, kind: str = "emergency", expires_in: timedelta = timedelta(hours=1), **fields) -> Broadcast:
    now = kiosk.app.now()
    return Broadcast(**{
        "id": str(ULID()), "kind": kind, "reason": "evacuation",
        "title": I18nText(zh_CN="紧急疏散", en="Evacuate the building", zh_TW="緊急疏散"),
        "text": I18nText(zh_CN="请走最近的出口", en="Leave by the nearest exit", zh_TW="請走最近的出口"),
        "starts_at": now - timedelta(minutes=1), "expires_at": now + expires_in, **fields,
    })


def receive(kiosk, received: list[Broadcast]) -> None:
    """What the sync agent's fast poll does: store the list, hand it to the screen."""
    broadcasts.save_state(kiosk.store, received, '"test"')
    kiosk.app.broadcast_overlay.update(received)
    kiosk.settle()


def red_share(image) -> float:
    pixels = image.resize((96, 54)).getdata()
    close = sum(1 for p in pixels if all(abs(a - b) < 40 for a, b in zip(p, EMERGENCY_RED, strict=True)))
    return close / len(pixels)


@pytest.fixture
def calm(kiosk):
    yield kiosk
    receive(kiosk, [])


def test_an_emergency_covers_every_screen_in_three_languages_and_blocks_touches(calm):
    kiosk = calm
    kiosk.app.show("attract")
    kiosk.settle()
    assert red_share(kiosk.image()) < 0.05
    alert = broadcast(kiosk)
    receive(kiosk, [alert])

    overlay = kiosk.app.broadcast_overlay
    assert overlay.emergency_shown
    assert red_share(kiosk.image()) > 0.35, "the emergency fills the screen"
    shown_texts = {w.text for w in overlay.walk() if hasattr(w, "text")}
    assert {"紧急疏散", "Evacuate the building", "緊急疏散"} <= shown_texts
    assert any("Nearest exit" in text for text in shown_texts), "the way to the nearest exit, in English"
    assert any("最近的出口" in text for text in shown_texts)

    kiosk.driver.tap_at(960, 95)  # where "touch to start" is on the attract loop
    kiosk.settle()
    assert kiosk.current == "attract", "touches never reach the screen under an emergency"

    kiosk.pump(3)
    assert [a.broadcast_id for a in broadcasts.pending_acknowledgements(kiosk.store)][-1:] == [alert.id]

    receive(kiosk, [])  # staff ended it
    assert not overlay.emergency_shown
    assert red_share(kiosk.image()) < 0.05
    kiosk.driver.tap_at(960, 95)
    kiosk.settle()
    assert kiosk.current == "home"


def test_an_expired_emergency_is_not_shown_even_offline(calm):
    receive(calm, [broadcast(calm, expires_in=-timedelta(seconds=1))])
    assert not calm.app.broadcast_overlay.emergency_shown


def test_an_emergency_stored_before_a_restart_comes_back_from_the_store(calm):
    alert = broadcast(calm)
    broadcasts.save_state(calm.store, [alert], '"before-restart"')
    overlay = calm.app.broadcast_overlay
    overlay.update([])
    overlay.load_saved()  # what the app does at start-up
    calm.settle()
    assert overlay.emergency_shown and overlay.emergency_id == alert.id


def test_a_notice_is_a_banner_and_the_kiosk_stays_usable(calm):
    kiosk = calm
    notice = broadcast(kiosk, kind="notice", reason="lost_child",
                       title=I18nText(zh_CN="寻找走失儿童", en="Lost child", zh_TW="尋找走失兒童"))
    receive(kiosk, [notice])
    overlay = kiosk.app.broadcast_overlay
    assert overlay.notice_shown and not overlay.emergency_shown
    assert "寻找走失儿童" in overlay.ids.notice_banner.children[-1].text
    kiosk.tap(home_tile(kiosk, "directory"))
    assert kiosk.current == "directory"


@pytest.mark.parametrize("visitor_language", ["zh_CN", "en", "zh_TW"])
def test_each_language_of_an_emergency_is_drawn_in_its_own_face(calm, visitor_language):
    """Simplified text in the SC face and Traditional in the TC face, whatever the last visitor
    chose: the two faces draw punctuation (，。) and some characters differently."""
    from screens.fonts import font_for

    kiosk = calm
    kiosk.app.set_language(visitor_language)
    receive(kiosk, [broadcast(kiosk)])
    try:
        blocks = [w for w in kiosk.app.broadcast_overlay.walk() if type(w).__name__ == "EmergencyBlock"]
        faces = {block.block_language: {label.font_name for label in block.children if hasattr(label, "font_name")}
                 for block in blocks}
        assert faces == {language: {font_for(language)} for language in ("zh_CN", "en", "zh_TW")}
    finally:
        kiosk.app.set_language("zh_CN")
