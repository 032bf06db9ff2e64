"""A visitor finds a store by touch: pinyin on the on-screen keyboard with the candidate strip,
initials, unit numbers on the digit row, English, A–Z browsing; the store page starts the route
and hands itself to a phone by QR code (served by server/directory, tested in tests/server);
the facilities list is nearest first; the case form's description has the input method too."""
from __future__ import annotations

import pytest
from ui_helpers import home_tile, open_complaint_form, type_on_keyboard

from screens.widgets.keyboard import MODE, SYMBOLS

pytestmark = pytest.mark.ui


def open_directory(kiosk):
    kiosk.tap(home_tile(kiosk, "directory"))
    assert kiosk.current == "directory"
    kiosk.settle()
    return kiosk.screen("directory")


def candidate_buttons(keyboard) -> list:
    return list(reversed(keyboard.ids.candidates.children))


def shown_store_ids(directory) -> list[str]:
    return [row["store_id"] for row in directory.ids.stores.data]


def test_pinyin_typed_by_touch_finds_the_store_and_its_candidate_commits_the_name(kiosk):
    directory = open_directory(kiosk)
    keyboard = directory.ids.keyboard
    assert keyboard.input_mode == "pinyin", "a Chinese-speaking visitor starts in Chinese"
    type_on_keyboard(kiosk, keyboard, "yunduo")
    kiosk.settle()
    assert keyboard.composition == "yun'duo"
    assert directory.ids.query_field.value == "", "letters compose; nothing is committed yet"
    assert shown_store_ids(directory)[0] == "cloud-coffee", "the list follows the pinyin as it is typed"
    first = candidate_buttons(keyboard)[0]
    assert first.text == "云朵咖啡", "the mall's own name comes first"

    kiosk.tap(first)
    kiosk.settle()
    assert directory.ids.query_field.value == "云朵咖啡"
    assert keyboard.composition == "" and not candidate_buttons(keyboard)
    assert shown_store_ids(directory) == ["cloud-coffee"]

    kiosk.tap(directory.ids.stores.row_for("cloud-coffee"))
    assert kiosk.current == "store"
    assert kiosk.screen("store").name_text == "云朵咖啡"


def test_a_xingbake_style_word_from_the_dictionary_and_the_empty_result_offers_a_way_out(kiosk):
    directory = open_directory(kiosk)
    keyboard = directory.ids.keyboard
    type_on_keyboard(kiosk, keyboard, "xingbake")
    kiosk.settle()
    first = candidate_buttons(keyboard)[0]
    assert first.text == "星巴克"
    kiosk.tap(first)
    kiosk.settle()
    assert directory.ids.query_field.value == "星巴克"
    assert directory.result_count == 0, "the demo mall has no such store"
    suggestions = list(reversed(directory.ids.suggestions.children))
    assert suggestions and suggestions[0].get_root_window() is not None
    assert directory.desk_text, "the service desk is offered"
    desk = kiosk.app.index.service_desk()
    [way_to_desk] = directory.ids.desk_way.children
    kiosk.tap(way_to_desk)
    assert kiosk.current == "map" and kiosk.screen("map").destination_id == desk.id
    kiosk.app.go_back()
    kiosk.settle()
    assert kiosk.current == "directory" and directory.result_count == 0
    assert directory.ids.query_field.value == "星巴克", "Back returns to the search as it was"

    suggestions = list(reversed(directory.ids.suggestions.children))
    kiosk.tap(suggestions[0])
    kiosk.settle()
    assert directory.query == "" and directory.mode == "category"
    assert directory.category_id == suggestions[0].value
    assert directory.result_count > 0
    assert not directory.ids.desk_way.children, "no hidden button over the list"


def test_initials_and_a_unit_number_on_the_digit_row(kiosk):
    directory = open_directory(kiosk)
    keyboard = directory.ids.keyboard
    type_on_keyboard(kiosk, keyboard, "ydkf")
    kiosk.settle()
    assert shown_store_ids(directory) == ["cloud-coffee"]

    directory.reset()
    type_on_keyboard(kiosk, keyboard, "3f12")
    kiosk.settle()
    assert directory.ids.query_field.value == "3f12", "digits keep the letter as typed"
    assert shown_store_ids(directory)[0] == "smart-nest"


def test_the_mode_key_switches_to_english_and_english_visitors_start_there(kiosk):
    directory = open_directory(kiosk)
    keyboard = directory.ids.keyboard
    mode_key = keyboard.key_button(MODE)
    assert mode_key.text == "中"
    kiosk.tap(mode_key)
    assert keyboard.input_mode == "direct" and mode_key.text == "EN"
    type_on_keyboard(kiosk, keyboard, "cloud co")
    kiosk.settle()
    assert directory.ids.query_field.value == "cloud co"
    assert shown_store_ids(directory)[0] == "cloud-coffee"

    kiosk.app.set_language("en")
    kiosk.settle()
    assert keyboard.input_mode == "direct"


def test_symbols_only_show_the_empty_state_not_an_error(kiosk):
    directory = open_directory(kiosk)
    keyboard = directory.ids.keyboard
    kiosk.tap(keyboard.key_button(SYMBOLS))
    for key in "@#%&":
        kiosk.tap(keyboard.key_button(key))
    kiosk.settle()
    assert directory.ids.query_field.value == "@#%&"
    assert directory.result_count == 0 and kiosk.current == "directory"


def test_a_to_z_browses_by_pinyin_initial(kiosk):
    directory = open_directory(kiosk)
    letter_tab = next(b for b in directory.ids.modes.children if b.value == "letter")
    kiosk.tap(letter_tab)
    kiosk.settle()
    chip = next(b for b in directory.ids.letters.children if b.value == "Y")
    directory.ids.choices_scroll.scroll_to(chip, animate=False)
    kiosk.settle()
    kiosk.tap(chip)
    kiosk.settle()
    shown = shown_store_ids(directory)
    assert "cloud-coffee" in shown  # 云朵咖啡: yun
    index = kiosk.app.index
    from pypinyin import lazy_pinyin

    assert all(lazy_pinyin(index.store(store_id).name.zh_CN)[0][0] == "y" for store_id in shown)


def test_the_store_page_shows_its_promotion_a_scannable_qr_and_starts_the_route(kiosk):
    import zxingcpp

    kiosk.app.show("store", store_id="cloud-coffee")
    kiosk.settle()
    page = kiosk.screen("store")
    assert "第二杯半价" in page.promotions_text, "its current promotion is listed"
    decoded = [result.text for result in zxingcpp.read_barcodes(kiosk.image())]
    assert decoded == ["http://127.0.0.1:8000/s/galaxy-harbour/cloud-coffee?from=lobby-1f"]
    assert page.ids.qr.module_pixels >= 6
    kiosk.tap(page.ids.route_button)
    assert kiosk.current == "map"
    assert kiosk.screen("map").destination_id == "cloud-coffee"


def test_facilities_are_listed_nearest_first_and_open_the_way_there(kiosk):
    from venue.routing.router import walking_distances_from

    directory = open_directory(kiosk)
    kiosk.tap(next(w for w in directory.walk() if getattr(w, "text", "") == kiosk.app.tr("Facilities")))
    assert kiosk.current == "facilities"
    screen = kiosk.screen("facilities")
    kiosk.settle()
    rows = screen.ids.facilities.data
    app = kiosk.app
    kiosk_node = app.kiosk_point().node_id
    standard = walking_distances_from(app.content, kiosk_node, "standard")
    step_free = walking_distances_from(app.content, kiosk_node, "step_free")
    metres = []
    for row in rows:
        facility = app.index.facility(row["facility_id"])
        table = step_free if facility.kind in ("accessible_restroom", "wheelchair_lending") else standard
        metres.append(table[facility.node_id])
    assert metres == sorted(metres) and len(rows) >= 10

    nursing = next(b for b in screen.ids.kinds.children if b.value == "nursing_room")
    kiosk.tap(nursing)
    kiosk.settle()
    assert {app.index.facility(r["facility_id"]).kind for r in screen.ids.facilities.data} == {"nursing_room"}
    first = next(w for w in screen.ids.facilities.layout_manager.children
                 if w.facility_id == screen.ids.facilities.data[0]["facility_id"])
    kiosk.tap(first)
    assert kiosk.current == "map"
    assert kiosk.screen("map").destination_id == screen.ids.facilities.data[0]["facility_id"]


def test_the_complaint_description_has_the_chinese_input_method(kiosk):
    form = open_complaint_form(kiosk)
    keyboard = form.ids.keyboard
    assert keyboard.input_mode == "direct", "the form starts as it always has; 中 is one tap away"
    kiosk.tap(keyboard.key_button(MODE))
    type_on_keyboard(kiosk, keyboard, "fuwutaidu")
    kiosk.settle()
    assert candidate_buttons(keyboard)[0].text == "服务态度"
    kiosk.tap(candidate_buttons(keyboard)[0])
    assert form.ids.description.value == "服务态度"
    kiosk.tap(keyboard.key_button(MODE))
    assert keyboard.input_mode == "direct"
