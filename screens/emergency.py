"""Notices and emergencies on the kiosk screen, above everything else.

An emergency covers the whole window — the touch screens, the attract loop, the idle warning —
in all three languages at once, with the way from this kiosk to its nearest exit when the map
has one, and swallows every touch until it ends. A notice is a banner across the top, in the
visitor's language (cycling through the three on the attract loop), that leaves the screen
usable. The overlay is the root layout's last child, so it is drawn last and touched first.

What to show is decided by kiosk/broadcasts.py from the list the sync agent's broadcast poll
stored; the wall clock ends a broadcast at its expiry even offline. The first time a broadcast
is drawn, its "shown at" is queued for the server.
"""
from __future__ import annotations

import logging

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout

from kiosk import broadcasts
from kiosk.i18n import N_
from sync.protocol import LANGUAGES, Broadcast

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 1.0
NOTICE_LANGUAGE_SECONDS = 5
EMERGENCY_HEADING = N_("Emergency")
NOTICE_HEADING = N_("Notice: {title}")
EXIT_HEADING = N_("Nearest exit: {exit}, {floor}")
NO_ROUTE = N_("Follow the exit signs and the staff.")


class EmergencyBlock(BoxLayout):
    """One language's part of the emergency."""

    block_language = StringProperty("zh_CN")
    title = StringProperty("")
    body = StringProperty("")
    way_out = StringProperty("")


class BroadcastOverlay(FloatLayout):
    emergency_shown = BooleanProperty(False)
    notice_shown = BooleanProperty(False)
    emergency_id = StringProperty("")
    notice_id = StringProperty("")
    titles = DictProperty({})
    """language → the emergency's title."""
    texts = DictProperty({})
    exit_lines = DictProperty({})
    """language → "Nearest exit: …" and the route's steps, one per line ("" without a map)."""
    notice_title = StringProperty("")
    notice_text = StringProperty("")
    notice_language = StringProperty("zh_CN")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._broadcasts: list[Broadcast] = []
        self._notice: Broadcast | None = None
        self._check = Clock.schedule_interval(lambda dt: self.refresh(), CHECK_INTERVAL_S)

    @property
    def app(self):
        return App.get_running_app()

    # ---------------------------------------------------------------- state
    def load_saved(self) -> None:
        """At start-up: what the last poll stored (an emergency survives a restart)."""
        saved, _etag = broadcasts.load_state(self.app.store)
        self.update(saved)

    def update(self, received: list[Broadcast]) -> None:
        """A new list from the server (through the Clock, on the UI thread)."""
        self._broadcasts = list(received)
        self.refresh()

    def refresh(self) -> None:
        app = self.app
        if app is None:
            return
        screen = broadcasts.on_screen(self._broadcasts, app.now())
        self._show_emergency(screen.emergency)
        self._show_notice(screen.notice)

    def _show_emergency(self, emergency: Broadcast | None) -> None:
        if emergency is None:
            self.emergency_shown = False
            self.emergency_id = ""
            return
        if emergency.id != self.emergency_id or not self.exit_lines:
            self.emergency_id = emergency.id
            self.titles = {language: emergency.title.get(language) for language in LANGUAGES}
            self.texts = {language: emergency.text.get(language) for language in LANGUAGES}
            self.exit_lines = self._exit_lines()
            self.app.idle_overlay.shown = False
        self.emergency_shown = True
        self._acknowledge_after_drawing(emergency.id)

    def _show_notice(self, notice: Broadcast | None) -> None:
        self._notice = notice
        self.notice_shown = notice is not None
        self.notice_id = notice.id if notice is not None else ""
        if notice is None:
            return
        app = self.app
        if app.screen_name == "attract":
            seconds = int(app.now().timestamp())
            language = LANGUAGES[(seconds // NOTICE_LANGUAGE_SECONDS) % len(LANGUAGES)]
        else:
            language = app.language
        self.notice_language = language
        self.notice_title = notice.title.get(language)
        self.notice_text = notice.text.get(language)
        self._acknowledge_after_drawing(notice.id)

    def _exit_lines(self) -> dict[str, str]:
        app = self.app
        point = app.kiosk_point()
        try:
            directions = broadcasts.exit_directions(app.content, point.id if point is not None else None)
        except Exception:  # a broken map must never keep the emergency off the screen
            log.exception("no route to the nearest exit")
            directions = None
        lines = {}
        for language in LANGUAGES:
            if directions is None:
                lines[language] = app.tr(NO_ROUTE, language)
                continue
            heading = app.tr(EXIT_HEADING, language).format(
                exit=directions.exit_name[language], floor=directions.floor)
            lines[language] = "\n".join([heading, *directions.steps[language][:4]])
        return lines

    def _acknowledge_after_drawing(self, broadcast_id: str) -> None:
        """Queue "shown at" once the frame with the broadcast has been drawn."""
        Clock.schedule_once(lambda dt: self._acknowledge(broadcast_id), 0)

    def _acknowledge(self, broadcast_id: str) -> None:
        app = self.app
        if broadcast_id not in (self.emergency_id, self.notice_id):
            return
        try:
            first_time = broadcasts.record_shown(app.store, broadcast_id, app.now())
        except Exception:
            log.exception("cannot record that broadcast %s was shown", broadcast_id)
            return
        listener = getattr(app.agent, "broadcasts", None)
        if first_time and listener is not None:
            listener.wake()

    # ---------------------------------------------------------------- touches
    # Nothing under an emergency may be used; a notice banner takes no touches at all.
    def on_touch_down(self, touch):
        return self.emergency_shown

    def on_touch_move(self, touch):
        return self.emergency_shown

    def on_touch_up(self, touch):
        return self.emergency_shown
