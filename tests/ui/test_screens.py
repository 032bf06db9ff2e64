"""Every screen works by touch, in every language, with large targets; timeouts forget the visitor."""
from __future__ import annotations

import pytest
from kivy.uix.behaviors import ButtonBehavior
from ui_helpers import footer_switch, home_tile, open_complaint_form, type_in_english

pytestmark = pytest.mark.ui

MIN_TOUCH_PX = 60


def test_language_switch_rerenders_every_text_at_once(kiosk):
    directory_tile = home_tile(kiosk, "directory")
    switch = footer_switch(kiosk)
    assert directory_tile.title == "店铺导览"

    kiosk.tap(switch.button_for("en"))
    kiosk.settle()
    assert kiosk.app.language == "en"
    assert directory_tile.title == "Store directory"
    assert kiosk.app.mall_name == kiosk.bundle.content.mall.name.en
    assert kiosk.app.root.ids.manager.current == "home"

    kiosk.tap(switch.button_for("zh_TW"))
    kiosk.settle()
    assert directory_tile.title == "店鋪導覽"
    assert kiosk.app.mall_name == kiosk.bundle.content.mall.name.zh_TW
    # Traditional Chinese is drawn with the TC face, everywhere.
    labels = [w for w in kiosk.app.root.walk() if hasattr(w, "font_name") and not getattr(w, "font_language", "")]
    assert labels and all(w.font_name == "ConciergeTC" for w in labels)

    kiosk.tap(switch.button_for("zh_CN"))
    kiosk.settle()
    assert directory_tile.title == "店铺导览"
    assert all(w.font_name == "ConciergeSC" for w in labels)


def test_the_language_switch_is_on_every_screen(kiosk):
    switch = footer_switch(kiosk)
    for name in ("home", "directory", "map", "promotions", "feedback", "found"):
        kiosk.app.show(name)
        kiosk.settle()
        assert switch.opacity == 1 and switch.get_root_window() is not None and switch.height > 0, name
    kiosk.app.show("attract")
    kiosk.settle()
    attract = kiosk.screen("attract")
    starts = [w for w in attract.walk() if getattr(w, "start_language", None)]
    assert {w.start_language for w in starts} == {"zh_CN", "en", "zh_TW"}


def test_idle_timeout_clears_the_form_and_shows_the_attract_loop(kiosk):
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, "half typed")
    kiosk.tap(form.ids.phone)
    kiosk.tap(form.ids.keyboard.key_button("1"))
    kiosk.app.set_language("en")

    kiosk.monotonic.advance(kiosk.app.kiosk_config.idle_timeout_s - 10)
    kiosk.let_time_pass()
    assert kiosk.app.idle_overlay.shown, "a warning comes before the form is cleared"
    assert kiosk.current == "case_form"

    kiosk.monotonic.advance(11)
    kiosk.let_time_pass()
    assert kiosk.current == "attract"
    assert form.ids.description.value == "" and form.ids.phone.value == ""
    assert form.category == ""
    assert kiosk.app.language == "zh_CN"


def test_a_touch_on_the_idle_warning_keeps_the_form(kiosk):
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, "keep")
    kiosk.monotonic.advance(kiosk.app.kiosk_config.idle_timeout_s - 5)
    kiosk.let_time_pass()
    overlay = kiosk.app.idle_overlay
    assert overlay.shown
    kiosk.driver.tap_at(200, 200)
    assert not overlay.shown
    kiosk.monotonic.advance(30)
    kiosk.let_time_pass()
    assert kiosk.current == "case_form"
    assert form.ids.description.value == "keep"


def test_the_idle_warning_counts_down_and_more_time_extends_the_visit(kiosk):
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, "slow")
    timeout = kiosk.app.kiosk_config.idle_timeout_s
    overlay = kiosk.app.idle_overlay

    kiosk.monotonic.advance(timeout - 10)
    kiosk.let_time_pass()
    assert overlay.shown
    assert overlay.ids.countdown.text == "10"  # the seconds left, in large figures
    kiosk.monotonic.advance(4)
    kiosk.let_time_pass()
    assert overlay.ids.countdown.text == "6"

    kiosk.tap(overlay.ids.more_time_button)
    kiosk.settle()
    assert not overlay.shown
    kiosk.monotonic.advance(timeout + 30)  # past the plain timeout: the visit has twice as long
    kiosk.let_time_pass()
    assert kiosk.current == "case_form" and form.ids.description.value == "slow"
    assert not overlay.shown
    kiosk.monotonic.advance(timeout - 30 - 15)  # 15 s left of the doubled time
    kiosk.let_time_pass()
    assert overlay.shown and overlay.ids.countdown.text == "15"

    kiosk.monotonic.advance(15)
    kiosk.let_time_pass()
    assert kiosk.current == "attract"
    assert kiosk.app.idle.timeout_s == timeout  # the next visitor starts with the plain timeout


def test_in_the_accessibility_mode_the_timeout_and_the_warning_are_three_times_as_long(kiosk):
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, "reading aloud")
    timeout = kiosk.app.kiosk_config.idle_timeout_s
    overlay = kiosk.app.idle_overlay
    kiosk.app.accessible = True
    try:
        kiosk.monotonic.advance(timeout + 10)
        kiosk.let_time_pass()
        assert kiosk.current == "case_form" and not overlay.shown

        kiosk.monotonic.advance(2 * timeout - 10 - 50)  # 50 s left: inside the 60 s warning
        kiosk.let_time_pass()
        assert overlay.shown and overlay.ids.countdown.text == "50"

        kiosk.monotonic.advance(50)
        kiosk.let_time_pass()
        assert kiosk.current == "attract"
    finally:
        kiosk.app.accessible = False


def test_receipt_returns_home_after_its_timeout(kiosk):
    form = open_complaint_form(kiosk)
    type_in_english(kiosk, form.ids.keyboard, "noise")
    kiosk.tap(form.ids.send_button)
    assert kiosk.current == "receipt"
    kiosk.monotonic.advance(kiosk.app.kiosk_config.receipt_timeout_s + 1)
    kiosk.let_time_pass()
    assert kiosk.current == "home"
    assert kiosk.screen("receipt").tracking_url == ""


def test_a_touch_on_the_attract_loop_goes_home(kiosk):
    kiosk.app.start_over()
    kiosk.settle()
    assert kiosk.current == "attract"
    assert kiosk.screen("attract").has_slides, "the demo mall has promotions on at 15:20"
    kiosk.driver.tap_at(960, 700)
    assert kiosk.current == "home"


def test_touching_english_on_the_attract_loop_starts_in_english(kiosk):
    kiosk.app.start_over()
    kiosk.settle()
    attract = kiosk.screen("attract")
    english = next(w for w in attract.walk() if getattr(w, "start_language", None) == "en")
    kiosk.tap(english)
    assert kiosk.current == "home"
    assert kiosk.app.language == "en"


def test_directory_by_category_and_floor_then_store_page(kiosk):
    kiosk.tap(home_tile(kiosk, "directory"))
    directory = kiosk.screen("directory")
    kiosk.settle()
    total = directory.result_count
    assert total == len(kiosk.bundle.content.stores)
    category_button = next(b for b in directory.ids.categories.children if b.value == "beauty")
    kiosk.tap(category_button)
    in_category = directory.result_count
    assert 0 < in_category < total
    level_button = next(b for b in directory.ids.levels.children if b.value == "1f")
    kiosk.tap(level_button)
    kiosk.settle()
    rows = directory.ids.stores.data
    assert rows and len(rows) <= in_category
    assert all(row["place"].startswith("1F") for row in rows)
    first = rows[0]["store_id"]
    kiosk.tap(directory.ids.stores.row_for(first))
    assert kiosk.current == "store"
    page = kiosk.screen("store")
    store = next(s for s in kiosk.bundle.content.stores if s.id == first)
    assert store.category_id == "beauty" and store.level_id == "1f"
    assert page.name_text == store.name.zh_CN
    assert page.is_open and "营业中" in page.status_text


def test_map_switches_floors_and_shows_a_tapped_store(kiosk):
    kiosk.tap(home_tile(kiosk, "map"))
    floor_map = kiosk.screen("map")
    plan = floor_map.ids.plan
    assert plan.level.id == "1f", "the map opens on the kiosk's own floor"
    assert plan.here is not None and plan.here_level_id == "1f"
    second = next(b for b in floor_map.ids.levels.children if b.value == "2f")
    kiosk.tap(second)
    assert plan.level.id == "2f"
    kiosk.settle()
    store = next(s for s in kiosk.bundle.content.stores if s.level_id == "2f")
    shape = next(s for s in plan.level.plan if s.ref == store.id)
    from venue.plan_geometry import polygon_centroid

    x, y = plan.to_screen(*polygon_centroid(shape.polygon))
    kiosk.driver.tap_at(*plan.to_window(x, y))
    assert floor_map.store_id == store.id and floor_map.has_selection


def test_promotion_card_leads_to_its_store(kiosk):
    kiosk.tap(home_tile(kiosk, "promotions"))
    promotions = kiosk.screen("promotions")
    kiosk.settle()
    assert promotions.count > 0
    card = next(c for c in promotions.walk() if getattr(c, "promotion_id", None) == "promo-coffee")
    promotions.ids.scroller.scroll_to(card, padding=0, animate=False)
    kiosk.settle()
    kiosk.tap(card)
    assert kiosk.current == "store"
    assert kiosk.screen("store").store_id == "cloud-coffee"


def test_found_something_names_the_service_desk_and_where_it_is(kiosk):
    kiosk.tap(home_tile(kiosk, "found"))
    found = kiosk.screen("found")
    assert found.has_desk
    assert found.desk_name == "服务台"
    assert found.desk_place.startswith("1F")
    assert "喷泉" in found.desk_landmark
    assert found.ids.plan.highlight_refs == ["service-desk-1f"]


def test_without_content_every_screen_is_the_getting_ready_screen(kiosk):
    app = kiosk.app
    app.store = kiosk.empty_store
    app.reload_content(force=True)
    kiosk.settle()
    assert kiosk.current == "getting_ready"
    app.show("directory")
    assert kiosk.current == "getting_ready"
    app.start_over()
    assert kiosk.current == "getting_ready"
    app.store = kiosk.store
    app.reload_content(force=True)
    kiosk.settle()
    assert kiosk.current == "home"


def test_new_content_from_the_agent_thread_reaches_the_screens(kiosk):
    from kiosk.content import install_bundle

    content = kiosk.bundle.content.model_copy(deep=True)
    content.mall.name.zh_CN = "星河汇购物中心（新版）"
    bundle = type(kiosk.bundle)(content=content, blobs=kiosk.bundle.blobs)
    install_bundle(kiosk.store, bundle)
    try:
        kiosk.agent.report_new_content(99)
        kiosk.pump(3)
        assert kiosk.app.mall_name == "星河汇购物中心（新版）"
    finally:
        install_bundle(kiosk.store, kiosk.bundle)
        kiosk.app.reload_content(force=True)


@pytest.mark.parametrize("screen_name, params", [
    ("home", {}), ("directory", {}), ("store", {"store_id": "cloud-coffee"}), ("map", {}),
    ("promotions", {}), ("feedback", {}), ("complaint_category", {}),
    ("case_form", {"kind": "complaint", "category": "safety"}), ("store_picker", {}), ("found", {}),
])
def test_touch_targets_are_at_least_60_pixels(kiosk, screen_name, params):
    kiosk.app.show(screen_name, **params)
    kiosk.settle()
    screen = kiosk.screen(screen_name)
    small = []
    for widget in [*screen.walk(restrict=True), *kiosk.app.root.ids.manager.parent.walk(restrict=True)]:
        if not isinstance(widget, ButtonBehavior) or widget.disabled or widget.opacity == 0:
            continue
        if widget.width <= 0 or widget.height <= 0:
            continue
        if min(widget.width, widget.height) < MIN_TOUCH_PX:
            small.append((type(widget).__name__, getattr(widget, "text", ""), tuple(widget.size)))
    assert not small, f"touch targets under {MIN_TOUCH_PX} px on {screen_name}: {small}"


def test_form_errors_do_not_shrink_keys_below_60_pixels(kiosk):
    form = open_complaint_form(kiosk)
    kiosk.tap(form.ids.phone)
    kiosk.tap(form.ids.keyboard.key_button("1"))
    kiosk.tap(form.ids.send_button)  # description, phone and consent errors at once
    kiosk.tap(form.ids.description)
    kiosk.settle()
    assert form.ids.keyboard.layout == "qwerty"
    keys = [w for w in form.ids.keyboard.walk() if type(w).__name__ == "KeyButton" and w.opacity]
    assert keys and min(min(k.size) for k in keys) >= MIN_TOUCH_PX


def test_one_input_provider_so_a_tap_is_never_doubled():
    from kivy.config import Config

    assert Config.options("input") == ["mouse"]
    assert "disable_on_activity" in Config.get("input", "mouse")
    assert Config.get("kivy", "exit_on_escape") == "0"


def test_the_kiosk_cannot_be_closed_or_configured_by_a_visitor(kiosk):
    from kivy.core.window import Window

    assert Window.dispatch("on_request_close") is True
    assert kiosk.app.open_settings() is False
    assert kiosk.app.use_kivy_settings is False


def portrait_titles() -> list[str]:
    """Every screen's title (none on the home screen)."""
    from kiosk.i18n import KIND_LABELS
    from screens.item_form import TITLES

    return ["", "Store directory", "Facilities", "Feedback", "Mall map", "Found something?", "Where exactly?",
            "What's on", "Thank you", "Store", "Which store?", *KIND_LABELS.values(), *TITLES.values()]


@pytest.mark.parametrize("language", ["zh_CN", "en", "zh_TW"])
def test_the_header_of_a_portrait_panel_cuts_off_neither_name_nor_title(kiosk, language):
    """Portrait is the default panel: the mall's name and each screen's title may step down to
    two lines there, but are never cut off ("Galaxy Harbo…", "I found…ething")."""
    from kivy.core.window import Window

    kiosk.app.set_language(language)
    landscape = Window.size
    Window.size = (1080, 1920)
    try:
        kiosk.settle()
        assert not kiosk.app.landscape
        header = next(w for w in kiosk.app.root.walk() if type(w).__name__ == "Header")
        for title in portrait_titles():
            kiosk.app.screen_title = title
            kiosk.settle()
            shown = [kiosk.app.mall_name] + ([kiosk.app.tr(title, language)] if title else [])
            for text in shown:
                label = next(w for w in header.walk(restrict=True) if getattr(w, "text", None) == text)
                label.texture_update()
                drawn = [word.text for line in label._label._cached_lines for word in line.words]
                assert "".join(drawn).replace(" ", "") == text.replace(" ", ""), (title, drawn)
                assert len(label._label._cached_lines) <= 2 and label.texture_size[1] <= header.height, title
    finally:
        Window.size = landscape
        kiosk.app.show("home")
        kiosk.settle()


@pytest.mark.parametrize("screen_name", ["map", "attract"])
def test_a_screen_hidden_during_a_rotation_comes_back_as_it_was(kiosk, screen_name):
    """A panel turned to portrait and back (or a display that comes up in the other
    orientation first) leaves no screen laid out for the other shape."""
    from kivy.core.window import Window

    def geometry():
        kiosk.app.show(screen_name)
        kiosk.settle()
        shown = [(type(w).__name__, tuple(map(round, w.pos)), tuple(map(round, w.size)))
                 for w in kiosk.screen(screen_name).walk(restrict=True)]
        kiosk.app.show("home")
        kiosk.settle()
        return shown

    before = geometry()
    landscape = Window.size
    Window.size = (1080, 1920)
    try:
        kiosk.settle()
        geometry()  # laid out for portrait once
    finally:
        Window.size = landscape
        kiosk.settle()
    assert geometry() == before
