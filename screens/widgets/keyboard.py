"""The on-screen keyboard: letters (QWERTY), symbols, and a numeric pad for phone numbers.

Kivy's own VKeyboard has no input method, and Chinese visitors will need one. So key presses
do not go straight into the text field: they go through an `InputMethod`, which decides what
to commit. `DirectInput` commits every key as typed (Latin letters, digits, punctuation). A
pinyin input method will keep letters as a composition and offer candidates; the keyboard
already shows a candidate strip above the keys whenever the input method has a composition
or candidates, and a tap on a candidate commits it.
"""
from __future__ import annotations

from kivy.properties import (
    BooleanProperty,
    ListProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout

from screens.widgets.common import KButton


class InputMethod:
    """Turns key presses into committed text. Subclasses may compose (pinyin → 汉字)."""

    composition: str = ""
    """Keys typed but not yet turned into text (shown in the candidate strip)."""
    candidates: list[str] = []
    """Choices for the composition, best first."""

    def press(self, key: str) -> str:
        """Handle one key; returns the text to commit now ("" while composing)."""
        return key

    def backspace(self) -> bool:
        """True when the input method used the backspace (to shorten its composition)."""
        return False

    def choose(self, index: int) -> str:
        """Commit candidate `index`; returns its text."""
        return ""

    def reset(self) -> None:
        """Drop any composition (the field lost focus, the form was cleared)."""


class DirectInput(InputMethod):
    """Every key commits itself: Latin letters, digits and punctuation."""


LETTER_ROWS = (
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
)
"""Four rows in all, like a phone keyboard: digits and punctuation are one key (?123) away."""
SYMBOL_ROWS = (
    "1234567890",
    "@#%&*-+=()",
    "/:;'\"?!¥_",
)
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
PLUS = "+"
MAX_CANDIDATES_SHOWN = 8
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
    focused field.
    """

    layout = OptionProperty("qwerty", options=("qwerty", "symbols", "numeric"))
    target = ObjectProperty(None, allownone=True)
    input_method = ObjectProperty(None)
    shifted = BooleanProperty(False)
    allow_newline = BooleanProperty(True)
    composition = StringProperty("")
    candidates = ListProperty([])
    language = StringProperty("")
    """Bound to the app's language so the special keys relabel when it changes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.input_method is None:
            self.input_method = DirectInput()

    def on_kv_post(self, base_widget) -> None:
        """Build the keys once the kv rule has made the rows container (ids.rows)."""
        self.bind(layout=self._build_keys, shifted=self._relabel, allow_newline=self._build_keys,
                  language=self._relabel)
        self._build_keys()

    # ---------------------------------------------------------------- building
    def _tr(self, message: str) -> str:
        from kivy.app import App

        app = App.get_running_app()
        return app.tr(message) if app is not None else message

    def _rows(self) -> list[list[str]]:
        if self.layout == "numeric":
            return [list(row) for row in NUMERIC_ROWS] + [[PLUS, ZERO, DELETE]]
        letters = LETTER_ROWS if self.layout == "qwerty" else SYMBOL_ROWS
        rows = [list(row) for row in letters]
        rows[-1] = [SHIFT if self.layout == "qwerty" else SYMBOLS + ":spacer", *rows[-1], DELETE]
        bottom = [SYMBOLS if self.layout == "qwerty" else LETTERS, ",", SPACE, "."]
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
        if self.layout == "qwerty" and self.shifted and key.isalpha():
            return key.upper()
        return key

    def _build_keys(self, *args) -> None:
        container = self.ids.rows
        container.clear_widgets()
        for row in self._rows():
            line = BoxLayout(orientation="horizontal", spacing=self.spacing)
            for key in row:
                if key.endswith(":spacer"):
                    line.add_widget(KeyButton(key="", special=True, disabled=True, opacity=0, size_hint_x=1.5))
                    continue
                special = key in (SPACE, DELETE, SHIFT, SYMBOLS, LETTERS, NEWLINE)
                button = KeyButton(key=key, special=special, text=self._label(key))
                if key == SPACE:
                    button.size_hint_x = 4
                elif special:
                    button.size_hint_x = 1.5
                button.bind(on_release=self._on_key)
                line.add_widget(button)
            container.add_widget(line)

    def _relabel(self, *args) -> None:
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
        committed = self.input_method.press(key)
        self._sync_candidates()
        if committed:
            self.target.insert(committed)

    def press_backspace(self) -> None:
        if self.target is None:
            return
        if self.input_method.backspace():
            self._sync_candidates()
            return
        self.target.backspace()

    def choose_candidate(self, index: int) -> None:
        committed = self.input_method.choose(index)
        self._sync_candidates()
        if committed and self.target is not None:
            self.target.insert(committed)

    def reset_input(self) -> None:
        self.input_method.reset()
        self.shifted = False
        self._sync_candidates()

    def _sync_candidates(self) -> None:
        self.composition = self.input_method.composition
        self.candidates = list(self.input_method.candidates)

    def on_candidates(self, instance, candidates: list[str]) -> None:
        strip = self.ids.candidates
        strip.clear_widgets()
        for index, candidate in enumerate(candidates[:MAX_CANDIDATES_SHOWN]):
            button = CandidateButton(text=candidate, index=index)
            button.bind(on_release=lambda b: self.choose_candidate(b.index))
            strip.add_widget(button)

    def key_button(self, key: str) -> KeyButton | None:
        """The button that types `key` (tests tap it like a visitor)."""
        for line in self.ids.rows.children:
            for button in line.children:
                if isinstance(button, KeyButton) and button.key == key:
                    return button
        return None
