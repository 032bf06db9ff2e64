"""A real kiosk process left on its attract loop: the signage end-to-end tests start it.

It runs the real KioskApp offscreen with its real sync agent on the enrolled data dir, waits for
content and shows the attract loop. Every slide it puts on screen (each one a proof-of-play
impression the app records) is printed as a JSON line `{"shown": promotion_id, "impressions": n}`,
n counting this process's impressions. With --capture ID, the first time promotion ID is on
screen a screenshot is saved and printed as `{"captured": ID, "screenshot": path}`.

It reads commands on stdin, between frames: `pause` stops the app loop (no more slides, so no
more impressions; the agent keeps uploading) and answers `{"paused": n}`; `queued` answers
`{"queued": events not yet acknowledged by the server}`. Slides last --slide-seconds (the
product's 8 s would make the tests wait; the loop is otherwise the product's own).
"""
from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent)]

from screens.headless import HeadlessKiosk, prepare_headless_environment  # noqa: E402

prepare_headless_environment()

from kiosk import APP_VERSION, events  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.identity import load_identity  # noqa: E402
from kiosk.store import LocalStore  # noqa: E402
from kiosk.sync_agent import SyncAgent  # noqa: E402


def say(**answer) -> None:
    print(json.dumps(answer), flush=True)


def read_commands(commands: queue.Queue) -> None:
    for line in sys.stdin:
        commands.put(line.strip())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--slide-seconds", type=float, default=1.0)
    parser.add_argument("--capture", default="")
    parser.add_argument("--screenshot", default="")
    args = parser.parse_args()

    import screens.attract as attract

    attract.SLIDE_SECONDS = args.slide_seconds
    config = KioskConfig(data_dir=Path(args.data_dir), fullscreen=False, window_width=640, window_height=360,
                         idle_timeout_s=10**6)
    store = LocalStore(config.database_path)
    identity = load_identity(store)
    agent = SyncAgent(store, identity, APP_VERSION)
    agent.start()
    driver = HeadlessKiosk(config, store, identity=identity, agent=agent)
    app = driver.app
    impressions = {"count": 0, "pending_capture": bool(args.capture)}
    record_event = app.record_event

    def record_and_tell(kind: str, subject_id: str | None = None, value: str | None = None) -> None:
        """The app's own recording, then a line saying so: from before the first frame, so no
        impression goes uncounted (the app may start on the attract loop by itself)."""
        record_event(kind, subject_id, value)
        if kind == "promotion_shown":
            impressions["count"] += 1
            say(shown=subject_id, impressions=impressions["count"])

    app.record_event = record_and_tell
    driver.start()

    deadline = time.monotonic() + 60
    while app.content is None and time.monotonic() < deadline:
        driver.wait(0.2)
    if app.content is None:
        say(error="no content arrived")
        return 1
    screen = app.screen("attract")
    app.show("attract", remember=False)
    commands: queue.Queue = queue.Queue()
    threading.Thread(target=read_commands, args=(commands,), daemon=True).start()
    paused = False
    while True:
        try:
            command = commands.get_nowait()
        except queue.Empty:
            command = ""
        if command == "pause":
            paused = True
            say(paused=impressions["count"])
        elif command == "queued":
            say(queued=events.queued_count(store))
        if paused:
            time.sleep(0.05)
            continue
        driver.pump(1)
        if impressions["pending_capture"] and screen.promotion_id == args.capture:
            driver.wait(attract.FADE_SECONDS + 0.2)  # the cross-fade done, the slide not yet over
            if screen.promotion_id == args.capture:
                impressions["pending_capture"] = False
                say(captured=args.capture, screenshot=str(driver.capture(args.screenshot)))
        time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main())
