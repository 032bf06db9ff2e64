"""A complaint filed by touch on a kiosk process, followed on the phone page, handled by staff."""
from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest
import requests
import zxingcpp
from conftest import (
    STAFF_PASSWORD,
    STAFF_USER,
    KioskProcess,
    StaffBrowser,
    VisitorProcess,
    cases_with_reference,
    wait_for_case,
)
from live_server import wait_until
from PIL import Image

from kiosk.content import active_version
from kiosk.store import LocalStore

pytestmark = pytest.mark.e2e


def decode_qr(path: str) -> str:
    codes = zxingcpp.read_barcodes(Image.open(path))
    assert len(codes) == 1, f"expected one QR code on the receipt, found {len(codes)}"
    return codes[0].text


def outbox(data_dir) -> list[tuple]:
    connection = sqlite3.connect(data_dir / "kiosk.db")
    try:
        return connection.execute("SELECT reference, payload FROM outbox").fetchall()
    finally:
        connection.close()


def unsent(data_dir) -> int:
    connection = sqlite3.connect(data_dir / "kiosk.db")
    try:
        return connection.execute("SELECT count(*) FROM outbox WHERE status != 'sent'").fetchone()[0]
    finally:
        connection.close()


def test_complaint_from_kiosk_touch_to_phone_page_with_staff_update(central_server, enrolled_kiosk_dir, tmp_path):
    visitor = VisitorProcess(enrolled_kiosk_dir, tmp_path / "receipt.png", description="staff rude at the till")
    try:
        receipt = visitor.receipt()
        tracking_url = decode_qr(receipt["screenshot"])
        assert tracking_url.startswith(central_server.url + "/t/")
        assert wait_for_case(central_server, receipt["reference"]), "the case never reached the server"
    finally:
        visitor.kill()

    phone = requests.get(tracking_url, headers={"Accept-Language": "en"}, timeout=10)
    assert phone.status_code == 200
    assert receipt["reference"] in phone.text
    assert "staff rude at the till" in phone.text

    staff = StaffBrowser(central_server.url)
    staff.log_in(STAFF_USER, STAFF_PASSWORD)
    case_url = staff.case_url(receipt["reference"])
    staff.change_status(case_url, "accepted", "")
    staff.change_status(case_url, "in_progress", "We have asked the store manager to call you back today.")
    staff.change_status(case_url, "waiting_on_visitor",
                        "Internal: the manager is on leave until Friday.", visibility="internal")

    phone = requests.get(tracking_url, headers={"Accept-Language": "en"}, timeout=10)
    assert "We have asked the store manager to call you back today." in phone.text
    assert "on leave until Friday" not in phone.text, "internal notes never reach the visitor"
    reference_alone = requests.get(f"{central_server.url}/t/{receipt['reference']}", timeout=10)
    assert reference_alone.status_code == 404, "the reference alone never opens a case"
    assert urlsplit(tracking_url).path.rsplit("/", 1)[1] not in str(outbox(enrolled_kiosk_dir))


def test_sigkill_after_receipt_with_server_down_uploads_exactly_once(central_server, enrolled_kiosk_dir, tmp_path):
    # The kiosk installs content while the server is up, then the server goes away.
    warm = KioskProcess(enrolled_kiosk_dir)
    try:
        store = LocalStore.in_dir(enrolled_kiosk_dir)
        assert wait_until(lambda: active_version(store) is not None, timeout=90, every=0.5)
        store.close()
    finally:
        warm.stop()
    central_server.stop()
    try:
        visitor = VisitorProcess(enrolled_kiosk_dir, tmp_path / "receipt.png",
                                 description="lift broken near the fountain", phone="13812345678")
        receipt = visitor.receipt()
        visitor.kill()  # right after the receipt, before any upload could happen
        rows = outbox(enrolled_kiosk_dir)
        assert [r[0] for r in rows].count(receipt["reference"]) == 1, "the case was durable before the receipt"
        assert "13812345678" in next(p for r, p in rows if r == receipt["reference"])
        assert decode_qr(receipt["screenshot"]).startswith(central_server.url + "/t/")
    finally:
        central_server.start()

    kiosk = KioskProcess(enrolled_kiosk_dir)
    try:
        assert wait_for_case(central_server, receipt["reference"]), "the case was not uploaded after restart"
        def phone_erased() -> bool:
            return all("13812345678" not in payload for _, payload in outbox(enrolled_kiosk_dir))

        assert wait_until(phone_erased, timeout=30, every=0.5), "the kiosk kept the visitor's phone after the ack"
    finally:
        kiosk.stop()
    assert cases_with_reference(central_server, receipt["reference"]) == 1
    raw = b"".join(p.read_bytes() for p in enrolled_kiosk_dir.glob("kiosk.db*"))
    assert b"13812345678" not in raw, "the phone number is gone from the kiosk's disk, WAL included"


def test_sigkill_right_after_receipt_with_server_up_is_still_one_case(central_server, enrolled_kiosk_dir, tmp_path):
    visitor = VisitorProcess(enrolled_kiosk_dir, tmp_path / "receipt.png", description="price tag wrong")
    receipt = visitor.receipt()
    visitor.kill()
    kiosk = KioskProcess(enrolled_kiosk_dir)
    try:
        assert wait_for_case(central_server, receipt["reference"])
        assert wait_until(lambda: unsent(enrolled_kiosk_dir) == 0, timeout=30, every=0.5)
    finally:
        kiosk.stop()
    assert cases_with_reference(central_server, receipt["reference"]) == 1
