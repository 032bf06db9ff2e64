"""The shared widgets on their own: keyboard (with an input method that composes), QR code,
colours, and the promotion schedule the attract loop and What's on rely on."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from screens import theme
from screens.widgets.keyboard import DELETE, InputMethod
from sync.protocol import KioskPoint, Promotion, PromotionTarget
from venue.schedule import is_on, promotions_on, targets_kiosk

pytestmark = pytest.mark.ui
SHANGHAI = ZoneInfo("Asia/Shanghai")


class SyllableInput(InputMethod):
    """A tiny composing input method, as a pinyin one will be: letters gather into a
    composition; the candidates are offered; a tap on one commits it."""

    def __init__(self, dictionary: dict[str, list[str]]):
        self.dictionary = dictionary
        self.composition = ""
        self.candidates = []

    def press(self, key: str) -> str:
        if key.isalpha():
            self.composition += key
            self.candidates = self.dictionary.get(self.composition, [])
            return ""
        committed, self.composition, self.candidates = self.composition + key, "", []
        return committed

    def backspace(self) -> bool:
        if not self.composition:
            return False
        self.composition = self.composition[:-1]
        self.candidates = self.dictionary.get(self.composition, [])
        return True

    def choose(self, index: int) -> str:
        chosen = self.candidates[index]
        self.composition, self.candidates = "", []
        return chosen

    def reset(self) -> None:
        self.composition, self.candidates = "", []


def test_the_keyboard_shows_an_input_methods_candidates_and_commits_the_one_tapped(kiosk):
    kiosk.app.show("case_form", kind="suggestion")
    kiosk.settle()
    form = kiosk.screen("case_form")
    keyboard = form.ids.keyboard
    default_method = keyboard.input_method
    keyboard.input_method = SyllableInput({"xbk": ["星巴克", "新帮客"]})
    try:
        for letter in "xbk":
            kiosk.tap(keyboard.key_button(letter))
        kiosk.settle()
        assert keyboard.composition == "xbk"
        strip = keyboard.ids.candidates
        assert [button.text for button in reversed(strip.children)] == ["星巴克", "新帮客"]
        assert strip.parent.height > 0 and strip.parent.opacity == 1
        assert form.ids.description.value == ""

        kiosk.tap(list(reversed(strip.children))[0])
        assert form.ids.description.value == "星巴克"
        assert keyboard.composition == "" and not strip.children
    finally:
        keyboard.input_method = default_method
        keyboard.reset_input()


def test_delete_removes_the_last_character_and_shift_types_one_capital(kiosk):
    kiosk.app.show("case_form", kind="suggestion")
    kiosk.settle()
    form = kiosk.screen("case_form")
    keyboard = form.ids.keyboard
    from screens.widgets.keyboard import MODE

    assert keyboard.input_mode != "direct", "a Chinese-speaking visitor's field starts in Chinese input"
    for _ in range(3):  # the mode key until EN, as a visitor typing Latin letters does
        if keyboard.input_mode == "direct":
            break
        kiosk.tap(keyboard.key_button(MODE))
    kiosk.tap(keyboard.key_button("shift"))
    for letter in "ab":
        kiosk.tap(keyboard.key_button(letter))
    assert form.ids.description.value == "Ab"
    kiosk.tap(keyboard.key_button(DELETE))
    assert form.ids.description.value == "A"
    kiosk.tap(keyboard.key_button("symbols"))
    assert keyboard.layout == "symbols"
    kiosk.tap(keyboard.key_button("7"))
    assert form.ids.description.value == "A7"


def test_qr_widget_has_a_four_module_quiet_zone_and_decodes(kiosk):
    from screens.widgets.qr import QUIET_ZONE_MODULES, qr_matrix

    url = "http://127.0.0.1:8000/t/" + "A" * 43
    matrix = qr_matrix(url)
    for row in matrix[:QUIET_ZONE_MODULES] + matrix[-QUIET_ZONE_MODULES:]:
        assert not any(row)
    for row in matrix:
        assert not any(row[:QUIET_ZONE_MODULES]) and not any(row[-QUIET_ZONE_MODULES:])
    picture = Image.new("L", (len(matrix) * 6, len(matrix) * 6), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                picture.paste(0, (x * 6, y * 6, x * 6 + 6, y * 6 + 6))
    assert [r.text for r in zxingcpp.read_barcodes(picture)] == [url]


def contrast(foreground, background) -> float:
    def luminance(colour):
        def channel(value):
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        red, green, blue = colour[:3]
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("foreground, background, minimum", [
    (theme.INK, theme.BACKGROUND, 7), (theme.INK_MUTED, theme.BACKGROUND, 7),
    (theme.ON_DARK, theme.HEADER, 7), (theme.ON_DARK, theme.PRIMARY, 7),
    (theme.ERROR, theme.BACKGROUND, 7), (theme.ON_DARK, theme.SUCCESS, 7),
    (theme.ON_DARK, theme.CLOSED, 4.5), (theme.ON_DARK, theme.MAP_HIGHLIGHT, 4.5),
    (theme.ON_DARK, theme.MAP_YOU_ARE_HERE, 4.5), (theme.INK, theme.MAP_UNIT, 7),
    *[(theme.ON_DARK, colour, 7) for colour in theme.TILE_COLOURS.values()],
])
def test_text_colours_have_enough_contrast(foreground, background, minimum):
    assert contrast(foreground, background) >= minimum


def promotion(**fields) -> Promotion:
    defaults = dict(id="p", title={"zh_CN": "促销"}, text={"zh_CN": "文字"}, image_sha256="0" * 64,
                    starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    return Promotion(**{**defaults, **fields})


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_promotion_dates_weekdays_and_hours():
    evening = promotion(hours_from="18:00", hours_to="22:00", weekdays=[4, 5])  # Fri, Sat
    assert is_on(evening, at(27, 19))  # Friday 19:00
    assert not is_on(evening, at(27, 22))  # closes at 22:00
    assert not is_on(evening, at(26, 19))  # Thursday
    assert not is_on(promotion(), datetime(2026, 12, 1, 12, tzinfo=SHANGHAI))  # after ends_on


def test_a_promotion_past_midnight_belongs_to_the_day_it_started():
    late = promotion(hours_from="20:00", hours_to="02:00", weekdays=[5])  # Saturday night
    assert is_on(late, at(28, 23))  # Saturday 23:00
    assert is_on(late, at(29, 1, 30))  # early Sunday, still Saturday's run
    assert not is_on(late, at(29, 23))  # Sunday evening


def test_promotion_targets_levels_and_kiosks():
    lobby = KioskPoint(id="lobby", name={"zh_CN": "大堂"}, level_id="1f", node_id="n1")
    assert targets_kiosk(promotion(), lobby)
    assert targets_kiosk(promotion(target=PromotionTarget(level_ids=["1f"])), lobby)
    assert not targets_kiosk(promotion(target=PromotionTarget(level_ids=["3f"])), lobby)
    assert not targets_kiosk(promotion(target=PromotionTarget(kiosk_ids=["atrium"])), lobby)


def test_demo_promotions_are_judged_in_the_malls_timezone(kiosk):
    index = kiosk.app.index
    on_now = promotions_on(index, kiosk.app.now(), kiosk.app.kiosk_point())
    assert on_now, "the demo mall has promotions on in the afternoon"
    priorities = [p.priority for p in on_now]
    assert priorities == sorted(priorities, reverse=True)
