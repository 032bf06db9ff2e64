"""The staff maintenance screen: a PIN pad first, then the kiosk's status, a network test, sync
now, re-enrolment, the log's last lines, the content download's progress and a restart.

Staff open it with five taps on the mall's name in the header within three seconds
(`KioskApp.staff_tap`); without a maintenance PIN set (`python -m kiosk maintenance-pin`, or
the fleet console's `set_maintenance_pin`) the taps do nothing. The pad is a plain staff
sign-in in the visitor's language: it says nothing of what lies behind it, nor of the lock-out
after five wrong PINs. Every time the screen is shown it asks for the PIN again; two minutes
without a touch return to the visitor screens (screens/app.py). Nothing here leads out of the
app: "Restart the app" stops it and its service starts it again.

Reading the status re-hashes the content files, and the network test and re-enrolment wait on
the network: all three run on a thread of their own with their own store connection, and hand
their result to the UI thread through the Clock.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk import APP_VERSION
from kiosk.logfile import log_excerpt
from kiosk.maintenance import (
    KioskStatus,
    NetworkTest,
    PinCheck,
    ReenrolRefused,
    check_pin,
    kiosk_status,
    network_test,
    reenrol,
)
from kiosk.store import LocalStore
from screens.base import KioskScreen
from screens.getting_ready import DownloadBar  # noqa: F401 - the kv rule uses it
from venue.i18n import N_

MAX_PIN_DIGITS = 12
RESTART_DELAY_S = 3.0
"""After a re-enrolment, time to read that it worked before the app restarts with it."""
STATUS_ROWS = (
    ("kiosk_code", N_("Kiosk code")), ("mall", N_("Mall")), ("location", N_("Location")),
    ("server", N_("Server")), ("app_version", N_("App version")), ("content_version", N_("Content version")),
    ("content_files", N_("Content files")), ("outbox", N_("Cases waiting")), ("refused", N_("Cases refused")),
    ("events", N_("Usage events waiting")), ("connection", N_("Connection")),
    ("last_contact", N_("Last contact")), ("last_error", N_("Last error")), ("disk_free", N_("Free disk")),
    ("uptime", N_("Running for")),
)
"""The status page's rows: key and label (a message id, translated when shown)."""


class MaintenanceScreen(KioskScreen):
    page = StringProperty("pin")
    """"pin" (the staff sign-in), "status" or "enrol"."""
    pin = StringProperty("")
    pin_message = StringProperty("")
    network_message = StringProperty("")
    action_message = StringProperty("")
    enrol_message = StringProperty("")
    log_text = StringProperty("")
    busy = BooleanProperty(False)
    """A network test or a re-enrolment is running (their buttons wait)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Staff sign-in")
        self.shows_back = False
        self.status: KioskStatus | None = None
        self.values: dict[str, str] = {}
        """The status page's shown values by row key (STATUS_ROWS)."""
        self._generation = 0
        """Bumped when the screen is left: a thread's late result for an earlier visit is dropped."""

    # ---------------------------------------------------------------- the hooks
    def prepare(self, **params) -> None:
        self.reset()

    def reset(self) -> None:
        self._generation += 1
        self.page = "pin"
        self.title_message = N_("Staff sign-in")
        self.pin = self.pin_message = self.network_message = self.action_message = ""
        self.enrol_message = self.log_text = ""
        self.busy = False
        self.status, self.values = None, {}
        if self.ids:
            self.ids.server_field.value = self.ids.code_field.value = ""
            self._build_rows()

    def on_page(self, instance, page: str) -> None:
        if self.ids:
            self.ids.pages.current = page

    def refresh(self) -> None:
        if self.page != "pin":
            self._build_rows()

    # ---------------------------------------------------------------- the PIN pad
    def press_digit(self, digit: str) -> None:
        if len(self.pin) < MAX_PIN_DIGITS:
            self.pin += digit
        self.pin_message = ""

    def delete_digit(self) -> None:
        self.pin = self.pin[:-1]

    def sign_in(self) -> None:
        if not self.pin:
            return
        result = check_pin(self.app.store, self.pin)
        self.pin = ""
        if result is PinCheck.RIGHT:
            self.page = "status"
            self.title_message = N_("Kiosk maintenance")
            self.app.screen_title = self.title_message
            self.load_status()
        elif result is PinCheck.WRONG:
            self.pin_message = N_("That PIN is not right.")
        else:  # locked, or the PIN was removed meanwhile: the same words, no details
            self.pin_message = N_("Please try again later.")

    # ---------------------------------------------------------------- the status page
    def load_status(self) -> None:
        """Read the status (off the UI thread: the content files are re-hashed) and the log."""
        agent = self.app.agent
        self._in_background(lambda store: kiosk_status(store, APP_VERSION, agent), self._show_status)
        self.log_text = "\n".join(log_excerpt(self.app.kiosk_config.data_dir)) or self.tr("No log file yet.")

    def _show_status(self, status: KioskStatus) -> None:
        self.status = status
        self._build_rows()

    def _build_rows(self) -> None:
        from kivy.factory import Factory

        grid = self.ids.status_rows
        grid.clear_widgets()
        status = self.status
        self.values = self._values(status) if status is not None else {}
        for key, label in STATUS_ROWS:
            grid.add_widget(Factory.StatusName(text=self.tr(label)))
            grid.add_widget(Factory.StatusValue(text=self.values.get(key, "…")))

    def _values(self, status: KioskStatus) -> dict[str, str]:
        tr, identity = self.tr, status.identity
        not_enrolled = tr("not enrolled")
        if status.content_version is None:
            content = tr("none installed")
        else:
            content = str(status.content_version)
        if status.online is None:
            connection = tr("not yet known")
        else:
            connection = tr("online") if status.online else tr("offline")
        files = (tr("all present and intact") if not (status.damaged_blobs or status.missing_blobs)
                 else tr("{damaged} damaged, {missing} missing").format(damaged=status.damaged_blobs,
                                                                      missing=status.missing_blobs))
        return {
            "kiosk_code": identity.kiosk_code if identity else not_enrolled,
            "mall": identity.mall_id if identity else not_enrolled,
            "location": (identity.location_id or "-") if identity else not_enrolled,
            "server": identity.server_url if identity else not_enrolled,
            "app_version": status.app_version,
            "content_version": content,
            "content_files": files,
            "outbox": str(status.outbox_depth),
            "refused": str(status.refused_cases),
            "events": str(status.queued_events),
            "connection": connection,
            "last_contact": self._moment(status.last_contact_at) if status.last_contact_at else tr("never"),
            "last_error": status.last_error or tr("none"),
            "disk_free": (f"{status.disk_free_bytes / 1e9:.1f} GB" if status.disk_free_bytes is not None
                          else tr("unknown")),
            "uptime": (tr("{hours} h {minutes} min").format(hours=int(status.uptime_s // 3600),
                                                            minutes=int(status.uptime_s % 3600 // 60))
                       if status.uptime_s is not None else tr("unknown")),
        }

    def _moment(self, moment: datetime) -> str:
        index = self.app.index
        local = index.local_time(moment) if index is not None else moment.astimezone()
        return local.strftime("%Y-%m-%d %H:%M:%S")

    # ---------------------------------------------------------------- the actions
    def test_network(self) -> None:
        identity = self.app.identity
        if identity is None:
            self.network_message = self.tr("This kiosk is not enrolled.")
            return
        self.busy = True
        self.network_message = self.tr("Testing the network…")
        self._in_background(lambda store: network_test(store, identity, APP_VERSION), self._show_network_test)

    def _show_network_test(self, result: NetworkTest) -> None:
        self.busy = False
        if result.ok:
            text = self.tr("Reached the server in {ms} ms.").format(ms=round(result.latency_ms or 0))
            if result.offset_s is not None:
                text += " " + self.tr("Server clock offset: {seconds} s.").format(seconds=round(result.offset_s, 1))
            self.network_message = text
        elif result.status_code is not None:
            self.network_message = self.tr("The server answered {status}: {detail}").format(
                status=result.status_code, detail=result.error.strip()[:160])
        else:
            self.network_message = self.tr("Cannot reach the server: {detail}").format(detail=result.error[:160])

    def sync_now(self) -> None:
        from kiosk import outbox

        if self.app.agent is None:
            self.action_message = self.tr("This kiosk is not enrolled: there is nothing to sync with.")
            return
        outbox.retry_all_now(self.app.store)
        self.app.wake_agent()
        self.action_message = self.tr("Syncing now.")

    def restart_app(self) -> None:
        """Stop the app: its service (deploy/concierge-kiosk.service, Restart=always) starts it again."""
        self.action_message = self.tr("Restarting…")
        Clock.schedule_once(lambda dt: self.app.stop(), 0.5)

    def back_to_visitors(self) -> None:
        self.app.start_over()

    # ---------------------------------------------------------------- re-enrolment
    def open_enrol(self) -> None:
        self.page = "enrol"
        self.enrol_message = ""
        identity = self.app.identity
        self.ids.server_field.value = identity.server_url if identity is not None else ""
        self.focus("code")

    def close_enrol(self) -> None:
        self.page = "status"

    def focus(self, field: str) -> None:
        server, code, keyboard = self.ids.server_field, self.ids.code_field, self.ids.keyboard
        server.focused, code.focused = field == "server", field == "code"
        keyboard.reset_input()
        keyboard.target = server if field == "server" else code

    def enrol(self) -> None:
        server_url = self.ids.server_field.value.strip()
        code = self.ids.code_field.value.strip()
        if not server_url or not code:
            self.enrol_message = self.tr("Give the server URL and the enrolment code.")
            return
        self.busy = True
        self.enrol_message = self.tr("Enrolling…")

        def work(store: LocalStore) -> tuple[str, Any]:
            from kiosk.sync_agent import EnrollError

            try:
                return "enrolled", reenrol(store, server_url, code, APP_VERSION)
            except ReenrolRefused as refused:
                return "refused", refused
            except EnrollError as failed:
                return "failed", failed

        self._in_background(work, self._show_enrolment)

    def _show_enrolment(self, outcome: tuple[str, Any]) -> None:
        self.busy = False
        kind, detail = outcome
        if kind == "refused":
            self.enrol_message = self.tr(
                "{count} case(s) made as {code} are still waiting to be uploaded. Let the kiosk "
                "upload them first, then enrol it again.").format(count=detail.waiting, code=detail.kiosk_code)
        elif kind == "failed":
            self.enrol_message = self.tr("Enrolment failed: {detail}").format(detail=str(detail)[:200])
        else:  # the running sync agent still holds the old identity: a restart takes up the new one
            self.enrol_message = self.tr("Enrolled as {code}. The app restarts to use it.").format(
                code=detail.kiosk_code)
            Clock.schedule_once(lambda dt: self.app.stop(), RESTART_DELAY_S)

    # ---------------------------------------------------------------- helpers
    def _in_background(self, work: Callable[[LocalStore], Any], then: Callable[[Any], None]) -> None:
        """Run `work` with a store connection of its own on a thread; `then` its result on the UI
        thread, unless the screen was left meanwhile."""
        generation, path = self._generation, self.app.store.path

        def run() -> None:
            try:
                with LocalStore(path) as store:
                    result = work(store)
            except Exception:
                import logging

                logging.getLogger(__name__).exception("maintenance work failed")
                Clock.schedule_once(lambda dt: self._failed(generation), 0)
                return
            Clock.schedule_once(lambda dt: then(result) if generation == self._generation else None, 0)

        threading.Thread(target=run, name="concierge-maintenance", daemon=True).start()

    def _failed(self, generation: int) -> None:
        if generation == self._generation:
            self.busy = False
            self.action_message = self.tr("That did not work: see the kiosk log.")
