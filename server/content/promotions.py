"""The promotion editor's rules: saving a promotion with its picture as a content-addressed
blob, and the preview. Publishing stays in services; proof of play is counted in fleet."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from server.content.models import KioskPoint, Level, Promotion
from server.content.services import store_blob
from server.core.uploads import AcceptedImage
from server.malls.models import Mall

WEEKDAYS = [(0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat")), (6, _("Sun"))]
"""The editor's names of the days a promotion plays (the form's choices, the preview's words)."""


@transaction.atomic
def save_promotion(form, mall: Mall, picture: AcceptedImage | None) -> Promotion:
    """Save the editor's form into the draft; a new picture (accepted by the form, re-encoded by
    server.core.uploads) is stored as a content-addressed blob and replaces the old one."""
    promotion = form.save(commit=False)
    promotion.mall = mall
    if picture is not None:
        promotion.image_sha256 = store_blob(picture.data, picture.media_type).sha256
    if promotion.pk is None:
        promotion.position = (Promotion.objects.filter(mall=mall).count())
    promotion.save()
    return promotion


PlayTotals = Callable[[Mall], dict[str, dict[str, int]]]
_play_totals: PlayTotals | None = None


def register_play_totals(totals: PlayTotals) -> None:
    """Fleet counts proof of play (from the kiosks' events it stores) and sits above content, so
    it hands the editor's list its figures from its AppConfig.ready() instead of content asking."""
    global _play_totals
    _play_totals = totals


def play_totals(mall: Mall) -> dict[str, dict[str, int]]:
    """Impressions and touches per promotion id, for the editor's list ({} with no fleet)."""
    return _play_totals(mall) if _play_totals is not None else {}


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
