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
    raw = image.resize((96, 54)).convert("RGB").tobytes()
    pixels = [tuple(raw[at:at + 3]) for at in range(0, len(raw), 3)]
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
    for title in ("紧急疏散", "Evacuate the building", "緊急疏散"):
        assert any(title in text for text in shown_texts), title
    assert any("South entrance" in text for text in shown_texts), "the way to the nearest exit, in English"
    assert any("南门" in text for text in shown_texts)

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
    assert "寻找走失儿童" in overlay.ids.notice_title.text
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


def blocks_of(overlay) -> dict:
    return {w.block_language: w for w in overlay.walk() if type(w).__name__ == "EmergencyBlock"}


def arrow_head_colour(kiosk, arrow, angle: float) -> tuple[int, int, int]:
    """The colour on the screen at the arrow's head (beside the shaft, just ahead of the middle)
    when the arrow is turned `angle` clockwise: white there, green the other way round."""
    import math

    side = min(arrow.size)
    a = math.radians(angle)
    forward, right = (math.sin(a), math.cos(a)), (math.cos(a), -math.sin(a))
    x = arrow.center_x + side * (0.12 * forward[0] + 0.2 * right[0])
    y = arrow.center_y + side * (0.12 * forward[1] + 0.2 * right[1])
    return kiosk.image().getpixel((int(x), int(kiosk.app.root.height - y)))[:3]


@pytest.mark.parametrize(("heading", "expected"), [
    (None, ("behind", 180.0, "Turn around")),
    (180.0, ("ahead", 0.0, "Go straight ahead")),
    (90.0, ("right", 90.0, "Go to your right")),
    (270.0, ("left", 270.0, "Go to your left")),
])
def test_the_arrow_points_the_first_way_to_the_exit_relative_to_the_kiosks_facing(calm, heading, expected):
    """The lobby kiosk faces north (0°) and its nearest exit is behind it, to the south: turned
    the other way, the same exit is ahead; turned east, the way south is on the right."""
    kiosk = calm
    content = kiosk.app.content
    point = kiosk.app.kiosk_point()
    original = point.heading_deg
    if heading is not None:
        object.__setattr__(point, "heading_deg", heading)
    try:
        receive(kiosk, [broadcast(kiosk)])
        overlay = kiosk.app.broadcast_overlay
        direction, angle, words = expected
        assert overlay.has_way
        assert overlay.ids.arrow.angle == angle
        assert overlay.ids.arrow.opacity == 1
        assert blocks_of(overlay)["en"].ids.way.text.startswith(words)
        assert overlay.ids.plan.heading == point.heading_deg, "the plan is turned as the arrow"
        assert arrow_head_colour(kiosk, overlay.ids.arrow, angle) == (255, 255, 255), "the tip is drawn that way"
        assert arrow_head_colour(kiosk, overlay.ids.arrow, angle + 180) != (255, 255, 255), "and not the other"
    finally:
        object.__setattr__(point, "heading_deg", original)
        assert content is kiosk.app.content


def test_the_evacuation_shows_the_exit_sign_the_plan_and_the_way_in_three_languages(calm):
    kiosk = calm
    receive(kiosk, [broadcast(kiosk)])
    overlay = kiosk.app.broadcast_overlay
    plan = overlay.ids.plan
    assert plan.route and plan.shapes, "the kiosk's floor with the walk to the exit"
    assert plan.width > 300 and plan.height > 300
    sign = overlay.ids.exit_sign
    assert sign.width > 100 and sign.height > 60
    image = kiosk.image()
    sx, sy = int(sign.center_x), int(kiosk.app.root.height - sign.center_y)
    green = sum(1 for dx in range(-40, 41, 8) for dy in range(-20, 21, 8)
                if image.getpixel((sx + dx, sy + dy))[:3] == (0, 132, 74))
    assert green > 10, "the exit sign is drawn in safety green"
    blocks = blocks_of(overlay)
    assert blocks["zh_CN"].way == "转身往回走，然后在喷泉左转。"
    assert blocks["en"].way == "Turn around, then turn left at the fountain."
    assert blocks["zh_TW"].way == "轉身往回走，然後在噴泉左轉。"
    assert blocks["en"].steps == "Walk 29 m to South entrance (main)."
    assert overlay.exit_distance == "29 m"
    widths = {language: round(block.width) for language, block in blocks.items()}
    assert len(set(widths.values())) == 1, f"one layout for the three languages: {widths}"


def test_without_a_way_out_on_the_map_the_screen_says_to_follow_the_signs(calm):
    kiosk = calm
    original = kiosk.app.kiosk_point
    kiosk.app.kiosk_point = lambda: None
    try:
        receive(kiosk, [broadcast(kiosk)])
        overlay = kiosk.app.broadcast_overlay
        assert not overlay.has_way and overlay.ids.arrow.opacity == 0
        assert blocks_of(overlay)["en"].steps == "Follow the exit signs and the staff."
        assert blocks_of(overlay)["zh_CN"].steps == "请沿安全出口指示并听从工作人员指挥。"
    finally:
        del kiosk.app.kiosk_point
        assert kiosk.app.kiosk_point == original


def test_a_lost_child_notice_is_a_large_panel_and_an_ordinary_notice_a_strip(calm):
    kiosk = calm
    lost_child = broadcast(kiosk, kind="notice", reason="lost_child",
                           title=I18nText(zh_CN="寻找走失儿童", en="Lost child", zh_TW="尋找走失兒童"),
                           text=I18nText(zh_CN="5岁男孩，穿红色外套。如见到请带到一楼服务台。",
                                         en="A boy of 5 in a red coat.", zh_TW="5歲男孩，穿紅色外套。"))
    receive(kiosk, [lost_child])
    banner = kiosk.app.broadcast_overlay.ids.notice_banner
    urgent_height = banner.height
    assert urgent_height >= kiosk.app.root.height * 0.25
    assert "5岁男孩，穿红色外套。如见到请带到一楼服务台。" == kiosk.app.broadcast_overlay.ids.notice_text.text

    closing = broadcast(kiosk, kind="notice", reason="closing_time",
                        title=I18nText(zh_CN="今晚提前打烊", en="Closing early", zh_TW="今晚提前打烊"))
    receive(kiosk, [closing])
    assert banner.height < urgent_height / 2


def test_a_lost_child_notice_shows_the_photo_once_the_kiosk_has_it(calm):
    import io

    from PIL import Image

    from sync.protocol import sha256_hex

    kiosk = calm
    buffer = io.BytesIO()
    Image.new("RGB", (90, 120), (20, 60, 200)).save(buffer, "PNG")
    photo = buffer.getvalue()
    notice = broadcast(kiosk, kind="notice", reason="lost_child", photo_sha256=sha256_hex(photo),
                       title=I18nText(zh_CN="寻找走失儿童", en="Lost child", zh_TW="尋找走失兒童"))
    receive(kiosk, [notice])
    overlay = kiosk.app.broadcast_overlay
    assert overlay.notice_shown and overlay.notice_photo == "", "no photo until the listener has fetched it"
    assert overlay.ids.notice_photo.width == 0

    kiosk.store.write_blob(sha256_hex(photo), photo)
    kiosk.driver.wait(1.5)  # the overlay looks every second
    kiosk.settle()
    image_widget = overlay.ids.notice_photo
    assert overlay.notice_photo == sha256_hex(photo)
    assert image_widget.width > 200 and image_widget.texture is not None
    x, y = int(image_widget.center_x), int(kiosk.app.root.height - image_widget.center_y)
    red, green, blue = kiosk.image().getpixel((x, y))[:3]
    assert blue > 150 and red < 80, "the photo is drawn in the banner"
