"""The daily log counts the desk's other ledgers beside the cases: loans, left luggage and first
aid, and lost property with the found items and lost reports entered at the desk; the Excel
export carries the same counts."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook
from test_cases_support import new_case, visible_text

from server.desk import luggage
from server.loans import lending
from server.lostfound import intake as lost_property
from server.reports import services as reports
from sync.protocol import CaseKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_day(mall, kiosk, agent):
    """Today: a wheelchair lent, two bags checked in (one picked up), a found item and a lost
    report entered at the desk, a found item handed in after a kiosk announced it, and a lost
    report from a kiosk. Yesterday: one more found item at the desk."""
    wheelchair = lending.register_item(mall, kind="wheelchair", tag="WC-01", kept_at="desk-1f", note="", actor=agent)
    lending.lend(mall, lending.LoanRequest(surname="王", phone="13812345678", security="id_card_sighted",
                                           item=wheelchair), agent)
    luggage.check_in(mall, agent, description="两个购物袋", pieces=2, surname="李", phone="13900000000")
    picked = luggage.check_in(mall, agent, description="行李箱", pieces=1, surname="张", phone="13700000000")
    luggage.pick_up(picked, agent)
    lost_property.register_found_item(mall, agent, category="umbrella", description="蓝色折叠伞",
                                      found_at=timezone.now(), storage_place="Shelf 3")
    yesterday = lost_property.register_found_item(mall, agent, category="keys", description="三把钥匙",
                                                  found_at=timezone.now() - timedelta(days=1), storage_place="Box 1")
    type(yesterday).objects.filter(pk=yesterday.pk).update(registered_at=timezone.now() - timedelta(days=1))
    lost_property.take_desk_lost_report(mall, agent, category="wallet", description="棕色钱包",
                                        contact_name="陈", contact_phone="13800138000")
    found_case = new_case(kiosk, kind=CaseKind.FOUND_ITEM.value, category=None)
    lost_property.receive_handed_in(found_case.found_item, agent, storage_place="Safe A")
    new_case(kiosk, kind=CaseKind.LOST_REPORT.value, category=None)
    return timezone.localdate(timezone=mall.zone)


def _counts(mall, day) -> dict[str, dict[str, int]]:
    with translation.override("en"):
        return {section: dict(rows) for section, rows in reports.daily_log(mall, day).ledgers}


def test_the_daily_log_counts_loans_luggage_and_lost_property_desk_entries_included(mall, busy_day):
    counts = _counts(mall, busy_day)
    assert counts["Loans at the desk"]["Wheelchair lent"] == 1
    assert counts["Loans at the desk"]["Pram lent"] == 0
    assert counts["Left luggage and first aid"]["Left luggage checked in"] == 2
    assert counts["Left luggage and first aid"]["Left luggage picked up"] == 1
    assert counts["Left luggage and first aid"]["Left luggage still held at the end of the day"] == 1
    lost = counts["Lost property"]
    assert (lost["Found items taken into storage"], lost["of them entered at the desk"]) == (2, 1)
    assert (lost["Lost reports"], lost["of them taken at the desk"]) == (2, 1)

    yesterday = _counts(mall, busy_day - timedelta(days=1))
    assert yesterday["Lost property"]["Found items taken into storage"] == 1
    assert yesterday["Loans at the desk"]["Wheelchair lent"] == 0


def test_the_daily_page_shows_the_ledgers(client, mall, agent, busy_day):
    client.force_login(agent)
    page = visible_text(client.get(f"/console/reports/?day={busy_day}&lang=zh-hans"))
    assert "服务台借用" in page and "寄存物品存入 2" in page and "报失 2" in page and "其中服务台受理 1" in page


def test_the_excel_export_carries_the_ledger_counts(client, mall, agent, busy_day):
    client.force_login(agent)
    response = client.get(f"/console/reports/?day={busy_day}&format=xlsx&lang=en")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Desk ledgers"]
    rows = {(ledger, item): count for ledger, item, count in sheet.iter_rows(min_row=2, values_only=True)}
    assert sheet[1][0].value == "Ledger"
    assert rows[("Loans at the desk", "Wheelchair lent")] == 1
    assert rows[("Left luggage and first aid", "Left luggage checked in")] == 2
    assert rows[("Lost property", "Found items taken into storage")] == 2
    assert rows[("Lost property", "of them entered at the desk")] == 1
    assert rows[("Lost property", "Lost reports")] == 2
    assert rows[("Lost property", "of them taken at the desk")] == 1


def test_a_quiet_day_is_all_zeros_not_missing(mall):
    counts = _counts(mall, timezone.localdate(timezone=mall.zone) - timedelta(days=30))
    assert set(counts) == {"Loans at the desk", "Left luggage and first aid", "Lost property"}
    assert all(value == 0 for rows in counts.values() for value in rows.values())
