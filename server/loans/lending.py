"""Lending at the desk and taking things back: the register, a loan in a few taps, the return,
the overdue list, and the default time each kind is due back."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from server.accounts.services import record_audit
from server.malls.models import Mall
from sync.protocol import PHONE_RE, normalize_phone

from . import flows
from .errors import LoanError
from .models import ItemState, LendableItem, LendableKind, Loan, LoanStatus, Security
from .places import published_index

LONGEST_LOAN = timedelta(days=30)
MAX_DEPOSIT_YUAN = 100_000
UNTIL_CLOSING_KINDS = frozenset({LendableKind.WHEELCHAIR, LendableKind.PRAM, LendableKind.POWER_BANK})
"""Due back at the mall's closing time today: they are used during the visit."""
UMBRELLA_LOAN = timedelta(days=7)
"""Umbrellas go home in the rain and come back on the next visit."""
WITHOUT_HOURS = timedelta(hours=4)
"""Due back this long after lending when the mall's hours do not say when it closes."""
TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}$")


def default_due(mall: Mall, kind: str, now: datetime | None = None) -> datetime:
    """When a loan of `kind` made at `now` is due back unless the agent says otherwise."""
    now = now or timezone.now()
    if kind not in UNTIL_CLOSING_KINDS:
        return now + UMBRELLA_LOAN
    index = published_index(mall)
    if index is None:
        return now + WITHOUT_HOURS
    closes = index.closes_at(None, now)
    if closes is None:  # lent before the doors open (a visitor let in early): back by today's closing
        opens = index.opens_at(None, now)
        if opens is not None and index.local_time(opens).date() == index.local_time(now).date():
            closes = index.closes_at(None, opens)
    return closes if closes is not None else now + WITHOUT_HOURS


def register_item(mall: Mall, *, kind: str, tag: str, kept_at: str, note: str, actor) -> LendableItem:
    """A new item in the register, available from `kept_at`."""
    tag = tag.strip().upper()
    if kind not in LendableKind.values:
        raise LoanError(_("Choose what kind of thing it is."), "bad_kind")
    if not TAG_RE.match(tag):
        raise LoanError(_("A tag is up to 32 letters, digits, spaces, dots, dashes or underscores."), "bad_tag")
    try:
        with transaction.atomic():
            item = LendableItem.objects.create(mall=mall, kind=kind, tag=tag, kept_at=kept_at, note=note.strip())
    except IntegrityError:
        raise LoanError(_("Another item of this mall already has the tag %(tag)s.") % {"tag": tag},
                        "duplicate_tag") from None
    record_audit(actor, "loans.item_registered", mall=mall, subject=tag, detail=f"{tag} {kind} at {kept_at}")
    return item


def first_available(mall: Mall, kind: str) -> LendableItem | None:
    return (LendableItem.objects.filter(mall=mall, kind=kind, state=ItemState.AVAILABLE)
            .order_by("tag").first())


@dataclass(frozen=True)
class LoanRequest:
    """What the desk asks: the item (or only its kind), who, how to reach them, what security."""

    surname: str
    phone: str
    security: str
    deposit_yuan: int | None = None
    item: LendableItem | None = None
    kind: str = ""
    due_at: datetime | None = None


def lend(mall: Mall, request: LoanRequest, actor, now: datetime | None = None) -> Loan:
    """Hand an item over: the loan and the item's move to "on loan" in one transaction."""
    now = now or timezone.now()
    surname = request.surname.strip()
    if not surname or len(surname) > 40 or any(ch.isdigit() for ch in surname):
        raise LoanError(_("Write the borrower's surname only (no numbers)."), "bad_surname")
    phone = normalize_phone(request.phone)
    if not PHONE_RE.match(phone):
        raise LoanError(_("Enter a mobile number such as 13812345678 or +85291234567."), "bad_phone")
    if request.security not in Security.values:
        raise LoanError(_("Choose the deposit or the ID sighted."), "bad_security")
    deposit = request.deposit_yuan
    if request.security == Security.CASH_DEPOSIT:
        if deposit is None or not 1 <= deposit <= MAX_DEPOSIT_YUAN:
            raise LoanError(_("Enter the cash deposit in yuan."), "bad_deposit")
    else:
        deposit = None
    item = request.item
    if item is None:
        item = first_available(mall, request.kind)
        if item is None:
            raise LoanError(_("None of these is available at the moment."), "none_available")
    if item.mall_id != mall.pk:
        raise LoanError(_("This item belongs to another mall."), "other_mall")
    due_at = request.due_at or default_due(mall, item.kind, now)
    if not now < due_at <= now + LONGEST_LOAN:
        raise LoanError(_("Due back must lie after now and within 30 days."), "bad_due")
    with transaction.atomic():
        flows.move(item, ItemState.ON_LOAN, actor)
        loan = Loan.objects.create(
            mall=mall, item=item, kind=item.kind, surname=surname, phone=phone, security=request.security,
            deposit_yuan=deposit, lent_at=now, due_at=due_at, status_changed_at=now,
            lent_by=actor if getattr(actor, "pk", None) else None,
        )
        record_audit(actor, "loans.lent", mall=mall, subject=loan.reference,
                     detail=f"{loan.reference} {item.tag} due {due_at:%Y-%m-%d %H:%M}")
    return loan


def return_loan(loan: Loan, actor, *, damaged: bool = False) -> Loan:
    """Take an item back: the loan returned, the item available again (or out of service)."""
    with transaction.atomic():
        flows.move(loan, LoanStatus.RETURNED, actor, changes={
            "returned_at": timezone.now(), "returned_by_id": getattr(actor, "pk", None),
        })
        item = LendableItem.objects.select_for_update().get(pk=loan.item_id)
        flows.move(item, ItemState.OUT_OF_SERVICE if damaged else ItemState.AVAILABLE, actor)
    loan.item = item
    return loan


def open_loans(loans: QuerySet[Loan]) -> QuerySet[Loan]:
    return loans.filter(status=LoanStatus.OPEN).select_related("item").order_by("due_at", "id")


def overdue_loans(loans: QuerySet[Loan], now: datetime | None = None) -> QuerySet[Loan]:
    return open_loans(loans).filter(due_at__lt=now or timezone.now())


def masked_phone(phone: str) -> str:
    """138****5678: lists show enough to tell two borrowers apart, not to call them."""
    if len(phone) < 7:
        return "—" if not phone else "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
