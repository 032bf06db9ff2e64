"""A real kiosk process where a visitor presses "Ask for help": the end-to-end test starts it.

It runs the real KioskApp offscreen with its real sync agent on the enrolled data dir, waits for
content, shows the store directory and prints `{"ready": ...}` with the kiosk's place as the
panel names it. On a line "press" on its stdin it taps the footer's help button, prints
`{"pressed_at": <epoch seconds>}` at once, then, when the panel has its answer, prints the
panel's state, title and message and a screenshot's path. On a line "follow" it waits until
the panel says staff are on the way (the desk answered) and prints the panel again. It keeps
running until killed or --linger seconds pass.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent)]

from screens.headless import HeadlessKiosk, prepare_headless_environment  # noqa: E402

prepare_headless_environment()

from kiosk import APP_VERSION  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.identity import load_identity  # noqa: E402
from kiosk.store import LocalStore  # noqa: E402
from kiosk.sync_agent import SyncAgent  # noqa: E402


def say(**fields) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--language", default="zh_CN")
    parser.add_argument("--linger", type=float, default=120)
    args = parser.parse_args()

    config = KioskConfig(data_dir=Path(args.data_dir), fullscreen=False, window_width=1920, window_height=1080)
    store = LocalStore(config.database_path)
    identity = load_identity(store)
    agent = SyncAgent(store, identity, APP_VERSION)
    agent.start()
    driver = HeadlessKiosk(config, store, identity=identity, agent=agent).start()
    app = driver.app
    from screens.widgets.help_button import HelpButton, HelpPanel

    deadline = time.monotonic() + 60
    while app.content is None and time.monotonic() < deadline:
        driver.wait(0.2)
    if app.content is None:
        say(error="no content arrived")
        return 1
    app.show("directory")
    app.set_language(args.language)
    driver.settle()
    button = next(widget for widget in app.root.walk() if isinstance(widget, HelpButton))
    panel = HelpPanel.of(app)
    panel.read_places(app)
    say(ready=True, place=panel.place)

    if sys.stdin.readline().strip() != "press":
        say(error="expected 'press'")
        return 1
    pressed_at = time.time()
    driver.tap(button)
    say(pressed_at=pressed_at)
    deadline = time.monotonic() + 30
    while panel.state == "sending" and time.monotonic() < deadline:
        driver.wait(0.05)
    driver.settle()
    shot = driver.capture(args.screenshot)
    say(state=panel.state, title=panel.ids.title.text, message=panel.ids.message.text, screenshot=str(shot))

    if sys.stdin.readline().strip() != "follow":
        say(error="expected 'follow'")
        return 1
    deadline = time.monotonic() + 30
    while panel.state == "sent" and time.monotonic() < deadline:
        driver.wait(0.1)
    driver.settle()
    say(state=panel.state, title=panel.ids.title.text, message=panel.ids.message.text, shown=panel.shown)

    driver.wait(args.linger)
    agent.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
