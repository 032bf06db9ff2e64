"""What's on, by touch: offers grouped by category, each leading to its store page, the route
there, or its category's stores; and the attract loop's slides, which must not allocate a
texture per picture (a signage loop runs for months)."""
from __future__ import annotations

import pytest
from ui_helpers import home_tile

from venue.schedule import by_category, promotions_on

pytestmark = pytest.mark.ui


def open_whats_on(kiosk):
    kiosk.tap(home_tile(kiosk, "promotions"))
    kiosk.settle()
    assert kiosk.current == "promotions"
    return kiosk.screen("promotions")


def card_for(screen, promotion_id: str):
    return next(card for card in screen.walk() if getattr(card, "promotion_id", None) == promotion_id
                and type(card).__name__ == "PromotionCard")


def scroll_to(kiosk, screen, card) -> None:
    screen.ids.scroller.scroll_to(card, padding=0, animate=False)
    kiosk.settle()


def test_offers_are_grouped_under_their_category_names(kiosk):
    screen = open_whats_on(kiosk)
    app = kiosk.app
    on_now = promotions_on(app.index, app.now(), app.kiosk_point())
    expected = by_category(app.index, on_now)
    sections = list(reversed(screen.ids.sections.children))
    assert [section.title for section in sections] == [
        app.index.category(group.category_id).name.zh_CN if group.category_id else "全场活动" for group in expected]
    for section, group in zip(sections, expected, strict=True):
        shown = [card.promotion_id for card in reversed(section.ids.grid.children)]
        assert shown == [promotion.id for promotion in group.promotions]
    assert screen.count == len(on_now)
    # The coffee offer sits under its store's category.
    assert card_for(screen, "promo-coffee").parent.parent.title == app.index.category("cafes").name.zh_CN


def test_store_page_button_opens_the_offers_store(kiosk):
    screen = open_whats_on(kiosk)
    card = card_for(screen, "promo-coffee")
    scroll_to(kiosk, screen, card)
    assert card.ids.store_button.text == "店铺详情"
    kiosk.tap(card.ids.store_button)
    assert kiosk.current == "store"
    assert kiosk.screen("store").store_id == "cloud-coffee"


def test_route_button_shows_the_way_to_the_offers_store(kiosk):
    screen = open_whats_on(kiosk)
    card = card_for(screen, "promo-coffee")
    scroll_to(kiosk, screen, card)
    kiosk.tap(card.ids.route_button)
    assert kiosk.current == "map"
    assert kiosk.screen("map").destination_id == "cloud-coffee"
    kiosk.app.go_back()
    kiosk.settle()
    assert kiosk.current == "promotions"


def test_a_category_offer_leads_to_its_stores_and_a_mall_wide_one_has_no_buttons(kiosk):
    screen = open_whats_on(kiosk)
    cards = [c for c in screen.walk() if type(c).__name__ == "PromotionCard"]
    category_card = next(c for c in cards if c.category_id)
    mall_wide = next(c for c in cards if not c.category_id and not c.store_id)
    assert mall_wide.ids.store_button.opacity == 0 and mall_wide.ids.category_button.opacity == 0
    assert category_card.ids.store_button.opacity == 0 and category_card.ids.route_button.opacity == 0
    scroll_to(kiosk, screen, category_card)
    assert category_card.ids.category_button.text == "查看店铺"
    kiosk.tap(category_card.ids.category_button)
    assert kiosk.current == "directory"
    assert kiosk.screen("directory").category_id == category_card.category_id


def test_the_buttons_speak_the_visitors_language(kiosk):
    kiosk.app.set_language("en")
    screen = open_whats_on(kiosk)
    card = card_for(screen, "promo-coffee")
    assert (card.ids.store_button.text, card.ids.route_button.text) == ("Store page", "Route")
    assert screen.ids.sections.children[0].title == "Around the mall"  # mall-wide offers come last
    kiosk.app.set_language("zh_TW")
    screen.refresh()
    kiosk.settle()
    card = card_for(screen, "promo-coffee")
    assert (card.ids.store_button.text, card.ids.route_button.text) == ("店鋪詳情", "路線")


def average_colour(pixels: bytes) -> tuple[float, float, float]:
    count = len(pixels) // 4
    return tuple(sum(pixels[channel::4]) / count for channel in range(3))


def test_a_slide_draws_every_picture_into_one_texture_of_its_own(kiosk):
    from PIL import Image, ImageOps

    from screens.widgets.blob_image import SlideImage

    shas = list(dict.fromkeys(p.image_sha256 for p in kiosk.bundle.content.promotions))[:4]
    assert len(shas) == 4
    slide = SlideImage(size=(192, 108), fit="cover")
    textures = set()
    for sha in shas + shas:
        slide.sha256 = sha
        textures.add(id(slide.texture))
        with Image.open(kiosk.store.blob_path(sha)) as picture:
            expected = ImageOps.fit(picture.convert("RGBA"), (192, 108)).tobytes()
        shown = average_colour(slide.texture.pixels)
        assert all(abs(a - b) < 6 for a, b in zip(shown, average_colour(expected), strict=True)), sha
    assert len(textures) == 1, "each picture must be drawn into the slide's own texture"
    slide.sha256 = "0" * 64  # a blob the kiosk does not have: nothing, not a crash
    assert slide.texture is None


def test_every_card_of_the_first_row_shows_its_buttons_without_scrolling(kiosk):
    """Landscape 1920×1080: the visitor sees "Store page" and "Route" (or "Find the stores")
    on the first row of offers at once, not hidden under the footer until they scroll."""
    screen = open_whats_on(kiosk)
    scroller = screen.ids.scroller
    bottom = scroller.to_window(*scroller.pos)[1]
    first_row = list(reversed(screen.ids.sections.children))[:screen.columns]
    cards = [card for section in first_row for card in section.ids.grid.children]
    buttons = [button for card in cards for button in (card.ids.store_button, card.ids.route_button,
                                                         card.ids.category_button) if button.opacity]
    assert buttons, "the demo mall's first row has offers with buttons"
    for button in buttons:
        assert button.to_window(*button.pos)[1] >= bottom, f"{button.text!r} is below the visible list"


@pytest.fixture
def wall_clock(kiosk):
    """The app's wall clock, movable by the test (restored afterwards)."""
    app = kiosk.app
    frozen = app.wall_clock
    clock = {"now": frozen()}
    app.wall_clock = lambda: clock["now"]
    yield clock
    app.wall_clock = frozen
    kiosk.app.start_over()
    kiosk.app.show("home", remember=False)


def recorded_events(kiosk, kind: str) -> list[str]:
    rows = kiosk.store.db.conn.execute("SELECT subject_id FROM events WHERE kind = ? ORDER BY id", (kind,))
    return [subject for (subject,) in rows]


def next_slide(kiosk, clock) -> None:
    import time
    from datetime import timedelta

    from screens import attract

    screen = kiosk.screen("attract")
    before = (screen.slide_number, screen._front)
    clock["now"] += timedelta(seconds=attract.SLIDE_SECONDS)
    deadline = time.monotonic() + 30
    # The loop looks every 0.5 s (later on a busy machine), then the cross-fade runs its course.
    while ((screen.slide_number, screen._front) == before and not screen._covered()) or screen.fade < 1:
        assert time.monotonic() < deadline, (
            f"the slide never changed: {before} -> {(screen.slide_number, screen._front)}, fade {screen.fade}, "
            f"timer {screen._timer}, on screen {screen._on_screen()}, covered {screen._covered()}, "
            f"{len(screen._promotions)} promotions at {kiosk.app.now()}")
        kiosk.pump(1)
        time.sleep(0.01)
    kiosk.settle()


def test_the_attract_loop_counts_one_impression_per_slide_shown_and_none_unseen(kiosk, wall_clock):
    from datetime import timedelta

    from ulid import ULID

    from kiosk import broadcasts
    from sync.protocol import Broadcast, I18nText

    app = kiosk.app
    before = len(recorded_events(kiosk, "promotion_shown"))
    app.start_over()
    kiosk.settle()
    screen = kiosk.screen("attract")
    shown = [screen.promotion_id]
    for _ in range(3):
        next_slide(kiosk, wall_clock)
        shown.append(screen.promotion_id)
        front = screen.ids[screen._front]
        hidden = screen.ids["slide_b" if screen._front == "slide_a" else "slide_a"]
        assert (front.opacity, hidden.opacity) == (1, 0), "after the fade: the slide in front, the other hidden"
    assert recorded_events(kiosk, "promotion_shown")[before:] == shown

    # A visitor switching languages elsewhere, or new content arriving: no slide is shown.
    kiosk.tap(kiosk.screen("attract").ids.slide_a)  # a touch goes home
    assert kiosk.current == "home"
    counted = len(recorded_events(kiosk, "promotion_shown"))
    app.set_language("en")
    app.reload_content(force=True)
    app.set_language("zh_CN")
    kiosk.settle()
    assert len(recorded_events(kiosk, "promotion_shown")) == counted

    # Under an emergency the loop stops: nothing shown, nothing counted.
    app.start_over()
    kiosk.settle()
    counted = len(recorded_events(kiosk, "promotion_shown"))
    now = app.now()
    alert = Broadcast(id=str(ULID()), kind="emergency", reason="fire",
                      title=I18nText(zh_CN="火警", en="Fire", zh_TW="火警"), text=I18nText(zh_CN=""),
                      starts_at=now, expires_at=now + timedelta(hours=1))
    app.broadcast_overlay.update([alert])
    kiosk.settle()
    for _ in range(2):
        next_slide(kiosk, wall_clock)
    assert len(recorded_events(kiosk, "promotion_shown")) == counted
    app.broadcast_overlay.update([])
    broadcasts.save_state(kiosk.store, [], None)
    next_slide(kiosk, wall_clock)
    assert len(recorded_events(kiosk, "promotion_shown")) == counted + 1, "the loop counts again once it is over"


def test_a_touch_on_a_slide_counts_as_a_touch_on_its_promotion(kiosk, wall_clock):
    app = kiosk.app
    app.start_over()
    kiosk.settle()
    playing = kiosk.screen("attract").promotion_id
    assert playing
    before = recorded_events(kiosk, "promotion_touched")
    kiosk.driver.tap_at(960, 700)  # on the picture, above the "touch to start" bar
    assert kiosk.current == "home"
    assert recorded_events(kiosk, "promotion_touched") == before + [playing]

    app.start_over()
    kiosk.settle()
    english = next(w for w in kiosk.screen("attract").walk() if getattr(w, "start_language", None) == "en")
    kiosk.tap(english)  # the invitation, not the picture
    assert recorded_events(kiosk, "promotion_touched") == before + [playing]


def band_texts(screen) -> list[str]:
    return [w.text for w in screen.walk(restrict=True) if type(w).__name__ == "AttractLine" and w.text]


def test_on_a_portrait_panel_the_loop_names_the_mall_and_each_slide_in_three_languages(kiosk, wall_clock):
    """A 16:9 picture leaves most of a portrait panel empty: the mall and the time go above it,
    the title of the promotion on screen, in the three languages, below it."""
    from kivy.core.window import Window

    app = kiosk.app
    content = kiosk.bundle.content
    screen = kiosk.screen("attract")
    app.start_over()
    kiosk.settle()
    assert band_texts(screen) == [], "landscape: the picture fills the panel, no bands"

    landscape = Window.size
    Window.size = (1080, 1920)
    try:
        kiosk.settle()
        for _ in range(2):
            promotion = next(p for p in content.promotions if p.id == screen.promotion_id)
            texts = band_texts(screen)
            assert texts[:2] == [content.mall.name.zh_CN, content.mall.name.en]
            assert texts[3:] == [promotion.title.zh_CN, promotion.title.en, promotion.title.zh_TW]
            slide = screen.ids[screen._front]
            assert slide.width == Window.width and abs(slide.height - Window.width * 9 / 16) < 1
            under = [w for w in screen.walk(restrict=True) if getattr(w, "text", None) == promotion.title.zh_CN][0]
            assert under.top <= slide.y, "the titles are under the picture, not over it"
            next_slide(kiosk, wall_clock)
    finally:
        Window.size = landscape
        kiosk.settle()
