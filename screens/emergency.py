"""Notices and emergencies on the kiosk screen, above everything else.

An emergency covers the whole window — the touch screens, the attract loop, the idle warning —
in all three languages at once, and swallows every touch until it ends. When the map has a way
from this kiosk to its nearest exit, a large arrow points where to go (turned to the way the
kiosk faces), beside the exit sign and a small plan of the way; each language says it in one
sentence and the route's own steps. A notice is a banner across the top, in the visitor's
language (cycling through the three on the attract loop), that leaves the screen usable; an
urgent one (a lost child) is a large panel with the description. The overlay is the root
layout's last child, so it is drawn last and touched first.

What to show is decided by kiosk/broadcasts.py from the list the sync agent's broadcast poll
stored; the wall clock ends a broadcast at its expiry even offline. The first time a broadcast
is drawn, its "shown at" is queued for the server.
"""
from __future__ import annotations

import logging

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout

from kiosk import broadcasts
from kiosk.i18n import N_
from screens.widgets.evacuation import arrow_angle, distance_text
from sync.protocol import LANGUAGES, Broadcast

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 1.0
NOTICE_LANGUAGE_SECONDS = 5
EMERGENCY_HEADING = N_("Emergency")
NOTICE_HEADING = N_("Notice: {title}")
EXIT_HEADING = N_("Nearest exit: {exit}, {floor}")
NO_ROUTE = N_("Follow the exit signs and the staff.")
FIRST_DIRECTIONS = {
    "ahead": N_("Go straight ahead"),
    "left": N_("Go to your left"),
    "right": N_("Go to your right"),
    "behind": N_("Turn around"),
}
"""What the arrow says, relative to the kiosk's facing; the route's wording says the rest."""
MAX_LATER_STEPS = 2
"""Stairs and escalators listed after the first walk; the signs and staff guide the rest."""
URGENT_NOTICE_REASONS = frozenset({"lost_child"})
"""Notices shown as a large panel rather than a strip: someone must be found now."""


class EmergencyBlock(BoxLayout):
    """One language's part of the emergency."""

    block_language = StringProperty("zh_CN")
    title = StringProperty("")
    body = StringProperty("")
    way = StringProperty("")
    """The first direction in one sentence: "Turn around, then turn left at the fountain." """
    steps = StringProperty("")
    """The walk and the later steps of the route (or, without a map, "follow the signs")."""


class BroadcastOverlay(FloatLayout):
    emergency_shown = BooleanProperty(False)
    notice_shown = BooleanProperty(False)
    emergency_id = StringProperty("")
    notice_id = StringProperty("")
    titles = DictProperty({})
    """language → the emergency's title."""
    texts = DictProperty({})
    ways = DictProperty({})
    """language → the first direction's sentence ("" without a map)."""
    exit_lines = DictProperty({})
    """language → the walk to the nearest exit and the later steps, one per line."""
    has_way = BooleanProperty(False)
    arrow_angle = NumericProperty(0.0)
    """Clockwise from straight ahead (the kiosk's facing)."""
    exit_distance = StringProperty("")
    plan_shapes = ListProperty([])
    plan_route = ListProperty([])
    plan_heading = NumericProperty(0.0)
    plan_onward = StringProperty("")
    notice_title = StringProperty("")
    notice_text = StringProperty("")
    notice_language = StringProperty("zh_CN")
    notice_urgent = BooleanProperty(False)
    notice_photo = StringProperty("")
    """The photo's blob once the kiosk has it (the listener fetches it after the list)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._broadcasts: list[Broadcast] = []
        self._notice: Broadcast | None = None
        self._check = Clock.schedule_interval(lambda dt: self.refresh(), CHECK_INTERVAL_S)
        # Held here: `ids` keeps only weak references, and the panel leaves the tree while hidden.
        self._emergency_panel = self.ids.emergency_panel.__self__
        self.on_emergency_shown(self, self.emergency_shown)

    def on_emergency_shown(self, _overlay, shown: bool) -> None:
        """The emergency panel is in the widget tree only while shown: Kivy draws a widget at
        opacity 0 all the same, and this one covers the window (on a CPU renderer a third of
        every frame of every screen went to drawing it unseen)."""
        panel = getattr(self, "_emergency_panel", None)
        if panel is None:
            return  # the kv rule is still being applied
        if shown and panel.parent is None:
            self.add_widget(panel, index=len(self.children))  # under the notice banner, as in the kv
        elif not shown and panel.parent is self:
            self.remove_widget(panel)

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
            self._show_way()
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
        self.notice_urgent = notice.reason in URGENT_NOTICE_REASONS
        photo = notice.photo_sha256
        self.notice_photo = photo if photo and app.store.has_blob(photo) else ""
        self.notice_title = notice.title.get(language)
        self.notice_text = notice.text.get(language)
        self._acknowledge_after_drawing(notice.id)

    def _show_way(self) -> None:
        """The arrow, the plan and each language's sentences for the way to the nearest exit."""
        app = self.app
        point = app.kiosk_point()
        try:
            directions = broadcasts.exit_directions(app.content, point.id if point is not None else None)
        except Exception:  # a broken map must never keep the emergency off the screen
            log.exception("no route to the nearest exit")
            directions = None
        if directions is None:
            self.has_way = False
            self.ways = {language: "" for language in LANGUAGES}
            self.exit_lines = {language: app.tr(NO_ROUTE, language) for language in LANGUAGES}
            self.plan_route = []
            return
        level = next((level for level in app.content.levels if level.id == directions.level_id), None)
        self.plan_shapes = list(level.plan) if level is not None else []
        self.plan_heading = point.heading_deg if point is not None else 0.0
        self.plan_onward = directions.onward_floor
        self.plan_route = directions.walk_points
        self.arrow_angle = arrow_angle(directions.start_direction)
        self.exit_distance = distance_text(directions.metres)
        self.ways = {language: self._first_direction(directions, language) for language in LANGUAGES}
        self.exit_lines = {language: self._steps(directions, language) for language in LANGUAGES}
        self.has_way = True

    def _steps(self, directions: broadcasts.ExitDirections, language: str) -> str:
        """The first walk and the next stairs; the exit's name at the end when steps are left out."""
        tr = self.app.tr
        later = directions.later_steps[language]
        lines = [tr("{sentence}.", language).format(sentence=directions.walk[language]), *later[:MAX_LATER_STEPS]]
        if len(later) > MAX_LATER_STEPS:
            lines.append(tr(EXIT_HEADING, language).format(exit=directions.exit_name[language],
                                                            floor=directions.floor))
        return "\n".join(lines)

    def _first_direction(self, directions: broadcasts.ExitDirections, language: str) -> str:
        """"Turn around, then turn left at the fountain." in the route wording's punctuation."""
        tr = self.app.tr
        first = tr(FIRST_DIRECTIONS.get(directions.start_direction, FIRST_DIRECTIONS["ahead"]), language)
        then = directions.then[language]
        if then:
            return tr("{first}, {then}", language).format(first=first, then=then)
        return tr("{sentence}.", language).format(sentence=first)

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
