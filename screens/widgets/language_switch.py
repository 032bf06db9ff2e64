"""The 简 / EN / 繁 switch shown on every screen; a tap re-renders every text at once.

The labels are each language's own short name, the same whatever language is showing, so
they are not translated: a visitor who cannot read the current language must still find
their own.
"""
from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.widgets.common import ChoiceButton
from sync.protocol import LANGUAGES

LANGUAGE_BUTTON_LABELS = {"zh_CN": "简", "en": "EN", "zh_TW": "繁"}


class LanguageButton(ChoiceButton):
    language = StringProperty("")


class LanguageSwitch(BoxLayout):
    """Three buttons; the one of the current language is selected."""

    current = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for language in LANGUAGES:
            button = LanguageButton(language=language, text=LANGUAGE_BUTTON_LABELS[language])
            button.bind(on_release=self._choose)
            self.add_widget(button)
        self.bind(current=self._mark)
        self._mark()

    def _choose(self, button: LanguageButton) -> None:
        app = App.get_running_app()
        if app is not None:
            app.set_language(button.language)

    def _mark(self, *args) -> None:
        for button in self.children:
            button.selected = button.language == self.current

    def button_for(self, language: str) -> LanguageButton:
        return next(button for button in self.children if button.language == language)
