"""A real kiosk process that a visitor uses by touch: the end-to-end tests start it.

It runs the real KioskApp offscreen with its real sync agent on the enrolled data dir, waits for
content, files one complaint by tapping the screens (home → feedback → complaint → category →
on-screen keyboard → send), saves a screenshot of the receipt, prints one JSON line
`{"reference": ..., "screenshot": ...}`, and then keeps the kiosk running (the agent uploads)
until it is killed or --linger seconds pass.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent / "ui")]

from screens.headless import HeadlessKiosk, prepare_headless_environment  # noqa: E402

prepare_headless_environment()

from ui_helpers import open_complaint_form, type_in_english  # noqa: E402

from kiosk import APP_VERSION  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.identity import load_identity  # noqa: E402
from kiosk.store import LocalStore  # noqa: E402
from kiosk.sync_agent import SyncAgent  # noqa: E402


class Visitor:
    """What ui_helpers expects of a kiosk: tap, screen, current, settle, app."""

    def __init__(self, driver: HeadlessKiosk):
        self.driver, self.app = driver, driver.app

    def tap(self, widget) -> None:
        self.driver.tap(widget)

    def settle(self) -> None:
        self.driver.settle()

    def screen(self, name: str):
        return self.app.screen(name)

    @property
    def current(self) -> str:
        return self.app.manager.current


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--description", default="staff rude at the till")
    parser.add_argument("--phone", default="")
    parser.add_argument("--category", default="service_attitude")
    parser.add_argument("--linger", type=float, default=120)
    args = parser.parse_args()

    config = KioskConfig(data_dir=Path(args.data_dir), fullscreen=False, window_width=1920, window_height=1080)
    store = LocalStore(config.database_path)
    identity = load_identity(store)
    agent = SyncAgent(store, identity, APP_VERSION)
    agent.start()
    driver = HeadlessKiosk(config, store, identity=identity, agent=agent).start()
    visitor = Visitor(driver)

    deadline = time.monotonic() + 60
    while visitor.app.content is None and time.monotonic() < deadline:
        driver.wait(0.2)
    if visitor.app.content is None:
        print(json.dumps({"error": "no content arrived"}), flush=True)
        return 1
    visitor.app.show("home", remember=False)
    driver.settle()

    form = open_complaint_form(visitor, args.category)
    type_in_english(visitor, form.ids.keyboard, args.description)
    if args.phone:
        visitor.tap(form.ids.phone)
        for digit in args.phone:
            visitor.tap(form.ids.keyboard.key_button(digit))
        visitor.tap(form.ids.consent)
    visitor.tap(form.ids.send_button)
    driver.settle()
    if visitor.current != "receipt":
        print(json.dumps({"error": f"no receipt, the screen is {visitor.current}"}), flush=True)
        return 1
    shot = driver.capture(args.screenshot)
    receipt = visitor.screen("receipt")
    print(json.dumps({"reference": receipt.reference, "screenshot": str(shot)}), flush=True)

    driver.wait(args.linger)
    agent.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
