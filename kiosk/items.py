"""Lost property at the kiosk: what a visitor says about an item they found or lost.

An `ItemDraft` is turned into an ordinary `CaseDraft` (kind found_item or lost_report): the
category, colour code, brand and floor go into the case's details under the keys of
`sync.protocol`, the visitor's own words into the description. A visitor who types nothing
still files a useful case: the description is then a short summary in their language
("钱包 · 黑色 · Coach"), because the server needs words and staff read them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from kiosk.cases import CaseDraft, DraftError
from kiosk.i18n import N_, load_translations
from sync.protocol import (
    ITEM_DETAIL_BRAND,
    ITEM_DETAIL_CATEGORY,
    ITEM_DETAIL_COLOUR,
    ITEM_DETAIL_LEVEL,
    ITEM_DETAIL_PLACE_NOTE,
    ITEM_DETAIL_POINT,
    MAX_DETAIL_VALUE_CHARS,
    CaseKind,
    ItemCategory,
    ItemColour,
    has_control_characters,
)

MAX_BRAND_CHARS = 60
ITEM_KINDS = (CaseKind.FOUND_ITEM, CaseKind.LOST_REPORT)

ITEM_CATEGORY_LABELS: dict[str, str] = {
    ItemCategory.PHONE: N_("Mobile phone"),
    ItemCategory.WALLET: N_("Wallet"),
    ItemCategory.KEYS: N_("Keys"),
    ItemCategory.BAG: N_("Bag"),
    ItemCategory.CARD: N_("Card"),
    ItemCategory.UMBRELLA: N_("Umbrella"),
    ItemCategory.CLOTHING: N_("Clothing"),
    ItemCategory.TOY: N_("Toy"),
    ItemCategory.JEWELLERY: N_("Jewellery"),
    ItemCategory.DOCUMENTS: N_("Documents"),
    ItemCategory.OTHER: N_("Other"),
}

ITEM_COLOUR_LABELS: dict[str, str] = {
    ItemColour.BLACK: N_("Black"),
    ItemColour.WHITE: N_("White"),
    ItemColour.GREY: N_("Grey"),
    ItemColour.RED: N_("Red"),
    ItemColour.PINK: N_("Pink"),
    ItemColour.ORANGE: N_("Orange"),
    ItemColour.YELLOW: N_("Yellow"),
    ItemColour.GREEN: N_("Green"),
    ItemColour.BLUE: N_("Blue"),
    ItemColour.PURPLE: N_("Purple"),
    ItemColour.BROWN: N_("Brown"),
    ItemColour.BEIGE: N_("Beige"),
    ItemColour.GOLD: N_("Gold"),
    ItemColour.SILVER: N_("Silver"),
    ItemColour.MULTI: N_("Several colours"),
}

COLOUR_SWATCHES: dict[str, str] = {
    ItemColour.BLACK: "#1D2129", ItemColour.WHITE: "#FFFFFF", ItemColour.GREY: "#8A919F",
    ItemColour.RED: "#D62F2F", ItemColour.PINK: "#F08CB4", ItemColour.ORANGE: "#F2811D",
    ItemColour.YELLOW: "#F5CF2A", ItemColour.GREEN: "#2E9E50", ItemColour.BLUE: "#2F6FD6",
    ItemColour.PURPLE: "#8047C2", ItemColour.BROWN: "#7A4A25", ItemColour.BEIGE: "#E3CFA8",
    ItemColour.GOLD: "#C9A227", ItemColour.SILVER: "#C4C9D1", ItemColour.MULTI: "#FFFFFF",
}
"""What each colour chip is painted with (MULTI is drawn as stripes by the screen)."""


WHEN_CHOICES = ("just_now", "today", "yesterday", "earlier")
WHEN_LABELS: dict[str, str] = {
    "just_now": N_("Just now"),
    "today": N_("Earlier today"),
    "yesterday": N_("Yesterday"),
    "earlier": N_("Before that"),
}
WHEN_DETAIL = "occurred_when"
"""The choice itself goes to the details: staff see how rough the time is."""


def occurred_at_for(choice: str, local_now: datetime) -> datetime | None:
    """The moment recorded for a touch choice; None when the visitor does not know.

    "Earlier today" is two hours ago (not before midnight); "yesterday" is yesterday at 15:00,
    the middle of a mall day. Matching allows for the slack."""
    if choice not in WHEN_CHOICES:
        raise ValueError(f"unknown time choice {choice!r}")
    now = local_now.replace(second=0, microsecond=0)
    if choice == "just_now":
        return now
    if choice == "today":
        return max(now - timedelta(hours=2), now.replace(hour=0, minute=0))
    if choice == "yesterday":
        return datetime.combine(now.date() - timedelta(days=1), time(15, 0), tzinfo=now.tzinfo)
    return None


class ItemErrorCode:
    CATEGORY_MISSING = "item_category_missing"
    BRAND_INVALID = "item_brand_invalid"


ITEM_ERROR_MESSAGES: dict[str, str] = {
    ItemErrorCode.CATEGORY_MISSING: N_("Please choose what kind of item it is."),
    ItemErrorCode.BRAND_INVALID: N_("The brand is too long or contains characters that cannot be shown."),
}


@dataclass
class ItemDraft:
    """The item form's state: choices by touch, brand and features typed."""

    kind: CaseKind | str
    category: str = ""
    colour: str = ""
    brand: str = ""
    features: str = ""
    level_id: str = ""
    store_id: str = ""
    occurred_at: datetime | None = None
    contact_phone: str = ""
    contact_consent: bool = False
    language: str = "zh_CN"
    point: tuple[float, float] | None = None
    """A spot on the plan of `level_id`, in metres."""
    place_note: str = ""
    extra_details: dict[str, str] = field(default_factory=dict)
    """Further details the screen records (the part of the day chosen)."""


def validate_item(draft: ItemDraft) -> list[DraftError]:
    """The item-specific problems (the case checks follow in `validate_draft`)."""
    if CaseKind(draft.kind) not in ITEM_KINDS:
        raise ValueError(f"{draft.kind!r} is not a lost-property kind")
    if draft.colour:
        ItemColour(draft.colour)
    errors = []
    if not draft.category:
        errors.append(DraftError("item_category", ItemErrorCode.CATEGORY_MISSING))
    else:
        ItemCategory(draft.category)
    brand = draft.brand.strip()
    if len(brand) > MAX_BRAND_CHARS or has_control_characters(brand):
        errors.append(DraftError("item_brand", ItemErrorCode.BRAND_INVALID))
    return errors


def item_summary(draft: ItemDraft) -> str:
    """"Wallet · Black · Coach" in the visitor's language: the description when none is typed."""
    translations = load_translations(draft.language)
    parts = []
    if draft.category:
        parts.append(translations.gettext(ITEM_CATEGORY_LABELS[ItemCategory(draft.category)]))
    if draft.colour:
        parts.append(translations.gettext(ITEM_COLOUR_LABELS[ItemColour(draft.colour)]))
    if draft.brand.strip():
        parts.append(draft.brand.strip())
    return " · ".join(parts)


def to_case_draft(draft: ItemDraft) -> CaseDraft:
    """The case the outbox files; call only once `validate_item` found nothing."""
    details = dict(draft.extra_details)
    details[ITEM_DETAIL_CATEGORY] = ItemCategory(draft.category).value
    if draft.colour:
        details[ITEM_DETAIL_COLOUR] = ItemColour(draft.colour).value
    if draft.brand.strip():
        details[ITEM_DETAIL_BRAND] = draft.brand.strip()[:MAX_DETAIL_VALUE_CHARS]
    if draft.level_id:
        details[ITEM_DETAIL_LEVEL] = draft.level_id
        if draft.point is not None:
            details[ITEM_DETAIL_POINT] = f"{draft.point[0]:.1f},{draft.point[1]:.1f}"
            if draft.place_note.strip():
                details[ITEM_DETAIL_PLACE_NOTE] = draft.place_note.strip()[:MAX_DETAIL_VALUE_CHARS]
    features = draft.features.strip()
    lost = CaseKind(draft.kind) == CaseKind.LOST_REPORT
    return CaseDraft(
        kind=CaseKind(draft.kind),
        store_id=draft.store_id or None,
        occurred_at=draft.occurred_at,
        description=features or item_summary(draft),
        contact_phone=draft.contact_phone if lost else "",
        contact_consent=draft.contact_consent if lost else False,
        language=draft.language,
        details=details,
    )
