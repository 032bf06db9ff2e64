"""Match suggestions between lost reports and found items (staff only; the ranking itself is in
matching), staff's own search of the register, and their confirm / reject decisions."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from server.cases.models import Case

from . import flows, matching
from .errors import LostPropertyError
from .flows import MATCHABLE_ITEM_STATUSES, OPEN_REPORT_STATUSES
from .models import FoundItem, LostReport, MatchSuggestion, ReportStatus, SuggestionStatus
from .rules import clean_category, label_of


def _facts(record: FoundItem | LostReport) -> matching.ItemFacts:
    if isinstance(record, FoundItem):
        moment = record.found_at
    else:
        moment = record.lost_at
    return matching.ItemFacts(
        key=record.pk, category=record.category, text=record.description, colour=record.colour,
        brand=record.brand, at=moment, level_id=record.level_id, store_id=record.store_id,
    )


def _candidate_items(report: LostReport) -> QuerySet[FoundItem]:
    items = FoundItem.objects.filter(mall_id=report.mall_id, category=report.category,
                                     status__in=MATCHABLE_ITEM_STATUSES)
    since = (report.lost_at or report.created_at - matching.UNKNOWN_TIME_WINDOW) - matching.FOUND_BEFORE_LOST_SLACK
    return items.filter(found_at__gte=since).exclude(
        suggestions__report=report, suggestions__status=SuggestionStatus.REJECTED)


def rematch_report(report: LostReport) -> list[MatchSuggestion]:
    """Recompute the report's top suggestions; staff decisions (confirmed, rejected, an item
    staff put there themselves) stay."""
    report.refresh_from_db()
    if report.status not in OPEN_REPORT_STATUSES:
        return []
    ranked = matching.rank(_facts(report), [_facts(item) for item in _candidate_items(report)])
    scores = {suggestion.key: suggestion.score for suggestion in ranked}
    now = timezone.now()
    with transaction.atomic():
        report.suggestions.filter(status=SuggestionStatus.SUGGESTED, decided_by="").exclude(
            item_id__in=scores).delete()
        for item_id, score in scores.items():
            suggestion, created = MatchSuggestion.objects.get_or_create(
                report=report, item_id=item_id, defaults={"score": score, "computed_at": now})
            if not created and suggestion.status == SuggestionStatus.SUGGESTED:
                MatchSuggestion.objects.filter(pk=suggestion.pk).update(score=score, computed_at=now)
    return list(report.suggestions.exclude(status=SuggestionStatus.REJECTED).select_related("item"))


def rematch_item(item: FoundItem) -> int:
    """A new found item: re-rank every open lost report it could belong to. Returns how many."""
    item.refresh_from_db()
    if item.status not in MATCHABLE_ITEM_STATUSES:
        return 0
    latest_loss = item.found_at + matching.FOUND_BEFORE_LOST_SLACK
    earliest_loss = item.found_at - timedelta(days=matching.MAX_DAYS_LOST_TO_FOUND)
    reports = LostReport.objects.filter(
        mall_id=item.mall_id, category=item.category, status__in=OPEN_REPORT_STATUSES,
    ).filter(Q(lost_at__isnull=True) | Q(lost_at__lte=latest_loss, lost_at__gte=earliest_loss))
    count = 0
    for report in reports:
        rematch_report(report)
        count += 1
    return count


MAX_SEARCHED_ITEMS = 3000
SEARCH_RESULTS = 20


def search_register(report: LostReport, *, category: str = "", found_from: date | None = None,
                    found_to: date | None = None, level_id: str = "", limit: int = SEARCH_RESULTS,
                    ) -> list[tuple[FoundItem, float]]:
    """Staff searching the register for a report with filters of their own (a category the
    visitor may have chosen wrongly, a wider date range, one floor), ranked by the same
    similarity as the suggestions. Staff only, like the suggestions."""
    items = FoundItem.objects.filter(mall_id=report.mall_id, status__in=MATCHABLE_ITEM_STATUSES,
                                     category=clean_category(category or report.category))
    zone = timezone.get_current_timezone()
    if found_from:
        items = items.filter(found_at__gte=datetime.combine(found_from, datetime.min.time(), tzinfo=zone))
    if found_to:
        items = items.filter(found_at__lt=datetime.combine(found_to + timedelta(days=1), datetime.min.time(),
                                                           tzinfo=zone))
    if level_id:
        items = items.filter(level_id=level_id)
    by_id = {item.pk: item for item in items.order_by("-found_at")[:MAX_SEARCHED_ITEMS]}
    if not by_id:
        return []
    lost = _facts(report)
    ranked = matching.rank(dataclasses.replace(lost, category=category or report.category),
                           [_facts(item) for item in by_id.values()], limit, filtered=False)
    return [(by_id[suggestion.key], suggestion.score) for suggestion in ranked]


def suggest_item(report: LostReport, item: FoundItem, actor) -> MatchSuggestion:
    """Staff put an item from their own search among the report's suggestions (to confirm it
    next); an item they had rejected before comes back when they choose it themselves."""
    if item.mall_id != report.mall_id or item.status not in MATCHABLE_ITEM_STATUSES:
        raise LostPropertyError(gettext("That item cannot be suggested for this report."), "not_suggestable")
    if report.status not in OPEN_REPORT_STATUSES:
        raise LostPropertyError(gettext("This report is closed."), "report_closed")
    ranked = matching.rank(_facts(report), [_facts(item)], 1, filtered=False)
    score = ranked[0].score if ranked else 0.0
    suggestion, created = MatchSuggestion.objects.get_or_create(
        report=report, item=item,
        defaults={"score": score, "computed_at": timezone.now(), "decided_by": label_of(actor)})
    if not created and suggestion.status == SuggestionStatus.REJECTED:
        flows.move(suggestion, SuggestionStatus.SUGGESTED, actor, changes={"decided_by": label_of(actor)})
    return suggestion


def suggestions_for_report(report: LostReport) -> QuerySet[MatchSuggestion]:
    return report.suggestions.exclude(status=SuggestionStatus.REJECTED).select_related("item").order_by("-score")


def suggestions_for_item(item: FoundItem) -> QuerySet[MatchSuggestion]:
    return item.suggestions.exclude(status=SuggestionStatus.REJECTED).select_related(
        "report__case").filter(report__status__in=OPEN_REPORT_STATUSES).order_by("-score")


def confirm_match(suggestion: MatchSuggestion, actor) -> MatchSuggestion:
    """Staff judged the found item to be the reported one: the visitor's tracking page now
    asks them to come to the desk with identification (it never describes the item)."""
    with transaction.atomic():
        report = LostReport.objects.select_related("case").get(pk=suggestion.report_id)
        flows.move(report, ReportStatus.MATCHED, actor)  # refused unless the report is still open
        flows.move(suggestion, SuggestionStatus.CONFIRMED, actor, changes={"decided_by": label_of(actor)})
    suggestion.refresh_from_db()
    return suggestion


def reject_match(suggestion: MatchSuggestion, actor) -> None:
    """Not the same item: it is never suggested for this report again. A rejected confirmed
    match re-opens the search."""
    with transaction.atomic():
        was_confirmed = suggestion.status == SuggestionStatus.CONFIRMED
        flows.move(suggestion, SuggestionStatus.REJECTED, actor, changes={"decided_by": label_of(actor)})
        report = LostReport.objects.select_related("case").get(pk=suggestion.report_id)
        if was_confirmed and report.status == ReportStatus.MATCHED:  # a returned report stays returned
            flows.move(report, ReportStatus.OPEN, actor, changes={"matched_at": None})
    transaction.on_commit(lambda: rematch_report(suggestion.report))


def has_confirmed_match(case: Case) -> bool:
    """For the visitor's tracking page: is a possible match waiting at the desk?"""
    return LostReport.objects.filter(case=case, status=ReportStatus.MATCHED).exists()


def rematch_open_reports() -> int:
    """Match every open lost report again (items may have arrived while one was computed)."""
    count = 0
    for report in LostReport.objects.filter(status__in=OPEN_REPORT_STATUSES).iterator():
        rematch_report(report)
        count += 1
    return count
