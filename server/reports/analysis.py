"""The manager's written analysis of a report period: read it, save it (audited), and who may."""
from __future__ import annotations

from django.utils import timezone

from server.accounts.services import record_audit
from server.cases.access import can_view_reports

from .models import ReportAnalysis
from .periods import Span

MAX_ANALYSIS_CHARS = 10_000
CHANGE_ANALYSIS = "reports.change_reportanalysis"


def can_write_analysis(user) -> bool:
    """The mall manager (and administrators) write the analysis; others who see reports read it."""
    return can_view_reports(user) and user.has_perm(CHANGE_ANALYSIS)


def analysis_text(mall, span: Span) -> str:
    return (ReportAnalysis.objects.filter(mall=mall, period=span.kind, first_day=span.first)
            .values_list("text", flat=True).first() or "")


def save_analysis(mall, span: Span, text: str, actor) -> ReportAnalysis:
    """Store the period's analysis (one per mall and period), replacing the previous words."""
    text = text.replace("\r\n", "\n").strip()[:MAX_ANALYSIS_CHARS]
    analysis, _created = ReportAnalysis.objects.update_or_create(
        mall=mall, period=span.kind, first_day=span.first,
        defaults={"text": text, "updated_by": actor, "updated_at": timezone.now()})
    record_audit(actor, "report.analysis", mall=mall, subject=f"{span.kind} {span.value}",
                 detail=f"{len(text)} characters")
    return analysis
