"""What every kiosk screen shares: lazy loading of its .kv file, and three hooks the app calls.

* `prepare(**params)` — before the screen is shown, with what navigation passed (a store id);
* `refresh()` — the content or the language changed: rebuild lists and texts made in Python;
* `reset()` — the visitor left (idle timeout, Done): forget everything they entered.
"""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

log = logging.getLogger(__name__)

_loaded_kv_files: set[Path] = set()


def load_kv_once(path: Path) -> None:
    """Load a .kv file the first time it is needed (loading twice would double its rules)."""
    path = Path(path).resolve()
    if path in _loaded_kv_files:
        return
    Builder.load_file(str(path))
    _loaded_kv_files.add(path)


class KioskScreen(Screen):
    """Base class of the screens; its module's same-named .kv file is loaded on first use."""

    title_message = StringProperty("")
    """The header's title (a message id, translated when shown); empty shows no title."""
    shows_back = BooleanProperty(True)
    """Whether the footer offers Back (not on home, nor on a receipt, whose form is gone)."""
    shows_chrome = BooleanProperty(True)
    """Header and footer; the attract loop is full screen."""
    refreshes_each_minute = False
    """Screens showing "open now" re-check it when the minute turns (a store closes at 22:00)."""

    @property
    def app(self):
        return App.get_running_app()

    def tr(self, message: str) -> str:
        return self.app.tr(message)

    def prepare(self, **params) -> None:
        """Called before the screen is shown; `params` come from the navigation call."""

    def refresh(self) -> None:
        """Content or language changed: rebuild what Python code put on the screen."""

    def reset(self) -> None:
        """Forget the visitor's input and selections."""


def create_screen(module_name: str, class_name: str, name: str) -> KioskScreen:
    """Import a screen's module, load its .kv file, and build the screen."""
    module = importlib.import_module(module_name)
    load_kv_once(Path(module.__file__).with_suffix(".kv"))
    screen_class = getattr(module, class_name)
    return screen_class(name=name)
