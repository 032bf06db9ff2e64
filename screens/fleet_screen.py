"""The kiosk's window for the fleet console's commands (kiosk/commands.py): a screenshot read on
the Kivy main thread, the window's orientation, and a stop of the app for a restart.

The sync agent calls these on its own thread; whatever touches OpenGL or the app is handed to
the main thread with the Clock and waited for."""
from __future__ import annotations

import threading
from typing import Any, Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from PIL import Image

MAIN_THREAD_WAIT_S = 15.0


class KivyScreen:
    def orientation(self) -> str | None:
        width, height = Window.size
        if not width or not height:
            return None
        return "landscape" if width >= height else "portrait"

    def capture(self) -> Image.Image:
        from screens.capture import window_image

        return _on_main_thread(window_image)

    def stop_app(self) -> None:
        app = App.get_running_app()
        if app is not None:
            Clock.schedule_once(lambda _dt: app.stop(), 0)


def _on_main_thread(work: Callable[[], Any]) -> Any:
    """Run `work` on the Kivy main thread and wait for its result (or its exception)."""
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def call(_dt: float) -> None:
        try:
            outcome["value"] = work()
        except Exception as exc:  # handed to the waiting thread
            outcome["error"] = exc
        finally:
            done.set()

    Clock.schedule_once(call, 0)
    if not done.wait(MAIN_THREAD_WAIT_S):
        raise TimeoutError(f"the screen did not answer within {MAIN_THREAD_WAIT_S:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
