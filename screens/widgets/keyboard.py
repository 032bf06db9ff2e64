"""The on-screen keyboard: letters with a digit row, symbols, and a numeric pad for phone numbers.

Key presses do not go straight into the text field: they go through an input method
(kiosk/ime.py), which decides what to commit. In English mode (`DirectInput`) every key commits
itself; in Chinese mode (`PinyinInput`) letters gather into a composition and the strip above
the keys offers candidate characters and words to tap; zh_TW visitors start in Zhuyin
(`ZhuyinInput`), whose keys are the 37 symbols and the tone marks in the Taiwanese (大千) order.
Every field starts in the visitor's language (`chinese_default`); the mode key steps through
注音 → 中 (pinyin) → EN for zh_TW, 中 ↔ EN otherwise.
"""
from __future__ import annotations

import threading

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout

from kiosk.ime import DirectInput, InputMethod, PinyinInput, PinyinLexicon, ZhuyinInput
from screens import theme
from screens.widgets.common import KButton, discard_children, text_width

__all__ = ["DirectInput", "InputMethod", "OnScreenKeyboard"]

LETTER_ROWS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
)
"""With a digit row: unit numbers ("3F-12") and mixed text need no layout switch."""
SYMBOL_ROWS = (
    "1234567890",
    "@#%&*-+=()",
    "，。？！、：；“”",
    "/:'\"?!¥_",
)
"""No row longer than ten keys (with its special keys): keys stay at least 60 px wide."""
ZHUYIN_ROWS = (
    "ㄅㄉˇˋㄓˊ˙ㄚㄞㄢㄦ",
    "ㄆㄊㄍㄐㄔㄗㄧㄛㄟㄣ",
    "ㄇㄋㄎㄑㄕㄘㄨㄜㄠㄤ",
    "ㄈㄌㄏㄒㄖㄙㄩㄝㄡㄥ",
)
"""The Taiwanese (大千) layout: columns as on a Zhuyin keyboard, the tones in the top row; the
first tone is left unmarked (Space takes the best candidate)."""
NUMERIC_ROWS = (
    "123",
    "456",
    "789",
)

# Special keys: (id, message shown on the key). Messages go through the translator.
SPACE = "space"
DELETE = "delete"
SHIFT = "shift"
SYMBOLS = "symbols"
LETTERS = "letters"
NEWLINE = "newline"
MODE = "mode"
SPECIAL_KEYS = (SPACE, DELETE, SHIFT, SYMBOLS, LETTERS, NEWLINE, MODE)
PLUS = "+"
MAX_CANDIDATES_SHOWN = 12
ZERO = "0"


class KeyButton(KButton):
    """One key; `key` is the character it types or one of the special key ids."""

    key = StringProperty("")
    special = BooleanProperty(False)


class CandidateButton(KButton):
    index = ObjectProperty(0)


class OnScreenKeyboard(BoxLayout):
    """The keyboard; types into `target` (a TextField) through `input_method`.

    `layout` is 'qwerty' for text and 'numeric' for phone numbers; the screen sets it from the
    focused field. `input_mode` is 'pinyin' (Chinese) or 'direct' (English); it follows the
    visitor's language when `chinese_default` is set, and the 中/EN key toggles it.
    """

    layout = OptionProperty("qwerty", options=("qwerty", "symbols", "numeric"))
    target = ObjectProperty(None, allownone=True)
    input_method = ObjectProperty(None)
    input_mode = OptionProperty("direct", options=("direct", "pinyin", "zhuyin"))
    chinese_default = BooleanProperty(True)
    """Start in the visitor's language: pinyin for zh_CN, Zhuyin for zh_TW, English for en. A
    screen turns it off only where nobody types Chinese."""
    shifted = BooleanProperty(False)
    allow_newline = BooleanProperty(True)
    composition = StringProperty("")
    """The letters being composed, syllables apart ("xing'ba'ke"), as the strip shows them."""
    pending = StringProperty("")
    """What is being composed as a search reads it (pinyin letters, for Zhuyin too): search
    fields search committed text plus these."""
    candidates = ListProperty([])
    language = StringProperty("")
    """Bound to the app's language so the special keys relabel when it changes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._direct = DirectInput()
        self._pinyin: PinyinInput | None = None
        self._zhuyin: ZhuyinInput | None = None
        self._context_key: tuple | None = None
        self._built_rows: list[list[str]] = []
        self._posted = False
        self._set_up = False
        if self.input_method is None:
            self.input_method = self._direct

    def on_kv_post(self, base_widget) -> None:
        """Once the kv rule has made the rows container (ids.rows), the keys and the input method
        are set up before the next frame, or when the keyboard joins a layout if its screen keeps
        it aside until needed (home, until the visitor searches): the kiosk's first frame does
        not wait for keys nobody sees, nor for the pinyin dictionaries."""
        self.bind(layout=self._build_keys, shifted=self._relabel, allow_newline=self._build_keys,
                  language=self._language_changed, chinese_default=self._language_changed,
                  input_mode=self._mode_changed)
        self._posted = True
        Clock.schedule_once(lambda dt: self._set_up_if_shown(), -1)

    def on_parent(self, widget, parent) -> None:
        if parent is not None and self._posted:
            self._set_up_if_shown()

    def _set_up_if_shown(self) -> None:
        if self._set_up or self.parent is None:
            return
        self._set_up = True
        self._build_keys()
        self._language_changed()

    # ---------------------------------------------------------------- modes
    def _language_changed(self, *args) -> None:
        if not self._set_up:
            return
        self.input_mode = self._native_mode() if self.chinese_default else "direct"
        self._mode_changed()
        self._relabel()

    def _native_mode(self) -> str:
        """The visitor's own input: Zhuyin in Taiwan, pinyin for Simplified, else English."""
        if self.language == "zh_TW":
            return "zhuyin"
        return "pinyin" if self.language.startswith("zh") else "direct"

    def _mode_changed(self, *args) -> None:
        method: InputMethod
        if self.input_mode == "zhuyin":
            method = self._zhuyin_method()
        elif self.input_mode == "pinyin":
            method = self._pinyin_method()
        else:
            method = self._direct
        if isinstance(method, PinyinInput):
            method.traditional = self.language == "zh_TW"
            self._refresh_context(method)
        if self.input_method is not method:
            self.input_method.reset()
            self.input_method = method
        self._sync_candidates()
        if "rows" in self.ids and self._rows() != self._built_rows:
            self._build_keys()  # Zhuyin has its own keys
        else:
            self._relabel()

    def _pinyin_method(self) -> PinyinInput:
        if self._pinyin is None:
            self._pinyin = PinyinInput()
            self._load_lexicon()
        return self._pinyin

    def _zhuyin_method(self) -> ZhuyinInput:
        if self._zhuyin is None:
            self._zhuyin = ZhuyinInput()
            self._load_lexicon()
        return self._zhuyin

    @staticmethod
    def _load_lexicon() -> None:
        """The dictionary takes a moment to load: do it now, not on the first key."""
        threading.Thread(target=PinyinLexicon.shared, name="pinyin-lexicon", daemon=True).start()

    def _refresh_context(self, method: PinyinInput) -> None:
        """The mall's own names, offered first among the candidates."""
        app = App.get_running_app()
        index = getattr(app, "index", None)
        key = (getattr(app, "content_version", None), method.traditional, type(method))
        if index is None or key == self._context_key:
            return
        self._context_key = key
        language = "zh_TW" if method.traditional else "zh_CN"
        named = [*index.stores, *index.categories, *index.content.facilities]
        method.set_context_words(thing.name.get(language) for thing in named)

    def toggle_mode(self) -> None:
        """The mode key (注 → 中 → EN for zh_TW, 中 ↔ EN otherwise): what was being composed is
        kept as typed."""
        committed = self.input_method.press("\n") if self.input_method.composition else ""
        if committed and self.target is not None:
            self.target.insert(committed)
        modes = ("zhuyin", "pinyin", "direct") if self.language == "zh_TW" else ("pinyin", "direct")
        position = modes.index(self.input_mode) if self.input_mode in modes else -1
        self.input_mode = modes[(position + 1) % len(modes)]

    # ---------------------------------------------------------------- building
    def _tr(self, message: str) -> str:
        app = App.get_running_app()
        return app.tr(message) if app is not None else message

    def _rows(self) -> list[list[str]]:
        if self.layout == "numeric":
            return [list(row) for row in NUMERIC_ROWS] + [[PLUS, ZERO, DELETE]]
        zhuyin = self.layout == "qwerty" and self.input_mode == "zhuyin"
        letters = ZHUYIN_ROWS if zhuyin else LETTER_ROWS if self.layout == "qwerty" else SYMBOL_ROWS
        rows = [list(row) for row in letters]
        if zhuyin:
            rows[-1].append(DELETE)
        else:
            rows[-1] = [SHIFT if self.layout == "qwerty" else SYMBOLS + ":spacer", *rows[-1], DELETE]
        punctuation = ("，", "。") if zhuyin else (",", ".")
        bottom = [SYMBOLS if self.layout == "qwerty" else LETTERS, MODE, punctuation[0], SPACE, punctuation[1]]
        if self.allow_newline:
            bottom.append(NEWLINE)
        rows.append(bottom)
        return rows

    def _label(self, key: str) -> str:
        if key == SPACE:
            return self._tr("Space")
        if key == DELETE:
            return self._tr("Delete")
        if key == NEWLINE:
            return self._tr("New line")
        if key == SHIFT:
            return "⇧"
        if key == SYMBOLS:
            return "?123"
        if key == LETTERS:
            return "ABC"
        if key == MODE:
            return {"zhuyin": "注", "pinyin": "中"}.get(self.input_mode, "EN")
        if self.layout == "qwerty" and self.shifted and key.isalpha():
            return key.upper()
        return key

    def _build_keys(self, *args) -> None:
        if not self._set_up:
            return
        container = self.ids.rows
        discard_children(container)
        self._built_rows = self._rows()
        for row in self._built_rows:
            line = BoxLayout(orientation="horizontal", spacing=self.spacing)
            for key in row:
                if key.endswith(":spacer"):
                    line.add_widget(KeyButton(key="", special=True, disabled=True, opacity=0, size_hint_x=1.5))
                    continue
                special = key in SPECIAL_KEYS
                button = KeyButton(key=key, special=special, text=self._label(key))
                if key == SPACE:
                    button.size_hint_x = 4
                elif special:
                    button.size_hint_x = 1.5
                button.bind(on_release=self._on_key)
                line.add_widget(button)
            container.add_widget(line)

    def _relabel(self, *args) -> None:
        if "rows" not in self.ids:
            return
        for line in self.ids.rows.children:
            for button in line.children:
                if isinstance(button, KeyButton) and button.key:
                    button.text = self._label(button.key)

    # ---------------------------------------------------------------- typing
    def _on_key(self, button: KeyButton) -> None:
        key = button.key
        if key == SHIFT:
            self.shifted = not self.shifted
            return
        if key == SYMBOLS:
            self.layout = "symbols"
            return
        if key == LETTERS:
            self.layout = "qwerty"
            return
        if key == MODE:
            self.toggle_mode()
            return
        if key == DELETE:
            self.press_backspace()
            return
        if key == SPACE:
            self.type_text(" ")
            return
        if key == NEWLINE:
            self.type_text("\n")
            return
        text = key.upper() if (self.shifted and self.layout == "qwerty") else key
        self.type_text(text)
        if self.shifted:
            self.shifted = False

    def type_text(self, key: str) -> None:
        """Feed one key (or a run of text) through the input method into the target."""
        if self.target is None:
            return
        committed = "".join(self.input_method.press(character) for character in key) if len(key) > 1 \
            else self.input_method.press(key)
        if committed:
            self.target.insert(committed)
        self._sync_candidates()

    def press_backspace(self) -> None:
        if self.target is None:
            return
        if self.input_method.backspace():
            self._sync_candidates()
            return
        self.target.backspace()

    def choose_candidate(self, index: int) -> None:
        committed = self.input_method.choose(index)
        if committed and self.target is not None:
            self.target.insert(committed)
        self._sync_candidates()

    def reset_input(self) -> None:
        self.input_method.reset()
        self.shifted = False
        self._sync_candidates()

    def start_over(self) -> None:
        """For the next visitor: nothing composing, and back in their language's input method
        (the last one may have switched to English)."""
        self.reset_input()
        self.layout = "qwerty"
        self._language_changed()

    def _sync_candidates(self) -> None:
        method = self.input_method
        shown = getattr(method, "syllables_shown", None)
        self.composition = shown() if shown is not None else method.composition
        self.candidates = list(method.candidates)
        self.pending = method.search_text()

    def on_candidates(self, instance, candidates: list[str]) -> None:
        strip = self.ids.candidates
        discard_children(strip)
        app = App.get_running_app()
        scale = app.u if app is not None else 1.0
        for index, candidate in enumerate(candidates[:MAX_CANDIDATES_SHOWN]):
            width = text_width(candidate, scale * theme.TEXT_LARGE) + scale * 48
            button = CandidateButton(text=candidate, index=index, width=max(scale * 96, width))
            button.bind(on_release=lambda b: self.choose_candidate(b.index))
            strip.add_widget(button)
        if strip.parent is not None and hasattr(strip.parent, "scroll_x"):
            strip.parent.scroll_x = 0

    def key_button(self, key: str) -> KeyButton | None:
        """The button that types `key` (tests tap it like a visitor)."""
        self._set_up_if_shown()
        for line in self.ids.rows.children:
            for button in line.children:
                if isinstance(button, KeyButton) and button.key == key:
                    return button
        return None
