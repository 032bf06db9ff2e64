"""Lost property at the kiosk by touch: "I found something" to the hand-in receipt and the route,
"I lost something" to its receipt, in every language, with screenshots to look at."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from ui_helpers import footer_switch, home_tile, outbox_rows, type_in_english, type_on_keyboard

pytestmark = pytest.mark.ui

LANGUAGES = ("zh_CN", "en", "zh_TW")
WALLET_LABELS = {"zh_CN": "钱包", "en": "Wallet", "zh_TW": "錢包"}


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("CONCIERGE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def tile(form, category: str):
    return next(t for t in form.ids.categories.children if t.value == category)


def chip(form, colour: str):
    return next(c for c in form.ids.colours.children if c.value == colour)


def choice(row, value: str):
    return next(button for button in row.children if button.value == value)


def switch_language(kiosk, language: str) -> None:
    switch = footer_switch(kiosk)
    button = next(w for w in switch.walk() if getattr(w, "language", None) == language and hasattr(w, "state"))
    kiosk.tap(button)
    kiosk.settle()
    assert kiosk.app.language == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_found_item_by_touch_to_the_hand_in_receipt_and_the_route(kiosk, language, screenshots):
    switch_language(kiosk, language)
    before = len(outbox_rows(kiosk))
    kiosk.tap(home_tile(kiosk, "found"))
    assert kiosk.current == "item_form"
    form = kiosk.screen("item_form")
    assert form.kind == "found_item"
    assert tile(form, "wallet").text == WALLET_LABELS[language]

    kiosk.tap(tile(form, "wallet"))
    kiosk.tap(chip(form, "brown"))
    kiosk.tap(choice(form.ids.floors, "2f"))
    kiosk.tap(choice(form.ids.when, "just_now"))
    assert (form.category, form.colour, form.level_id, form.when) == ("wallet", "brown", "2f", "just_now")
    kiosk.driver.capture(screenshots / f"lost-found-found-step1-{language}.png")
    kiosk.tap(form.ids.next_button)
    assert form.step == 2
    type_in_english(kiosk, form.ids.keyboard, "zip around")
    kiosk.tap(form.ids.brand)
    type_in_english(kiosk, form.ids.keyboard, "coach")
    kiosk.driver.capture(screenshots / f"lost-found-found-step2-{language}.png")
    kiosk.tap(form.ids.send_button)
    kiosk.settle()

    assert kiosk.current == "found"
    rows = outbox_rows(kiosk)
    assert len(rows) == before + 1
    upload = json.loads(rows[-1][2])
    assert upload["kind"] == "found_item"
    assert upload["description"] == "zip around"
    assert upload["details"] == {"item_category": "wallet", "item_colour": "brown", "item_brand": "coach",
                                 "place_level_id": "2f", "occurred_when": "just_now"}
    assert upload["contact_phone"] is None
    found = kiosk.screen("found")
    assert found.reference == rows[-1][1] and found.ids.reference.text == rows[-1][1]
    assert [r.text for r in zxingcpp.read_barcodes(kiosk.image())] == [found.tracking_url]
    kiosk.driver.capture(screenshots / f"lost-found-found-receipt-{language}.png")

    kiosk.tap(found.ids.route_button)
    assert kiosk.current == "map"
    assert kiosk.screen("map").destination_id == "service-desk-1f"
    kiosk.app.go_back()
    kiosk.settle()
    assert kiosk.current == "found" and found.reference, "back from the route keeps the receipt"
    kiosk.tap(found.ids.done_button)
    assert kiosk.current == "home"
    assert found.reference == "" and found.tracking_url == "", "the token does not outlive the visit"
    assert form.category == "" and form.ids.brand.value == ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_lost_item_by_touch_with_checks_and_consent(kiosk, language, screenshots):
    switch_language(kiosk, language)
    kiosk.tap(home_tile(kiosk, "lost"))
    form = kiosk.screen("item_form")
    assert kiosk.current == "item_form" and form.kind == "lost_report"

    kiosk.tap(form.ids.next_button)
    assert form.step == 1 and form.category_error == kiosk.app.tr("Please choose what kind of item it is.")
    kiosk.driver.capture(screenshots / f"lost-found-lost-errors-{language}.png")
    kiosk.tap(tile(form, "umbrella"))
    assert form.category_error == ""
    kiosk.tap(chip(form, "multi"))
    kiosk.tap(choice(form.ids.when, "yesterday"))
    kiosk.tap(form.ids.next_button)
    type_in_english(kiosk, form.ids.keyboard, "long umbrella stripes")
    kiosk.tap(form.ids.phone)
    type_on_keyboard(kiosk, form.ids.keyboard, "13812345678")
    kiosk.tap(form.ids.send_button)
    assert kiosk.current == "item_form" and form.phone_error, "a phone number needs consent"
    kiosk.tap(form.ids.consent)
    assert form.phone_error == ""
    kiosk.driver.capture(screenshots / f"lost-found-lost-step2-{language}.png")
    kiosk.tap(form.ids.send_button)
    kiosk.settle()

    assert kiosk.current == "receipt"
    upload = json.loads(outbox_rows(kiosk)[-1][2])
    assert (upload["kind"], upload["description"], upload["contact_phone"], upload["contact_consent"]) == (
        "lost_report", "long umbrella stripes", "13812345678", True)
    assert upload["details"]["item_category"] == "umbrella" and upload["details"]["item_colour"] == "multi"
    # 15:00 in the mall (Asia/Shanghai), on the wire in UTC as the contract normalises it
    occurred = datetime.fromisoformat(upload["occurred_at"])
    assert occurred.utcoffset() == timedelta(0)
    assert occurred.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M") == "15:00"
    assert kiosk.screen("receipt").confirmation == kiosk.app.tr(
        "Your lost item report has been registered. We will look for it.")
    kiosk.driver.capture(screenshots / f"lost-found-lost-receipt-{language}.png")


def test_a_visitor_who_types_nothing_still_files_a_useful_report(kiosk):
    kiosk.tap(home_tile(kiosk, "lost"))
    form = kiosk.screen("item_form")
    kiosk.tap(tile(form, "keys"))
    kiosk.tap(chip(form, "silver"))
    kiosk.tap(form.ids.next_button)
    kiosk.tap(form.ids.send_button)
    assert kiosk.current == "receipt"
    upload = json.loads(outbox_rows(kiosk)[-1][2])
    assert upload["description"] == "钥匙 · 银色"


def test_the_store_picker_answers_the_item_form(kiosk):
    kiosk.tap(home_tile(kiosk, "found"))
    form = kiosk.screen("item_form")
    form.choose_store()
    assert kiosk.current == "store_picker"
    kiosk.screen("store_picker").choose("cloud-coffee")
    assert kiosk.current == "item_form"
    store = kiosk.app.index.store("cloud-coffee")
    assert form.store_id == "cloud-coffee" and form.level_id == store.level_id
    assert kiosk.app.text(store.name) in form.store_text


def test_leaving_mid_form_forgets_everything(kiosk):
    kiosk.tap(home_tile(kiosk, "lost"))
    form = kiosk.screen("item_form")
    kiosk.tap(tile(form, "phone"))
    kiosk.tap(form.ids.next_button)
    type_in_english(kiosk, form.ids.keyboard, "black case")
    kiosk.app.start_over()
    assert (form.category, form.step, form.ids.features.value) == ("", 1, "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_spot_is_tapped_on_the_floor_plan(kiosk, language, screenshots):
    """"Where?" by a spot on the plan: a tap in a corridor is named by the nearest landmark, a
    tap on a store marks the store too; the spot goes with the case."""
    from venue.plan_geometry import polygon_centroid

    switch_language(kiosk, language)
    kiosk.tap(home_tile(kiosk, "found"))
    form = kiosk.screen("item_form")
    kiosk.tap(tile(form, "umbrella"))
    store = kiosk.app.index.store("cloud-coffee")
    kiosk.tap(choice(form.ids.floors, store.level_id))
    kiosk.tap(form.ids.point_button)
    assert kiosk.current == "item_place"
    place = kiosk.screen("item_place")
    plan = place.ids.plan
    assert place.level_id == store.level_id and not place.has_point
    assert place.ids.use_button.disabled, "nothing to use before a spot is tapped"

    shape = next(s for s in plan.level.plan if s.ref == "cloud-coffee")
    x, y = polygon_centroid(shape.polygon)
    kiosk.driver.tap_at(*plan.to_window(*plan.to_screen(x, y)))
    assert place.has_point and place.store_id == "cloud-coffee"
    assert kiosk.app.text(store.name) in place.point_text
    assert abs(place.point_x - x) < 1 and abs(place.point_y - y) < 1
    assert len(plan.markers) == 1
    kiosk.driver.capture(screenshots / f"lost-found-spot-{language}.png")

    spot_text = place.point_text
    kiosk.tap(place.ids.use_button)
    assert kiosk.current == "item_form"
    assert form.store_id == "cloud-coffee" and form.point_text == spot_text
    assert form.ids.point_button.text == form.point_text
    kiosk.tap(form.ids.next_button)
    kiosk.tap(form.ids.send_button)
    kiosk.settle()
    details = json.loads(outbox_rows(kiosk)[-1][2])["details"]
    spot_x, spot_y = (float(part) for part in details["place_point"].split(","))
    assert abs(spot_x - x) < 1 and abs(spot_y - y) < 1
    assert details["place_level_id"] == store.level_id and details["place_note"] == spot_text
    kiosk.app.finish_case()


def test_a_spot_in_a_corridor_is_named_by_the_nearest_landmark(kiosk):
    kiosk.tap(home_tile(kiosk, "lost"))
    form = kiosk.screen("item_form")
    kiosk.tap(form.ids.point_button)
    place = kiosk.screen("item_place")
    index = kiosk.app.index
    node = next(n for n in index.content.graph.nodes if n.landmark is not None and n.level_id == place.level_id)
    plan = place.ids.plan
    kiosk.driver.tap_at(*plan.to_window(*plan.to_screen(node.x, node.y)))
    assert place.has_point and place.store_id == ""
    assert node.landmark.get(kiosk.app.language) in place.point_text
    other = next(level.id for level in index.levels() if level.id != place.level_id)
    place.choose_level(other)
    assert not place.has_point, "another floor: tap again"
    kiosk.app.start_over()
    assert form.point_text == "" and not place.has_point


def test_in_the_portrait_band_the_keyboard_comes_up_across_the_width_when_the_visitor_types(kiosk):
    """Lost property in the accessibility mode's reach band: the form has the width; a tap on a
    field brings large keys up under it, Done puts them away with the words kept."""
    from kivy.core.window import Window

    from screens.widgets.accessibility import min_target_px, reach_band

    portrait = (1080, 1920)
    original = tuple(Window.size)
    Window.size = portrait
    kiosk.app.accessible = True
    try:
        kiosk.settle()
        kiosk.tap(home_tile(kiosk, "lost"))
        form = kiosk.screen("item_form")
        kiosk.tap(tile(form, "umbrella"))
        kiosk.tap(form.ids.next_button)
        keyboard = form.ids.keyboard
        assert keyboard.parent is None and form.ids.features.width >= form.width * 0.9, "the form, no keys"
        kiosk.tap(form.ids.features)
        key = keyboard.key_button("q")
        assert keyboard.parent is not None and keyboard.width >= form.width * 0.9, "across the width"
        assert min(key.size) >= 1.3 * min_target_px(portrait), f"a key of {key.size}: not large"
        assert keyboard.to_window(keyboard.x, keyboard.top)[1] <= reach_band(portrait)[1] + 1
        assert form.ids.features.parent.parent is keyboard.parent, "the field typed in stays in sight"
        type_in_english(kiosk, keyboard, "long umbrella")
        kiosk.tap(next(button for button in form.ids.done_row.children if hasattr(button, "design_size")))  # Done
        assert keyboard.parent is None and form.ids.features.value == "long umbrella"
        assert form.ids.phone.get_root_window() is not None, "the phone is back in the form"
        kiosk.tap(form.ids.phone)
        assert keyboard.layout == "numeric" and keyboard.parent is not None
        assert form.ids.features.get_root_window() is None, "the keys in place of the rest of the form"
    finally:
        kiosk.app.accessible = False
        Window.size = original
        kiosk.settle()
