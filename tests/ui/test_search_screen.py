"""Search that finds places: a facility word in any of the three languages answers first with
the nearest one from this kiosk and a button to its route; the home screen's search field opens
the directory with what was typed; on a portrait panel the field is on top and the results keep
the room above the keyboard."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from ui_helpers import type_on_keyboard

from venue.facility_search import facility_search_for

pytestmark = pytest.mark.ui


def search_directory(kiosk, query: str):
    kiosk.app.show("directory", query=query)
    kiosk.settle()
    return kiosk.screen("directory")


def on_screen(widget) -> bool:
    return widget.get_root_window() is not None and widget.opacity > 0 and widget.height > 0


TOILETS = {"restroom", "accessible_restroom"}
"""Any visitor may use the accessible toilet when it is the nearest (the router's table)."""


@pytest.mark.parametrize(("language", "query", "kinds"), [
    ("zh_CN", "洗手间", TOILETS),
    ("en", "toilet", TOILETS),
    ("zh_TW", "洗手間", TOILETS),
    ("en", "ATM", {"atm"}),
    ("zh_CN", "母婴室", {"nursing_room"}),
    ("en", "baby room", {"nursing_room"}),
    ("zh_CN", "电梯", {"lift"}),
    ("zh_CN", "xi3shou3jian1", TOILETS),
])
def test_a_facility_word_answers_with_the_nearest_one_and_its_route(kiosk, language, query, kinds):
    app = kiosk.app
    app.set_language(language)
    directory = search_directory(kiosk, query)
    facility = app.index.facility(directory.facility_id)
    assert facility is not None and facility.kind in kinds, f"{query!r} answers with a facility"
    kiosk_point = app.kiosk_point()
    expected = facility_search_for(app.index).nearest(query, kiosk_point.id)
    assert expected is not None and expected.facility.id == facility.id, "the nearest one"
    level = app.index.level(facility.level_id)
    assert app.text(facility.name) in directory.ids.facility_name.text
    assert level.short_name in directory.facility_detail
    assert str(expected.route.minutes) in directory.facility_detail
    assert on_screen(directory.ids.facility_answer)
    answer_top = directory.ids.facility_answer.y
    assert answer_top >= directory.ids.stores.top - 1, "the answer comes before the stores"

    kiosk.tap(directory.ids.facility_route)
    assert kiosk.current == "map"
    shown = kiosk.screen("map")
    assert shown.destination_id == facility.id and shown.has_route


def test_a_store_query_shows_no_facility_answer(kiosk):
    directory = search_directory(kiosk, "云朵咖啡")
    assert directory.facility_id == "" and not on_screen(directory.ids.facility_answer)
    assert directory.ids.stores.data[0]["store_id"] == "cloud-coffee"


def test_typing_a_facility_word_on_the_keyboard_answers_as_the_letters_arrive(kiosk):
    kiosk.app.show("directory")
    kiosk.settle()
    directory = kiosk.screen("directory")
    type_on_keyboard(kiosk, directory.ids.keyboard, "xishoujian")
    kiosk.settle()
    assert directory.ids.query_field.value == "", "still composing"
    facility = kiosk.app.index.facility(directory.facility_id)
    assert facility is not None and facility.kind in TOILETS


def test_the_facility_index_is_prepared_before_the_first_key(kiosk):
    from kiosk.warmup import prepare

    app = kiosk.app
    prepare(app.content, app.index, app.kiosk_point().id)
    prepared = facility_search_for(app.index)
    search_directory(kiosk, "ATM")
    assert facility_search_for(app.index) is prepared


def test_the_home_search_field_opens_the_directory_with_what_was_typed(kiosk):
    home = kiosk.screen("home")
    assert home.ids.search_field.hint == "搜索店铺和设施"
    assert not on_screen(home.ids.keyboard), "no keyboard until the visitor asks for one"
    kiosk.tap(home.ids.search_field)
    kiosk.settle()
    keyboard = home.ids.keyboard
    assert on_screen(keyboard) and keyboard.input_mode == "pinyin", "in the visitor's language"
    assert not on_screen(home.ids.tiles), "the keyboard takes the tiles' place"
    type_on_keyboard(kiosk, keyboard, "xishoujian")
    kiosk.settle()
    assert home.ids.search_field.hint == "xi'shou'jian", "the letters being composed show"
    kiosk.tap(home.ids.search_button)
    kiosk.settle()
    assert kiosk.current == "directory"
    directory = kiosk.screen("directory")
    assert directory.query == "xishoujian"
    assert kiosk.app.index.facility(directory.facility_id).kind in TOILETS
    assert on_screen(directory.ids.facility_answer)

    kiosk.app.go_home()
    kiosk.settle()
    assert on_screen(home.ids.tiles) and home.ids.search_field.value == ""


def test_cancel_brings_the_tiles_back_and_english_types_english(kiosk):
    kiosk.app.set_language("en")
    home = kiosk.screen("home")
    kiosk.tap(home.ids.search_field)
    kiosk.settle()
    keyboard = home.ids.keyboard
    assert keyboard.input_mode == "direct"
    type_on_keyboard(kiosk, keyboard, "cloud")
    assert home.ids.search_field.value == "cloud"
    kiosk.tap(home.ids.cancel_button)
    kiosk.settle()
    assert on_screen(home.ids.tiles) and not on_screen(keyboard) and home.ids.search_field.value == ""
    kiosk.tap(home.ids.search_field)
    type_on_keyboard(kiosk, keyboard, "cloud")
    kiosk.tap(home.ids.search_button)
    kiosk.settle()
    directory = kiosk.screen("directory")
    assert kiosk.current == "directory" and directory.ids.stores.data[0]["store_id"] == "cloud-coffee"


TYPED = {"zh_CN": "xishoujian", "en": "toilet", "zh_TW": "ㄒㄧˇㄕㄡˇㄐㄧㄢ"}
"""A toilet, typed on each language's own keyboard."""


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
@pytest.mark.parametrize("language", ["zh_CN", "en", "zh_TW"])
def test_searching_for_a_toilet_by_touch_in_each_language_and_orientation(kiosk, tmp_path, language, size):
    """Screenshots for a person to look at (CONCIERGE_SCREENSHOTS): home with its keyboard, and the
    directory answering with the nearest toilet while the letters are still being composed."""
    from kivy.core.window import Window

    folder = Path(os.environ.get("CONCIERGE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    orientation = "landscape" if size[0] > size[1] else "portrait"
    landscape = Window.size
    Window.size = size
    try:
        kiosk.app.set_language(language)
        kiosk.settle()
        home = kiosk.screen("home")
        kiosk.tap(home.ids.search_field)
        kiosk.settle()
        type_on_keyboard(kiosk, home.ids.keyboard, TYPED[language])
        kiosk.settle()
        kiosk.driver.capture(folder / f"search-home-{orientation}-{language}.png")
        kiosk.tap(home.ids.search_button)
        kiosk.settle()
        directory = kiosk.screen("directory")
        assert kiosk.current == "directory" and on_screen(directory.ids.facility_answer)
        if language == "zh_TW":
            assert directory.query == "洗手間", "Zhuyin arrives as the characters it stands for"
        assert kiosk.app.index.facility(directory.facility_id).kind in TOILETS
        answer, button = directory.ids.facility_answer, directory.ids.facility_route
        assert button.right <= answer.right and button.get_root_window() is not None
        kiosk.driver.capture(folder / f"search-directory-{orientation}-{language}.png")
    finally:
        Window.size = landscape
        kiosk.settle()


@pytest.mark.parametrize(("language", "query", "heading", "stores"), [
    ("zh_CN", "洗手间", "“洗手间”：找到{facility}", 0),
    ("en", "toilet", "“toilet”: {facility} found", 0),
    ("zh_TW", "洗手間", "「洗手間」：找到{facility}", 0),
    ("en", "first aid", "“first aid”: {facility} and 1 store found", 1),
    ("zh_CN", "bank", "“bank”：找到{facility}和 11 家店铺", 11),
])
def test_the_heading_says_what_the_search_found_never_zero_stores_over_a_facility(kiosk, language, query, heading,
                                                                                   stores):
    """The facility answered (by its name), and the stores only when some match as well."""
    app = kiosk.app
    app.set_language(language)
    directory = search_directory(kiosk, query)
    assert directory.facility_id and on_screen(directory.ids.facility_answer)
    facility = app.text(app.index.facility(directory.facility_id).name)
    assert directory.ids.heading.text == heading.format(facility=facility)
    assert len(directory.ids.stores.data) == stores


def test_a_query_that_finds_nothing_still_says_so(kiosk):
    directory = search_directory(kiosk, "zzqq")
    assert directory.facility_id == "" and directory.ids.heading.text == "找到 0 家与“zzqq”匹配的店铺"
