"""The promotion editor's rules: saving a promotion with its picture as a content-addressed
blob, and proof-of-play counts from the kiosks' usage events. Publishing stays in services."""
from __future__ import annotations

import io
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from PIL import Image, UnidentifiedImageError

from server.content.models import Mall, Promotion
from server.content.services import ContentError, store_blob
from server.fleet.models import KioskEvent

PICTURE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_PICTURE_PIXELS = 40_000_000


def picture_blob(data: bytes):
    """Store an uploaded picture under its SHA-256 once its bytes prove to be a picture."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            media_type = PICTURE_FORMATS.get(picture.format or "")
            if media_type is None:
                raise ContentError("the picture is not a PNG, JPEG or WebP image")
            if picture.width * picture.height > MAX_PICTURE_PIXELS:
                raise ContentError("the picture has more than 40 million pixels")
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ContentError("the file is not a picture that can be read") from error
    return store_blob(data, media_type)


@transaction.atomic
def save_promotion(form, mall: Mall, picture: bytes | None) -> Promotion:
    """Save the editor's form into the draft; a new picture replaces the old one."""
    promotion = form.save(commit=False)
    promotion.mall = mall
    if picture is not None:
        promotion.image_sha256 = picture_blob(picture).sha256
    if promotion.pk is None:
        promotion.position = (Promotion.objects.filter(mall=mall).count())
    promotion.save()
    return promotion


def proof_of_play(mall: Mall, since: date | None = None) -> dict:
    """Impressions (promotion_shown) and touches (promotion_touched) per promotion, per kiosk
    and per day (the kiosk's clock, in the server's time zone)."""
    events = KioskEvent.objects.filter(mall=mall, kind__in=("promotion_shown", "promotion_touched"))
    if since is not None:
        events = events.filter(at__date__gte=since)
    rows = (events.annotate(day=TruncDate("at")).values("subject_id", "kiosk__code", "day", "kind")
            .annotate(n=Count("id")).order_by("subject_id", "kiosk__code", "day"))
    table: dict[tuple[str, str, date], dict[str, int]] = {}
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        key = (row["subject_id"], row["kiosk__code"], row["day"])
        column = "impressions" if row["kind"] == "promotion_shown" else "touches"
        table.setdefault(key, {"impressions": 0, "touches": 0})[column] += row["n"]
        totals.setdefault(row["subject_id"], {"impressions": 0, "touches": 0})[column] += row["n"]
    return {
        "rows": [{"promotion": p, "kiosk": k, "day": d, **counts} for (p, k, d), counts in table.items()],
        "totals": totals,
    }
