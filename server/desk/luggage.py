"""Left luggage (寄存): check-in under a claim ticket, finding the bags by the ticket read aloud
or by its scanned QR code, and handing them back."""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from server.accounts.services import record_audit
from server.malls.models import Mall, person_name
from sync.protocol import REFERENCE_ALPHABET

from .errors import DeskError
from .flows import move
from .models import LeftLuggage, LuggageStatus

TICKET_PREFIX = "LL"
TICKET_RE = re.compile(rf"\b{TICKET_PREFIX}-?([0-9]{{4}})-?([{REFERENCE_ALPHABET}]{{4}})\b")
"""A ticket as read aloud or typed (dashes optional), or inside the URL its QR code carries."""
MAX_PIECES = 20
CONTACT_KEPT = timedelta(days=30)
"""How long the visitor's phone is kept after pick-up (a question about the bags comes within days)."""


def new_ticket(mall: Mall) -> str:
    """LL-<local month and day>-<4 characters>: short to read aloud, with the day on it."""
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
    return f"{TICKET_PREFIX}-{timezone.localtime(timezone.now(), mall.zone):%m%d}-{suffix}"


def check_in(mall: Mall, actor, *, description: str, pieces: int, surname: str, phone: str,
             storage_place: str = "") -> LeftLuggage:
    if not 1 <= pieces <= MAX_PIECES:
        raise DeskError(gettext("The number of pieces must be between 1 and %(count)d.") % {"count": MAX_PIECES},
                        "pieces")
    for _attempt in range(8):
        try:
            with transaction.atomic():
                item = LeftLuggage.objects.create(
                    mall=mall, ticket=new_ticket(mall), description=description.strip(), pieces=pieces,
                    surname=surname.strip(), phone=phone.strip(), storage_place=storage_place.strip(),
                    checked_in_by=person_name(actor))
        except IntegrityError:
            continue  # the same ticket drawn twice on one day: draw again
        record_audit(actor, "desk.luggage_check_in", mall=mall, subject=item.ticket, detail=f"{pieces}")
        return item
    raise DeskError(gettext("The bags could not be checked in; please try again."), "ticket")


def ticket_in(text: str) -> str | None:
    """The ticket in what the agent typed or the scanner read (the QR code's URL), normalised."""
    found = TICKET_RE.search((text or "").upper())
    return f"{TICKET_PREFIX}-{found.group(1)}-{found.group(2)}" if found else None


def find_by_ticket(luggage: QuerySet[LeftLuggage], text: str) -> LeftLuggage:
    ticket = ticket_in(text)
    if ticket is None:
        raise DeskError(gettext("That is not a claim ticket number (like LL-1205-7K3Q)."), "not_a_ticket")
    item = luggage.filter(ticket=ticket).first()
    if item is None:
        raise DeskError(gettext("No left luggage has the ticket %(ticket)s here.") % {"ticket": ticket},
                        "unknown_ticket")
    return item


def pick_up(item: LeftLuggage, actor) -> LeftLuggage:
    if item.status == LuggageStatus.PICKED_UP:
        raise DeskError(gettext("These bags were already picked up at %(time)s.") % {
            "time": timezone.localtime(item.picked_up_at, item.mall.zone).strftime("%Y-%m-%d %H:%M")},
            "already_picked_up")
    return move(item, LuggageStatus.PICKED_UP, actor)


def open_luggage(luggage: QuerySet[LeftLuggage]) -> QuerySet[LeftLuggage]:
    return luggage.filter(status=LuggageStatus.STORED).order_by("checked_in_at", "id")


def erase_old_contacts(now: datetime | None = None) -> int:
    """Blank the phone of bags picked up more than CONTACT_KEPT ago; the surname stays for the ledger."""
    cutoff = (now or timezone.now()) - CONTACT_KEPT
    return (LeftLuggage.objects.filter(status=LuggageStatus.PICKED_UP, picked_up_at__lt=cutoff)
            .exclude(phone="").update(phone=""))
