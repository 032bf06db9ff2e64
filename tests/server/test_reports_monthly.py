"""The customer service report (客服接待月报表) on a fixed set of cases whose figures were worked
out by hand: call-back rate, root causes, complaints by hour and weekday, hot spots by store and
floor, quarter and year; the manager's analysis saved, shown, and exported to Excel and PDF."""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import load_workbook
from test_cases_support import csrf_token_of, make_staff, new_case, visible_text

from server.accounts.models import AuditEntry
from server.cases import callbacks, flows
from server.cases.models import Case
from server.reports import services as reports
from server.reports.models import ReportAnalysis
from server.reports.periods import Span, parse_span
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus
ANALYSIS = "十一月投诉集中在一楼茶馆。\n改进：增加午间巡场，电梯每周检修。"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def placed(case: Case, received: str, level: str) -> Case:
    Case.objects.filter(pk=case.pk).update(received_at=local(received), level_id=level)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def manager(mall):
    return make_staff("manager-wang", "manager", mall)


@pytest.fixture
def november(kiosk, agent):
    """Hand-made: three complaints and a suggestion in November 2026, one complaint in October.

    A (Mon 2 Nov 09:30, tea house, L1): resolved with a phone, called back (4/5), cause facilities.
    B (Tue 3 Nov 20:15, tea house, L1): resolved with a phone, call-back still due, cause staff.
    C (Sat 7 Nov 14:05, coat shop, L2): resolved, no phone: no call-back owed, no cause recorded.
    D (Tue 10 Nov): a suggestion, not handled. E (15 Oct, coat shop, L2): a complaint.
    Call-back rate 1 of 2 = 50.0 %. Hot spots: tea house 2 against 0; L1 2 against 0; the coat
    shop and L2 stay level (1 and 1).
    """
    a = placed(new_case(kiosk, store_id="s-tea"), "2026-11-02 09:30", "L1")
    b = placed(new_case(kiosk, store_id="s-tea", category="service_attitude"), "2026-11-03 20:15", "L1")
    c = placed(new_case(kiosk, store_id="s-coat", contact_phone=None, contact_consent=False),
               "2026-11-07 14:05", "L2")
    placed(new_case(kiosk, kind="suggestion", category=None), "2026-11-10 11:00", "L1")
    placed(new_case(kiosk, store_id="s-coat"), "2026-10-15 16:00", "L2")
    for case, cause in ((a, "facilities"), (b, "staff_service"), (c, "")):
        flows.transition(case, S.ACCEPTED, agent)
        flows.transition(case, S.RESOLVED, agent, extra_changes={"root_cause": cause})
    callbacks.record_callback(Case.objects.get(pk=a.pk), agent, reached=True, satisfaction=4)
    return {"a": a, "b": b, "c": c}


def test_the_call_back_rate_and_the_month_s_figures(mall, november):
    with translation.override("en"):
        report = reports.monthly_report(mall, date(2026, 11, 1), {"s-tea": "茶馆", "s-coat": "大衣店"}, {"L1": "1F"})

    assert (report.period.received, report.period.handled) == (4, 3)
    assert (report.callbacks.due, report.callbacks.done, report.callbacks.rate) == (2, 1, 50.0)
    assert report.mean_callback_satisfaction == 4.0
    assert dict(report.root_causes) == {"Facilities and equipment": 1, "Staff service": 1, "Not recorded": 1}
    hours = dict(report.complaints_by_hour)
    assert len(hours) == 24 and {h: n for h, n in hours.items() if n} == {"09": 1, "14": 1, "20": 1}
    assert [n for _label, n in report.complaints_by_weekday] == [1, 1, 0, 0, 0, 1, 0]  # Mon, Tue, Sat
    assert [(h["store"], h["now"], h["before"], h["change"]) for h in report.hot_spots] == [("茶馆", 2, 0, 2)]
    assert [(h["store"], h["now"], h["before"]) for h in report.floor_hot_spots] == [("1F", 2, 0)]
    assert len(report.per_day) == 30 and report.per_month == []


def test_the_quarter_and_the_year(mall, november):
    quarter = reports.service_report(mall, parse_span("quarter", "2026-Q4", date(2026, 1, 1)), {"s-coat": "大衣店"})
    assert (quarter.span.first, quarter.span.last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.period.received == 5 and quarter.per_day == []
    assert quarter.per_month == [("2026-10", 1), ("2026-11", 4), ("2026-12", 0)]
    # Against the third quarter (nothing): both stores rose; the coat shop has 2 (October and November).
    assert {h["store"]: h["change"] for h in quarter.hot_spots} == {"s-tea": 2, "大衣店": 2}

    year = reports.service_report(mall, parse_span("year", "2026", date(2026, 1, 1)))
    assert year.period.received == 5 and len(year.per_month) == 12
    assert year.callbacks.rate == 50.0
    assert parse_span("year", "2026", date(2026, 1, 1)).previous == Span("year", date(2025, 1, 1))


def test_bad_periods_fall_back_to_the_current_one():
    today = date(2026, 11, 20)
    assert parse_span("quarter", "2026-Q9", today).value == "2026-Q4"
    assert parse_span("month", "2026-13", today).value == "2026-11"
    assert parse_span("decade", "x", today).value == "2026-11"
    assert parse_span("year", "0000", today).value == "2026"


def test_the_resolve_form_records_the_root_cause(client, kiosk, agent):
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)
    client.force_login(agent)
    page = client.get(f"/console/cases/{case.pk}/")
    assert 'name="root_cause"' in page.content.decode()
    client.post(f"/console/cases/{case.pk}/status", {
        "to_status": "resolved", "visibility": "public", "note": "已更换灯管",
        "root_cause": "facilities", "root_cause_note": "灯管老化", "csrfmiddlewaretoken": csrf_token_of(page)})
    case.refresh_from_db()
    assert (case.status, case.root_cause, case.root_cause_note) == ("resolved", "facilities", "灯管老化")


def _save_analysis(client, text: str, period: str = "month", at: str = "2026-11"):
    page = client.get(f"/console/reports/monthly?period={period}&at={at}")
    return client.post("/console/reports/monthly/analysis", {
        "period": period, "at": at, "text": text, "csrfmiddlewaretoken": csrf_token_of(page)})


def test_the_manager_writes_the_analysis_and_the_agent_reads_it(client, mall, november, manager, agent):
    client.force_login(agent)
    page = client.get("/console/reports/monthly?month=2026-11")
    assert page.status_code == 200 and 'name="text"' not in page.content.decode()
    assert client.post("/console/reports/monthly/analysis",
                       {"period": "month", "at": "2026-11", "text": "x"}).status_code == 403

    client.force_login(manager)
    saved = _save_analysis(client, ANALYSIS)
    assert saved.status_code == 302 and "at=2026-11" in saved["Location"]
    stored = ReportAnalysis.objects.get(mall=mall, period="month", first_day=date(2026, 11, 1))
    assert stored.text == ANALYSIS and stored.updated_by == manager
    assert AuditEntry.objects.filter(action="report.analysis").count() == 1
    assert _save_analysis(client, "y" * 10_001).status_code == 400  # too long: a form error, nothing saved
    assert ReportAnalysis.objects.get(pk=stored.pk).text == ANALYSIS
    # A quarter's analysis is its own.
    _save_analysis(client, "第四季度小结", period="quarter", at="2026-Q4")
    assert ReportAnalysis.objects.count() == 2

    client.force_login(agent)
    text = visible_text(client.get("/console/reports/monthly?month=2026-11"))
    assert "十一月投诉集中在一楼茶馆。" in text and "第四季度小结" not in text
    assert "50.0%" in text
    assert "客服接待月报表" in text and "回访率" in text
    printed = visible_text(client.get("/console/reports/monthly/print?period=month&at=2026-11"))
    assert "改进：增加午间巡场，电梯每周检修。" in printed and "50.0%" in printed


def test_the_report_in_excel_and_csv_carries_the_analysis(client, mall, november, manager):
    client.force_login(manager)
    _save_analysis(client, ANALYSIS)
    workbook = load_workbook(io.BytesIO(client.get(
        "/console/reports/monthly?period=month&at=2026-11&format=xlsx&lang=en").content))
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Call-back rate"] == "50.0%" and summary["Call-backs due"] == 2
    analysis = [row[0] for row in workbook["Analysis and improvements"].iter_rows(min_row=2, values_only=True)]
    assert analysis == ANALYSIS.splitlines()
    causes = dict(workbook["Root causes"].iter_rows(min_row=2, values_only=True))
    assert causes["Facilities and equipment"] == 1
    hours = dict(workbook["Complaints by hour"].iter_rows(min_row=2, values_only=True))
    assert hours["20"] == 1 and hours["21"] == 0

    rows = list(csv.reader(io.StringIO(client.get(
        "/console/reports/monthly?period=quarter&at=2026-Q4&format=csv").content.decode("utf-8-sig"))))
    assert ["2026-10", "1"] in rows and ["2026-11", "4"] in rows


def test_the_report_printed_to_pdf_has_the_analysis(client, mall, november, manager):
    from server.reports.pdf import chromium_path

    if chromium_path() is None:
        pytest.skip("no Chromium on this machine: the PDF download is not offered (tested below)")
    from pypdf import PdfReader

    client.force_login(manager)
    _save_analysis(client, ANALYSIS)
    response = client.get("/console/reports/monthly?period=month&at=2026-11&format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\n", "")
    assert "十一月投诉集中在一楼茶馆" in text and "电梯每周检修" in text
    assert "客服接待月报表" in text and "50.0%" in text
    assert AuditEntry.objects.filter(action="report.export", detail="pdf").exists()


def test_without_chromium_there_is_no_pdf_and_a_clear_message(client, mall, november, manager, settings):
    settings.CONCIERGE_CHROMIUM = "/nonexistent/chromium"
    client.force_login(manager)
    page = client.get("/console/reports/monthly?month=2026-11&lang=en")
    assert "format=pdf" not in page.content.decode() and "Print view" in visible_text(page)
    refused = client.get("/console/reports/monthly?period=month&at=2026-11&format=pdf&lang=en")
    assert refused.status_code == 503
    assert "cannot print PDF files" in visible_text(refused)


def test_the_manuals_words_on_the_console_pages(client, mall, kiosk, agent, november):
    """Each app's words win on its own pages: the case's 描述 (not the store's 介绍), the hot-spot
    column's 变化 (not the admin's 修改), 安全问题 and 价格疑问 as on the kiosk, 已结案 for a closed
    case, and the audit log's actions in words rather than codes."""
    client.force_login(agent)
    case = november["c"]
    flows.transition(case, S.CLOSED, agent)

    detail = visible_text(client.get(f"/console/cases/{case.pk}/?lang=zh_CN"))
    assert "介绍" not in detail
    assert "已结案" in detail and "已归档" not in detail
    report = client.get("/console/reports/monthly?month=2026-11&lang=zh_CN").content.decode()
    assert '<th class="num">变化</th>' in report and "修改" not in visible_text(client.get(
        "/console/reports/monthly?month=2026-11&lang=zh_CN"))
    inbox = visible_text(client.get("/console/cases/?lang=zh_CN"))
    assert "安全问题" in inbox and "价格疑问" in inbox and "价格问题" not in inbox
    assert "描述" in inbox and "介绍" not in inbox

    administrator = make_staff("admin-zhao", "administrator", mall)
    client.force_login(administrator)
    audit = client.get("/console/reports/audit?lang=zh_CN")
    words = visible_text(audit)
    assert "工单状态变更" in words and "case.status" not in words


def test_with_no_mall_yet_each_report_page_says_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="unused"))
    for response in (client.get("/console/reports/monthly?period=month&at=2026-11"),
                     client.get("/console/reports/monthly/print"),
                     client.post("/console/reports/monthly/analysis", {"period": "month", "text": "小结"})):
        assert response.status_code == 200 and "还没有商场，暂无报表。" in visible_text(response)
    assert not ReportAnalysis.objects.exists()
