"""The staff maintenance screen on the real widget tree: five taps on the mall's name open a
staff sign-in only when a PIN is set; a wrong PIN is refused, five lock the pad; the right one
shows the kiosk's status as the store holds it; the network test sends a real heartbeat to a
real HTTP server; re-enrolment is refused while cases wait; two minutes without a touch lead
back to the visitor screens."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk import outbox
from kiosk.cases import CaseDraft, submit_case
from kiosk.content import active_version
from kiosk.identity import load_identity, save_identity
from kiosk.maintenance import LOCKOUT_KEY, PIN_KEY, set_pin
from sync.protocol import HEARTBEAT_PATH, CaseKind, Heartbeat

PIN = "2468"
MAX_FRAMES = 2000


@pytest.fixture
def staff_kiosk(kiosk):
    """The kiosk enrolled (its identity in the store) with a maintenance PIN set."""
    save_identity(kiosk.store, kiosk.app.identity)
    set_pin(kiosk.store, PIN)
    yield kiosk
    kiosk.store.delete_setting(PIN_KEY)
    kiosk.store.delete_setting(LOCKOUT_KEY)


def mall_name_label(kiosk):
    return next(widget for widget in kiosk.app.root.walk()
                if type(widget.parent).__name__ == "Header" and getattr(widget, "text", None) == kiosk.app.mall_name)


def header_title(kiosk) -> str:
    labels = [widget for widget in mall_name_label(kiosk).parent.children if hasattr(widget, "text")]
    return labels[-2].text  # children are in reverse order: name, title, clock box


def five_taps(kiosk) -> None:
    label = mall_name_label(kiosk)
    for _ in range(5):
        kiosk.driver.tap(label, frames=0)
    kiosk.settle()


def type_pin(kiosk, pin: str) -> None:
    screen = kiosk.screen("maintenance")
    keys = {widget.text: widget for widget in screen.ids.pin_keys.children}
    for digit in pin:
        kiosk.driver.tap(keys[digit], frames=0)
    kiosk.tap(screen.ids.pin_ok)
    kiosk.settle()


def wait_until(kiosk, condition) -> None:
    for _ in range(MAX_FRAMES):
        if condition():
            return
        kiosk.driver.wait(0.01)
    raise AssertionError("the screen never got there")


def signed_in(kiosk):
    five_taps(kiosk)
    type_pin(kiosk, PIN)
    screen = kiosk.screen("maintenance")
    wait_until(kiosk, lambda: screen.status is not None)
    kiosk.settle()
    return screen


def shown_values(screen) -> list[str]:
    return [label.text for label in reversed(screen.ids.status_rows.children)][1::2]


def test_without_a_pin_the_taps_do_nothing(kiosk):
    kiosk.store.delete_setting(PIN_KEY)
    five_taps(kiosk)
    five_taps(kiosk)
    assert kiosk.current == "home"
    assert not kiosk.app.idle_overlay.shown


def test_four_taps_do_not_open_it(staff_kiosk):
    label = mall_name_label(staff_kiosk)
    for _ in range(4):
        staff_kiosk.tap(label)
    staff_kiosk.monotonic.advance(4)  # the fifth comes too late
    staff_kiosk.tap(label)
    assert staff_kiosk.current == "home"


def test_a_wrong_pin_is_refused_then_the_right_one_shows_the_status(staff_kiosk):
    kiosk = staff_kiosk
    five_taps(kiosk)
    assert kiosk.current == "maintenance"
    screen = kiosk.screen("maintenance")
    assert header_title(kiosk) == "员工登录"
    type_pin(kiosk, "1111")
    assert screen.ids.pin_message.text == "PIN 不正确。"
    assert screen.ids.pages.current == "pin"
    type_pin(kiosk, PIN)
    assert screen.ids.pages.current == "status"
    wait_until(kiosk, lambda: screen.status is not None)
    kiosk.settle()
    from screens.maintenance import STATUS_ROWS

    values = dict(zip([key for key, _ in STATUS_ROWS], shown_values(screen), strict=True))
    identity = load_identity(kiosk.store)
    assert values["kiosk_code"] == identity.kiosk_code == "TST"
    assert values["location"] == "lobby-1f"
    assert values["content_version"] == str(active_version(kiosk.store).version)
    assert values["outbox"] == str(outbox.depth(kiosk.store))
    assert values["content_files"] == "全部在位且完好"
    assert "GB" in values["disk_free"]
    assert header_title(kiosk) == "自助机维护"


def test_five_wrong_pins_lock_the_pad_without_saying_so(staff_kiosk):
    kiosk = staff_kiosk
    five_taps(kiosk)
    screen = kiosk.screen("maintenance")
    type_pin(kiosk, "9999")
    for _ in range(4):  # the same wrong PIN again, quicker than by its keys
        screen.pin = "9999"
        kiosk.tap(screen.ids.pin_ok)
    assert screen.ids.pin_message.text == "请稍后再试。"
    type_pin(kiosk, PIN)  # even the right PIN now
    assert screen.ids.pages.current == "pin" and screen.ids.pin_message.text == "请稍后再试。"
    assert kiosk.store.get_setting(LOCKOUT_KEY)["locked_until"] > 0


class HeartbeatServer(BaseHTTPRequestHandler):
    """The server's heartbeat endpoint as the kiosk sees it; its clock an hour ahead."""

    received: list[tuple[str, str, Heartbeat]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        HeartbeatServer.received.append((self.path, self.headers["Authorization"],
                                         Heartbeat.model_validate_json(body)))
        reply = json.dumps({"server_time": datetime.now(UTC).isoformat(), "commands": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def date_time_string(self, timestamp=None) -> str:
        return format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)

    def log_message(self, *args) -> None:
        pass


def test_the_network_test_sends_a_heartbeat_now(staff_kiosk):
    kiosk = staff_kiosk
    server = ThreadingHTTPServer(("127.0.0.1", 0), HeartbeatServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    identity = kiosk.app.identity
    kiosk.app.identity = replace(identity, server_url=f"http://127.0.0.1:{server.server_port}")
    try:
        screen = signed_in(kiosk)
        kiosk.tap(screen.ids.network_button)
        wait_until(kiosk, lambda: not screen.busy)
        kiosk.settle()
        shown = screen.ids.network_message.text
        assert shown.startswith("已连上服务器，用时 ") and "服务器时钟偏差：" in shown
        offset = float(shown.split("服务器时钟偏差：")[1].split(" ")[0])
        assert 3590 <= offset <= 3610
        path, authorization, heartbeat = HeartbeatServer.received[-1]
        assert path == HEARTBEAT_PATH and authorization == f"Bearer {identity.device_key}"
        assert heartbeat.outbox_depth == outbox.depth(kiosk.store)
        server.shutdown()
        kiosk.tap(screen.ids.network_button)  # the server is gone now
        wait_until(kiosk, lambda: not screen.busy)
        kiosk.settle()
        assert screen.ids.network_message.text.startswith("无法连上服务器：")
    finally:
        kiosk.app.identity = identity
        server.server_close()


def test_re_enrolment_is_refused_while_cases_wait(staff_kiosk):
    kiosk = staff_kiosk
    submit_case(kiosk.store, kiosk.app.identity, CaseDraft(kind=CaseKind.PRAISE, description="谢谢服务台"))
    waiting = outbox.depth(kiosk.store)
    screen = signed_in(kiosk)
    kiosk.tap(screen.ids.enrol_button)
    kiosk.settle()
    assert screen.ids.pages.current == "enrol"
    screen.ids.code_field.value = "ABCD-1234"
    kiosk.tap(screen.ids.enrol_submit)
    wait_until(kiosk, lambda: not screen.busy)
    kiosk.settle()
    assert screen.ids.enrol_message.text == (
        f"以 TST 身份提交的 {waiting} 件个案仍在等待上传。请先让自助机上传完毕，再重新登记。")
    assert load_identity(kiosk.store).kiosk_code == "TST"


def test_two_minutes_without_a_touch_lead_back_to_the_visitors(staff_kiosk):
    kiosk = staff_kiosk
    signed_in(kiosk)
    kiosk.monotonic.advance(100)  # past the visitors' timeout, not the staff one
    kiosk.let_time_pass()
    assert kiosk.current == "maintenance"
    kiosk.monotonic.advance(21)
    kiosk.let_time_pass()
    assert kiosk.current == "attract"
    kiosk.app.show("home")
    kiosk.settle()
    five_taps(kiosk)  # back in: the PIN is asked again
    assert kiosk.current == "maintenance" and kiosk.screen("maintenance").ids.pages.current == "pin"


def test_the_download_shows_then_back_to_the_visitor_screens(staff_kiosk):
    screen = signed_in(staff_kiosk)
    staff_kiosk.app._show_download_progress(300, 1200)
    staff_kiosk.settle()
    assert screen.ids.download_bar.value == 0.25 and screen.ids.download_bar.get_root_window() is not None
    staff_kiosk.app._show_download_progress(1200, 1200)
    assert staff_kiosk.app.download_progress == -1
    staff_kiosk.tap(screen.ids.leave_button)
    staff_kiosk.settle()
    assert staff_kiosk.current in ("attract", "home")
    assert screen.ids.pages.current == "pin"
