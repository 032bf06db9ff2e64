"""Registering cases: uploads from kiosks (idempotent on the case id) and cases staff register
for a walk-in or a phone call, with their references; both start routed and timed."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from ulid import ULID

from server.accounts.services import record_audit
from sync.protocol import (
    REFERENCE_ALPHABET,
    CaseKind,
    CaseStatus,
    CaseUpload,
    ComplaintCategory,
)

from .audit import label_of
from .errors import InvalidCase, InvalidNote, UploadConflict, UploadRejected
from .flows import transition
from .models import Case, CaseEvent, DeskReferencePrefix, EventKind, Source, Visibility
from .notes import clean_note
from .routing import floor_of, initial_priority, route
from .tracking import tracking_token_hash

S = CaseStatus


def receive_upload(kiosk, upload: CaseUpload) -> tuple[Case, bool]:
    """Store one case from `kiosk`'s outbox; return (case, created).

    Idempotent on the case id: a retry (even one racing the first upload) returns the stored
    case with created=False. The primary key decides the race, not a read before the write.
    """
    _check_reference_is_yours(kiosk, upload)
    mall = kiosk.mall
    now = timezone.now()
    category = upload.category.value if upload.category else ""
    department, due_at = route(mall, upload.kind.value, category, now)
    store_id = upload.store_id or ""
    location_id = upload.location_id or getattr(kiosk, "location_id", "")
    try:
        with transaction.atomic():
            case = Case.objects.create(
                id=upload.id,
                mall=mall,
                kiosk=kiosk,
                reference=upload.reference,
                tracking_token_sha256=upload.tracking_token_sha256,
                kind=upload.kind.value,
                category=upload.category.value if upload.category else "",
                store_id=upload.store_id or "",
                occurred_at=_not_after(_aware(upload.occurred_at, mall), now),
                description=upload.description,
                contact_phone=upload.contact_phone if upload.contact_consent else None,
                contact_consent=upload.contact_consent,
                language=upload.language,
                status=S.NEW.value,
                created_at=_not_after(_aware(upload.created_at, mall), now),
                received_at=now,
                status_changed_at=now,
                location_id=location_id,
                details=dict(upload.details),
                source=Source.KIOSK,
                department=department,
                due_at=due_at,
                priority=initial_priority(mall, upload.kind.value, category),
                level_id=floor_of(mall, store_id, location_id),
            )
            CaseEvent.objects.create(
                case=case, at=now, kind=EventKind.CREATED, to_status=S.NEW.value,
                actor_label=_kiosk_label(kiosk), visibility=Visibility.PUBLIC,
            )
        return case, True
    except IntegrityError:
        pass
    return _already_received(kiosk, upload), False


def _already_received(kiosk, upload: CaseUpload) -> Case:
    """After a failed insert: the same case sent again, or a clash with another case."""
    existing = Case.objects.filter(pk=upload.id).first()
    if existing is not None:
        same_case = (
            existing.mall_id == kiosk.mall_id
            and existing.reference == upload.reference
            and existing.tracking_token_sha256 == upload.tracking_token_sha256
        )
        if same_case:
            return existing
        raise UploadConflict(
            f"case id {upload.id} is already used by a different case", code="id_conflict"
        )
    if Case.objects.filter(reference=upload.reference).exists():
        raise UploadConflict(
            f"reference {upload.reference} is already used by another case",
            code="reference_conflict",
        )
    if Case.objects.filter(tracking_token_sha256=upload.tracking_token_sha256).exists():
        raise UploadConflict(
            "tracking token is already used by another case", code="token_conflict"
        )
    # Neither a duplicate nor a clash we know of (e.g. the kiosk's row vanished meanwhile).
    raise UploadConflict("the case could not be stored; retry later", code="conflict")


def _check_reference_is_yours(kiosk, upload: CaseUpload) -> None:
    """Refuse a reference that does not start with the uploading kiosk's own code.

    References are bound to their kiosk by the prefix, not by blocks the server hands out:
    a kiosk makes references offline from its code and a counter (kiosk/cases.py), and a
    block would run out on a kiosk that stays offline. Kiosk codes are unique and never
    reissued (fleet.IssuedKioskCode), and desk prefixes come from the same pool, so each
    prefix has exactly one issuer; with this check every stored reference lies in its
    issuer's space, and the unique reference column is uniqueness per issuing kiosk: one
    kiosk can no longer occupy another's next references and make its uploads fail.

    Decided from the kiosk's code and the reference alone, before any query, so the answer
    is the same whether or not a case with that reference exists anywhere. A kiosk enrolled
    again gets a new code, so cases still in its outbox under the old code are refused too:
    upload them before enrolling again.
    """
    if upload.reference.partition("-")[0] != kiosk.code:
        raise UploadRejected(
            f"reference {upload.reference} does not start with this kiosk's code {kiosk.code}",
            code="reference_not_yours",
        )


def _aware(moment: datetime | None, mall) -> datetime | None:
    """Kiosk clocks are local: a time without an offset is read in the mall's time zone."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=mall.zone)


def _not_after(moment: datetime | None, received_at: datetime) -> datetime | None:
    """A kiosk whose clock runs ahead (no time source yet, a wrong RTC) cannot file a case in
    the future: a time later than its arrival is read as its arrival."""
    return moment if moment is None or moment <= received_at else received_at


def _kiosk_label(kiosk) -> str:
    name = getattr(kiosk, "code", "") or kiosk.pk
    return f"kiosk {name}"


DESK_PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,18}[0-9]$")
"""Numbers staff write down: any the visitor gives (landlines, extensions' digits), not only mobiles."""


def register_case(mall, actor, *, source: str, kind: str, description: str, category: str = "",
                  store_id: str = "", contact_phone: str = "", contact_consent: bool = False,
                  language: str = "zh_CN", visitor_surname: str = "", people_involved: str = "",
                  visitor_request: str = "", occurred_at: datetime | None = None, level_id: str = "",
                  answer: str = "") -> tuple[Case, str]:
    """A case a staff member registers for a walk-in or a phone call; returns (case, token).

    The record follows the reception log (物业接待记录): the visitor's surname and contact, when
    and where it happened, who is involved, what the visitor says and what they ask for. The
    staff member took it, so they accept it at once and own it (first-contact responsibility).
    With an `answer` the matter was settled on the spot: the case is resolved in the same step,
    the answer its public note. The raw tracking token is returned once, for the printed ticket.
    """
    if actor is None:
        raise InvalidCase(gettext("Only a staff member can accept a case."))
    if source not in (Source.DESK, Source.PHONE):
        raise InvalidCase(gettext("Choose where the case came from."))
    if kind not in {k.value for k in CaseKind}:
        raise InvalidCase(gettext("Choose a kind of case."))
    if category and category not in {c.value for c in ComplaintCategory}:
        raise InvalidCase(gettext("Choose a category from the list."))
    if kind == CaseKind.COMPLAINT.value and not category:
        raise InvalidCase(gettext("A complaint needs a category."))
    if not (description or "").strip():
        raise InvalidCase(gettext("Write down what the visitor told us."))
    now = timezone.now()
    if occurred_at is not None and occurred_at > now:
        raise InvalidCase(gettext("The time it happened cannot be in the future."))
    try:
        description = clean_note(description, required=True)
        visitor_request = clean_note(visitor_request, required=False)
        answer = clean_note(answer, required=False)
        visitor_surname = _short_text(visitor_surname, 20, gettext("The surname is too long."))
        people_involved = _short_text(people_involved, 200, gettext("Name the people involved more briefly."))
    except InvalidNote as exc:
        raise InvalidCase(exc.message) from None
    contact_phone = (contact_phone or "").strip()
    if contact_phone and not DESK_PHONE_RE.match(contact_phone):
        raise InvalidCase(gettext("That does not look like a phone number."))
    if contact_phone and not contact_consent:
        raise InvalidCase(gettext("Keep a phone number only when the visitor agrees to be contacted."))
    department, due_at = route(mall, kind, category, now)
    token = secrets.token_urlsafe(24)
    for _attempt in range(20):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    id=str(ULID()), mall=mall, reference=_desk_reference(mall),
                    tracking_token_sha256=tracking_token_hash(token), kind=kind,
                    category=category if kind == CaseKind.COMPLAINT.value else "",
                    store_id=store_id, description=description,
                    contact_phone=contact_phone or None, contact_consent=bool(contact_phone),
                    language=language, created_at=now, received_at=now, status_changed_at=now,
                    source=source, department=department, due_at=due_at,
                    priority=initial_priority(mall, kind, category),
                    level_id=level_id or floor_of(mall, store_id, ""), occurred_at=occurred_at,
                    visitor_surname=visitor_surname, people_involved=people_involved,
                    visitor_request=visitor_request,
                )
                CaseEvent.objects.create(
                    case=case, at=now, actor=actor, actor_label=label_of(actor),
                    kind=EventKind.CREATED, to_status=S.NEW.value, visibility=Visibility.PUBLIC,
                )
            break
        except IntegrityError:
            continue  # a reference drawn twice: draw again
    else:
        raise InvalidCase(gettext("The case could not be stored; please try again."))
    transition(case, S.ACCEPTED, actor)
    if answer:
        transition(case, S.RESOLVED, actor, note=answer, visibility=Visibility.PUBLIC)
    record_audit(actor, "case.register", mall=mall, subject=case.pk,
                 detail=f"{source} {case.reference}" + (" resolved" if answer else ""))
    return case, token


def _short_text(text: str, limit: int, too_long: str) -> str:
    """One line of the record (a surname, names): trimmed, bounded, printable."""
    text = " ".join((text or "").split())
    if len(text) > limit:
        raise InvalidNote(too_long)
    return clean_note(text, required=False)


def _desk_reference(mall) -> str:
    """A reference with the mall's desk prefix (a kiosk code issued to the desk)."""
    from server.fleet.services import issue_kiosk_code

    prefix = (DeskReferencePrefix.objects.filter(mall=mall).order_by("-issued_at")
              .values_list("code", flat=True).first())
    if prefix is None or Case.objects.filter(reference__startswith=prefix + "-").count() > 500_000:
        prefix = issue_kiosk_code()
        DeskReferencePrefix.objects.create(code=prefix, mall=mall)
    return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
