"""The promotion schedule (kiosk/schedule.py) against a straightforward reference evaluation.

The reference lists every showing window a promotion has — one per running day, from that
day's hours_from to its hours_to (the next day's, when the window runs past midnight) — and
asks whether the moment falls in one. The kiosk's evaluation reasons about the moment
instead; hypothesis looks for a schedule and a moment where the two disagree.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from kiosk_helpers import make_bundle

from sync.protocol import I18nText, KioskPoint, Promotion, PromotionTarget
from venue.index import ContentIndex
from venue.schedule import by_category, is_on, promotions_on, targets_kiosk

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEVELS = ["B1", "L1", "L2"]
KIOSKS = [KioskPoint(id=f"kp-{n}", name=I18nText(zh_CN=f"点{n}"), level_id=level, node_id="n1")
          for n, level in enumerate(LEVELS * 2)]
FIRST_DAY = date(2026, 3, 1)


def reference_is_on(promotion: Promotion, local: datetime) -> bool:
    """Enumerate the showing windows; is `local` (naive, mall time) inside one?"""
    start = datetime.strptime(promotion.hours_from, "%H:%M").time()
    end_hours, end_minutes = map(int, promotion.hours_to.split(":"))
    day = promotion.starts_on
    while day <= promotion.ends_on:
        if day.weekday() in promotion.weekdays:
            opens = datetime.combine(day, start)
            closes = datetime.combine(day, time(0)) + timedelta(hours=end_hours, minutes=end_minutes)
            if closes <= opens:
                closes += timedelta(days=1)
            if opens <= local < closes:
                return True
        day += timedelta(days=1)
    return False


def reference_targets(promotion: Promotion, kiosk: KioskPoint | None) -> bool:
    chosen_levels, chosen_kiosks = promotion.target.level_ids, promotion.target.kiosk_ids
    if not chosen_levels and not chosen_kiosks:
        return True
    return kiosk is not None and (kiosk.level_id in chosen_levels or kiosk.id in chosen_kiosks)


clock_times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))
hours_to = st.one_of(clock_times, st.just("24:00"))


@st.composite
def promotions(draw, number: int = 0) -> Promotion:
    starts = FIRST_DAY + timedelta(days=draw(st.integers(0, 20)))
    hours_from = draw(clock_times)
    until = draw(hours_to.filter(lambda value: value != hours_from))
    return Promotion(
        id=f"p{number}",
        title=I18nText(zh_CN=f"促销{number}"),
        text=I18nText(zh_CN="文字"),
        image_sha256="a" * 64,
        starts_on=starts,
        ends_on=starts + timedelta(days=draw(st.integers(0, 15))),
        weekdays=sorted(draw(st.sets(st.integers(0, 6), min_size=1))),
        hours_from=hours_from,
        hours_to=until,
        priority=draw(st.integers(-2, 3)),
        target=PromotionTarget(
            level_ids=sorted(draw(st.sets(st.sampled_from(LEVELS), max_size=2))),
            kiosk_ids=sorted(draw(st.sets(st.sampled_from([k.id for k in KIOSKS]), max_size=2))),
        ),
    )


moments = st.builds(
    lambda minutes: datetime.combine(FIRST_DAY - timedelta(days=2), time(0)) + timedelta(minutes=minutes),
    st.integers(0, 45 * 24 * 60),
)


@settings(max_examples=600, deadline=None)
@given(promotion=promotions(), local=moments)
def test_schedule_matches_the_reference(promotion, local):
    assert is_on(promotion, local) == reference_is_on(promotion, local)


@settings(max_examples=300, deadline=None)
@given(promotion=promotions(), kiosk=st.one_of(st.none(), st.sampled_from(KIOSKS)))
def test_targeting_matches_the_reference(promotion, kiosk):
    assert targets_kiosk(promotion, kiosk) == reference_targets(promotion, kiosk)


@settings(max_examples=200, deadline=None)
@given(
    drawn=st.integers(1, 6).flatmap(lambda n: st.tuples(*[promotions(i) for i in range(n)])),
    local=moments,
    kiosk=st.sampled_from(KIOSKS),
)
def test_what_plays_is_every_promotion_on_here_in_priority_order(drawn, local, kiosk):
    bundle = make_bundle()
    index = ContentIndex(bundle.content.model_copy(update={"promotions": list(drawn)}))
    playing = promotions_on(index, local.replace(tzinfo=SHANGHAI), kiosk)

    expected = [p for p in drawn if reference_is_on(p, local) and reference_targets(p, kiosk)]
    # The playing order, spelled out: higher priority first, then the one that started later,
    # then by id, so every kiosk of the mall plays the same slide at the same moment.
    expected.sort(key=lambda p: (-p.priority, -p.starts_on.toordinal(), p.id))
    assert [p.id for p in playing] == [p.id for p in expected]


def test_a_kiosk_offline_judges_the_schedule_in_the_malls_timezone_not_its_own():
    bundle = make_bundle()
    lunch = Promotion(id="lunch", title=I18nText(zh_CN="午餐"), text=I18nText(zh_CN=""), image_sha256="b" * 64,
                      starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 2), hours_from="11:00", hours_to="14:00")
    index = ContentIndex(bundle.content.model_copy(update={"promotions": [lunch]}))
    noon_in_shanghai_as_utc = datetime(2026, 3, 2, 4, 0, tzinfo=ZoneInfo("UTC"))
    assert [p.id for p in promotions_on(index, noon_in_shanghai_as_utc, KIOSKS[0])] == ["lunch"]
    assert promotions_on(index, noon_in_shanghai_as_utc + timedelta(hours=3), KIOSKS[0]) == []


def test_promotions_are_grouped_by_their_stores_category_with_mall_wide_ones_last():
    bundle = make_bundle()
    common = dict(text=I18nText(zh_CN=""), image_sha256="c" * 64, starts_on=FIRST_DAY, ends_on=FIRST_DAY)
    drawn = [
        Promotion(id="mall-wide", title=I18nText(zh_CN="全场"), **common),
        Promotion(id="shoes", title=I18nText(zh_CN="鞋"), store_id="s-shoes", **common),
        Promotion(id="coffee", title=I18nText(zh_CN="咖啡"), store_id="s-coffee", **common),
        Promotion(id="food-week", title=I18nText(zh_CN="美食周"), category_id="food", **common),
    ]
    groups = by_category(ContentIndex(bundle.content), drawn)
    assert [(g.category_id, [p.id for p in g.promotions]) for g in groups] == [
        ("food", ["coffee", "food-week"]), ("fashion", ["shoes"]), (None, ["mall-wide"]),
    ]
