"""The reports as tables, written to CSV (UTF-8 with a BOM, so Excel reads the Chinese) or to
an Excel workbook (openpyxl), one sheet per table."""
from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .services import DailyLog, ServiceReport

Table = tuple[str, list[str], list[list]]


def _percent(value) -> str:
    return "" if value is None else f"{value}%"


def daily_tables(log: DailyLog, status_label, person) -> list[Table]:
    summary = [[_("Cases received"), log.period.received], [_("Handled"), log.period.handled],
               [_("Handling rate"), _percent(log.period.handling_rate)],
               [_("Satisfaction taps at kiosks"), log.satisfaction_taps]]
    summary += [[label, count] for label, count in log.period.by_kind]
    cases = [[c.reference, c.received_at.strftime("%Y-%m-%d %H:%M"), c.kind_label, c.category_label,
              status_label(c), person(c.owner) if c.owner else ""] for c in log.cases]
    ledgers = [[section, label, count] for section, rows in log.ledgers for label, count in rows]
    return [
        (pgettext("report", "Summary"), [_("Item"), _("Value")], summary),
        (_("Cases"), [_("Reference"), _("Received"), _("Kind"), _("Category"), _("Status"), _("Owner")], cases),
        (_("Desk ledgers"), [_("Ledger"), _("Item"), _("Count")], ledgers),
    ]


def report_tables(report: ServiceReport, analysis: str = "") -> list[Table]:
    """The customer service report's sections in the order the printed report has them, the
    manager's analysis last."""
    faces = [pgettext("kiosk face", word) for word in ("Poor", "Fair", "Good", "Great")]
    summary = [
        [_("Cases received"), report.period.received], [_("Handled"), report.period.handled],
        [_("Handling rate"), _percent(report.period.handling_rate)],
        [_("On-time rate"), _percent(report.on_time_rate)],
        [_("Mean time to resolve (hours)"), report.mean_hours_to_resolve or ""],
        [_("Call-backs due"), report.callbacks.due], [_("Call-backs made"), report.callbacks.done],
        [_("Call-back rate"), _percent(report.callbacks.rate)],
        [_("Mean satisfaction at call-back (1-5)"), report.mean_callback_satisfaction or ""],
        [_("Mean rating (1-5)"), report.mean_rating or ""], [_("Ratings"), report.ratings],
        [_("Low ratings (1-2)"), report.low_scores],
        [_("Kiosk satisfaction taps"), report.pulse.get("total", 0)],
        [_("Period"), report.span.label],
    ]
    count = _("Cases")
    complaints = _("Complaints")
    change = pgettext("difference between two periods", "Change")
    timeline = ((_("Per day"), [_("Day"), count], report.per_day) if report.per_day
                else (_("Per month"), [_("Month"), count], report.per_month))
    return [
        (pgettext("report", "Summary"), [_("Item"), _("Value")], summary),
        (_("By kind"), [_("Kind"), count], [list(p) for p in report.period.by_kind]),
        (_("Complaints by category"), [_("Category"), count], [list(p) for p in report.by_category]),
        (_("Root causes"), [_("Root cause"), count], [list(p) for p in report.root_causes]),
        (_("Complaints by hour"), [_("Hour"), complaints], [list(p) for p in report.complaints_by_hour]),
        (_("Complaints by weekday"), [_("Weekday"), complaints], [list(p) for p in report.complaints_by_weekday]),
        (_("By floor"), [_("Floor"), count], [list(p) for p in report.by_floor]),
        (_("By store"), [_("Store"), count], [list(p) for p in report.by_store]),
        (_("By department"), [_("Department"), count], [list(p) for p in report.by_department]),
        (timeline[0], timeline[1], [list(p) for p in timeline[2]]),
        (_("Complaint hot spots by store"), [_("Store"), _("This period"), _("Period before"), change],
         [[h["store"], h["now"], h["before"], h["change"]] for h in report.hot_spots]),
        (_("Complaint hot spots by floor"), [_("Floor"), _("This period"), _("Period before"), change],
         [[h["store"], h["now"], h["before"], h["change"]] for h in report.floor_hot_spots]),
        (_("Kiosk satisfaction by kiosk"), [_("Kiosk"), _("Taps"), _("Mean (1-4)"), *faces],
         [[r["label"], r["total"], r["mean"] or "", *r["faces"]] for r in report.pulse.get("by_kiosk", [])]),
        (_("Kiosk satisfaction by hour"), [_("Hour"), _("Taps"), _("Mean (1-4)"), *faces],
         [[r["label"], r["total"], r["mean"] or "", *r["faces"]] for r in report.pulse.get("by_hour", [])]),
        (_("Kiosk satisfaction by floor"), [_("Floor"), _("Taps"), _("Mean (1-4)"), *faces],
         [[r["label"], r["total"], r["mean"] or "", *r["faces"]] for r in report.pulse.get("by_floor", [])]),
        (_("Analysis and improvements"), [_("Manager's analysis")],
         [[paragraph] for paragraph in analysis.splitlines() if paragraph.strip()]),
    ]


def to_csv(tables: list[Table]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, (title, header, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows([_safe_cell(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for title, header, rows in tables:
        name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
        while name in used:
            name = name[:28] + f"_{len(used)}"
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_safe_cell(cell) for cell in row])
        sheet.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe_cell(value):
    """Text that a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
