"""Lost-property rules: registering found items, lost reports, matching, claims and hand-over,
retention and disposal, and the office's figures. Views and signals only call these.

The manuals' practice: register what was found (name, features, time and place), keep it
safely, give it back only to a claimant who answers the hidden details and shows identity,
with a signature; after the retention time of its category, dispose of it and log where it
went (ID documents to the police promptly, bank cards destroyed).
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import io
import re
import secrets
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from server.accounts.services import person_name
from server.cases import flows
from server.cases.models import Case, Visibility
from sync.protocol import (
    ITEM_DETAIL_BRAND,
    ITEM_DETAIL_CATEGORY,
    ITEM_DETAIL_COLOUR,
    ITEM_DETAIL_LEVEL,
    ITEM_DETAIL_PLACE_NOTE,
    REFERENCE_ALPHABET,
    CaseKind,
    CaseStatus,
    ItemCategory,
    ItemColour,
    has_control_characters,
)
from venue.languages import page_code

from . import matching
from .models import (
    Claim,
    Disposal,
    DisposalAction,
    FoundItem,
    IdKind,
    ItemPhoto,
    ItemStatus,
    LostReport,
    MatchSuggestion,
    ReportStatus,
    SuggestionStatus,
)


@dataclass(frozen=True)
class RetentionRule:
    days: int
    actions: tuple[DisposalAction, ...]
    """What may happen to the item when nobody claims it in time; the first is the usual one."""


RETENTION: dict[ItemCategory, RetentionRule] = {
    ItemCategory.DOCUMENTS: RetentionRule(3, (DisposalAction.POLICE,)),
    ItemCategory.CARD: RetentionRule(7, (DisposalAction.DESTROYED, DisposalAction.POLICE)),
    ItemCategory.PHONE: RetentionRule(30, (DisposalAction.POLICE,)),
    ItemCategory.JEWELLERY: RetentionRule(30, (DisposalAction.POLICE,)),
    ItemCategory.WALLET: RetentionRule(30, (DisposalAction.POLICE,)),
    ItemCategory.KEYS: RetentionRule(30, (DisposalAction.DESTROYED,)),
    ItemCategory.BAG: RetentionRule(30, (DisposalAction.DONATED, DisposalAction.POLICE)),
    ItemCategory.UMBRELLA: RetentionRule(30, (DisposalAction.DONATED, DisposalAction.DESTROYED)),
    ItemCategory.CLOTHING: RetentionRule(30, (DisposalAction.DONATED, DisposalAction.DESTROYED)),
    ItemCategory.TOY: RetentionRule(30, (DisposalAction.DONATED, DisposalAction.DESTROYED)),
    ItemCategory.OTHER: RetentionRule(30, (DisposalAction.DONATED, DisposalAction.DESTROYED, DisposalAction.POLICE)),
}
"""Retention per category: ID documents go to the police within days, bank cards are destroyed,
valuables go to the police after 30 days, the rest is donated or destroyed."""

NO_PHOTO_CATEGORIES = frozenset({ItemCategory.CARD, ItemCategory.DOCUMENTS})
"""No photos of ID documents or bank cards: a photo of one is a copy of someone's identity."""
MATCHABLE_ITEM_STATUSES = (ItemStatus.ANNOUNCED, ItemStatus.STORED, ItemStatus.DUE)
CLAIMABLE_ITEM_STATUSES = (ItemStatus.STORED, ItemStatus.DUE)
OPEN_REPORT_STATUSES = (ReportStatus.OPEN, ReportStatus.MATCHED)
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_SIDE = 1600
MAX_PHOTOS_PER_ITEM = 6
MAX_SIGNATURE_BYTES = 300 * 1024
ID_DIGITS_RE = re.compile(r"^[0-9A-Za-z]{4}$")
DATA_URL_PREFIX = "data:image/png;base64,"


class LostPropertyError(Exception):
    """A request the lost-property rules refuse; the message is for staff, in their language."""

    def __init__(self, message: str, code: str = "lost_property_error"):
        super().__init__(message)
        self.message = message
        self.code = code


# ---------------------------------------------------------------- registering
def keep_until(category: str, from_day: date) -> date:
    return from_day + timedelta(days=RETENTION[ItemCategory(category)].days)


def _new_number(moment: datetime) -> str:
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
    return f"LF-{timezone.localtime(moment):%y%m%d}-{suffix}"


def _clean_text(value: str, limit: int, label: str, *, required: bool = False) -> str:
    value = (value or "").strip().replace("\r\n", "\n")
    if required and not value:
        raise LostPropertyError(gettext("Please fill in %(field)s.") % {"field": label}, "missing")
    if len(value) > limit:
        raise LostPropertyError(
            gettext("%(field)s can be at most %(count)d characters.") % {"field": label, "count": limit}, "too_long")
    if has_control_characters(value):
        raise LostPropertyError(gettext("%(field)s contains characters that cannot be shown.") % {"field": label},
                                "control_characters")
    return value


def _category(value: str) -> str:
    try:
        return ItemCategory(value).value
    except ValueError:
        raise LostPropertyError(gettext("Choose a category."), "category") from None


def _colour(value: str) -> str:
    if not value:
        return ""
    try:
        return ItemColour(value).value
    except ValueError:
        raise LostPropertyError(gettext("Choose a colour from the list."), "colour") from None


def register_found_item(mall, actor, *, category: str, description: str, found_at: datetime,
                        colour: str = "", brand: str = "", hidden_details: str = "", level_id: str = "",
                        store_id: str = "", place: str = "", storage_place: str = "",
                        case: Case | None = None, status: ItemStatus = ItemStatus.STORED) -> FoundItem:
    """Write a found item in the register; suggestions for open lost reports follow on commit."""
    fields = dict(
        category=_category(category),
        colour=_colour(colour),
        brand=_clean_text(brand, 60, gettext("Brand")),
        description=_clean_text(description, 2000, gettext("Features"), required=True),
        hidden_details=_clean_text(hidden_details, 1000, gettext("Hidden details")),
        level_id=_clean_text(level_id, 64, gettext("Floor")),
        store_id=_clean_text(store_id, 64, gettext("Store")),
        place=_clean_text(place, 200, gettext("Where exactly")),
        storage_place=_clean_text(storage_place, 100, gettext("Storage place")),
    )
    if found_at is None:
        raise LostPropertyError(gettext("Say when the item was found."), "found_at")
    now = timezone.now()
    if found_at > now + timedelta(minutes=5):
        raise LostPropertyError(gettext("The time found is in the future."), "found_at")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                item = FoundItem.objects.create(
                    mall=mall, case=case, found_at=found_at, status=status, registered_at=now,
                    registered_by=_label(actor), number=_new_number(now),
                    keep_until=keep_until(fields["category"], timezone.localdate(now)),
                    label_token=secrets.token_urlsafe(18), **fields,
                )
            break
        except IntegrityError:
            continue
    else:
        raise LostPropertyError(gettext("The item could not be registered; try again."), "conflict")
    transaction.on_commit(lambda: rematch_item(item))
    return item


def receive_handed_in(item: FoundItem, actor, *, storage_place: str, hidden_details: str = "") -> FoundItem:
    """A finder brought an item announced at a kiosk to the desk: it is now in storage."""
    storage_place = _clean_text(storage_place, 100, gettext("Storage place"), required=True)
    hidden_details = _clean_text(hidden_details, 1000, gettext("Hidden details"))
    now = timezone.now()
    changes = dict(status=ItemStatus.STORED, storage_place=storage_place, registered_at=now,
                   registered_by=_label(actor), keep_until=keep_until(item.category, timezone.localdate(now)))
    if hidden_details:
        changes["hidden_details"] = hidden_details
    if not FoundItem.objects.filter(pk=item.pk, status=ItemStatus.ANNOUNCED).update(**changes):
        raise LostPropertyError(gettext("This item has already been received."), "not_announced")
    for field, value in changes.items():
        setattr(item, field, value)
    return item


def update_storage(item: FoundItem, actor, *, storage_place: str, hidden_details: str) -> FoundItem:
    item.storage_place = _clean_text(storage_place, 100, gettext("Storage place"))
    item.hidden_details = _clean_text(hidden_details, 1000, gettext("Hidden details"))
    item.save(update_fields=["storage_place", "hidden_details"])
    return item


def add_photo(item: FoundItem, data: bytes) -> ItemPhoto:
    """Keep a photo of the item, re-encoded (no metadata); refused for cards and documents."""
    from PIL import Image, UnidentifiedImageError

    if item.category in NO_PHOTO_CATEGORIES:
        raise LostPropertyError(
            gettext("No photos of identity documents or bank cards: describe them in words."), "no_photo")
    if item.photos.count() >= MAX_PHOTOS_PER_ITEM:
        raise LostPropertyError(gettext("An item can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ITEM},
                                "too_many_photos")
    if not data or len(data) > MAX_PHOTO_BYTES:
        raise LostPropertyError(gettext("The photo must be a JPEG or PNG file of at most 8 MB."), "photo_size")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP"):
                raise LostPropertyError(gettext("The photo must be a JPEG or PNG file of at most 8 MB."), "photo_format")
            image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
            output = io.BytesIO()
            image.convert("RGB").save(output, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise LostPropertyError(gettext("That file is not a photo we can read."), "photo_unreadable") from None
    return ItemPhoto.objects.create(item=item, jpeg=output.getvalue())


def create_lost_report(mall, *, category: str, description: str, colour: str = "", brand: str = "",
                       lost_at: datetime | None = None, level_id: str = "", store_id: str = "",
                       case: Case | None = None) -> LostReport:
    report = LostReport.objects.create(
        mall=mall, case=case, category=_category(category), colour=_colour(colour),
        brand=_clean_text(brand, 60, gettext("Brand")),
        description=_clean_text(description, 2000, gettext("Description"), required=True),
        lost_at=lost_at, level_id=_clean_text(level_id, 64, gettext("Floor")),
        store_id=_clean_text(store_id, 64, gettext("Store")),
    )
    transaction.on_commit(lambda: rematch_report(report))
    return report


# ---------------------------------------------------------------- from kiosk cases
def record_from_case(case: Case) -> None:
    """A kiosk case of a lost-property kind: announce the found item, or open the lost report.

    Kiosk input the register would refuse is kept, not dropped: an unknown category becomes
    "other", an unknown colour is left out; the visitor's words are in the description.
    """
    details = case.details or {}
    try:
        category = ItemCategory(details.get(ITEM_DETAIL_CATEGORY, "")).value
    except ValueError:
        category = ItemCategory.OTHER.value
    try:
        colour = ItemColour(details.get(ITEM_DETAIL_COLOUR, "")).value
    except ValueError:
        colour = ""
    common = dict(mall=case.mall, case=case, category=category, colour=colour,
                  brand=details.get(ITEM_DETAIL_BRAND, "")[:60], description=case.description[:2000],
                  level_id=details.get(ITEM_DETAIL_LEVEL, "")[:64], store_id=case.store_id[:64])
    if case.kind == CaseKind.FOUND_ITEM:
        moment = case.occurred_at or case.created_at
        item = FoundItem.objects.create(
            found_at=moment, status=ItemStatus.ANNOUNCED, registered_at=case.received_at,
            place=details.get(ITEM_DETAIL_PLACE_NOTE, "")[:200],
            registered_by=f"kiosk {case.reference}", number=_new_number(case.received_at),
            keep_until=keep_until(category, timezone.localdate(case.received_at)),
            label_token=secrets.token_urlsafe(18), **common,
        )
        transaction.on_commit(lambda: rematch_item(item))
    elif case.kind == CaseKind.LOST_REPORT:
        report = LostReport.objects.create(lost_at=case.occurred_at, created_at=case.received_at, **common)
        transaction.on_commit(lambda: rematch_report(report))


# ---------------------------------------------------------------- matching
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
                                     category=_category(category or report.category))
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
        defaults={"score": score, "computed_at": timezone.now(), "decided_by": _label(actor)})
    if not created and suggestion.status == SuggestionStatus.REJECTED:
        MatchSuggestion.objects.filter(pk=suggestion.pk).update(
            status=SuggestionStatus.SUGGESTED, decided_by=_label(actor), decided_at=timezone.now())
        suggestion.refresh_from_db()
    return suggestion


def suggestions_for_report(report: LostReport) -> QuerySet[MatchSuggestion]:
    return report.suggestions.exclude(status=SuggestionStatus.REJECTED).select_related("item").order_by("-score")


def suggestions_for_item(item: FoundItem) -> QuerySet[MatchSuggestion]:
    return item.suggestions.exclude(status=SuggestionStatus.REJECTED).select_related(
        "report__case").filter(report__status__in=OPEN_REPORT_STATUSES).order_by("-score")


def confirm_match(suggestion: MatchSuggestion, actor) -> MatchSuggestion:
    """Staff judged the found item to be the reported one: the visitor's tracking page now
    asks them to come to the desk with identification (it never describes the item)."""
    now = timezone.now()
    with transaction.atomic():
        report = LostReport.objects.select_for_update().get(pk=suggestion.report_id)
        if report.status != ReportStatus.OPEN:
            raise LostPropertyError(gettext("This report already has a confirmed match."), "already_matched")
        MatchSuggestion.objects.filter(pk=suggestion.pk).update(
            status=SuggestionStatus.CONFIRMED, decided_by=_label(actor), decided_at=now)
        LostReport.objects.filter(pk=report.pk).update(status=ReportStatus.MATCHED, matched_at=now)
    suggestion.refresh_from_db()
    return suggestion


def reject_match(suggestion: MatchSuggestion, actor) -> None:
    """Not the same item: it is never suggested for this report again. A rejected confirmed
    match re-opens the search."""
    with transaction.atomic():
        was_confirmed = suggestion.status == SuggestionStatus.CONFIRMED
        MatchSuggestion.objects.filter(pk=suggestion.pk).update(
            status=SuggestionStatus.REJECTED, decided_by=_label(actor), decided_at=timezone.now())
        if was_confirmed:
            LostReport.objects.filter(pk=suggestion.report_id, status=ReportStatus.MATCHED).update(
                status=ReportStatus.OPEN, matched_at=None)
    transaction.on_commit(lambda: rematch_report(suggestion.report))


def has_confirmed_match(case: Case) -> bool:
    """For the visitor's tracking page: is a possible match waiting at the desk?"""
    return LostReport.objects.filter(case=case, status=ReportStatus.MATCHED).exists()


# ---------------------------------------------------------------- claims
def start_claim(item: FoundItem, actor, *, claimant_name: str, questions: str, answers: str,
                answers_match: bool, id_kind: str, id_last_digits: str, claimant_phone: str = "",
                report: LostReport | None = None) -> Claim:
    """Record the checks before a hand-over: hidden details asked and answered, identity seen.

    Only the kind of document and its last four characters are kept, never an image of it.
    """
    if item.status not in CLAIMABLE_ITEM_STATUSES:
        raise LostPropertyError(gettext("Only an item in storage can be claimed."), "not_claimable")
    if not answers_match:
        raise LostPropertyError(
            gettext("The answers must match the hidden details before the item is handed over."), "answers")
    if id_kind not in IdKind.values:
        raise LostPropertyError(gettext("Choose the identity document you checked."), "id_kind")
    id_last_digits = (id_last_digits or "").strip()
    if not ID_DIGITS_RE.match(id_last_digits):
        raise LostPropertyError(gettext("Enter the last 4 characters of the document number."), "id_digits")
    if report is not None and report.mall_id != item.mall_id:
        raise LostPropertyError(gettext("That lost report is for another mall."), "report")
    return Claim.objects.create(
        item=item, report=report, id_kind=id_kind, id_last_digits=id_last_digits.upper(),
        claimant_name=_clean_text(claimant_name, 100, gettext("Claimant's name"), required=True),
        claimant_phone=_clean_text(claimant_phone, 20, gettext("Claimant's phone")),
        questions=_clean_text(questions, 1000, gettext("Questions asked"), required=True),
        answers=_clean_text(answers, 1000, gettext("Claimant's answers"), required=True),
        answers_match=True, id_checked_by=_label(actor),
    )


def decode_signature(data_url: str) -> bytes:
    """The PNG a <canvas> produced (toDataURL), checked to be a real, small, non-empty image."""
    from PIL import Image, UnidentifiedImageError

    if not data_url or not data_url.startswith(DATA_URL_PREFIX):
        raise LostPropertyError(gettext("Please sign in the box, or confirm the hand-over as staff."), "signature")
    try:
        png = base64.b64decode(data_url[len(DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise LostPropertyError(gettext("The signature could not be read; please sign again."), "signature") from None
    if len(png) > MAX_SIGNATURE_BYTES:
        raise LostPropertyError(gettext("The signature could not be read; please sign again."), "signature")
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG":
                raise LostPropertyError(gettext("The signature could not be read; please sign again."), "signature")
            on_white = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
            drawn = on_white.convert("L").getextrema()[0] < 128
    except (UnidentifiedImageError, OSError):
        raise LostPropertyError(gettext("The signature could not be read; please sign again."), "signature") from None
    if not drawn:
        raise LostPropertyError(gettext("The signature box is empty; please sign."), "signature_empty")
    return png


def hand_over(claim: Claim, actor, *, signature_data_url: str = "", staff_confirmed: bool = False) -> Claim:
    """Give the item back: signed on screen by the claimant, or confirmed by a staff member
    (a claimant who cannot sign). Closes the lost report and the visitor's kiosk case, and
    tells the finder's case that the item went home."""
    if signature_data_url:
        signature = decode_signature(signature_data_url)
    elif staff_confirmed:
        signature = None
    else:
        raise LostPropertyError(gettext("Please sign in the box, or confirm the hand-over as staff."), "signature")
    now = timezone.now()
    with transaction.atomic():
        updated = FoundItem.objects.filter(pk=claim.item_id, status__in=CLAIMABLE_ITEM_STATUSES).update(
            status=ItemStatus.RETURNED, returned_at=now)
        if not updated or claim.handed_over_at is not None:
            raise LostPropertyError(gettext("This item has already been handed over or disposed of."), "not_claimable")
        Claim.objects.filter(pk=claim.pk).update(
            signature_png=signature, staff_confirmed_by="" if signature else _label(actor),
            handed_over_at=now, handed_over_by=_label(actor))
        MatchSuggestion.objects.filter(item_id=claim.item_id, status=SuggestionStatus.SUGGESTED).delete()
        if claim.report_id:
            LostReport.objects.filter(pk=claim.report_id).update(status=ReportStatus.RETURNED)
            report = LostReport.objects.select_related("case").get(pk=claim.report_id)
            if report.case is not None:
                _finish_case(report.case, actor, RETURNED_TO_OWNER_NOTE)
        item = FoundItem.objects.select_related("case").get(pk=claim.item_id)
        if item.case is not None:
            _finish_case(item.case, actor, RETURNED_FOR_FINDER_NOTE)
    claim.refresh_from_db()
    return claim


RETURNED_TO_OWNER_NOTE = gettext_noop("Your item was returned to you at the service desk. Thank you.")
RETURNED_FOR_FINDER_NOTE = gettext_noop("The item you found has been returned to its owner. Thank you for your help!")
_CLOSING_PATH = (CaseStatus.CLOSED, CaseStatus.RESOLVED, CaseStatus.FOLLOWED_UP, CaseStatus.ACCEPTED)
"""Preferred next status, in order, when walking a case to its end through `transition`."""


def _finish_case(case: Case, actor, message: str) -> None:
    """Walk the kiosk case to closed through the case lifecycle, telling the visitor why."""
    with translation.override(page_code(case.language)):
        note = gettext(message)
    told = False
    while CaseStatus(case.status) not in flows.FINAL_STATUSES:
        allowed = flows.allowed_next_statuses(case)
        target = next(status for status in _CLOSING_PATH if status in allowed)
        public_note = note if target == CaseStatus.RESOLVED and not told else ""
        told = told or bool(public_note)
        flows.transition(case, target, actor, note=public_note, visibility=Visibility.PUBLIC)


# ---------------------------------------------------------------- retention and disposal
def mark_due_items(today: date | None = None) -> int:
    """Items past their category's retention time become due for disposal (idempotent, safe
    on several servers at once: a conditional update per batch)."""
    today = today or timezone.localdate()
    return FoundItem.objects.filter(status=ItemStatus.STORED, keep_until__lt=today).update(status=ItemStatus.DUE)


def rematch_open_reports() -> int:
    """Match every open lost report again (items may have arrived while one was computed)."""
    count = 0
    for report in LostReport.objects.filter(status__in=OPEN_REPORT_STATUSES).iterator():
        rematch_report(report)
        count += 1
    return count


def allowed_disposals(item: FoundItem) -> tuple[DisposalAction, ...]:
    return RETENTION[ItemCategory(item.category)].actions


def dispose(item: FoundItem, actor, *, action: str, recipient: str = "", note: str = "") -> Disposal:
    """Log where an unclaimed item went. Documents and cards may go at once (police, shredder);
    anything else only once due."""
    try:
        action = DisposalAction(action)
    except ValueError:
        raise LostPropertyError(gettext("Choose what happened to the item."), "action") from None
    if action not in allowed_disposals(item):
        raise LostPropertyError(gettext("That is not allowed for this category of item."), "action_not_allowed")
    early = item.category in NO_PHOTO_CATEGORIES
    allowed_statuses = (ItemStatus.DUE, ItemStatus.STORED) if early else (ItemStatus.DUE,)
    recipient = _clean_text(recipient, 150, gettext("Handed to"), required=action != DisposalAction.DESTROYED)
    note = _clean_text(note, 300, gettext("Note"))
    with transaction.atomic():
        if not FoundItem.objects.filter(pk=item.pk, status__in=allowed_statuses).update(status=ItemStatus.DISPOSED):
            raise LostPropertyError(gettext("Only an unclaimed item past its retention time can be disposed of."),
                                    "not_due")
        MatchSuggestion.objects.filter(item=item, status=SuggestionStatus.SUGGESTED).delete()
        disposal = Disposal.objects.create(item=item, action=action, recipient=recipient, note=note,
                                           recorded_by=_label(actor))
    item.status = ItemStatus.DISPOSED
    return disposal


# ---------------------------------------------------------------- the office's figures
@dataclass(frozen=True)
class CategoryFigures:
    category: str
    items_in: int
    returned: int

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.items_in if self.items_in else None


@dataclass(frozen=True)
class OfficeFigures:
    start: date
    end: date
    items_in: int
    returned: int
    disposed: int
    lost_reports: int
    median_hours_to_return: float | None
    by_category: list[CategoryFigures]

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.items_in if self.items_in else None


def office_figures(items: QuerySet[FoundItem], reports: QuerySet[LostReport], start: date, end: date) -> OfficeFigures:
    """Items registered from `start` to `end` (inclusive, local days), how many went home, how fast."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    period = items.exclude(status=ItemStatus.ANNOUNCED).filter(registered_at__gte=since, registered_at__lt=until)
    rows = list(period.values_list("category", "status", "registered_at", "returned_at"))
    hours = [(returned - registered).total_seconds() / 3600 for _, status, registered, returned in rows
             if status == ItemStatus.RETURNED and returned]
    by_category = []
    for category in ItemCategory:
        inside = [row for row in rows if row[0] == category.value]
        if inside:
            by_category.append(CategoryFigures(category.value, len(inside),
                                               sum(1 for row in inside if row[1] == ItemStatus.RETURNED)))
    return OfficeFigures(
        start=start, end=end, items_in=len(rows),
        returned=sum(1 for row in rows if row[1] == ItemStatus.RETURNED),
        disposed=sum(1 for row in rows if row[1] == ItemStatus.DISPOSED),
        lost_reports=reports.filter(created_at__gte=since, created_at__lt=until).count(),
        median_hours_to_return=round(statistics.median(hours), 1) if hours else None,
        by_category=by_category,
    )


def _label(actor) -> str:
    return person_name(actor) if actor is not None else "system"
