"""Running the real kiosk app without a display, one frame at a time: for the screen tour and
the UI tests.

Kivy allows one window per process and its own async test helper is broken with pytest 8.3+,
so this drives the app loop directly: `EventLoop.idle()` ticks the clock, dispatches input and
draws one frame. Touches are real MotionEvents posted to the event loop, so they travel the same
path as a finger on the panel (window → root → widgets, idle tracking included).
"""
from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any


def prepare_headless_environment(kivy_home: Path | None = None) -> None:
    """Environment Kivy reads at import time: call before anything imports Kivy."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    if "KIVY_HOME" not in os.environ:
        os.environ["KIVY_HOME"] = str(kivy_home or tempfile.mkdtemp(prefix="concierge-kivy-"))


class HeadlessKiosk:
    """The real KioskApp in an offscreen window of a fixed size."""

    def __init__(
        self,
        config: Any,
        store: Any,
        identity: Any = None,
        agent: Any = None,
        wall_clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        font_cache_dir: Path | None = None,
    ):
        prepare_headless_environment()
        from kivy.config import Config
        from kivy.logger import LOG_LEVELS, Logger

        from screens.app import KioskApp, configure_kivy

        configure_kivy(config)
        Config.set("graphics", "maxfps", "0")
        Logger.setLevel(LOG_LEVELS["warning"])
        self.app = KioskApp(
            config, store, agent=agent, identity=identity, wall_clock=wall_clock,
            monotonic=monotonic, font_cache_dir=font_cache_dir,
        )

    def start(self) -> HeadlessKiosk:
        from kivy.base import EventLoop

        self.app._run_prepare()
        EventLoop.ensure_window()
        if EventLoop.status != "started":
            EventLoop.start()
        self.pump(5)
        return self

    def pump(self, frames: int = 4) -> None:
        """Run `frames` iterations of the app loop (clock, input, layout, drawing)."""
        from kivy.base import EventLoop

        for _ in range(frames):
            EventLoop.idle()

    def wait(self, seconds: float) -> None:
        """Keep the loop running for `seconds` of real time (animations, intervals)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.pump(1)
            time.sleep(0.005)

    def settle(self) -> None:
        """Enough frames for kv bindings, label textures and RecycleView layout to catch up."""
        self.pump(8)

    def tap(self, widget, frames: int = 2) -> None:
        """Touch the centre of `widget` like a finger: down, then up, through the event loop."""
        x, y = widget.to_window(*widget.center)
        self.tap_at(x, y, frames)

    def tap_at(self, x: float, y: float, frames: int = 2) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.pump(frames)

    def capture(self, path: Path | str) -> Path:
        from screens.capture import capture_window

        return capture_window(path)

    def image(self):
        from screens.capture import window_image

        return window_image()

    def stop(self) -> None:
        from kivy.base import EventLoop

        self.app.stop()
        EventLoop.close()
