"""The register's standing rules: how long each category is kept and where it may go after,
what may be photographed, and how the fields staff type are checked.

The manuals' practice: after the retention time of its category, dispose of an item and log
where it went (ID documents to the police promptly, bank cards destroyed)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from server.malls.models import person_name
from sync.protocol import REFERENCE_ALPHABET, ItemCategory, ItemColour, has_control_characters

from .errors import LostPropertyError
from .models import DisposalAction, FoundItem


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
"""No photos of ID documents or bank cards: a photo of one is a copy of someone's identity. The
same categories may be disposed of at once (police, shredder), without waiting until due."""


MANAGER_SIGNOFF_CATEGORIES = frozenset({ItemCategory.PHONE, ItemCategory.DOCUMENTS, ItemCategory.CARD,
                                        ItemCategory.WALLET})
"""Unclaimed phones, ID papers, bank cards and money (wallets) go to the manager (无人认领物品向经理
报告…交经理处理): they are disposed of only with the manager's approval."""


def needs_manager_signoff(item: FoundItem) -> bool:
    return item.category in MANAGER_SIGNOFF_CATEGORIES


def keep_until(category: str, from_day: date) -> date:
    return from_day + timedelta(days=RETENTION[ItemCategory(category)].days)


def allowed_disposals(item: FoundItem) -> tuple[DisposalAction, ...]:
    return RETENTION[ItemCategory(item.category)].actions


def new_number(moment: datetime) -> str:
    """An item number for the bag label: LF-<local date>-<4 random characters>."""
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
    return f"LF-{timezone.localtime(moment):%y%m%d}-{suffix}"


def clean_text(value: str, limit: int, label: str, *, required: bool = False) -> str:
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


def clean_category(value: str) -> str:
    try:
        return ItemCategory(value).value
    except ValueError:
        raise LostPropertyError(gettext("Choose a category."), "category") from None


def clean_colour(value: str) -> str:
    if not value:
        return ""
    try:
        return ItemColour(value).value
    except ValueError:
        raise LostPropertyError(gettext("Choose a colour from the list."), "colour") from None


def label_of(actor) -> str:
    """Who acted, as the register writes it down (the record outlives the account)."""
    return person_name(actor) if actor is not None else "system"
