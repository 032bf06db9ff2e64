"""Sync protocol v1: the one definition of everything that crosses the wire.

Both the kiosk (sync agent) and the server (django-ninja API) import these models, so a
change here is a change of contract. Coordinates in map content are metres, level-local,
origin at the bottom-left, y pointing up (the way Kivy draws; SVG pages flip y).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
ENROLL_PATH = "/api/v1/kiosks/enroll"
CONTENT_PATH = "/api/v1/kiosk/content"
BLOB_PATH = "/api/v1/blobs/{sha256}"
CASES_PATH = "/api/v1/kiosk/cases"
HEARTBEAT_PATH = "/api/v1/kiosk/heartbeat"
EVENTS_PATH = "/api/v1/kiosk/events"

Language = Literal["zh_CN", "en", "zh_TW"]
LANGUAGES: tuple[Language, ...] = ("zh_CN", "en", "zh_TW")
DEFAULT_LANGUAGE: Language = "zh_CN"
DEFAULT_TIMEZONE = "Asia/Shanghai"
"""A mall's time zone when none is given, and where a name cannot be read (IANA name)."""

MAX_DESCRIPTION_CHARS = 2000
MAX_DETAILS = 30
MAX_DETAIL_KEY_CHARS = 64
MAX_DETAIL_VALUE_CHARS = 500
"""Limits of CaseUpload.details (item descriptions of lost and found cases), checked by the
server and by the kiosk before it files a case, so a filed case is never refused for them."""
MIN_TRACKING_TOKEN_BYTES = 16  # 128 bits, DESIGN decision 3
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
ULID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
# Crockford base32 without I, L, O, U: readable aloud, no 0/O or 1/I confusion.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{4}$")
# Mainland mobile numbers (13812345678), optionally +86; or any international number in
# E.164 form (+ and 8-15 digits). Spaces and dashes are tolerated and removed.
PHONE_RE = re.compile(r"^(?:(?:\+?86)?1[3-9]\d{9}|\+[1-9]\d{7,14})$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


# ---------------------------------------------------------------- errors
class ErrorDetail(Model):
    code: str
    message: str


class ErrorBody(Model):
    """Every 4xx/5xx body: {"error": {"code": "...", "message": "..."}}."""

    error: ErrorDetail


# ---------------------------------------------------------------- text helpers
class I18nText(Model):
    """A content field with its own translations; zh_CN is the one always present."""

    zh_CN: str
    en: str = ""
    zh_TW: str = ""

    def get(self, language: str) -> str:
        """The text in `language`, falling back to zh_CN, then en."""
        return getattr(self, language, "") or self.zh_CN or self.en


def as_language(value: str) -> Language:
    """A language code from screen state or a request as the wire's Language; ValueError when
    it is none of LANGUAGES."""
    for language in LANGUAGES:
        if value == language:
            return language
    raise ValueError(f"unknown language {value!r}")


def normalize_phone(raw: str) -> str:
    """Strip spaces, dashes and brackets people type; the result is what PHONE_RE checks."""
    return re.sub(r"[\s\-()]", "", raw or "")


def has_control_characters(text: str) -> bool:
    """True for C0/C1 controls and other Cc/Cf/Cs/Co/Cn characters except tab and newline."""
    return any(
        unicodedata.category(ch)[0] == "C" and ch not in "\n\t" and ch != "\u200d"
        for ch in text
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- bounds of what a kiosk sends
# Every field a kiosk sends is bounded here, at the contract, to what both databases store
# (PostgreSQL integer, bigint, timestamptz and text without NUL; SQLite) and what a kiosk can
# honestly send. A value outside them is a 422 before any handler runs, never a 500 from the
# database, and the kiosk checks the same types before it queues anything.
MAX_COUNT = 2**31 - 1
"""Counts and versions: a PostgreSQL integer."""
MAX_BYTES = 2**63 - 1
"""Byte counts: a PostgreSQL bigint."""
MAX_SECONDS = 10**10
"""Durations in seconds (three centuries)."""
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2200, 1, 1, tzinfo=UTC)
"""Times a kiosk sends lie in [EARLIEST_TIME, LATEST_TIME) (naive ones read as UTC here)."""
MAX_UTC_OFFSET = timedelta(hours=14)
"""The widest offset any time zone uses (Pacific/Kiritimati, +14:00)."""


def printable(text: str, single_line: bool = False) -> str:
    """`text` with each character FreeText (or, single_line, Line) refuses replaced by U+FFFD:
    for text a kiosk passes on (error messages, versions) rather than one a person typed."""
    return "".join(
        "\ufffd" if has_control_characters(ch) or (single_line and ch in "\n\t") else ch for ch in text
    )


def _no_control_characters(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("must not contain control characters (tab and newline are allowed)")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\t" in value or has_control_characters(value):
        raise ValueError("must not contain control characters")
    return value


def _kiosk_time(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValueError("the UTC offset must lie within ±14:00")
    compared = value if offset is not None else value.replace(tzinfo=UTC)
    if not EARLIEST_TIME <= compared < LATEST_TIME:  # compared before converting: year 1 +01:00 has no UTC
        raise ValueError(f"must lie from {EARLIEST_TIME:%Y-%m-%d} to before {LATEST_TIME:%Y-%m-%d}")
    return value if offset is None else value.astimezone(UTC)


Line = Annotated[str, AfterValidator(_single_line)]
"""One line of text (ids, versions, names): no control characters at all. Add a Field(max_length=...)."""
FreeText = Annotated[str, AfterValidator(_no_control_characters)]
"""Text a person wrote: newlines and tabs, but no other control characters (NUL, ESC, ...)."""
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Version = Annotated[int, Field(ge=1, le=MAX_COUNT)]
ByteCount = Annotated[int, Field(ge=0, le=MAX_BYTES)]
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
Percent = Annotated[int, Field(ge=0, le=100)]
Orientation = Literal["landscape", "portrait"]
KioskTime = Annotated[datetime, AfterValidator(_kiosk_time)]
"""A time from a kiosk's clock: from 1970 to before 2200, an offset within ±14:00 and then
normalised to UTC; a naive time stays naive (the server reads it in the mall's time zone)."""


# ---------------------------------------------------------------- enrollment
class EnrollRequest(Model):
    code: Annotated[Line, Field(min_length=4, max_length=64)]
    app_version: Annotated[Line, Field(max_length=64)] = ""
    hostname: Annotated[Line, Field(max_length=128)] = ""


class EnrollResponse(Model):
    kiosk_id: str
    kiosk_code: Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{3}$")]
    """Three Crockford characters, unique in the fleet: the first part of every reference
    this kiosk makes, so references made offline never collide."""
    device_key: str
    mall_id: str
    location_id: str | None = None
    """The kiosk point (MallContent.kiosks) this kiosk stands at."""
    public_base_url: str
    """Where phones reach the server: tracking URLs are <public_base_url>/t/<token>."""
    server_time: datetime


# ---------------------------------------------------------------- content
class BlobRef(Model):
    sha256: Annotated[str, Field(pattern=SHA256_RE.pattern)]
    size: Annotated[int, Field(ge=0)]
    media_type: str


class ContentManifest(Model):
    """A published content version. The document blob holds a MallContent as JSON (UTF-8);
    every other blob is referenced from it by sha256."""

    mall_id: str
    version: Annotated[int, Field(ge=1)]
    published_at: datetime
    document: BlobRef
    blobs: list[BlobRef] = []

    def etag(self) -> str:
        return f'"{self.mall_id}-v{self.version}-{self.document.sha256[:16]}"'


class TimeRange(Model):
    """Opening hours on some weekdays (0 = Monday). close may be after midnight ("01:00")."""

    weekdays: list[Annotated[int, Field(ge=0, le=6)]]
    open: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    close: Annotated[str, Field(pattern=r"^([01]\d|2[0-4]):[0-5]\d$")]


class Mall(Model):
    id: str
    name: I18nText
    timezone: str = DEFAULT_TIMEZONE
    hours: list[TimeRange]
    service_desk_id: str | None = None
    """The facility where visitors hand in found items and ask for help."""
    phone: str = ""


class PlanShape(Model):
    kind: Literal["unit", "corridor", "atrium", "void", "facility", "landmark", "outline"]
    polygon: list[tuple[float, float]]
    label: I18nText | None = None
    ref: str | None = None
    """The store or facility id the shape belongs to, if any."""


class Level(Model):
    id: str
    short_name: str
    """The local name on the lift buttons: B1, 1F, 2F."""
    ordinal: int
    """Vertical order: B1 = -1, 1F = 0, 2F = 1."""
    name: I18nText
    width_m: float
    height_m: float
    plan: list[PlanShape] = []


class Category(Model):
    id: str
    name: I18nText
    icon: str = ""


class Store(Model):
    id: str
    name: I18nText
    category_id: str
    level_id: str
    unit: str
    """As printed at the door: 3F-12."""
    node_id: str
    hours: list[TimeRange] = []
    """Empty means the mall's hours."""
    phone: str = ""
    description: I18nText | None = None
    logo_sha256: str | None = None
    keywords: list[str] = []


FacilityKind = Literal[
    "restroom", "accessible_restroom", "nursing_room", "service_desk", "lift", "escalator",
    "stairs", "ramp", "exit", "parking_pay", "atm", "charging", "wheelchair_lending",
    "stroller_lending", "first_aid", "information",
]


class Facility(Model):
    id: str
    kind: FacilityKind
    name: I18nText
    level_id: str
    node_id: str
    unit: str = ""


class PromotionTarget(Model):
    """Empty lists mean every kiosk."""

    level_ids: list[str] = []
    kiosk_ids: list[str] = []


class Promotion(Model):
    id: str
    title: I18nText
    text: I18nText
    image_sha256: str
    store_id: str | None = None
    category_id: str | None = None
    starts_on: date
    ends_on: date
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = [0, 1, 2, 3, 4, 5, 6]
    hours_from: str = "00:00"
    hours_to: str = "24:00"
    priority: int = 0
    target: PromotionTarget = PromotionTarget()


EdgeKind = Literal["walk", "ramp", "stairs", "escalator", "lift"]


class Node(Model):
    id: str
    level_id: str
    x: float
    y: float
    landmark: I18nText | None = None
    """Named places ("the fountain") that directions mention."""


class Edge(Model):
    a: str
    b: str
    kind: EdgeKind = "walk"
    length_m: float
    seconds: float | None = None
    """Connector time (lift wait and ride, escalator ride); None means walk it at length_m."""
    directed: bool = False
    """True for escalators: only a → b."""
    connector_id: str | None = None
    """The facility (lift B, escalator E2) this edge belongs to, so staff can close it."""


class PathGraph(Model):
    nodes: list[Node]
    edges: list[Edge]


class KioskPoint(Model):
    id: str
    name: I18nText
    level_id: str
    node_id: str
    heading_deg: float = 0.0
    """Which way the visitor faces, clockwise from the map's up: the map is drawn heading-up."""


class MallContent(Model):
    """The whole published content of one mall: what a kiosk draws everything from."""

    schema_version: Literal[1] = 1
    mall: Mall
    levels: list[Level]
    categories: list[Category]
    stores: list[Store]
    facilities: list[Facility]
    promotions: list[Promotion] = []
    graph: PathGraph
    kiosks: list[KioskPoint] = []
    closed_connectors: list[str] = []


# ---------------------------------------------------------------- cases
class CaseKind(StrEnum):
    ENQUIRY = "enquiry"
    """A question answered by the desk (walk-in or phone); counted in the daily log."""
    COMPLAINT = "complaint"
    PRAISE = "praise"
    SUGGESTION = "suggestion"
    LOST_REPORT = "lost_report"
    FOUND_ITEM = "found_item"


class ComplaintCategory(StrEnum):
    """The manuals' complaint categories."""

    PRODUCT_QUALITY = "product_quality"
    SERVICE_ATTITUDE = "service_attitude"
    ENVIRONMENT_FACILITIES = "environment_facilities"
    SAFETY = "safety"
    TENANT_DISPUTE = "tenant_dispute"
    PRICE_QUESTION = "price_question"
    OTHER = "other"


class CaseStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    WAITING_ON_VISITOR = "waiting_on_visitor"
    RESOLVED = "resolved"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"


StoreRef = Annotated[Line, Field(min_length=1, max_length=64)]
"""A store id as a kiosk sends it (CaseUpload.store_id)."""
CaseDetails = Annotated[
    dict[
        Annotated[Line, Field(min_length=1, max_length=MAX_DETAIL_KEY_CHARS)],
        Annotated[FreeText, Field(max_length=MAX_DETAIL_VALUE_CHARS)],
    ],
    Field(max_length=MAX_DETAILS),
]
MAX_PHONE_CHARS = 32
"""A phone number as typed, spaces and dashes included (PHONE_RE checks it once they are removed)."""


class CaseUpload(Model):
    """One case from a kiosk outbox. Idempotent on id: the same id twice is one case.

    The kiosk makes the tracking token (≥128 random bits), shows it only inside the receipt's
    QR code, and sends only its SHA-256 here: the raw token is stored nowhere.
    """

    id: Annotated[str, Field(pattern=ULID_RE.pattern)]
    reference: Annotated[str, Field(pattern=REFERENCE_RE.pattern)]
    tracking_token_sha256: Annotated[str, Field(pattern=SHA256_RE.pattern)]
    kind: CaseKind
    category: ComplaintCategory | None = None
    store_id: StoreRef | None = None
    occurred_at: KioskTime | None = None
    description: Annotated[FreeText, Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)]
    contact_phone: Annotated[str, Field(max_length=MAX_PHONE_CHARS)] | None = None
    contact_consent: bool = False
    language: Language = DEFAULT_LANGUAGE
    created_at: KioskTime
    location_id: Annotated[Line, Field(min_length=1, max_length=64)] | None = None
    details: CaseDetails = {}
    """Kind-specific fields (lost property: colour, brand, where found)."""

    @field_validator("description")
    @classmethod
    def _printable_description(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("description is empty")
        return value

    @field_validator("contact_phone")
    @classmethod
    def _valid_phone(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        value = normalize_phone(value)
        if not PHONE_RE.match(value):
            raise ValueError("contact_phone is not a phone number")
        return value

    @field_validator("contact_consent")
    @classmethod
    def _consent_needed(cls, value: bool, info) -> bool:  # noqa: ANN001 - pydantic's ValidationInfo
        if info.data.get("contact_phone") and not value:
            raise ValueError("a contact phone needs the visitor's consent")
        return value


class ItemCategory(StrEnum):
    """Lost property categories (kiosk pictograms, the register, retention rules)."""

    PHONE = "phone"
    WALLET = "wallet"
    KEYS = "keys"
    BAG = "bag"
    CARD = "card"
    UMBRELLA = "umbrella"
    CLOTHING = "clothing"
    TOY = "toy"
    JEWELLERY = "jewellery"
    DOCUMENTS = "documents"
    OTHER = "other"


class ItemColour(StrEnum):
    """Colour chips: a code, not words, so a Chinese and an English report compare exactly."""

    BLACK = "black"
    WHITE = "white"
    GREY = "grey"
    RED = "red"
    PINK = "pink"
    ORANGE = "orange"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"
    PURPLE = "purple"
    BROWN = "brown"
    BEIGE = "beige"
    GOLD = "gold"
    SILVER = "silver"
    MULTI = "multi"


# CaseUpload.details keys of lost_report and found_item cases (values within the server's
# per-detail limits); the place is CaseUpload.store_id and these.
ITEM_DETAIL_CATEGORY = "item_category"
ITEM_DETAIL_COLOUR = "item_colour"
ITEM_DETAIL_BRAND = "item_brand"
ITEM_DETAIL_LEVEL = "place_level_id"
ITEM_DETAIL_POINT = "place_point"
"""A spot tapped on the kiosk's floor plan, "x,y" in the level's metres (the floor is ITEM_DETAIL_LEVEL)."""
ITEM_DETAIL_PLACE_NOTE = "place_note"
"""That spot in words, in the visitor's language ("2F · Near the fountain"), for staff."""


class CaseReceipt(Model):
    id: str
    reference: str
    status: CaseStatus
    created: bool
    """False when the server already had this case id (a retry)."""


# ---------------------------------------------------------------- heartbeat and events
MAX_HEARTBEAT_ERRORS = 20
MAX_HEARTBEAT_ERROR_CHARS = 500


class Heartbeat(Model):
    app_version: Annotated[Line, Field(max_length=64)]
    content_version: Version | None = None
    outbox_depth: Count = 0
    last_errors: list[Annotated[FreeText, Field(max_length=MAX_HEARTBEAT_ERROR_CHARS)]] = Field(
        default=[], max_length=MAX_HEARTBEAT_ERRORS)
    uptime_s: Seconds = 0
    disk_free_bytes: ByteCount | None = None
    sent_at: KioskTime
    screen_on: bool | None = None
    """Whether the display is lit (from the DRM connector's power state); None: the kiosk cannot tell."""
    orientation: Orientation | None = None
    """How the kiosk's window stands (wider than tall: landscape); None before the window exists."""
    speech_volume: Percent | None = None
    """The read-aloud volume (LocalStore setting `speech_volume`), 0-100."""
    brightness: Percent | None = None
    """The backlight, 0-100; None where the kiosk has no backlight it can set (/sys/class/backlight)."""


CommandKind = Literal[
    "reload", "emergency", "notice", "sync_now",
    "restart", "screenshot", "set_volume", "set_brightness", "rotate_key", "set_maintenance_pin",
]
FLEET_COMMAND_KINDS: tuple[CommandKind, ...] = (
    "reload", "restart", "screenshot", "set_volume", "set_brightness", "rotate_key", "set_maintenance_pin",
)
"""Commands staff send from the fleet console: each has an `id` and is reported back with a
CommandResult; the others (sync_now, notices) are the server's own and need no answer."""


class Command(Model):
    kind: CommandKind
    payload: dict = {}
    id: Annotated[str, Field(pattern=ULID_RE.pattern)] | None = None
    """Set on fleet console commands. Such a command comes with every heartbeat reply until the
    kiosk posts its result (COMMAND_RESULT_PATH), so a lost reply or a missed push never strands
    it; the kiosk runs each id once (it remembers the ids it finished)."""


COMMAND_RESULT_PATH = "/api/v1/kiosk/commands/{command_id}/result"
MAX_SCREENSHOT_BYTES = 700 * 1024
"""A screenshot travels as a JPEG, base64 in the result's JSON, under the server's 1 MiB body limit."""


class CommandResult(Model):
    """`POST COMMAND_RESULT_PATH`: what came of a fleet command; idempotent (a repeat changes nothing)."""

    ok: bool
    unsupported: bool = False
    """With ok false: this kiosk cannot do it at all (no backlight, no screen), not a passing failure."""
    message: Annotated[FreeText, Field(max_length=500)] = ""
    """What happened, in the kiosk's own words (shown to staff as the detail): "no backlight under
    /sys/class/backlight"."""
    screenshot_jpeg_b64: Annotated[str, Field(max_length=(MAX_SCREENSHOT_BYTES + 2) // 3 * 4)] | None = None


class HeartbeatReply(Model):
    server_time: datetime
    commands: list[Command] = []
    poll_seconds: Annotated[int, Field(ge=1)] = 60


UsageEventKind = Literal["promotion_shown", "promotion_touched", "screen_view", "satisfaction"]


class UsageEvent(Model):
    kind: UsageEventKind
    at: KioskTime
    subject_id: Annotated[Line, Field(max_length=64)] | None = None
    value: Annotated[Line, Field(max_length=64)] | None = None


class EventBatch(Model):
    batch_id: Annotated[str, Field(pattern=ULID_RE.pattern)]
    events: list[UsageEvent] = Field(max_length=1000)


class EventBatchReceipt(Model):
    batch_id: str
    accepted: int
    duplicate: bool


# ---------------------------------------------------------------- lending at the service desk
AVAILABILITY_PATH = "/api/v1/kiosk/availability"
LendableKind = Literal["wheelchair", "pram", "umbrella", "power_bank"]
MAX_LENDING_PLACES = 200
"""Kinds × places a mall lends from; far more than any mall has."""


class LendingCount(Model):
    """How many of one kind the desk at one facility can lend now."""

    kind: LendableKind
    facility_id: Annotated[Line, Field(min_length=1, max_length=64)]
    """A facility of the published content (the service desk)."""
    available: Count
    total: Count
    """In service: available or on loan (out-of-service items are not counted)."""


class LendingAvailability(Model):
    """`GET /api/v1/kiosk/availability`: what the kiosk's mall can lend now, live.

    It changes with every loan and return, without a content version: the sync agent polls it
    every `poll_seconds`. The kiosk shows it only while fresh (received within a few minutes by
    its own clock); stale or never received, it shows nothing rather than old numbers."""

    server_time: datetime
    counts: list[LendingCount] = Field(default=[], max_length=MAX_LENDING_PLACES)
    poll_seconds: Annotated[int, Field(ge=1, le=3600)] = 30


# ---------------------------------------------------------------- broadcasts (notices, emergencies)
BROADCASTS_PATH = "/api/v1/kiosk/broadcasts"
BROADCASTS_SHOWN_PATH = "/api/v1/kiosk/broadcasts/shown"
BroadcastKind = Literal["notice", "emergency"]
BroadcastReason = Literal[
    "evacuation", "fire", "power_cut", "severe_weather", "medical", "lost_child", "closing_time", "other",
]


class Broadcast(Model):
    """A notice (a banner) or an emergency (the whole screen, above everything) sent by staff.

    The kiosk shows it from `starts_at` until `expires_at` by its own wall clock, or until the
    server's list no longer has it (staff ended it)."""

    id: Annotated[str, Field(pattern=ULID_RE.pattern)]
    kind: BroadcastKind
    reason: BroadcastReason = "other"
    title: I18nText
    text: I18nText
    starts_at: datetime
    expires_at: datetime
    photo_sha256: Annotated[str, Field(pattern=SHA256_RE.pattern)] | None = None
    """A photo staff attached (a lost child): a blob at BLOB_PATH, at most MAX_BROADCAST_PHOTO_BYTES."""


MAX_BROADCAST_PHOTO_BYTES = 2 * 1024 * 1024
"""A phone photo; the console refuses larger ones, so a kiosk fetches it within seconds."""


class BroadcastState(Model):
    """`GET /api/v1/kiosk/broadcasts[?wait=S]`: what this kiosk must show now. `ETag`/`304` as
    for content. With `wait` and `If-None-Match`, the server holds the poll until the list
    changes or up to `long_poll_seconds` (a long poll), so an emergency reaches a waiting
    kiosk at once; kiosks poll at most every `poll_seconds`, and every `poll_seconds` from a
    server that does not hold polls (`long_poll_seconds` 0)."""

    server_time: datetime
    broadcasts: list[Broadcast] = []
    poll_seconds: Annotated[int, Field(ge=1)] = 2
    long_poll_seconds: Annotated[int, Field(ge=0)] = 0
    commands_waiting: bool = False
    """The fleet console queued a command for this kiosk: send a heartbeat now to get it (the
    push; the heartbeat's own interval still delivers it when a push is missed)."""


class BroadcastShown(Model):
    broadcast_id: Annotated[str, Field(pattern=ULID_RE.pattern)]
    shown_at: KioskTime
    """When the kiosk drew it on its screen (kiosk clock)."""


class BroadcastShownReport(Model):
    """`POST /api/v1/kiosk/broadcasts/shown`: acknowledgements; idempotent per broadcast and kiosk."""

    shown: list[BroadcastShown] = Field(max_length=100)


# ---------------------------------------------------------------- assistance (the help button)
ASSISTANCE_PATH = "/api/v1/kiosk/assistance"


class AssistanceStatus(StrEnum):
    OPEN = "open"
    """The desk has been alerted; nobody has said they are coming yet."""
    ACKNOWLEDGED = "acknowledged"
    """A member of staff said "I'm on my way"."""
    RESOLVED = "resolved"


class AssistanceRequest(Model):
    """`POST ASSISTANCE_PATH`: a visitor at this kiosk asked for a member of staff to come.
    Idempotent on id (a retry from the outbox is the same request); while the kiosk has an
    open request, a new id gets that open request back instead of a second alert."""

    id: Annotated[str, Field(pattern=ULID_RE.pattern)]
    requested_at: KioskTime
    language: Language = DEFAULT_LANGUAGE
    """The visitor's language on the screen, so whoever comes can greet them in it."""


class AssistanceReceipt(Model):
    id: str
    """The open request of the kiosk: the one sent, or the one already open."""
    status: AssistanceStatus
    place: str
    """Where the desk was told the kiosk stands."""
    created: bool
    """False when the request was already known (a retry, or one already open)."""
