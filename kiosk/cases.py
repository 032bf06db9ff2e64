"""Case drafts: checking what a visitor typed, and filing it durably in the outbox.

The checks use the limits in `sync.protocol`, the same ones the server's `CaseUpload` applies,
so a draft the kiosk accepts is never refused by the server for its content. Text is stored
exactly as typed: HTML, SQL-looking text and emoji are a visitor's words, not an attack on us
(everything downstream escapes and binds parameters).
"""
from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter, ValidationError
from ulid import ULID

from kiosk import clock
from kiosk.identity import KioskIdentity
from kiosk.store import LocalStore
from sync.protocol import (
    LANGUAGES,
    MAX_DESCRIPTION_CHARS,
    PHONE_RE,
    REFERENCE_ALPHABET,
    CaseDetails,
    CaseKind,
    CaseUpload,
    ComplaintCategory,
    KioskTime,
    StoreRef,
    as_language,
    has_control_characters,
    normalize_phone,
    sha256_hex,
)
from venue.paths import tracking_url

TRACKING_TOKEN_BYTES = 32
"""256 random bits; DESIGN decision 3 asks for at least 128."""
FUTURE_TOLERANCE = timedelta(minutes=5)
"""Kiosk clocks drift; an occurred_at a few minutes ahead is the clock, not the visitor."""


class DraftErrorCode:
    """Stable codes: screens and messages key on them."""

    CATEGORY_MISSING = "category_missing"
    DESCRIPTION_EMPTY = "description_empty"
    DESCRIPTION_TOO_LONG = "description_too_long"
    DESCRIPTION_CONTROL_CHARS = "description_control_chars"
    PHONE_INVALID = "phone_invalid"
    CONSENT_MISSING = "consent_missing"
    OCCURRED_IN_FUTURE = "occurred_in_future"
    OCCURRED_OUT_OF_RANGE = "occurred_out_of_range"
    STORE_INVALID = "store_invalid"
    DETAILS_INVALID = "details_invalid"


ALL_DRAFT_ERROR_CODES = tuple(
    value for name, value in vars(DraftErrorCode).items() if name.isupper()
)


@dataclass(frozen=True)
class DraftError:
    field: str
    """The CaseDraft field the visitor must fix (screens highlight it)."""
    code: str
    # dataclasses.field, spelt out: in this class `field` names the attribute above
    params: dict = dataclasses.field(default_factory=dict, compare=False, hash=False)
    """Numbers for the message, e.g. {"length": 10000, "limit": 2000}."""


@dataclass
class CaseDraft:
    """What a visitor has entered so far; screens fill it in step by step."""

    kind: CaseKind | str
    category: ComplaintCategory | str | None = None
    store_id: str | None = None
    occurred_at: datetime | None = None
    """When it happened; a naive datetime is the kiosk's local time."""
    description: str = ""
    contact_phone: str = ""
    contact_consent: bool = False
    language: str = "zh_CN"
    details: dict[str, str] = field(default_factory=dict)
    """Kind-specific fields (lost property: colour, brand, where found)."""


@dataclass(frozen=True)
class CaseReceiptView:
    """What the receipt screen shows. `tracking_url` holds the only copy of the raw token:
    put it in the QR code and drop it when the receipt goes away."""

    case_id: str
    reference: str
    tracking_url: str
    created_at: datetime


class DraftInvalid(ValueError):
    def __init__(self, errors: list[DraftError]):
        super().__init__(", ".join(f"{e.field}: {e.code}" for e in errors))
        self.errors = errors


class ReferenceSpaceExhausted(RuntimeError):
    """This kiosk code has issued all 32^4 references; the kiosk must be enrolled again."""


# ---------------------------------------------------------------- validation
def category_required(kind: CaseKind | str) -> bool:
    """Complaints are routed by category (the manuals' list); other kinds need none."""
    return CaseKind(kind) == CaseKind.COMPLAINT


def validate_draft(draft: CaseDraft, now: datetime | None = None) -> list[DraftError]:
    """Every problem a visitor must fix before the case can be filed; empty when it is fine.

    Unknown kind, category or language values are programming errors and raise ValueError.
    """
    kind = CaseKind(draft.kind)
    if draft.category is not None:
        ComplaintCategory(draft.category)
    if draft.language not in LANGUAGES:
        raise ValueError(f"unknown language {draft.language!r}")

    errors: list[DraftError] = []
    if draft.category is None and category_required(kind):
        errors.append(DraftError("category", DraftErrorCode.CATEGORY_MISSING))
    if draft.store_id is not None and not _fits(_STORE_REF, draft.store_id):
        errors.append(DraftError("store_id", DraftErrorCode.STORE_INVALID))
    if not _fits(_DETAILS, draft.details):
        errors.append(DraftError("details", DraftErrorCode.DETAILS_INVALID))

    description = draft.description or ""
    if not description.strip():
        errors.append(DraftError("description", DraftErrorCode.DESCRIPTION_EMPTY))
    elif len(description) > MAX_DESCRIPTION_CHARS:
        errors.append(
            DraftError(
                "description",
                DraftErrorCode.DESCRIPTION_TOO_LONG,
                {"length": len(description), "limit": MAX_DESCRIPTION_CHARS},
            )
        )
    if description and has_control_characters(description):
        errors.append(DraftError("description", DraftErrorCode.DESCRIPTION_CONTROL_CHARS))

    phone = normalize_phone(draft.contact_phone or "")
    if phone:
        if not PHONE_RE.match(phone):
            errors.append(DraftError("contact_phone", DraftErrorCode.PHONE_INVALID))
        if not draft.contact_consent:
            errors.append(DraftError("contact_consent", DraftErrorCode.CONSENT_MISSING))

    if draft.occurred_at is not None:
        reference_now = now or datetime.now(UTC)
        if not _fits(_KIOSK_TIME, _aware(draft.occurred_at)):
            errors.append(DraftError("occurred_at", DraftErrorCode.OCCURRED_OUT_OF_RANGE))
        elif _aware(draft.occurred_at) > _aware(reference_now) + FUTURE_TOLERANCE:
            errors.append(DraftError("occurred_at", DraftErrorCode.OCCURRED_IN_FUTURE))
    return errors


# The contract's own types (sync.protocol), so a draft passes exactly when its upload would.
_STORE_REF: TypeAdapter[str] = TypeAdapter(StoreRef)
_DETAILS: TypeAdapter[dict[str, str]] = TypeAdapter(CaseDetails)
_KIOSK_TIME: TypeAdapter[datetime] = TypeAdapter(KioskTime)


def _fits(adapter: TypeAdapter, value: object) -> bool:
    try:
        adapter.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are the kiosk's local time (what a clock widget produces)."""
    return moment.astimezone() if moment.tzinfo is None else moment


# ---------------------------------------------------------------- references
REFERENCE_SPACE = len(REFERENCE_ALPHABET) ** 4  # 32^4 = 2^20
_MASK = REFERENCE_SPACE - 1
_MULTIPLIERS = (0x9E3B5, 0x5A4F3, 0xC2B2F)  # odd: multiplication by them is invertible mod 2^20
_OFFSETS = (0x3A6E1, 0x71C4D, 0x1F0B9)


def permute_counter(counter: int) -> int:
    """A fixed bijection of [0, 32^4): consecutive counters give unrelated-looking references.

    Each round is invertible on 20-bit integers (add a constant, multiply by an odd number,
    xor with the value shifted right), so the whole map is a permutation: distinct counters
    can never give the same reference.
    """
    if not 0 <= counter < REFERENCE_SPACE:
        raise ValueError(f"counter {counter} is outside [0, {REFERENCE_SPACE})")
    value = counter
    for multiplier, offset in zip(_MULTIPLIERS, _OFFSETS, strict=True):
        value = (value + offset) & _MASK
        value = (value * multiplier) & _MASK
        value ^= value >> 9
    return value


def encode_reference(kiosk_code: str, counter: int) -> str:
    """`KKK-XXXX`: the kiosk's code, then 4 Crockford characters of the permuted counter."""
    value = permute_counter(counter)
    chars = []
    for _ in range(4):
        value, digit = divmod(value, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return f"{kiosk_code}-{''.join(reversed(chars))}"


def _counter_key(kiosk_code: str) -> str:
    return f"reference_counter.{kiosk_code}"


# ---------------------------------------------------------------- filing
def build_case_upload(
    draft: CaseDraft,
    *,
    case_id: str,
    reference: str,
    tracking_token_sha256: str,
    created_at: datetime,
    location_id: str | None,
) -> CaseUpload:
    """The wire form of a validated draft: the phone normalized, consent only with a phone,
    times with their offsets, the text exactly as typed."""
    phone = normalize_phone(draft.contact_phone or "") or None
    return CaseUpload(
        id=case_id,
        reference=reference,
        tracking_token_sha256=tracking_token_sha256,
        kind=CaseKind(draft.kind),
        category=ComplaintCategory(draft.category) if draft.category is not None else None,
        store_id=draft.store_id,
        occurred_at=_aware(draft.occurred_at) if draft.occurred_at is not None else None,
        description=draft.description,
        contact_phone=phone,
        contact_consent=bool(phone) and draft.contact_consent,
        language=as_language(draft.language),
        created_at=created_at,
        location_id=location_id,
        details=dict(draft.details),
    )


def submit_case(
    store: LocalStore, identity: KioskIdentity, draft: CaseDraft, now: datetime | None = None
) -> CaseReceiptView:
    """File the draft in the outbox and return what the receipt shows.

    One transaction takes the next reference counter and writes the outbox row, so when this
    returns the case survives a power cut, and a counter is never used twice. Works offline:
    the sync agent uploads the row later. Raises DraftInvalid if the draft has errors.
    """
    created_at = _aware(now or clock.now(store)).astimezone(UTC)
    errors = validate_draft(draft, now=created_at)
    if errors:
        raise DraftInvalid(errors)

    case_id = str(ULID.from_datetime(created_at))
    token = secrets.token_urlsafe(TRACKING_TOKEN_BYTES)
    with store.transaction() as db:
        counter = store.get_setting(_counter_key(identity.kiosk_code), 0)
        if counter >= REFERENCE_SPACE:
            raise ReferenceSpaceExhausted(
                f"kiosk code {identity.kiosk_code} has used all {REFERENCE_SPACE} references"
            )
        reference = encode_reference(identity.kiosk_code, counter)
        upload = build_case_upload(
            draft,
            case_id=case_id,
            reference=reference,
            tracking_token_sha256=sha256_hex(token.encode("ascii")),
            created_at=created_at,
            location_id=identity.location_id,
        )
        store.set_setting(_counter_key(identity.kiosk_code), counter + 1)
        db.conn.execute(
            "INSERT INTO outbox (case_id, reference, kind, payload, created_at, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            (case_id, reference, upload.kind.value, upload.model_dump_json(), created_at.isoformat()),
        )
    return CaseReceiptView(
        case_id=case_id,
        reference=reference,
        tracking_url=tracking_url(identity.public_base_url, token),
        created_at=created_at,
    )
