"""Registering lost property: found items staff write in the register or finders hand in,
their photos, lost reports taken at the desk, and the kiosk cases of both kinds."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from server.cases.errors import CaseError
from server.cases.intake import register_case
from server.cases.models import Case, Source
from server.core.uploads import ImageRefused, accept_image
from sync.protocol import (
    ITEM_DETAIL_BRAND,
    ITEM_DETAIL_CATEGORY,
    ITEM_DETAIL_COLOUR,
    ITEM_DETAIL_LEVEL,
    ITEM_DETAIL_PLACE_NOTE,
    CaseKind,
    ItemCategory,
    ItemColour,
)

from . import flows
from .errors import LostPropertyError
from .models import FoundItem, ItemPhoto, ItemStatus, LostReport
from .rules import NO_PHOTO_CATEGORIES, clean_category, clean_colour, clean_text, keep_until, label_of, new_number
from .suggestions import rematch_item, rematch_report

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_SIDE = 1600
MAX_PHOTOS_PER_ITEM = 6


def register_found_item(mall, actor, *, category: str, description: str, found_at: datetime,
                        colour: str = "", brand: str = "", hidden_details: str = "", level_id: str = "",
                        store_id: str = "", place: str = "", storage_place: str = "",
                        case: Case | None = None, status: ItemStatus = ItemStatus.STORED) -> FoundItem:
    """Write a found item in the register; suggestions for open lost reports follow on commit."""
    fields = dict(
        category=clean_category(category),
        colour=clean_colour(colour),
        brand=clean_text(brand, 60, gettext("Brand")),
        description=clean_text(description, 2000, gettext("Features"), required=True),
        hidden_details=clean_text(hidden_details, 1000, gettext("Hidden details")),
        level_id=clean_text(level_id, 64, gettext("Floor")),
        store_id=clean_text(store_id, 64, gettext("Store")),
        place=clean_text(place, 200, gettext("Where exactly")),
        storage_place=clean_text(storage_place, 100, gettext("Storage place")),
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
                    registered_by=label_of(actor), number=new_number(now),
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
    storage_place = clean_text(storage_place, 100, gettext("Storage place"), required=True)
    hidden_details = clean_text(hidden_details, 1000, gettext("Hidden details"))
    now = timezone.now()
    changes = dict(storage_place=storage_place, registered_at=now, registered_by=label_of(actor),
                   keep_until=keep_until(item.category, timezone.localdate(now)))
    if hidden_details:
        changes["hidden_details"] = hidden_details
    return flows.move(item, ItemStatus.STORED, actor, changes=changes)


def update_storage(item: FoundItem, actor, *, storage_place: str, hidden_details: str) -> FoundItem:
    item.storage_place = clean_text(storage_place, 100, gettext("Storage place"))
    item.hidden_details = clean_text(hidden_details, 1000, gettext("Hidden details"))
    item.save(update_fields=["storage_place", "hidden_details"])
    return item


def add_photo(item: FoundItem, data: bytes) -> ItemPhoto:
    """Keep a photo of the item, as a JPEG without metadata; refused for cards and documents."""
    if item.category in NO_PHOTO_CATEGORIES:
        raise LostPropertyError(
            gettext("No photos of identity documents or bank cards: describe them in words."), "no_photo")
    if item.photos.count() >= MAX_PHOTOS_PER_ITEM:
        raise LostPropertyError(gettext("An item can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ITEM},
                                "too_many_photos")
    try:
        photo = accept_image(data, max_bytes=MAX_PHOTO_BYTES, fit_within=MAX_PHOTO_SIDE, output_format="JPEG")
    except ImageRefused as refused:
        raise LostPropertyError(refused.message, f"photo_{refused.code}") from None
    return ItemPhoto.objects.create(item=item, jpeg=photo.data)


def create_lost_report(mall, *, category: str, description: str, colour: str = "", brand: str = "",
                       lost_at: datetime | None = None, level_id: str = "", store_id: str = "",
                       case: Case | None = None) -> LostReport:
    report = LostReport.objects.create(
        mall=mall, case=case, category=clean_category(category), colour=clean_colour(colour),
        brand=clean_text(brand, 60, gettext("Brand")),
        description=clean_text(description, 2000, gettext("Description"), required=True),
        lost_at=lost_at, level_id=clean_text(level_id, 64, gettext("Floor")),
        store_id=clean_text(store_id, 64, gettext("Store")),
    )
    transaction.on_commit(lambda: rematch_report(report))
    return report


def take_desk_lost_report(mall, actor, *, category: str, description: str, contact_name: str, contact_phone: str,
                          colour: str = "", brand: str = "", lost_at: datetime | None = None, level_id: str = "",
                          store_id: str = "") -> tuple[LostReport, str]:
    """A visitor reports a loss at the desk: a case with a ticket (reference and tracking QR, as
    at a kiosk) and the lost report with their surname; their phone is the case's contact, kept
    and erased by the case rules. Returns (report, raw tracking token for the ticket)."""
    fields = dict(
        category=clean_category(category), colour=clean_colour(colour),
        brand=clean_text(brand, 60, gettext("Brand")),
        description=clean_text(description, 2000, gettext("Description"), required=True),
        lost_at=lost_at, level_id=clean_text(level_id, 64, gettext("Floor")),
        store_id=clean_text(store_id, 64, gettext("Store")),
        contact_name=clean_text(contact_name, 40, gettext("Visitor's surname"), required=True),
    )
    try:
        with transaction.atomic():
            case, token = register_case(mall, actor, source=Source.DESK, kind=CaseKind.LOST_REPORT.value,
                                        description=fields["description"], store_id=fields["store_id"],
                                        contact_phone=clean_text(contact_phone, 20, gettext("Visitor's phone"),
                                                                 required=True),
                                        contact_consent=True)
            report = LostReport.objects.get(case=case)  # opened by the case's arrival (signals.case_saved)
            for name, value in fields.items():
                setattr(report, name, value)
            report.save(update_fields=list(fields))
    except CaseError as refused:
        raise LostPropertyError(refused.message, "case") from None
    return report, token


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
            registered_by=f"kiosk {case.reference}", number=new_number(case.received_at),
            keep_until=keep_until(category, timezone.localdate(case.received_at)),
            label_token=secrets.token_urlsafe(18), **common,
        )
        transaction.on_commit(lambda: rematch_item(item))
    elif case.kind == CaseKind.LOST_REPORT:
        report = LostReport.objects.create(lost_at=case.occurred_at, created_at=case.received_at, **common)
        transaction.on_commit(lambda: rematch_report(report))
