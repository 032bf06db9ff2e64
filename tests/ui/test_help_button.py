"""The footer's "Ask for help" button, on a kiosk whose server cannot be reached: the request is
kept in the durable outbox, the visitor is told honestly that it waits for the network and where
the service desk is, and pressing again does not file a second request. (Reaching the desk's
console with the server up: tests/e2e/test_help_request.py.)"""
from __future__ import annotations

import dataclasses
import json
import socket
import sqlite3

import pytest

from screens.widgets.help_button import HelpButton, HelpPanel

pytestmark = pytest.mark.ui


def help_rows(kiosk) -> list[tuple[str, str, str]]:
    with sqlite3.connect(kiosk.store_path) as connection:
        return connection.execute(
            "SELECT case_id, status, payload FROM outbox WHERE kind = 'assistance' ORDER BY created_at").fetchall()


@pytest.fixture
def unreachable_server(kiosk):
    """The kiosk's server is a port nobody listens on (refused at once, as a cut cable's router does)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    enrolled = kiosk.app.identity
    kiosk.app.identity = dataclasses.replace(enrolled, server_url=f"http://127.0.0.1:{port}")
    with sqlite3.connect(kiosk.store_path) as connection:
        connection.execute("DELETE FROM outbox WHERE kind = 'assistance'")
    yield kiosk
    kiosk.app.identity = enrolled
    panel = getattr(kiosk.app, "help_panel", None)
    if panel is not None:
        panel.close()


def footer_help_button(kiosk) -> HelpButton:
    buttons = [widget for widget in kiosk.app.root.walk() if isinstance(widget, HelpButton)]
    assert len(buttons) == 1, "one help button, in the footer"
    return buttons[0]


def press_and_wait(kiosk) -> HelpPanel:
    kiosk.tap(footer_help_button(kiosk))
    panel = kiosk.app.help_panel
    for _ in range(200):  # the direct attempt runs on its own thread; it answers within its timeouts
        if panel.state != "sending":
            break
        kiosk.driver.wait(0.05)
    kiosk.settle()
    return panel


def test_the_help_button_is_on_every_screen_in_the_visitors_language(kiosk):
    for screen, label in (("home", "求助"), ("directory", "求助"), ("map", "求助")):
        kiosk.app.show(screen)
        kiosk.settle()
        button = footer_help_button(kiosk)
        assert button.get_root_window() is not None and button.opacity == 1
        assert button.ids.label.text == label
    kiosk.app.set_language("en")
    kiosk.settle()
    assert footer_help_button(kiosk).ids.label.text == "Ask for help"
    kiosk.app.set_language("zh_TW")
    kiosk.settle()
    assert footer_help_button(kiosk).ids.label.text == "求助"


def test_offline_the_request_waits_in_the_outbox_and_the_visitor_is_told_where_the_desk_is(unreachable_server):
    kiosk = unreachable_server
    kiosk.app.show("directory")
    kiosk.app.set_language("en")
    kiosk.settle()

    panel = press_and_wait(kiosk)

    assert panel.shown and panel.state == "offline"
    assert panel.ids.title.text == "Your request is waiting for the network"
    message = panel.ids.message.text
    assert "your request will reach the service desk when it is back" in message
    assert "please ask any member of staff, or go to the service desk: " in message
    desk = kiosk.app.index.service_desk()
    assert desk.name.get("en") in message
    rows = help_rows(kiosk)
    assert len(rows) == 1 and rows[0][1] == "pending"
    assert json.loads(rows[0][2])["language"] == "en"

    kiosk.app.set_language("zh_CN")  # the panel follows a language switch
    kiosk.settle()
    assert "网络恢复后，您的求助会送到服务台" in panel.ids.message.text

    kiosk.tap(panel.ids.ok_button)
    kiosk.settle()
    assert not panel.shown


def test_pressing_again_says_it_has_been_asked_and_files_nothing_more(unreachable_server):
    kiosk = unreachable_server
    kiosk.app.show("directory")
    kiosk.settle()
    press_and_wait(kiosk)
    kiosk.tap(kiosk.app.help_panel.ids.ok_button)
    kiosk.settle()

    panel = press_and_wait(kiosk)

    assert panel.shown and panel.ids.title.text == "您已经求助过了"
    assert len(help_rows(kiosk)) == 1


def test_leaving_the_screen_or_the_visitor_going_closes_the_panel(unreachable_server):
    kiosk = unreachable_server
    kiosk.app.show("directory")
    kiosk.settle()
    panel = press_and_wait(kiosk)
    assert panel.shown

    kiosk.app.start_over()
    kiosk.settle()

    assert not panel.shown


def test_the_idle_warning_shows_over_the_panel(unreachable_server):
    kiosk = unreachable_server
    kiosk.app.show("directory")
    kiosk.settle()
    panel = press_and_wait(kiosk)

    kiosk.monotonic.advance(kiosk.app.idle.timeout_s - 5)
    kiosk.let_time_pass()

    overlay, on_top = kiosk.app.idle_overlay, kiosk.app.root.children
    assert overlay.shown and panel.shown
    assert on_top.index(overlay) < on_top.index(panel), "the warning is drawn over the help panel"


def test_in_the_accessibility_mode_the_panel_is_answered_within_reach(unreachable_server):
    from kivy.core.window import Window

    from screens.widgets.accessibility import min_target_px, reach_band

    kiosk = unreachable_server
    original = tuple(Window.size)
    Window.size = (1080, 1920)  # the default portrait panel: its upper part is out of reach
    kiosk.app.accessible = True
    kiosk.settle()
    try:
        panel = press_and_wait(kiosk)
        assert panel.shown and panel.state == "offline"
        ok_button = panel.ids.ok_button
        _x, bottom = ok_button.to_window(ok_button.x, ok_button.y)
        low, high = reach_band(tuple(Window.size))
        assert low <= bottom and bottom + ok_button.height <= high
        assert min(ok_button.size) >= min_target_px(tuple(Window.size))
        card_top = panel.ids.title.to_window(panel.ids.title.x, panel.ids.title.top)[1]
        assert card_top <= high  # the whole card, words and button, in the band
    finally:
        kiosk.app.accessible = False
        Window.size = original
        kiosk.settle()
