"""Buttons, text fields, check boxes and cards every screen uses (styled in widgets.kv).

They are plain Kivy widgets with the kiosk's own drawing: big rounded touch targets with a
visible pressed state, because a touch screen gives no hover and visitors need to see that a
tap landed.
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import escape_markup

from screens import theme
from screens.widgets.typeset import TypesetLabel

MAX_FIELD_CHARS = 20_000
"""A hard stop far above the protocol's limit: the visitor sees the 'too long' message with
the real count, yet a stuck key cannot grow the text without bound."""


def text_width(text: str, font_size: float, bold: bool = True) -> float:
    """How wide `text` renders in the app's current font (to size buttons to their words)."""
    from kivy.app import App
    from kivy.core.text import Label as CoreLabel

    app = App.get_running_app()
    font_name = app.font_name if app is not None else "Roboto"
    return CoreLabel(font_size=font_size, font_name=font_name, bold=bold).get_extents(text)[0]


def discard_children(parent) -> None:
    """Remove every child of `parent` for good, with the kv bindings of the whole subtree.

    A kv rule binds each widget to the app (`app.language`, `app.u`) through weak proxies; Kivy
    drops those bindings only when each widget is collected, one by one, so a language switch
    between a card's collection and its buttons' fired a rule of a dead card (ReferenceError).
    Unbinding the subtree first leaves nothing to fire."""
    for child in list(parent.children):
        for widget in child.walk(restrict=True):
            Builder.unbind_widget(widget.uid)
    parent.clear_widgets()


class KButton(ButtonBehavior, TypesetLabel):
    """A large rounded button; `background` while up, `background_down` while pressed."""

    background = ColorProperty(theme.PRIMARY)
    background_down = ColorProperty(theme.PRIMARY_PRESSED)
    foreground = ColorProperty(theme.ON_DARK)
    design_size = NumericProperty(theme.TEXT_LARGE)
    """Font size in design pixels; the kv rule scales it by the app's `u`."""
    radius = NumericProperty(theme.RADIUS)


class ChoiceButton(KButton):
    """One option of several (category, day, floor): `selected` shows which is chosen."""

    selected = BooleanProperty(False)
    value = StringProperty("")


class TickBox(ButtonBehavior, BoxLayout):
    """A big tick box with its sentence beside it; the whole row is the touch target."""

    checked = BooleanProperty(False)
    text = StringProperty("")
    error = BooleanProperty(False)

    def on_release(self) -> None:
        self.checked = not self.checked


class TextField(ButtonBehavior, TypesetLabel):
    """Shows what the visitor types on the on-screen keyboard; a tap gives it the focus.

    Editing happens at the end only (append and delete), like on a phone keyboard without a
    cursor; long text shows its tail so the visitor always sees what they are typing.
    """

    value = StringProperty("")
    hint = StringProperty("")
    focused = BooleanProperty(False)
    error = BooleanProperty(False)
    multiline = BooleanProperty(True)
    keyboard_layout = OptionProperty("qwerty", options=("qwerty", "numeric"))
    max_shown_chars = NumericProperty(400)
    caret_visible = BooleanProperty(True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.markup = True
        self._blink = Clock.schedule_interval(self._toggle_caret, 0.6)
        self.bind(value=self._render, hint=self._render, focused=self._render, caret_visible=self._render)
        Clock.schedule_once(lambda dt: self._render())

    def _toggle_caret(self, dt: float) -> None:
        if self.focused:
            self.caret_visible = not self.caret_visible

    def insert(self, text: str) -> None:
        if not text:
            return
        if not self.multiline:
            text = text.replace("\n", "")
        room = MAX_FIELD_CHARS - len(self.value)
        if room > 0:
            self.value += text[:room]
        self.caret_visible = True

    def backspace(self) -> None:
        if self.value:
            self.value = self.value[:-1]
        self.caret_visible = True

    def clear(self) -> None:
        self.value = ""

    def _render(self, *args) -> None:
        caret = "[color=#0B5C7A]|[/color]" if self.focused and self.caret_visible else (
            "[color=#00000000]|[/color]" if self.focused else ""
        )
        if not self.value:
            hint = escape_markup(self.hint)
            self.text = f"{caret}[color=#4A5260]{hint}[/color]" if hint else caret
            return
        shown = self.value
        if len(shown) > self.max_shown_chars:
            shown = "…" + shown[-int(self.max_shown_chars):]
        self.text = escape_markup(shown) + caret


class Card(BoxLayout):
    """A white panel with rounded corners that groups related content."""

    background = ColorProperty(theme.SURFACE)
    radius = NumericProperty(theme.RADIUS)


class TappableCard(ButtonBehavior, Card):
    """A card the visitor can tap (a promotion, a store row)."""


class StatusPill(TypesetLabel):
    """A coloured pill with a short status: "Open now", "Closed"."""

    pill_colour = ColorProperty(theme.SUCCESS)
