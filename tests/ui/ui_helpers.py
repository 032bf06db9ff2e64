"""Touching the kiosk the way a visitor does: find a widget, tap it."""
from __future__ import annotations

import sqlite3


def home_tile(kiosk, target: str):
    return next(tile for tile in kiosk.screen("home").ids.tiles.children if tile.target == target)


def kind_choice(kiosk, title_text: str):
    from screens.feedback import KindChoice

    screen = kiosk.screen("feedback")
    return next(w for w in screen.walk() if isinstance(w, KindChoice) and w.title == title_text)


def type_on_keyboard(kiosk, keyboard, text: str) -> None:
    from screens.widgets.keyboard import SPACE

    for character in text:
        button = keyboard.key_button(SPACE if character == " " else character.lower())
        assert button is not None, f"no key for {character!r} on the {keyboard.layout} layout"
        kiosk.tap(button)


def type_in_english(kiosk, keyboard, text: str) -> None:
    """Type Latin text as a Chinese-speaking visitor does: the mode key until EN, then the keys
    (every free-text field starts in the visitor's own input method)."""
    from screens.widgets.keyboard import MODE

    for _ in range(3):
        if keyboard.input_mode == "direct":
            break
        kiosk.tap(keyboard.key_button(MODE))
    assert keyboard.input_mode == "direct"
    type_on_keyboard(kiosk, keyboard, text)


def open_complaint_form(kiosk, category: str = "service_attitude"):
    kiosk.tap(home_tile(kiosk, "feedback"))
    assert kiosk.current == "feedback"
    kiosk.tap(kind_choice(kiosk, kiosk.app.tr("Complaint")))
    assert kiosk.current == "complaint_category"
    kiosk.tap(kiosk.screen("complaint_category").button_for(category))
    assert kiosk.current == "case_form"
    kiosk.settle()
    return kiosk.screen("case_form")


def outbox_rows(kiosk) -> list[tuple[str, str, str]]:
    """Read the outbox straight from the SQLite file, as another process would."""
    connection = sqlite3.connect(kiosk.store_path)
    try:
        return connection.execute("SELECT case_id, reference, payload FROM outbox ORDER BY created_at").fetchall()
    finally:
        connection.close()


def footer_switch(kiosk):
    """The 简 / EN / 繁 switch in the footer."""
    from screens.widgets.language_switch import LanguageSwitch

    return next(w for w in kiosk.app.root.walk() if isinstance(w, LanguageSwitch))
