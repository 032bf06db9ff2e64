"""Console report pages: the daily log and the audit log, with CSV and Excel; the monthly,
quarterly and yearly reports are period_views'."""
from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from server.accounts.models import AuditEntry
from server.accounts.services import record_audit
from server.cases.access import can_view_reports
from server.cases.audit import AUDITED_CASE_ACTIONS
from server.cases.presentation import mall_name
from server.core.console import page_context, staff_page
from server.lostfound.flows import AUDITED_LOST_PROPERTY_ACTIONS
from server.malls.boundary import scope, visible_mall_ids, working_mall
from server.malls.models import person_name

from . import charts, exports, services
from .audit_labels import action_label

AUDIT_PER_PAGE = 100
#: The actions the audit page filters by: the case desk's, the lost-property office's, then the other consoles'.
AUDITED_ACTIONS = [*AUDITED_CASE_ACTIONS, *AUDITED_LOST_PROPERTY_ACTIONS, "report.export", "report.analysis",
                   "broadcast_emergency",
                   "broadcast_notice", "broadcast_end", "content.publish", "wayfinding.close", "wayfinding.reopen"]


def can_view_audit(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or (user.has_perm("accounts.view_auditentry") and bool(visible_mall_ids(user)))))


def report_view(allowed):
    """Staff login required; the role must allow the page (403 otherwise)."""
    return staff_page(allowed, "cases/console/forbidden.html")


def _parse_day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _download(request, mall, tables, name: str, kind: str):
    record_audit(request.user, "report.export", mall=mall, subject=name, detail=kind)
    if kind == "xlsx":
        response = HttpResponse(exports.to_xlsx(tables), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        response = HttpResponse(exports.to_csv(tables), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@require_safe
@report_view(can_view_reports)
def daily(request):
    mall = working_mall(request)
    if mall is None:
        return render(request, "reports/no_mall.html", page_context(request))
    today = timezone.localdate(timezone=mall.zone)
    day = _parse_day(request.GET.get("day"), today)
    log = services.daily_log(mall, day)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        tables = exports.daily_tables(log, lambda c: c.status_label, person_name)
        return _download(request, mall, tables, f"daily-log-{mall.pk}-{day.isoformat()}", export)
    with timezone.override(mall.zone):
        return render(request, "reports/daily.html", page_context(
            request, mall=mall, mall_name=mall_name(mall, request.page_language), day=day, log=log,
            kinds_chart=charts.horizontal_bars(log.period.by_kind, title=_("Cases by kind")),
            tabs=_tabs(request, "daily"),
        ))


@require_safe
@report_view(can_view_audit)
def audit_log(request):
    entries = scope(AuditEntry.objects.select_related("mall"), request.user).order_by("-at", "-id")
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action=action)
    subject = request.GET.get("subject", "").strip()[:64]
    if subject:
        entries = entries.filter(subject=subject)
    shown = list(entries[:AUDIT_PER_PAGE])
    for entry in shown:
        entry.action_label = action_label(entry.action)
    return render(request, "reports/audit.html", page_context(
        request, entries=shown, action=action, subject=subject,
        tabs=_tabs(request, "audit"),
        actions=[(code, action_label(code)) for code in AUDITED_ACTIONS],
    ))


def _tabs(request, current: str) -> list[dict]:
    from django.urls import reverse

    tabs = [("daily", "", _("Daily log")), ("monthly", "", _("Monthly report")),
            ("quarter", "?period=quarter", _("Quarterly report")), ("year", "?period=year", _("Yearly report"))]
    if can_view_audit(request.user):
        tabs.append(("audit", "", _("Audit log")))
    return [{"href": reverse(f"reports:{'monthly' if query else name}") + query, "label": label,
             "current": name == current} for name, query, label in tabs]
