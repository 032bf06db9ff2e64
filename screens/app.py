"""The kiosk's Kivy application: window set-up for an unattended touch screen, the app state
the screens bind to, navigation between lazily loaded screens, and the idle and receipt
timeouts.

The app draws only from the local store. The sync agent runs on its own thread; whatever it
reports is handed to the UI thread with `Clock.schedule_once`, and the app also checks the
store's active content version every few seconds, so new content shows even if a callback is
missed.
"""
from __future__ import annotations

import gc
import importlib
import importlib.util
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.config import KioskConfig
from kiosk.store import LocalStore
from kiosk.watchdog import feed as feed_watchdog
from sync.protocol import DEFAULT_LANGUAGE, LANGUAGES, I18nText

if TYPE_CHECKING:
    from kiosk.warmup import Preparation

log = logging.getLogger(__name__)

SCREENS_DIR = Path(__file__).resolve().parent
DESIGN_SHORT_SIDE = 1080
CONTENT_CHECK_INTERVAL_S = 2.0
TICK_INTERVAL_S = 0.5
SCREENSHOT_DELAY_S = 0.5
SCREENSHOT_MIN_FRAMES = 6

SCREEN_CLASSES: dict[str, tuple[str, str]] = {
    "attract": ("screens.attract", "AttractScreen"),
    "home": ("screens.home", "HomeScreen"),
    "directory": ("screens.directory", "DirectoryScreen"),
    "store": ("screens.store_page", "StorePageScreen"),
    "map": ("screens.floor_map", "FloorMapScreen"),
    "promotions": ("screens.promotions", "PromotionsScreen"),
    "feedback": ("screens.feedback", "FeedbackScreen"),
    "complaint_category": ("screens.complaint_category", "ComplaintCategoryScreen"),
    "case_form": ("screens.case_form", "CaseFormScreen"),
    "store_picker": ("screens.store_picker", "StorePickerScreen"),
    "receipt": ("screens.receipt", "ReceiptScreen"),
    "found": ("screens.found_item", "FoundItemScreen"),
    "item_form": ("screens.item_form", "ItemFormScreen"),
    "item_place": ("screens.item_place", "ItemPlaceScreen"),
    "facilities": ("screens.facilities", "FacilitiesScreen"),
    "getting_ready": ("screens.getting_ready", "GettingReadyScreen"),
    "maintenance": ("screens.maintenance", "MaintenanceScreen"),
}
"""Screen name → (module, class). A module is imported, and its .kv loaded, on first show."""

EAGER_WIDGET_MODULES = ("screens.widgets.common",)
"""Imported before any kv is read: it makes every Label a TypesetLabel (Chinese line breaking)."""
SHARED_WIDGET_MODULES = (
    "screens.widgets.keyboard", "screens.widgets.idle",
    "screens.widgets.language_switch", "screens.widgets.icons", "screens.widgets.floor_plan",
    "screens.widgets.qr", "screens.widgets.blob_image", "screens.widgets.store_list",
    "screens.widgets.accessibility", "screens.widgets.help_button",
)
"""Known to the kv Factory by their class names, each module imported when a kv rule first makes
one of its widgets: the first frame does not pay for the keyboard's dictionaries, the QR encoder
or the search index of screens nobody opened yet."""
_CLASS_LINE = re.compile(r"^class ([A-Z]\w*)\b", re.MULTILINE)
SCREENS_WITHOUT_CONTENT = frozenset({"getting_ready", "maintenance"})
SCREENS_WITHOUT_IDLE_WARNING = frozenset({"attract", "home", "getting_ready", "receipt", "maintenance"})
STAFF_TAPS = 5
STAFF_TAPS_WINDOW_S = 3.0
"""Five taps on the mall's name within 3 s open the staff sign-in (only when a PIN is set)."""
MAINTENANCE_IDLE_S = 120.0
"""The staff screens go back to the visitor screens after this long without a touch."""


def register_widget_modules(modules: tuple[str, ...]) -> None:
    """Tell the kv Factory which module defines each widget class of `modules`, without importing
    them: Kivy imports a module the first time a kv rule makes one of its widgets. The classes are
    read from the source (top-level `class Name`), so a widget added to a module needs no list."""
    from kivy.factory import Factory

    for module_name in modules:
        spec = importlib.util.find_spec(module_name)
        if spec is None or spec.origin is None:
            raise ImportError(f"no module {module_name}")
        source = Path(spec.origin).read_text(encoding="utf-8")
        for class_name in _CLASS_LINE.findall(source):
            Factory.register(class_name, module=module_name)  # ignored for a name already known


def configure_kivy(config: KioskConfig) -> None:
    """Kiosk settings that Kivy reads when it creates the window and the input providers.

    Must run before `kivy.core.window` is imported (importing this module does not import it).
    One input provider only: a touch screen
    that the system also reports as a mouse would otherwise fire every tap twice.
    """
    os.environ.setdefault("SDL_TOUCH_MOUSE_EVENTS", "0")  # no mouse events synthesised from touches
    # SDL would turn SIGTERM into a window-close request, which the kiosk refuses: systemd
    # could then never stop it. run_kiosk handles the signals itself.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    from kivy.config import Config

    width, height = config.window_size
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if config.fullscreen else "0")
    Config.set("graphics", "borderless", "1" if config.fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if config.fullscreen else "1")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "resizable", "0" if config.fullscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("kivy", "keyboard_mode", "system")
    for option in list(Config.options("input")):
        Config.remove_option("input", option)
    Config.set("input", "mouse", "mouse,disable_on_activity,disable_multitouch")


class KioskApp(App):
    """The kiosk. State the screens bind to is kept in Kivy properties on the app."""

    language = StringProperty(DEFAULT_LANGUAGE)
    font_name = StringProperty("Roboto")
    u = NumericProperty(1.0)
    """Scale: design pixels (1080 on the short side) to screen pixels."""
    landscape = BooleanProperty(True)
    content_version = NumericProperty(0)
    """The local id of the active content version; 0 before any content is installed."""
    has_content = BooleanProperty(False)
    mall_name = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    screen_name = StringProperty("")
    screen_title = StringProperty("")
    chrome_visible = BooleanProperty(True)
    can_go_back = BooleanProperty(False)
    service_desk_hint = StringProperty("")
    accessible = BooleanProperty(False)
    """The accessibility mode (the footer's symbol of access) is on, until the visitor leaves:
    touch targets in the reach band, the screen's words large above it, step-free routes."""
    read_aloud = BooleanProperty(False)
    """In the mode: each screen's words are spoken (off until the visitor turns it on)."""
    reach_top = NumericProperty(0)
    """Window y (px) of the top of the reach band on the stated panel (accessibility.reach_band)."""
    panel_landscape = BooleanProperty(True)
    """The window itself is wider than tall: the header and footer follow it, while `landscape`
    follows the screens' own area (in the accessibility mode a portrait panel's is wide)."""
    whole_panel_in_reach = BooleanProperty(False)
    """The reach band covers the whole window (a landscape panel): nothing needs to move down."""
    reading_text = StringProperty("")
    """The words of the screen shown, for the mode's reading panel and read-aloud."""
    notice_cover = NumericProperty(0)
    """How far down from the window's top a notice banner reaches (px; 0 while none shows):
    the home screen keeps the mall's name below it."""
    download_progress = NumericProperty(-1.0)
    """The content version downloading: 0–1 of its bytes fetched; -1 while none downloads."""

    use_kivy_settings = False

    def __init__(
        self,
        kiosk_config: KioskConfig,
        store: LocalStore,
        agent: Any = None,
        identity: Any = None,
        screenshots_dir: Path | None = None,
        start_behind: Callable[[], Any] | None = None,
        wall_clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        font_cache_dir: Path | None = None,
        **kwargs,
    ):
        from kiosk.i18n import get_translator
        from screens.widgets.idle import IdleWatcher

        super().__init__(**kwargs)
        self.kiosk_config = kiosk_config
        self.store = store
        self.agent = agent
        self.identity = identity
        self.start_behind = start_behind
        """What waits until the visitor sees the kiosk: run on a thread of its own after the first
        frame, it returns the sync agent to attach and start (not started yet), or None."""
        self.screenshots_dir = Path(screenshots_dir) if screenshots_dir else None
        self.wall_clock = wall_clock or (lambda: datetime.now(UTC))
        self.monotonic = monotonic
        self.font_cache_dir = font_cache_dir
        self.translator = get_translator()
        self.translator.set_language(self.language)
        self.idle = IdleWatcher(kiosk_config.idle_timeout_s, monotonic)
        self.receipt_shown_at: float | None = None
        self._reading_read = ""
        """The words last spoken by themselves (a new screen, a route's next step)."""
        self._reader: Any = None
        self.content = None
        self.index = None
        self.history: list[str] = []
        self._screens: dict[str, Any] = {}
        self._active_version_id: int | None = None
        self._screenshot_count = 0
        self._events: list[Any] = []
        self.first_frame_drawn = False
        self._staff_taps: list[float] = []
        self._idle_overlay: Any = None
        self._accessibility_chrome_built = False
        self.warmup: Preparation | None = None
        """The background preparation of the search index, routes and input methods, started
        after the first frame (and again for each new content version)."""
        self.title = "Concierge"

    # ---------------------------------------------------------------- start-up
    def build(self):
        # No cycle collection until the first frame: the start-up allocates a lot that lives
        # for good, and a full collection of it cost ~40 ms of that frame (_on_first_frame).
        gc.disable()
        from kivy.core.window import Window

        from screens import theme
        from screens.base import load_kv_once
        from screens.fonts import ensure_cjk_fonts, font_for, register_fonts

        register_fonts(ensure_cjk_fonts(self.font_cache_dir))
        self.font_name = font_for(self.language)
        for module in EAGER_WIDGET_MODULES:
            importlib.import_module(module)
        register_widget_modules(SHARED_WIDGET_MODULES)  # known by name before the kv names them
        load_kv_once(SCREENS_DIR / "widgets" / "widgets.kv")
        load_kv_once(SCREENS_DIR / "app.kv")
        from kivy.factory import Factory

        Window.clearcolor = theme.BACKGROUND
        Window.bind(size=self._on_window_size)
        self._on_window_size(Window, Window.size)
        root = Factory.KioskRoot()
        self.manager = root.ids.manager
        from kiosk import broadcasts

        self.broadcast_overlay = None
        saved, _etag = broadcasts.load_state(self.store)
        if saved:  # an emergency outlives a restart, offline too: on the first frame
            self._add_broadcast_overlay(root)
        return root

    def _add_broadcast_overlay(self, root) -> None:
        """The emergency and notice overlay. With nothing stored to show, it is built right after
        the first frame (it was the costliest widget of that frame)."""
        from screens.base import load_kv_once
        from screens.emergency import BroadcastOverlay

        load_kv_once(SCREENS_DIR / "emergency.kv")
        self.broadcast_overlay = BroadcastOverlay()
        root.add_widget(self.broadcast_overlay)  # the last child: drawn above everything, touched first
        banner = self.broadcast_overlay.ids.notice_banner
        banner.bind(height=self._on_notice_banner, opacity=self._on_notice_banner)
        self._on_notice_banner(banner)

    def _on_notice_banner(self, banner, *args) -> None:
        self.notice_cover = banner.height if banner.opacity > 0 else 0

    def on_start(self) -> None:
        from kivy.core.window import Window

        Window.bind(on_touch_down=self._on_any_touch, on_request_close=self._refuse_close,
                    on_key_down=self._on_any_key, on_flip=self._on_first_frame)
        self.reload_content()
        if self.broadcast_overlay is not None:
            self.broadcast_overlay.load_saved()
        self._events.append(Clock.schedule_interval(self._tick, TICK_INTERVAL_S))
        self._events.append(Clock.schedule_interval(lambda dt: self.reload_content(), CONTENT_CHECK_INTERVAL_S))
        self._connect_agent()
        if self.accessible:
            self._build_accessibility_chrome()
        self._tick(0)
        self.show("home" if self.has_content else "getting_ready", remember=False)

    def _on_first_frame(self, window) -> None:
        """The visitor sees the kiosk: now prepare, in the background, what their first tap or
        keystroke would otherwise wait for (it would have slowed the first frame down)."""
        window.unbind(on_flip=self._on_first_frame)
        self.first_frame_drawn = True
        feed_watchdog()  # READY=1 to systemd: the kiosk is up when its screen is
        gc.freeze()  # what the start-up made stays: later collections need not walk it again
        gc.enable()
        Clock.schedule_once(lambda dt: self._after_first_frame(), 0)

    def _after_first_frame(self) -> None:
        if self.broadcast_overlay is None:
            self._add_broadcast_overlay(self.root)
            self.broadcast_overlay.load_saved()
        self._prepare_ahead()
        if self.start_behind is not None:
            threading.Thread(target=self._run_start_behind, name="concierge-start", daemon=True).start()

    def _run_start_behind(self) -> None:
        try:
            agent = self.start_behind() if self.start_behind is not None else None
        except Exception:
            log.exception("the start-up checks behind the first frame failed")
            agent = None
        Clock.schedule_once(lambda dt: self.attach_agent(agent))

    def attach_agent(self, agent: Any) -> None:
        """Connect a sync agent made after the first frame, then start it; pick up a version the
        checks at rest went back to."""
        if agent is not None and self.agent is None:
            self.agent = agent
            self._connect_agent()
            agent.start()
        self.reload_content()

    def _prepare_ahead(self) -> None:
        from kiosk.warmup import prepare_in_background

        point = self.kiosk_point()
        self.warmup = prepare_in_background(self.content, self.index, point.id if point is not None else None)

    def on_stop(self) -> None:
        for event in self._events:
            event.cancel()
        if self.agent is not None:
            for attribute in ("on_content_changed", "on_commands", "on_availability", "on_progress"):
                if hasattr(self.agent, attribute):
                    setattr(self.agent, attribute, None)
            if getattr(self.agent, "broadcasts", None) is not None:
                self.agent.broadcasts.on_broadcasts = None

    def open_settings(self, *largs) -> bool:
        """No settings panel on a public kiosk (F1 would open Kivy's)."""
        return False

    def _refuse_close(self, *args, **kwargs) -> bool:
        """A visitor must not be able to close the kiosk (Alt+F4, a window manager's ×)."""
        return True

    def _on_window_size(self, window, size) -> None:
        from screens.widgets.accessibility import reach_band

        width, height = size
        self.u = max(0.3, min(width, height) / DESIGN_SHORT_SIDE)
        self.reach_top = reach_band((width, height))[1]
        self.whole_panel_in_reach = self.reach_top >= height - 1
        self._update_landscape()

    def _update_landscape(self) -> None:
        """`landscape`: the screens' area is wider than tall, so they lay out side by side. In
        the accessibility mode a portrait panel's screens fit in the reach band: wide and low."""
        from kivy.core.window import Window

        from screens import theme

        width, height = Window.size
        self.panel_landscape = width >= height
        if self.accessible and self.chrome_visible and not self.whole_panel_in_reach:
            height = self.reach_top - self.u * (theme.FOOTER_HEIGHT + theme.ACCESS_BAR_HEIGHT)
        self.landscape = width >= height

    def _connect_agent(self) -> None:
        """Hand the agent's thread-side callbacks over to the UI thread via the Clock."""
        if self.agent is None:
            return
        from kiosk.commands import attach_screen
        from screens.fleet_screen import KivyScreen

        attach_screen(KivyScreen())  # the fleet console's screenshot and restart (kiosk/commands.py)
        if hasattr(self.agent, "on_progress"):
            self.agent.on_progress = lambda done, total: Clock.schedule_once(
                lambda dt: self._show_download_progress(done, total))
        if hasattr(self.agent, "on_content_changed"):
            self.agent.on_content_changed = lambda version: Clock.schedule_once(
                lambda dt: self.reload_content(force=True)
            )
        if hasattr(self.agent, "on_commands"):
            self.agent.on_commands = lambda commands: Clock.schedule_once(
                lambda dt: self._handle_commands(commands)
            )
        if hasattr(self.agent, "on_availability"):
            self.agent.on_availability = lambda availability: Clock.schedule_once(
                lambda dt: self._update_availability()
            )
        listener = getattr(self.agent, "broadcasts", None)
        if listener is not None:
            listener.on_broadcasts = lambda received: Clock.schedule_once(
                lambda dt: self._show_broadcasts(received)
            )

    def _show_broadcasts(self, received) -> None:
        if self.broadcast_overlay is not None:  # else it reads them from the store when built
            self.broadcast_overlay.update(received)

    def _update_availability(self) -> None:
        """The desk's lending numbers changed (or went stale): the screens that show them redraw them."""
        for screen in list(self._screens.values()):
            if hasattr(screen, "update_availability"):
                self._safely(screen.update_availability)

    def _handle_commands(self, commands) -> None:
        for command in commands:
            if getattr(command, "kind", None) == "reload":
                self.reload_content(force=True)

    # ---------------------------------------------------------------- translation
    def tr(self, message: str, language: str | None = None) -> str:
        """`message` in `language` (default: the current one). In .kv files pass
        `app.language` as the second argument, so the text is re-evaluated on a switch."""
        from kiosk.i18n import load_translations

        return load_translations(language or self.language).gettext(message)

    def trn(self, singular: str, plural: str, count: int, language: str | None = None) -> str:
        """The singular or plural message for `count` (Chinese has one form)."""
        from kiosk.i18n import load_translations

        return load_translations(language or self.language).ngettext(singular, plural, int(count))

    def text(self, value: I18nText | None, language: str | None = None) -> str:
        """A content field in the current language (falling back to Chinese, then English)."""
        if value is None:
            return ""
        return value.get(language or self.language)

    def font_for(self, language: str) -> str:
        """The registered font name for text in `language` (TC face for zh_TW)."""
        from screens.fonts import font_for

        return font_for(language)

    def set_language(self, language: str) -> None:
        if language in LANGUAGES:
            self.language = language

    def on_language(self, instance, language: str) -> None:
        from screens.fonts import font_for

        self.translator.set_language(language)
        self.font_name = font_for(language)
        self._update_content_texts()
        self._update_clock()
        for screen in list(self._screens.values()):
            self._safely(screen.refresh)

    # ---------------------------------------------------------------- content
    def reload_content(self, force: bool = False, refusing: bool = False) -> None:
        """Pick up a newly activated content version (from the agent or an install). One that
        cannot be loaded is refused once: the kiosk goes back to the version before it."""
        from kiosk.content import active_content, active_version, refuse_active
        from venue.index import ContentIndex

        try:
            version = active_version(self.store)
        except Exception:
            log.exception("cannot read the active content version")
            return
        version_id = version.id if version is not None else None
        if version_id == self._active_version_id and not force:
            return
        try:
            content = active_content(self.store) if version is not None else None
            index = ContentIndex(content) if content is not None else None
        except Exception:
            log.exception("content version %s cannot be loaded: going back to the one before", version_id)
            if not refusing and refuse_active(self.store) is not None:
                self.reload_content(force=True, refusing=True)
            return
        self._active_version_id = version_id
        self.content = content
        self.index = index
        self.has_content = content is not None
        self.content_version = version_id or 0
        self._update_content_texts()
        if self.first_frame_drawn:
            self._prepare_ahead()
        for screen in list(self._screens.values()):
            self._safely(screen.refresh)
        current = self.manager.current if self.manager.has_screen(self.manager.current or "") else ""
        if self.has_content and current == "getting_ready":
            self.show("home", remember=False)
        elif not self.has_content and current and current not in SCREENS_WITHOUT_CONTENT:
            self.show("getting_ready", remember=False)

    def _update_content_texts(self) -> None:
        if self.index is None:
            self.mall_name = ""
            self.service_desk_hint = ""
            return
        self.mall_name = self.text(self.index.mall.name)
        desk = self.index.service_desk()
        if desk is None:
            self.service_desk_hint = ""
            return
        level = self.index.level(desk.level_id)
        self.service_desk_hint = self.tr("Need help? Service desk: {floor}").format(
            floor=level.short_name if level else ""
        )

    def kiosk_point(self):
        if self.index is None:
            return None
        return self.index.kiosk_point(self.identity.location_id if self.identity else None)

    # ---------------------------------------------------------------- time
    def now(self) -> datetime:
        """Wall-clock time (aware, UTC): opening hours and promotions are judged by it."""
        return self.wall_clock()

    def local_now(self) -> datetime:
        """Now in the mall's timezone (the machine's own before content is installed)."""
        now = self.now()
        if self.index is not None:
            return self.index.local_time(now)
        return now.astimezone()

    def format_time(self, moment: datetime) -> str:
        local = self.index.local_time(moment) if self.index is not None else moment
        if local.hour == 0 and local.minute == 0 and local.date() != self.local_now().date():
            return "24:00"
        return local.strftime("%H:%M")

    def _update_clock(self) -> None:
        from babel.dates import format_date

        local = self.local_now()
        self.clock_text = local.strftime("%H:%M")
        pattern = {"en": "EEE d MMM", "zh_CN": "M月d日 EEEE", "zh_TW": "M月d日 EEEE"}[self.language]
        self.date_text = format_date(local.date(), pattern, locale=self.language)

    # ---------------------------------------------------------------- navigation
    def screen(self, name: str):
        """The screen called `name`, created (module imported, .kv loaded) on first use."""
        screen = self._screens.get(name)
        if screen is None:
            from screens.base import create_screen

            module_name, class_name = SCREEN_CLASSES[name]
            screen = create_screen(module_name, class_name, name)
            self._screens[name] = screen
            self.manager.add_widget(screen)
            self._safely(screen.refresh)
        return screen

    def show(self, name: str, remember: bool = True, **params) -> None:
        """Show screen `name`; `params` go to its prepare() (Back passes returning=True, so a
        screen keeps what the visitor chose there). Without content, every screen but the
        getting-ready one is replaced by it."""
        if not self.has_content and name not in SCREENS_WITHOUT_CONTENT:
            name, params = "getting_ready", {}
        screen = self.screen(name)
        self._safely(screen.prepare, **params)
        current = self.manager.current if self.manager.screens else ""
        if remember and current and current != name and current in self._screens:
            self.history.append(current)
        if name in ("home", "attract", "getting_ready", "receipt"):
            self.history.clear()
        self.manager.current = name
        self.screen_name = name
        self.screen_title = screen.title_message
        self.chrome_visible = screen.shows_chrome
        self.can_go_back = screen.shows_back and bool(self.history)
        self.receipt_shown_at = self.monotonic() if name == "receipt" else None
        if self._idle_overlay is not None:
            self._idle_overlay.shown = False
        if self.accessible:  # once the screen is laid out: its words are read from its widgets
            Clock.schedule_once(lambda dt: self._safely(self.update_reading), 0.2)
        self._record("screen_view", subject_id=name)
        if self.screenshots_dir is not None:
            self._schedule_screenshot(name)

    def go_back(self) -> None:
        if not self.history:
            self.go_home()
            return
        previous = self.history.pop()
        self.show(previous, remember=False, returning=True)

    def go_home(self) -> None:
        if self.screen_name == "receipt":
            self._forget_case()
        self.show("home", remember=False)

    def start_over(self) -> None:
        """The visitor has gone: clear every screen's input, default language, attract loop."""
        for screen in list(self._screens.values()):
            self._safely(screen.reset)
        self.history.clear()
        self.language = DEFAULT_LANGUAGE
        self.accessible = False
        self.idle.touched()
        self.show("attract" if self.has_content else "getting_ready", remember=False)

    def finish_case(self) -> None:
        """Done on a receipt, or its timeout: drop the receipt (it holds the tracking token)."""
        self._forget_case()
        self.show("home", remember=False)

    def _forget_case(self) -> None:
        for name in ("receipt", "case_form", "complaint_category", "store_picker", "feedback", "item_form",
                     "item_place", "found"):
            if name in self._screens:
                self._safely(self._screens[name].reset)

    def _show_download_progress(self, done: int, total: int) -> None:
        self.download_progress = -1.0 if total <= 0 or done >= total else done / total

    def staff_tap(self) -> None:
        """A tap on the mall's name: the fifth within STAFF_TAPS_WINDOW_S opens the staff sign-in,
        if a maintenance PIN is set (kiosk/maintenance.py); otherwise nothing shows at all."""
        from kiosk.maintenance import pin_is_set

        now = self.monotonic()
        self._staff_taps = [*(moment for moment in self._staff_taps if now - moment <= STAFF_TAPS_WINDOW_S), now]
        if len(self._staff_taps) >= STAFF_TAPS:
            self._staff_taps = []
            if pin_is_set(self.store):
                self.show("maintenance")

    # ---------------------------------------------------------------- idle and timeouts
    def _on_any_touch(self, window, touch) -> bool:
        self.idle.touched()
        return False

    def _on_any_key(self, *args) -> bool:
        self.idle.touched()
        return False

    def _tick(self, dt: float) -> None:
        if self.first_frame_drawn:  # its first feed says READY=1: only once the visitor sees the kiosk
            feed_watchdog()  # systemd restarts a kiosk whose UI clock stops (deploy/concierge-kiosk.service)
        if self.accessible:
            self._safely(self.update_reading)
        previous_clock = self.clock_text
        self._update_clock()
        current = self.screen_name
        screen = self._screens.get(current)
        if self.clock_text != previous_clock and screen is not None and screen.refreshes_each_minute:
            self._safely(screen.refresh)
        if self.clock_text != previous_clock:
            self._update_availability()  # numbers that went stale disappear within a minute
        if current == "receipt" and self.receipt_shown_at is not None:
            if self.monotonic() - self.receipt_shown_at >= self.kiosk_config.receipt_timeout_s:
                self.finish_case()
            return
        if current in ("attract", "getting_ready"):
            return
        if current == "maintenance":
            if self.idle.idle_for() >= MAINTENANCE_IDLE_S:
                self.start_over()
            return
        if self.idle.expired():
            self.start_over()
            return
        warn = current not in SCREENS_WITHOUT_IDLE_WARNING and self.idle.warning()
        if not warn and self._idle_overlay is None:
            return
        if warn:
            # Only while shown: a countdown changing behind the scenes would redraw every second.
            self.idle_overlay.seconds_left = self.idle.seconds_left()
        if warn != self.idle_overlay.shown:
            self.idle_overlay.shown = warn

    @property
    def idle_overlay(self):
        """The "Are you still there?" warning, built the first time it is needed (most starts
        never show it): above everything but the emergency and notice overlay."""
        if self._idle_overlay is None:
            from kivy.factory import Factory

            self._idle_overlay = Factory.IdleOverlay()
            above = self.broadcast_overlay
            on_top = self.root.children
            self.root.add_widget(self._idle_overlay, index=on_top.index(above) + 1 if above in on_top else 0)
        return self._idle_overlay

    def receipt_seconds_left(self) -> float:
        if self.receipt_shown_at is None:
            return 0.0
        return max(0.0, self.kiosk_config.receipt_timeout_s - (self.monotonic() - self.receipt_shown_at))

    # ---------------------------------------------------------------- accessibility mode
    def on_accessible(self, instance, accessible: bool) -> None:
        self._update_landscape()
        if accessible:
            self._build_accessibility_chrome()
            map_screen = self._screens.get("map")
            if map_screen is not None and map_screen.profile == "standard":
                self._safely(map_screen.choose_profile, "step_free")
            self._safely(self.update_reading)
        else:
            self.read_aloud = False
            self.reading_text = ""
            self._reading_read = ""
            if self._reader is not None:
                self._reader.stop()

    def on_chrome_visible(self, instance, visible: bool) -> None:
        self._update_landscape()

    def on_read_aloud(self, instance, read_aloud: bool) -> None:
        self._reading_read = ""
        if read_aloud:
            self._safely(self.update_reading)
        else:
            self.reader.stop()

    def _build_accessibility_chrome(self) -> None:
        """The mode's reading panel (above the screens) and its bar (above the footer), built
        the first time the mode is turned on: hidden until then, they slowed the first frame."""
        if self._accessibility_chrome_built or self.root is None:
            return
        from kivy.factory import Factory

        frame = self.root.ids.frame
        frame.add_widget(Factory.ReadingPanel(), index=frame.children.index(self.manager) + 1)
        frame.add_widget(Factory.AccessibilityBar(), index=frame.children.index(self.manager))
        self._accessibility_chrome_built = True

    @property
    def reader(self):
        """Read-aloud through espeak-ng (made on first use: most visitors never turn it on)."""
        if self._reader is None:
            from screens.widgets.accessibility import ReadAloud

            self._reader = ReadAloud(self.store)
        return self._reader

    def update_reading(self) -> None:
        """The shown screen's words into the reading panel; spoken by themselves on a new
        screen or language, or a route's next step, while read-aloud is on."""
        from screens.widgets.accessibility import spoken_text

        screen = self._screens.get(self.screen_name)
        if screen is None or not self.accessible:
            return
        words = spoken_text(screen, with_title=False)
        self.reading_text = words
        key = f"{self.screen_name}\x00{self.language}\x00" + (words if self.screen_name == "map" else "")
        if self.read_aloud and key != self._reading_read and words:
            self._reading_read = key
            self.reader.say(spoken_text(screen), self.language)

    def repeat_reading(self) -> None:
        """The "say it again" button: the shown screen's words, now (read-aloud on or not)."""
        from screens.widgets.accessibility import spoken_text

        screen = self._screens.get(self.screen_name)
        if screen is not None:
            self.reading_text = spoken_text(screen, with_title=False)
            self.reader.say(spoken_text(screen), self.language)

    # ---------------------------------------------------------------- cases
    def wake_agent(self) -> None:
        """A case was filed: ask the agent to upload now instead of at its next poll."""
        if self.agent is not None and hasattr(self.agent, "wake"):
            self._safely(self.agent.wake)

    # ---------------------------------------------------------------- helpers
    def _record(self, kind: str, subject_id: str | None = None, value: str | None = None) -> None:
        """Queue an anonymous usage event; a full disk must not stop the kiosk."""
        from kiosk.events import record_event

        try:
            record_event(self.store, kind, at=self.now(), subject_id=subject_id, value=value)
        except Exception:
            log.exception("cannot record a %s event", kind)

    def record_event(self, kind: str, subject_id: str | None = None, value: str | None = None) -> None:
        self._record(kind, subject_id, value)

    def _safely(self, function, *args, **kwargs) -> None:
        """Run a screen hook; log a failure instead of taking the kiosk down."""
        try:
            function(*args, **kwargs)
        except Exception:
            log.exception("%s failed", getattr(function, "__qualname__", function))

    def _schedule_screenshot(self, name: str) -> None:
        """Capture once the screen has been laid out and drawn: some frames and some time
        after the switch (the first frames after start-up can take longer than any delay)."""
        started = time.monotonic()
        frames = [0]

        def after_frame(dt: float) -> None:
            frames[0] += 1
            if frames[0] >= SCREENSHOT_MIN_FRAMES and time.monotonic() - started >= SCREENSHOT_DELAY_S:
                self._save_screenshot(name)
            else:
                Clock.schedule_once(after_frame, 0)

        Clock.schedule_once(after_frame, 0)

    def _save_screenshot(self, name: str) -> None:
        from screens.capture import capture_window

        if self.screen_name != name or self.screenshots_dir is None:
            return
        self._screenshot_count += 1
        path = self.screenshots_dir / f"{self._screenshot_count:03d}-{name}-{self.language}.png"
        try:
            capture_window(path)
        except Exception:
            log.exception("cannot save a screenshot to %s", path)
            return
        print(f"screenshot: {path}", flush=True)


def run_kiosk(
    config: KioskConfig,
    store: LocalStore,
    start_behind: Callable[[], Any] | None = None,
    screenshots_dir: Path | None = None,
) -> KioskApp:
    """Run the kiosk until the process is stopped (a kiosk has no Quit button); returns the
    app, whose `agent` the caller stops.

    `start_behind` runs on a thread of its own once the first frame is drawn: the checks that
    need not keep the screen black, and the sync agent to start (None for a kiosk that is not
    enrolled). With `screenshots_dir`, every screen shown is saved there as a PNG and its path
    printed (the offscreen demo uses this).
    """
    from kiosk.identity import load_identity

    configure_kivy(config)
    app = KioskApp(
        config,
        store,
        identity=load_identity(store),
        screenshots_dir=screenshots_dir,
        start_behind=start_behind,
        font_cache_dir=config.data_dir / "fonts",
    )
    _stop_on_signals(app)
    app.run()
    return app


def _stop_on_signals(app: KioskApp) -> None:
    """SIGTERM (systemd stopping the service) and SIGINT end the app cleanly, on its own thread,
    so the caller can stop the sync agent and close the store."""

    def stop(signum, frame) -> None:
        log.info("signal %s: stopping the kiosk", signum)
        Clock.schedule_once(lambda dt: app.stop())

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
