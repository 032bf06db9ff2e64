"""The daily log and the monthly report: their figures, charts, exports and the kiosk pulse."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from test_cases_support import new_case, visible_text

from server.accounts.models import AuditEntry
from server.cases import flows, intake
from server.cases.models import Case
from server.reports import services as reports
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus


def received_on(case: Case, moment: datetime) -> Case:
    Case.objects.filter(pk=case.pk).update(received_at=moment)
    return Case.objects.get(pk=case.pk)


def local(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def november(kiosk, agent):
    """Four cases in November 2026 (two handled, one on time), one in October."""
    complaint = received_on(new_case(kiosk, store_id="s-tea"), local("2026-11-05 11:00"))
    flows.transition(complaint, S.ACCEPTED, agent)
    flows.transition(complaint, S.RESOLVED, agent)
    Case.objects.filter(pk=complaint.pk).update(
        resolved_at=local("2026-11-05 15:00"), due_at=local("2026-11-05 22:00"), rating=4)
    late = received_on(new_case(kiosk, store_id="s-tea", category="service_attitude"), local("2026-11-06 12:00"))
    flows.transition(late, S.ACCEPTED, agent)
    flows.transition(late, S.RESOLVED, agent)
    Case.objects.filter(pk=late.pk).update(
        resolved_at=local("2026-11-08 12:00"), due_at=local("2026-11-07 22:00"), rating=2)
    received_on(new_case(kiosk, kind="suggestion", category=None), local("2026-11-05 18:00"))
    received_on(new_case(kiosk, kind="praise", category=None), local("2026-11-20 10:00"))
    received_on(new_case(kiosk, store_id="s-coat"), local("2026-10-10 10:00"))
    return complaint


def test_the_daily_log_counts_one_day_in_mall_time(mall, november, agent):
    enquiry, _token = intake.register_case(mall, agent, source="phone", kind="enquiry",
                                             description="几点关门？ What time do you close?")
    received_on(enquiry, local("2026-11-05 19:30"))
    log = reports.daily_log(mall, date(2026, 11, 5))

    assert log.period.received == 3 and log.period.handled == 1
    assert dict(log.period.by_kind)[reports.kind_label("complaint")] == 1
    assert dict(log.period.by_kind)[reports.kind_label("enquiry")] == 1
    assert log.period.by_kind[0] == (reports.kind_label("enquiry"), 1)  # enquiries first, as the desk's log reads
    assert [c.pk for c in log.cases][0] == november.pk


def test_the_monthly_report_figures(mall, november):
    report = reports.monthly_report(mall, date(2026, 11, 1), {"s-tea": "茶馆"})

    assert report.period.received == 4 and report.period.handled == 2
    assert report.on_time_rate == 50.0
    assert report.mean_hours_to_resolve == pytest.approx((4 + 48) / 2, abs=0.1)
    assert report.mean_rating == 3.0 and report.ratings == 2
    assert dict(report.by_store) == {"茶馆": 2}
    assert sum(n for _, n in report.per_day) == 4 and dict(report.per_day)["5"] == 2
    # s-tea: 2 complaints in November, 0 in October; s-coat fell from 1 to 0.
    assert [(h["store"], h["now"], h["before"]) for h in report.hot_spots] == [("茶馆", 2, 0)]


def test_the_kiosk_pulse_per_kiosk_hour_and_floor(mall, kiosk):
    from server.fleet.models import KioskEvent, KioskEventBatch

    batch = KioskEventBatch.objects.create(kiosk=kiosk, batch_id="01BATCH", event_count=4)
    for value, hour in (("4", 10), ("4", 10), ("1", 15), ("3", 15)):
        KioskEvent.objects.create(batch=batch, kiosk=kiosk, mall=mall, kind="satisfaction",
                                  at=local(f"2026-11-05 {hour}:30"), value=value)
    KioskEvent.objects.create(batch=batch, kiosk=kiosk, mall=mall, kind="screen",
                              at=local("2026-11-05 10:00"), value="home")

    pulse = reports.monthly_report(mall, date(2026, 11, 1)).pulse

    assert pulse["total"] == 4
    assert [(r["label"], r["total"], r["mean"]) for r in pulse["by_hour"]] == [("10:00", 2, 4.0), ("15:00", 2, 2.0)]
    assert pulse["by_kiosk"][0]["faces"] == [1, 0, 1, 2]
    assert pulse["by_floor"][0]["total"] == 4


def test_the_monthly_page_has_charts_and_exports(client, mall, november, agent):
    client.force_login(agent)

    page = client.get("/console/reports/monthly?month=2026-11")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") >= 3 and "@media print" in html
    assert "茶馆" in visible_text(page) or "s-tea" in visible_text(page)

    as_csv = client.get("/console/reports/monthly?month=2026-11&format=csv")
    assert as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert any(row[:2] == ["4"] or (len(row) == 2 and row[1] == "4") for row in rows)

    as_xlsx = client.get("/console/reports/monthly?month=2026-11&format=xlsx")
    workbook = load_workbook(io.BytesIO(as_xlsx.content))
    summary = workbook.worksheets[0]
    assert [cell.value for cell in summary[2]][1] == 4  # received
    assert AuditEntry.objects.filter(action="report.export").count() == 2


def test_the_daily_page_and_bad_dates(client, mall, november, agent):
    client.force_login(agent)

    assert november.reference in visible_text(client.get("/console/reports/?day=2026-11-05"))
    assert client.get("/console/reports/?day=not-a-date").status_code == 200
    assert client.get("/console/reports/monthly?month=2026-13").status_code == 200
    sheet = load_workbook(io.BytesIO(client.get("/console/reports/?day=2026-11-05&format=xlsx").content))
    assert sheet.worksheets[1]["A2"].value == november.reference


def test_spreadsheet_formulas_in_text_are_neutralised():
    from server.reports.exports import to_csv

    out = to_csv([("t", ["a"], [["=HYPERLINK(\"http://x\")"]])]).decode("utf-8-sig")
    assert "'=HYPERLINK" in out


def test_an_empty_month_still_renders(client, mall, agent):
    client.force_login(agent)
    response = client.get("/console/reports/monthly?month=2020-02")
    assert response.status_code == 200
    report = reports.monthly_report(mall, date(2020, 2, 1))
    assert report.period.handling_rate is None and len(report.per_day) == 29
