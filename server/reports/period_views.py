"""The customer service report (客服接待月报表) of a month, quarter or year: the console page, its
print view, the manager's analysis form, and the CSV, Excel and PDF downloads."""
from __future__ import annotations

import functools

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST, require_safe

from server.accounts.services import record_audit
from server.cases.access import can_view_reports
from server.cases.presentation import floor_choices, mall_name, store_choices
from server.core.console import page_context
from server.malls.boundary import working_mall

from . import charts, exports, pdf, services
from .analysis import MAX_ANALYSIS_CHARS, analysis_text, can_write_analysis, save_analysis
from .models import PeriodKind
from .periods import Span, parse_span
from .views import _download, _tabs, report_view

HOT_COLOUR = "#d4380d"


class AnalysisForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Analysis and improvements"), required=False,
                           max_length=MAX_ANALYSIS_CHARS, widget=forms.Textarea(attrs={"rows": 8}))


def _span(request, mall) -> Span:
    today = timezone.localdate(timezone=mall.zone)
    source = request.POST if request.method == "POST" else request.GET
    return parse_span(source.get("period"), source.get("at") or source.get("month"), today)


def period_page(view):
    """A report view of the mall the page works on and the period asked: `view(request, mall, span)`;
    without a mall to work on, the page that says so."""

    @functools.wraps(view)
    def wrapped(request):
        mall = working_mall(request)
        if mall is None:
            return render(request, "reports/no_mall.html", page_context(request))
        return view(request, mall, _span(request, mall))

    return wrapped


def _address(name: str, mall, span: Span, **extra) -> str:
    query = {"period": span.kind, "at": span.value, "mall": mall.pk, **extra}
    return f"{reverse(name)}?{urlencode(query)}"


def _context(request, mall, span: Span, **extra) -> dict:
    stores = dict(store_choices([mall.pk], request.page_language))
    floors = dict(floor_choices([mall.pk]))
    report = services.service_report(mall, span, stores, floors)
    timeline = (charts.columns(report.per_day, title=_("Cases per day")) if report.per_day
                else charts.columns(report.per_month, title=_("Cases per month")))
    return page_context(
        request, mall=mall, mall_name=mall_name(mall, request.page_language), report=report, span=span,
        analysis=analysis_text(mall, span), can_write=can_write_analysis(request.user),
        pdf_available=pdf.chromium_path() is not None,
        periods=[(kind.value, kind.label, kind == span.kind) for kind in PeriodKind],
        addresses={kind: _address("reports:monthly", mall, span, format=kind) for kind in ("csv", "xlsx", "pdf")}
        | {"print": _address("reports:print", mall, span),
           "previous": _address("reports:monthly", mall, span.previous)},
        charts={
            "timeline": timeline,
            "kind": charts.horizontal_bars(report.period.by_kind, title=_("Cases by kind")),
            "category": charts.horizontal_bars(report.by_category, title=_("Complaints by category"),
                                               colour=HOT_COLOUR),
            "root_causes": charts.horizontal_bars(report.root_causes, title=_("Root causes")),
            "hour": charts.columns(report.complaints_by_hour, title=_("Complaints by hour of day"),
                                   colour=HOT_COLOUR, width=620),
            "weekday": charts.horizontal_bars(report.complaints_by_weekday, title=_("Complaints by weekday"),
                                              colour=HOT_COLOUR),
            "floor": charts.horizontal_bars(report.by_floor, title=_("Cases by floor")),
            "store": charts.horizontal_bars(report.by_store[:10], title=_("Cases by store")),
            "pulse_hour": charts.columns([(r["label"][:2], r["mean"] or 0) for r in report.pulse["by_hour"]],
                                         title=_("Kiosk satisfaction by hour (mean of 1-4)"),
                                         colour="#00875a", width=520),
        },
        **extra,
    )


@require_safe
@report_view(can_view_reports)
@period_page
def report(request, mall, span: Span):
    export = request.GET.get("format")
    name = f"service-report-{mall.pk}-{span.value}"
    with timezone.override(mall.zone):
        if export in ("csv", "xlsx"):
            stores = dict(store_choices([mall.pk], request.page_language))
            report = services.service_report(mall, span, stores, dict(floor_choices([mall.pk])))
            return _download(request, mall, exports.report_tables(report, analysis_text(mall, span)), name, export)
        if export == "pdf":
            page = render_to_string("reports/report_print.html", _context(request, mall, span), request)
            try:
                document = pdf.html_to_pdf(page)
            except pdf.PdfUnavailable:
                return _page(request, mall, span, status=503, error=_(
                    "This server cannot print PDF files (it has no Chromium). Open the print view and "
                    "use your browser's “Save as PDF”."))
            record_audit(request.user, "report.export", mall=mall, subject=name, detail="pdf")
            response = HttpResponse(document, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
        return _page(request, mall, span)


def _page(request, mall, span: Span, *, status: int = 200, form: AnalysisForm | None = None, error: str = ""):
    current = "monthly" if span.kind == PeriodKind.MONTH else span.kind
    context = _context(request, mall, span, tabs=_tabs(request, current), error=error,
                       form=form or AnalysisForm(initial={"text": analysis_text(mall, span)}))
    return render(request, "reports/monthly.html", context, status=status)


@require_safe
@report_view(can_view_reports)
@period_page
def report_print(request, mall, span: Span):
    """The report alone on a page, as it prints (and as the PDF is made)."""
    with timezone.override(mall.zone):
        return render(request, "reports/report_print.html", _context(request, mall, span))


@require_POST
@csrf_protect
@report_view(can_view_reports)
@period_page
def analysis(request, mall, span: Span):
    """The manager saves the period's written analysis."""
    if not can_write_analysis(request.user):
        return render(request, "cases/console/forbidden.html", page_context(request), status=403)
    form = AnalysisForm(request.POST)
    if not form.is_valid():
        with timezone.override(mall.zone):
            return _page(request, mall, span, status=400, form=form)
    save_analysis(mall, span, form.cleaned_data["text"], request.user)
    return redirect(_address("reports:monthly", mall, span) + "#analysis")
