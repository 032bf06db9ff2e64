"""Claims at the desk: the checks before a hand-over (hidden details, identity), the signed
hand-over itself, and closing the visitor's and the finder's kiosk cases after it."""
from __future__ import annotations

import base64
import binascii
import io
import re

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from server.cases import flows as case_flows
from server.cases.models import Case, Visibility
from server.core.uploads import ImageRefused, accept_image
from sync.protocol import CaseStatus
from venue.languages import page_code

from . import flows
from .errors import LostPropertyError
from .flows import CLAIMABLE_ITEM_STATUSES, OPEN_REPORT_STATUSES
from .models import (
    Claim,
    ClaimStatus,
    FoundItem,
    IdKind,
    ItemStatus,
    LostReport,
    MatchSuggestion,
    ReportStatus,
    SuggestionStatus,
)
from .rules import clean_text, label_of

MAX_SIGNATURE_BYTES = 300 * 1024
ID_DIGITS_RE = re.compile(r"^[0-9A-Za-z]{4}$")
DATA_URL_PREFIX = "data:image/png;base64,"


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
    if report is not None and report.status not in OPEN_REPORT_STATUSES:
        raise LostPropertyError(gettext("This report is closed."), "report_closed")
    return Claim.objects.create(
        item=item, report=report, id_kind=id_kind, id_last_digits=id_last_digits.upper(),
        claimant_name=clean_text(claimant_name, 100, gettext("Claimant's name"), required=True),
        claimant_phone=clean_text(claimant_phone, 20, gettext("Claimant's phone")),
        questions=clean_text(questions, 1000, gettext("Questions asked"), required=True),
        answers=clean_text(answers, 1000, gettext("Claimant's answers"), required=True),
        answers_match=True, id_checked_by=label_of(actor),
    )


def decode_signature(data_url: str) -> bytes:
    """The PNG a <canvas> produced (toDataURL), checked to be a real, small, non-empty image
    (bounded and re-encoded by server.core.uploads)."""
    from PIL import Image

    if not data_url or not data_url.startswith(DATA_URL_PREFIX):
        raise LostPropertyError(gettext("Please sign in the box, or confirm the hand-over as staff."), "signature")
    try:
        png = base64.b64decode(data_url[len(DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise LostPropertyError(gettext("The signature could not be read; please sign again."), "signature") from None
    try:
        png = accept_image(png, max_bytes=MAX_SIGNATURE_BYTES, formats=("PNG",)).data
    except ImageRefused:
        raise LostPropertyError(gettext("The signature could not be read; please sign again."), "signature") from None
    with Image.open(io.BytesIO(png)) as image:
        on_white = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
        drawn = on_white.convert("L").getextrema()[0] < 128
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
    with transaction.atomic():
        item = FoundItem.objects.select_related("case").get(pk=claim.item_id)
        flows.move(item, ItemStatus.RETURNED, actor)
        flows.move(claim, ClaimStatus.HANDED_OVER, actor, changes={
            "signature_png": signature, "staff_confirmed_by": "" if signature else label_of(actor),
            "handed_over_by": label_of(actor)})
        MatchSuggestion.objects.filter(item_id=claim.item_id, status=SuggestionStatus.SUGGESTED).delete()
        if claim.report_id:
            report = LostReport.objects.select_related("case").get(pk=claim.report_id)
            flows.move(report, ReportStatus.RETURNED, actor)
            if report.case is not None:
                _finish_case(report.case, actor, RETURNED_TO_OWNER_NOTE)
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
    while CaseStatus(case.status) not in case_flows.FINAL_STATUSES:
        allowed = case_flows.allowed_next_statuses(case)
        target = next(status for status in _CLOSING_PATH if status in allowed)
        public_note = note if target == CaseStatus.RESOLVED and not told else ""
        told = told or bool(public_note)
        case_flows.transition(case, target, actor, note=public_note, visibility=Visibility.PUBLIC)
