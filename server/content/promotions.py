"""The promotion editor's rules: saving a promotion with its picture as a content-addressed
blob, and proof-of-play counts from the kiosks' usage events. Publishing stays in services."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from server.content.models import KioskPoint, Level, PlayCount, Promotion
from server.content.services import ContentError, store_blob
from server.malls.models import Mall

PICTURE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_PICTURE_PIXELS = 40_000_000
WEEKDAYS = [(0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat")), (6, _("Sun"))]
"""The editor's names of the days a promotion plays (the form's choices, the preview's words)."""


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


PROOF_OF_PLAY_KINDS = {"promotion_shown": "impressions", "promotion_touched": "touches"}
DEFAULT_REPORT_DAYS = 30
MAX_REPORT_DAYS = 366
MAX_DETAIL_ROWS = 2000



def report_days(mall: Mall, first: date | None = None, last: date | None = None) -> tuple[date, date]:
    """The report's first and last day (the mall's calendar): the last DEFAULT_REPORT_DAYS up to
    today by default, at most MAX_REPORT_DAYS, never inverted."""
    today = timezone.now().astimezone(mall.zone).date()
    last = last or today
    first = first or last - timedelta(days=DEFAULT_REPORT_DAYS - 1)
    if first > last:
        first, last = last, first
    first = max(first, last - timedelta(days=MAX_REPORT_DAYS - 1))
    return first, last


def count_plays(kiosk, events) -> None:
    """Add a batch's impressions and touches to the kiosk's daily counts (inside the transaction
    that stores the batch once: a retried batch never gets here)."""
    zone = kiosk.mall.zone
    counts: dict[tuple[str, date], dict[str, int]] = {}
    for event in events:
        column = PROOF_OF_PLAY_KINDS.get(event.kind)
        if column is None:
            continue
        key = ((event.subject_id or "")[:64], event.at.astimezone(zone).date())
        counts.setdefault(key, {"impressions": 0, "touches": 0})[column] += 1
    for (promotion_id, day), added in counts.items():
        mine = PlayCount.objects.filter(kiosk=kiosk, promotion_id=promotion_id, day=day)
        if not mine.update(impressions=F("impressions") + added["impressions"], touches=F("touches") + added["touches"]):
            try:
                with transaction.atomic():
                    PlayCount.objects.create(mall_id=kiosk.mall_id, kiosk=kiosk, promotion_id=promotion_id, day=day,
                                             **added)
            except IntegrityError:  # created by a batch of the same kiosk a moment ago
                mine.update(impressions=F("impressions") + added["impressions"],
                            touches=F("touches") + added["touches"])


def _summed(rows, *fields) -> list[dict]:
    return [{**{name: row[field] for name, field in fields}, "impressions": row["shown"], "touches": row["touched"]}
            for row in rows]


def proof_of_play(mall: Mall, first: date | None = None, last: date | None = None, *,
                  promotion: str = "", kiosk: str = "") -> dict:
    """Impressions and touches reported by the kiosks, from `first` to `last` (days of the mall's
    calendar, by the kiosks' clocks): per promotion, per kiosk and per day, each for one
    promotion and/or kiosk (code) when given; and, when one is given, the detail per promotion,
    kiosk and day. Each table is one grouped query over the daily counts."""
    first, last = report_days(mall, first, last)
    counts = PlayCount.objects.filter(mall=mall, day__gte=first, day__lte=last)
    if promotion:
        counts = counts.filter(promotion_id=promotion)
    if kiosk:
        counts = counts.filter(kiosk__code=kiosk)

    def grouped(*fields):
        return counts.values(*fields).annotate(shown=Sum("impressions"), touched=Sum("touches")).order_by(*fields)

    per_promotion = _summed(grouped("promotion_id"), ("promotion", "promotion_id"))
    per_kiosk = _summed(grouped("kiosk__code", "kiosk__location_id"), ("kiosk", "kiosk__code"),
                        ("location", "kiosk__location_id"))
    per_day = _summed(grouped("day"), ("day", "day"))
    rows, truncated = [], False
    if promotion or kiosk:
        detail = list(grouped("promotion_id", "kiosk__code", "day")[:MAX_DETAIL_ROWS + 1])
        truncated = len(detail) > MAX_DETAIL_ROWS
        rows = _summed(detail[:MAX_DETAIL_ROWS], ("promotion", "promotion_id"), ("kiosk", "kiosk__code"), ("day", "day"))
    total = {"impressions": sum(r["impressions"] for r in per_promotion),
             "touches": sum(r["touches"] for r in per_promotion)}
    return {"first": first, "last": last, "per_promotion": per_promotion, "per_kiosk": per_kiosk,
            "per_day": per_day, "rows": rows, "truncated": truncated, "total": total}


def totals_per_promotion(mall: Mall) -> dict[str, dict[str, int]]:
    """Every impression and touch ever reported, per promotion (the editor's list)."""
    rows = (PlayCount.objects.filter(mall=mall).values("promotion_id")
            .annotate(shown=Sum("impressions"), touched=Sum("touches")).order_by())
    return {row["promotion_id"]: {"impressions": row["shown"], "touches": row["touched"]} for row in rows}


# ---------------------------------------------------------------- preview
@dataclass(frozen=True)
class Publication:
    state: str
    """"published" (the kiosks have it as saved), "changed" (saved changes not yet published),
    "new" (never published), "none" (nothing published for the mall yet)."""
    version: int | None = None


def publication_of(promotion: Promotion) -> Publication:
    """Whether the kiosks have this promotion as it is saved in the draft."""
    from server.content.services import build_mall_content, current_version, read_blob

    version = current_version(promotion.mall_id)
    if version is None:
        return Publication("none")
    blob = read_blob(version.document_sha256)
    published = None
    if blob is not None:
        document = json.loads(blob[0])
        published = next((p for p in document.get("promotions", []) if p.get("id") == promotion.content_id), None)
    if published is None:
        return Publication("new", version.version)
    content, _problems = build_mall_content(promotion.mall)
    draft = next((p for p in (content.promotions if content else []) if p.id == promotion.content_id), None)
    if draft is not None and draft.model_dump(mode="json") == published:
        return Publication("published", version.version)
    return Publication("changed", version.version)


def level_label(level) -> str:
    """"B1 超市 · 美食" rather than "B1 B1 超市 · 美食" when the name already starts with it."""
    name = level.name_zh_cn or ""
    return name if name.startswith(level.short_name) else f"{level.short_name} {name}".strip()


def schedule_summary(promotion: Promotion) -> dict:
    """What the preview says about where and when the promotion plays."""
    days = sorted(set(promotion.weekdays or []))
    weekday_names = dict(WEEKDAYS)
    levels = {level.content_id: level_label(level) for level in Level.objects.filter(mall_id=promotion.mall_id)}
    points = dict(KioskPoint.objects.filter(mall_id=promotion.mall_id).values_list("content_id", "name_zh_cn"))
    return {
        "every_day": days == list(range(7)),
        "weekdays": [weekday_names[day] for day in days if day in weekday_names],
        "all_day": (promotion.hours_from, promotion.hours_to) == ("00:00", "24:00"),
        "past_midnight": promotion.hours_to <= promotion.hours_from,
        "levels": [levels.get(level, level) for level in promotion.target_level_ids or []],
        "kiosks": [points.get(point, point) for point in promotion.target_kiosk_ids or []],
    }
