"""Announcing a found item so its owner comes to claim it (及时通过商场广播通知认领): a notice on
the kiosks of chosen floors and a text for the public-address system.

Both say only what anyone walking past could have seen: the kind of item, its colour, the
floor and the day it was found. The features staff wrote, the brand and the hidden details stay
in the register: they are what the desk asks a claimant, so an announcement that told them would
let anyone claim the item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from server.accounts.services import record_audit
from server.broadcasts.models import Kind, Reason
from server.broadcasts.services import BroadcastError, send_broadcast
from server.content.models import Level
from sync.protocol import I18nText

from .errors import LostPropertyError
from .flows import CLAIMABLE_ITEM_STATUSES
from .models import Announcement, FoundItem
from .rules import label_of

MAX_DAYS = 7
"""A notice runs at most a week (the broadcasts' limit); the desk announces again if need be."""

NOTICE_LANGUAGES = {"zh_CN": "zh-hans", "en": "en", "zh_TW": "zh-hant"}
PUBLIC_ADDRESS_LANGUAGES = {"zh": "zh-hans", "en": "en"}
#: Fragments of the hidden details shorter than this are too common to betray anything ("的", "a").
MIN_FRAGMENT = 2


@dataclass(frozen=True)
class Wording:
    title: I18nText
    text: I18nText
    public_address_zh: str
    public_address_en: str

    def everything(self) -> str:
        return "\n".join([self.title.zh_CN, self.title.en, self.title.zh_TW, self.text.zh_CN, self.text.en,
                          self.text.zh_TW, self.public_address_zh, self.public_address_en])


def _floor_name(item: FoundItem) -> str:
    if not item.level_id:
        return ""
    return (Level.objects.filter(mall_id=item.mall_id, content_id=item.level_id)
            .values_list("short_name", flat=True).first() or "")


def _in_language(item: FoundItem, floor: str, language: str) -> tuple[str, str, str]:
    """(title, kiosk text, public-address text) in one language, from the catalogs."""
    with translation.override(language):
        what = item.category_label
        if item.colour:
            what = gettext("%(category)s (%(colour)s)") % {"category": what, "colour": item.colour_label}
        day = dateformat.format(timezone.localtime(item.found_at, item.mall.zone).date(),
                                "n月j日" if language.startswith("zh") else "F j")
        title = gettext("Found: %(item)s") % {"item": what}
        if floor:
            where = gettext("on %(floor)s on %(day)s") % {"floor": floor, "day": day}
        else:
            where = gettext("in the mall on %(day)s") % {"day": day}
        text = gettext("Staff found a %(item)s %(where)s. If it is yours, come to the service desk with "
                       "your identity document and tell us what it looks like.") % {"item": what, "where": where}
        spoken = gettext("Attention please. A %(item)s was found %(where)s. Will the owner please come to the "
                         "service desk with an identity document to claim it. Thank you.") % {
            "item": what, "where": where}
    return title, text, spoken


def compose(item: FoundItem) -> Wording:
    """The notice in the kiosks' three languages and the public-address text in Chinese and English."""
    floor = _floor_name(item)
    notice = {code: _in_language(item, floor, language) for code, language in NOTICE_LANGUAGES.items()}
    wording = Wording(
        title=I18nText(**{code: parts[0] for code, parts in notice.items()}),
        text=I18nText(**{code: parts[1] for code, parts in notice.items()}),
        public_address_zh=_in_language(item, floor, PUBLIC_ADDRESS_LANGUAGES["zh"])[2],
        public_address_en=_in_language(item, floor, PUBLIC_ADDRESS_LANGUAGES["en"])[2],
    )
    if leaked_details(item, wording.everything()):
        raise LostPropertyError(gettext("The announcement would give away the item's hidden details; "
                                        "announce it at the desk in your own words."), "leaks_details")
    return wording


def leaked_details(item: FoundItem, text: str) -> list[str]:
    """The parts of the item's hidden details (and its brand) that `text` gives away."""
    secrets = [fragment for fragment in re.split(r"[\s,.;:!?，。；：！？、（）()]+", item.hidden_details)
               if len(fragment) >= MIN_FRAGMENT]
    if item.brand:
        secrets.append(item.brand)
    folded = text.casefold()
    return [secret for secret in secrets if secret.casefold() in folded]


def announce(item: FoundItem, actor, *, level_ids: list[str], days: int) -> Announcement:
    """Send the notice to the kiosks on `level_ids` (every kiosk when empty) for `days` days and
    keep the public-address text for the desk to read out."""
    if item.status not in CLAIMABLE_ITEM_STATUSES:
        raise LostPropertyError(gettext("Only an item kept at the desk can be announced."), "not_claimable")
    if not 1 <= days <= MAX_DAYS:
        raise LostPropertyError(gettext("A notice runs for one to %(days)d days.") % {"days": MAX_DAYS}, "days")
    wording = compose(item)
    with transaction.atomic():
        try:
            broadcast = send_broadcast(item.mall, kind=Kind.NOTICE, reason=Reason.OTHER, title=wording.title,
                                       text=wording.text, duration=timedelta(days=days), level_ids=level_ids,
                                       user=actor)
        except BroadcastError:
            raise LostPropertyError(gettext("Choose floors of this mall."), "floors") from None
        announcement = Announcement.objects.create(
            item=item, broadcast=broadcast, level_ids=broadcast.target_level_ids,
            public_address_zh=wording.public_address_zh, public_address_en=wording.public_address_en,
            announced_by=label_of(actor))
        record_audit(actor, "lostfound.announce", mall=item.mall, subject=item.number,
                     detail=f"{item.number} {broadcast.id} {','.join(broadcast.target_level_ids) or '*'}")
    return announcement
