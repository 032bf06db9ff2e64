"""Proof of play: the kiosks' promotion impressions and touches, counted per kiosk, promotion
and day as their event batches arrive, and the console's report over those counts.

It lives in fleet, beside the events it is counted from; the promotions it names are content's
(by id), and content's editor gets its per-promotion totals through `register_play_totals`."""
from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from server.fleet.models import PlayCount
from server.malls.models import Mall

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
        grow = {"impressions": F("impressions") + added["impressions"], "touches": F("touches") + added["touches"]}
        if not mine.update(**grow):
            try:
                with transaction.atomic():
                    PlayCount.objects.create(mall_id=kiosk.mall_id, kiosk=kiosk, promotion_id=promotion_id, day=day,
                                             **added)
            except IntegrityError:  # created by a batch of the same kiosk a moment ago
                mine.update(**grow)


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
        rows = _summed(detail[:MAX_DETAIL_ROWS], ("promotion", "promotion_id"), ("kiosk", "kiosk__code"),
                       ("day", "day"))
    total = {"impressions": sum(r["impressions"] for r in per_promotion),
             "touches": sum(r["touches"] for r in per_promotion)}
    return {"first": first, "last": last, "per_promotion": per_promotion, "per_kiosk": per_kiosk,
            "per_day": per_day, "rows": rows, "truncated": truncated, "total": total}


def totals_per_promotion(mall: Mall) -> dict[str, dict[str, int]]:
    """Every impression and touch ever reported, per promotion (the editor's list)."""
    rows = (PlayCount.objects.filter(mall=mall).values("promotion_id")
            .annotate(shown=Sum("impressions"), touched=Sum("touches")).order_by())
    return {row["promotion_id"]: {"impressions": row["shown"], "touches": row["touched"]} for row in rows}
