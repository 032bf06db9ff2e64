"""The footer's "Ask for help" button and the panel that answers it, on every screen.

A press files a help request (kiosk/assistance.py: the durable outbox first), then tries the
server at once on a thread of its own; the panel says, in the visitor's language, what happened:
staff have been asked to come to this kiosk (named by its place), or the network is down, the
request goes when it is back, and meanwhile any member of staff or the service desk can help.
A second press while a request is open says it has already been asked, and files nothing.
While the panel is shown, it follows the request: the same request is sent again every
FOLLOW_SECONDS (the server is idempotent on its id and answers with its state), so when a
member of staff answers "I'm on my way" at the desk, the waiting visitor is told.
"""
from __future__ import annotations

import threading
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout

from kiosk import assistance
from kiosk.store import LocalStore
from screens.base import load_kv_once
from sync.protocol import AssistanceStatus

load_kv_once(Path(__file__).with_name("help_button.kv"))

PANEL_STATES = ("sending", "sent", "on_the_way", "offline")
FOLLOW_SECONDS = 5.0
"""How often a shown panel asks whether staff have answered: a visitor waits by the kiosk."""


def _place(index, level_id: str, name: str) -> str:
    """"1F · Main entrance"; just the name when it already starts with the floor ("1F 正门大堂")."""
    level = index.level(level_id)
    floor = level.short_name if level is not None else ""
    return name if not floor or name.startswith(floor) else f"{floor} · {name}"


class HelpButton(ButtonBehavior, BoxLayout):
    """The service-desk icon and "Ask for help"; a press opens the HelpPanel."""

    def on_release(self) -> None:
        app = App.get_running_app()
        if app is None or app.root is None:
            return
        HelpPanel.of(app).ask()


class HelpPanel(FloatLayout):
    """A dimmed layer with the answer to a help request, above the screens, below an emergency
    and the idle warning."""

    state = OptionProperty("sending", options=PANEL_STATES)
    already_asked = BooleanProperty(False)
    place = StringProperty("")
    """Where this kiosk stands, in the visitor's language ("1F · Main entrance")."""
    desk_place = StringProperty("")
    """The service desk's floor and name, for the offline advice."""
    title_text = StringProperty("")
    message_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._following = None
        self._request_id = ""
        self.bind(state=self._retell, already_asked=self._retell, place=self._retell, desk_place=self._retell)
        App.get_running_app().bind(language=self._retell)

    def _retell(self, *args) -> None:
        language = App.get_running_app().language
        self.title_text, self.message_text = self.title(language), self.message(language)

    @classmethod
    def of(cls, app) -> HelpPanel:
        """The app's panel, made the first time (one for the app's life)."""
        panel = getattr(app, "help_panel", None)
        if panel is None:
            panel = cls()
            app.help_panel = panel
            app.bind(screen_name=lambda *args: panel.close())  # the visitor moved on, or left
        return panel

    # ---------------------------------------------------------------- showing
    def open(self) -> None:
        app = App.get_running_app()
        if self.parent is None:
            root = app.root
            # Below the emergency overlay and the idle warning (children[0] is drawn on top): an
            # emergency and "Are you still there?" must be seen over it.
            above = [root.children.index(overlay) for overlay in (getattr(app, "broadcast_overlay", None),
                                                                   getattr(app, "idle_overlay", None))
                     if overlay is not None and overlay in root.children]
            root.add_widget(self, index=max(above) + 1 if above else 0)

    def close(self) -> None:
        self._stop_following()
        if self.parent is not None:
            self.parent.remove_widget(self)

    @property
    def shown(self) -> bool:
        return self.parent is not None

    # ---------------------------------------------------------------- asking
    def ask(self) -> None:
        app = App.get_running_app()
        self.read_places(app)
        filed = assistance.ask(app.store, app.language, now=app.now())
        self.already_asked = filed.already_asked
        self.open()
        self._retell()
        self._request_id = filed.id
        if filed.already_asked and filed.delivery == assistance.Delivery.SENT:
            self.state = "sent"
            self._follow()
            return
        self.state = "sending"
        if app.identity is None:  # not enrolled: nothing to send to; the outbox keeps it
            self.state = "offline"
            return
        self._start_sending()

    def _start_sending(self) -> None:
        app = App.get_running_app()
        threading.Thread(target=self._send, args=(app.store.path, app.identity, self._request_id),
                         name="concierge-help", daemon=True).start()

    def _send(self, store_path: Path, identity, request_id: str) -> None:
        store = LocalStore(store_path)  # sqlite connections belong to one thread: our own
        try:
            receipt = assistance.send_now(store, identity, request_id)
        finally:
            store.close()
        Clock.schedule_once(lambda dt: self._answered(receipt), 0)

    def _answered(self, receipt) -> None:
        if not self.shown:
            return  # the visitor left while the answer was on its way
        if receipt is None:
            if self.state != "sent":  # a missed follow-up does not take back "staff have been asked"
                self.state = "offline"
        elif receipt.status == AssistanceStatus.ACKNOWLEDGED:
            self.state = "on_the_way"
        else:
            self.state = "sent"
        if self.state == "sent":
            self._follow()
        else:
            self._stop_following()

    def _follow(self) -> None:
        """Ask again in a while whether someone is coming (once a request has reached the desk)."""
        if self._following is None:
            self._following = Clock.schedule_interval(lambda dt: self._start_sending(), FOLLOW_SECONDS)

    def _stop_following(self) -> None:
        if self._following is not None:
            self._following.cancel()
            self._following = None

    def read_places(self, app) -> None:
        """This kiosk's place and the service desk's, from the content, in the visitor's language."""
        index = getattr(app, "index", None)
        point = app.kiosk_point() if index is not None else None
        self.place = _place(index, point.level_id, app.text(point.name)) if point is not None else ""
        desk = index.service_desk() if index is not None else None
        self.desk_place = _place(index, desk.level_id, app.text(desk.name)) if desk is not None else ""

    # ---------------------------------------------------------------- what it says
    def message(self, language: str) -> str:
        """The panel's text for its state, in `language` (whole sentences: each language orders them)."""
        app = App.get_running_app()
        place = self.place or app.tr("this kiosk", language)
        if self.state == "sending":
            return app.tr("Asking the service desk to come to this kiosk…", language)
        if self.state == "on_the_way":
            return app.tr("Staff have been asked to come to this kiosk: {place}. A member of staff is on the way: "
                          "please wait here.", language).format(place=place)
        if self.state == "sent":
            return app.tr("Staff have been asked to come to this kiosk: {place}. Please wait here.",
                          language).format(place=place)
        if self.desk_place:
            return app.tr("The network is down just now: your request will reach the service desk when it is "
                          "back. Meanwhile, please ask any member of staff, or go to the service desk: {place}.",
                          language).format(place=self.desk_place)
        return app.tr("The network is down just now: your request will reach the service desk when it is back. "
                      "Meanwhile, please ask any member of staff, or go to the service desk.", language)

    def title(self, language: str) -> str:
        app = App.get_running_app()
        if self.already_asked:
            return app.tr("You have already asked for help", language)
        if self.state == "offline":
            return app.tr("Your request is waiting for the network", language)
        return app.tr("Help is coming", language) if self.state != "sending" else app.tr("Ask for help", language)

    # A touch anywhere on the dimmed layer stays with it (nothing behind it reacts).
    def on_touch_down(self, touch):
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch):
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch):
        super().on_touch_up(touch)
        return True
