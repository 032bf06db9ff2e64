"""One real KioskApp for the whole UI test session, headless, driven frame by frame.

Kivy allows one window per process, so the app starts once (session fixture) and every test
begins from a clean state: the visitor's input cleared, the home screen, Simplified Chinese.
The app's monotonic clock is a fake the tests move forward, so idle and receipt timeouts are
tested without waiting; Kivy's own clock still runs in real time.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from screens.headless import prepare_headless_environment

prepare_headless_environment()  # before anything imports Kivy

from kiosk.config import KioskConfig  # noqa: E402
from kiosk.content import install_bundle  # noqa: E402
from kiosk.identity import KioskIdentity  # noqa: E402
from kiosk.store import LocalStore  # noqa: E402
from sync.bundle import load_source_bundle  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[2]
DEMO_BUNDLE = REPOSITORY / "assets" / "demo"
IDLE_TIMEOUT_S = 90.0
RECEIPT_TIMEOUT_S = 60.0
PUBLIC_BASE_URL = "http://127.0.0.1:8000"
MALL_LOCAL_TIME = time(15, 20)

pytestmark = pytest.mark.ui


class FakeMonotonic:
    """A monotonic clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeAgent:
    """Stands in for kiosk.sync_agent.SyncAgent: records wake() calls, exposes the callbacks."""

    def __init__(self) -> None:
        self.wakes = 0
        self.on_content_changed = None
        self.on_commands = None

    def wake(self) -> None:
        self.wakes += 1

    def report_new_content(self, version: int) -> None:
        """Call the content callback from another thread, as the real agent does."""
        thread = threading.Thread(target=self.on_content_changed, args=(version,))
        thread.start()
        thread.join()


class KioskSession:
    """The running app plus what tests need around it."""

    def __init__(self, driver, store, store_path, empty_store, monotonic, agent, bundle):
        self.driver = driver
        self.app = driver.app
        self.store = store
        self.store_path = store_path
        self.empty_store = empty_store
        self.monotonic = monotonic
        self.agent = agent
        self.bundle = bundle

    # driving
    def pump(self, frames: int = 4) -> None:
        self.driver.pump(frames)

    def settle(self) -> None:
        self.driver.settle()

    def let_time_pass(self) -> None:
        """Run the loop long enough (real time) for the app's timeout check to fire."""
        from screens.app import TICK_INTERVAL_S

        self.driver.wait(TICK_INTERVAL_S * 1.5)
        self.settle()

    def tap(self, widget) -> None:
        assert widget.get_root_window() is not None, f"{widget!r} is not on screen"
        self.driver.tap(widget)

    def screen(self, name: str):
        return self.app.screen(name)

    @property
    def current(self) -> str:
        return self.app.manager.current

    def image(self):
        self.settle()
        return self.driver.image()

    def reset(self) -> None:
        app = self.app
        if app.store is not self.store:
            app.store = self.store
            app.reload_content(force=True)
        app.start_over()
        app.show("home", remember=False)
        self.monotonic.advance(1)
        app.idle.touched()
        self.settle()


@pytest.fixture(scope="session")
def kiosk_session():
    from screens.headless import HeadlessKiosk

    work = Path(tempfile.mkdtemp(prefix="concierge-ui-"))
    store_path = work / "kiosk" / "kiosk.db"
    store = LocalStore(store_path)
    empty_store = LocalStore(work / "empty" / "kiosk.db")
    bundle = load_source_bundle(DEMO_BUNDLE)
    install_bundle(store, bundle)
    zone = ZoneInfo(bundle.content.mall.timezone)
    moment = datetime.combine(datetime.now(zone).date(), MALL_LOCAL_TIME, tzinfo=zone)
    identity = KioskIdentity(
        kiosk_id="ui-test-kiosk", kiosk_code="TST", device_key="ui-test-not-a-key",
        mall_id=bundle.content.mall.id, location_id="lobby-1f",
        public_base_url=PUBLIC_BASE_URL, server_url=PUBLIC_BASE_URL,
    )
    config = KioskConfig(data_dir=work / "kiosk", idle_timeout_s=IDLE_TIMEOUT_S,
                         receipt_timeout_s=RECEIPT_TIMEOUT_S, fullscreen=False,
                         window_width=1920, window_height=1080)
    monotonic = FakeMonotonic()
    agent = FakeAgent()
    driver = HeadlessKiosk(config, store, identity=identity, agent=agent,
                           wall_clock=lambda: moment, monotonic=monotonic).start()
    session = KioskSession(driver, store, store_path, empty_store, monotonic, agent, bundle)
    yield session
    driver.stop()
    store.close()
    empty_store.close()
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def kiosk(kiosk_session):
    """The app at the home screen in Simplified Chinese, with nothing typed anywhere."""
    kiosk_session.reset()
    return kiosk_session


@pytest.fixture(autouse=True, scope="session")
def _no_display_needed():
    """The suite must not depend on an X server (CI has none)."""
    if not os.environ.get("DISPLAY"):
        assert os.environ.get("SDL_VIDEODRIVER") == "offscreen"
    yield
