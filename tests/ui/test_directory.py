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
    assert keyboard.input_mode == "direct" and keyboard.key_button(MODE).text == "EN"
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


def test_the_complaint_description_starts_in_the_visitors_chinese_input_method(kiosk):
    form = open_complaint_form(kiosk)
    keyboard = form.ids.keyboard
    assert keyboard.input_mode == "pinyin", "a Chinese-speaking visitor types Chinese first"
    type_on_keyboard(kiosk, keyboard, "fuwutaidu")
    kiosk.settle()
    assert candidate_buttons(keyboard)[0].text == "服务态度"
    kiosk.tap(candidate_buttons(keyboard)[0])
    assert form.ids.description.value == "服务态度"
    kiosk.tap(keyboard.key_button(MODE))
    assert keyboard.input_mode == "direct"


# ---------------------------------------------------------------- Zhuyin, the forms' input, portrait
def test_zh_tw_starts_in_zhuyin_and_its_symbols_give_traditional_words(kiosk):
    from kiosk.ime import TONE_MARKS, ZHUYIN_SYMBOLS

    kiosk.app.set_language("zh_TW")
    directory = open_directory(kiosk)
    keyboard = directory.ids.keyboard
    assert keyboard.input_mode == "zhuyin" and keyboard.key_button(MODE).text == "注"
    for symbol in ZHUYIN_SYMBOLS + "ˊˇˋ˙":
        assert keyboard.key_button(symbol) is not None, f"no {symbol} key"
    assert set("ˊˇˋ˙") < set(TONE_MARKS)
    type_on_keyboard(kiosk, keyboard, "ㄒㄧˇㄕㄡˇㄐㄧㄢ")
    kiosk.settle()
    assert keyboard.composition == "ㄒㄧˇ ㄕㄡˇ ㄐㄧㄢ"
    assert directory.ids.query_field.hint == "ㄒㄧˇ ㄕㄡˇ ㄐㄧㄢ", "the field shows the symbols being typed"
    assert kiosk.app.index.facility(directory.facility_id).kind in ("restroom", "accessible_restroom"), \
        "the list follows the Zhuyin as it is typed"
    texts = [button.text for button in candidate_buttons(keyboard)]
    assert "洗手間" in texts[:3]
    kiosk.tap(candidate_buttons(keyboard)[texts.index("洗手間")])
    kiosk.settle()
    assert directory.ids.query_field.value == "洗手間" and keyboard.composition == ""

    kiosk.tap(keyboard.key_button(MODE))
    assert keyboard.input_mode == "pinyin" and keyboard.key_button("x") is not None
    kiosk.tap(keyboard.key_button(MODE))
    assert keyboard.input_mode == "direct" and keyboard.key_button(MODE).text == "EN"
    kiosk.tap(keyboard.key_button(MODE))
    assert keyboard.input_mode == "zhuyin"


@pytest.mark.parametrize(("language", "mode"), [("zh_CN", "pinyin"), ("zh_TW", "zhuyin"), ("en", "direct")])
def test_every_free_text_field_starts_in_the_visitors_language(kiosk, language, mode):
    kiosk.app.set_language(language)
    form = open_complaint_form(kiosk)
    assert form.ids.keyboard.input_mode == mode, "complaint description"
    for kind in ("found_item", "lost_report"):
        kiosk.app.show("item_form", kind=kind)
        kiosk.settle()
        item_form = kiosk.screen("item_form")
        item_form.focus("features")
        assert item_form.ids.keyboard.input_mode == mode, f"{kind} description"


def test_the_next_visitor_gets_their_own_language_back_after_english_was_chosen(kiosk):
    form = open_complaint_form(kiosk)
    kiosk.tap(form.ids.keyboard.key_button(MODE))
    assert form.ids.keyboard.input_mode == "direct"
    kiosk.reset()  # the visitor leaves: start over, home
    form = open_complaint_form(kiosk)
    assert form.ids.keyboard.input_mode == "pinyin"


def test_the_portrait_directory_has_the_field_on_top_and_six_results_above_the_keyboard(kiosk):
    from kivy.core.window import Window

    landscape = Window.size
    Window.size = (1080, 1920)
    try:
        kiosk.settle()
        directory = open_directory(kiosk)
        keyboard = directory.ids.keyboard
        type_on_keyboard(kiosk, keyboard, "s")
        kiosk.settle()
        stores = directory.ids.stores
        field, board = directory.ids.query_field, keyboard
        assert field.to_window(field.x, field.y)[1] >= stores.to_window(stores.x, stores.top)[1] - 1, \
            "the field is above its results"
        assert board.to_window(board.x, board.top)[1] <= stores.to_window(stores.x, stores.y)[1] + 1
        assert keyboard.candidates, "the candidate strip is open as well"
        assert len(stores.data) >= 6
        bottom, top = stores.to_window(stores.x, stores.y)[1], stores.to_window(stores.x, stores.top)[1]
        visible = [row for row in stores.layout_manager.children
                   if row.to_window(row.x, row.y)[1] >= bottom - 1 and row.to_window(row.x, row.top)[1] <= top + 1]
        assert len(visible) >= 6, f"{len(visible)} whole results visible"
    finally:
        Window.size = landscape
        kiosk.settle()
    assert directory.ids.keyboard.parent is directory.ids.search_column.__self__, "beside the list again"


# ---------------------------------------------------------------- readable states
def contrast(first, second) -> float:
    def luminance(colour) -> float:
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def darkest_pixel(kiosk, widget):
    """The darkest colour drawn inside `widget` on screen (its text), as 0–1 RGB."""
    image = kiosk.image().convert("RGB")
    x, y = widget.to_window(*widget.pos)
    height = image.height
    box = (int(x) + 4, int(height - (y + widget.height)) + 4, int(x + widget.width) - 4, int(height - y) - 4)
    crop = image.crop(box)
    pixels = [crop.getpixel((x, y)) for x in range(crop.width) for y in range(crop.height)]
    darkest = min(pixels, key=sum)
    return [channel / 255 for channel in darkest]


def test_empty_letters_and_disabled_buttons_are_readable(kiosk):
    from screens import theme

    directory = open_directory(kiosk)
    kiosk.tap(next(b for b in directory.ids.modes.children if b.value == "letter"))
    kiosk.settle()
    empty = [chip for chip in directory.ids.letters.children if chip.disabled]
    assert empty, "the demo mall has letters without stores"
    chip = empty[-1]
    directory.ids.choices_scroll.scroll_to(chip, animate=False)
    kiosk.settle()
    assert contrast(chip.disabled_color, theme.DISABLED) >= 4.5
    assert contrast(darkest_pixel(kiosk, chip), theme.DISABLED) >= 4.5, "as drawn, not only as set"


def test_the_lost_item_form_marks_the_missing_choice_in_red(kiosk):
    from screens import theme

    kiosk.app.show("item_form", kind="lost_report")
    kiosk.settle()
    form = kiosk.screen("item_form")
    kiosk.tap(form.ids.next_button)
    kiosk.settle()
    assert form.form_error == kiosk.app.tr("Please check the items marked in red.")
    assert "item_category" in form.fields_in_error
    grid = form.ids.categories
    image = kiosk.image().convert("RGB")
    x, y = grid.to_window(*grid.pos)
    red = [round(c * 255) for c in theme.ERROR[:3]]
    edge = [image.getpixel((int(x + grid.width / 2), int(image.height - y + offset))) for offset in range(1, 10)]
    assert any(all(abs(a - b) <= 30 for a, b in zip(pixel, red, strict=True)) for pixel in edge), edge
    kiosk.tap(next(tile for tile in grid.children if tile.value == "umbrella"))
    kiosk.settle()
    assert "item_category" not in form.fields_in_error


@pytest.mark.parametrize(("language", "says", "not_said"), [
    ("zh_CN", "拼音", "注音"), ("zh_TW", "注音", "拼音"), ("en", "facility", "pinyin"),
])
def test_the_search_hints_say_what_a_visitor_types_in_their_language(kiosk, language, says, not_said):
    """Taiwanese visitors type Zhuyin (the keyboard starts there), English visitors English words."""
    kiosk.app.set_language(language)
    directory = open_directory(kiosk)
    assert says in directory.ids.query_field.hint and not_said not in directory.ids.query_field.hint
    kiosk.app.show("store_picker")
    kiosk.settle()
    picker_hint = kiosk.screen("store_picker").ids.query.hint
    assert not_said not in picker_hint and (language == "en" or says in picker_hint)


@pytest.mark.parametrize(("language", "mode"), [("zh_CN", "pinyin"), ("zh_TW", "zhuyin"), ("en", "direct")])
def test_after_the_store_picker_the_description_types_in_the_visitors_language_again(kiosk, language, mode):
    """The visitor switches the picker's keyboard to EN for a Latin store name; back on the form,
    and in the picker next time, the keyboard is in their own language again."""
    kiosk.app.set_language(language)
    form = open_complaint_form(kiosk)
    for _ in range(2):
        kiosk.tap(form.ids.store_button)
        assert kiosk.current == "store_picker"
        picker = kiosk.screen("store_picker")
        keyboard = picker.ids.keyboard
        kiosk.settle()
        assert keyboard.input_mode == mode, "the picker starts in the visitor's language"
        while keyboard.input_mode != "direct":
            kiosk.tap(keyboard.key_button(MODE))
        type_on_keyboard(kiosk, keyboard, "cloud")
        kiosk.settle()
        assert picker.ids.stores.data[0]["store_id"] == "cloud-coffee"
        picker.choose("cloud-coffee")
        kiosk.settle()
        assert kiosk.current == "case_form" and form.store_id == "cloud-coffee"
        kiosk.tap(form.ids.description)
        kiosk.settle()
        assert form.ids.keyboard.target is form.ids.description
        assert form.ids.keyboard.input_mode == mode, "the description is typed in the visitor's language"
