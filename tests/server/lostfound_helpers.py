"""Helpers of the lost-property tests: kiosk cases of the lost-property kinds, staff, a PNG signature."""
from __future__ import annotations

import base64
import io
import secrets
from datetime import datetime

from PIL import Image, ImageDraw
from ulid import ULID

from server.cases import intake
from sync.protocol import (
    ITEM_DETAIL_BRAND,
    ITEM_DETAIL_CATEGORY,
    ITEM_DETAIL_COLOUR,
    ITEM_DETAIL_LEVEL,
    CaseUpload,
    sha256_hex,
)

PASSWORD = "Lost-and-found-2026!"
_counter = iter(range(10_000))


def file_kiosk_case(kiosk, kind: str, description: str, *, category: str, colour: str = "", brand: str = "",
                    level: str = "", occurred_at: datetime | None = None, phone: str | None = None,
                    language: str = "zh_CN", extra: dict[str, str] | None = None):
    """Upload a case the way a kiosk does; returns (case, raw tracking token)."""
    token = secrets.token_urlsafe(32)
    details = {ITEM_DETAIL_CATEGORY: category}
    if colour:
        details[ITEM_DETAIL_COLOUR] = colour
    if brand:
        details[ITEM_DETAIL_BRAND] = brand
    if level:
        details[ITEM_DETAIL_LEVEL] = level
    details.update(extra or {})
    number = next(_counter)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    suffix = "".join(alphabet[(number >> shift) & 31] for shift in (15, 10, 5, 0))
    upload = CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-{suffix}",
        tracking_token_sha256=sha256_hex(token.encode("ascii")), kind=kind, description=description,
        occurred_at=occurred_at, contact_phone=phone, contact_consent=bool(phone), language=language,
        created_at=occurred_at or datetime.now().astimezone(), details=details,
    )
    case, created = intake.receive_upload(kiosk, upload)
    assert created
    return case, token


def signature_data_url(blank: bool = False) -> str:
    """What a <canvas>'s toDataURL gives: a transparent PNG with (or without) a dark stroke."""
    image = Image.new("RGBA", (320, 110), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line([(20, 80), (120, 30), (200, 85), (300, 20)], fill=(17, 17, 17, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def jpeg_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()
