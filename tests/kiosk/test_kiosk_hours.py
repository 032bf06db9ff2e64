"""Opening hours in the mall's timezone, including hours that run past midnight."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.protocol import TimeRange
from venue.index import ContentIndex

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, zone=SHANGHAI) -> datetime:
    """May 2026: the 1st is a Friday (weekday 4)."""
    return datetime(2026, 5, day, hour, minute, tzinfo=zone)


def test_mall_hours_apply_to_stores_without_their_own(bundle):
    index = ContentIndex(bundle.content)
    shoes = index.store("s-shoes")
    assert not index.is_open(shoes, at(1, 9, 59))
    assert index.is_open(shoes, at(1, 10, 0))
    assert index.closes_at(shoes, at(1, 15)) == at(1, 22)
    assert not index.is_open(shoes, at(1, 22, 0))
    assert index.closes_at(shoes, at(1, 23)) is None
    assert index.opens_at(shoes, at(1, 23)) == at(2, 10)
    assert index.opens_at(shoes, at(1, 12)) is None
    assert index.is_open(None, at(1, 12))


def test_after_midnight_close_counts_for_the_night_it_started(bundle):
    index = ContentIndex(bundle.content)
    bar = index.store("s-bar")  # Friday and Saturday, 18:00 to 02:00
    assert not index.is_open(bar, at(1, 17, 59))
    assert index.is_open(bar, at(1, 18))
    assert index.closes_at(bar, at(1, 23)) == at(2, 2)
    assert index.is_open(bar, at(2, 1, 30))  # Saturday 01:30: Friday's night
    assert index.closes_at(bar, at(2, 1, 30)) == at(2, 2)
    assert not index.is_open(bar, at(2, 2))
    assert not index.is_open(bar, at(2, 12))
    assert index.is_open(bar, at(3, 1, 59))  # Sunday 01:59: Saturday's night
    assert not index.is_open(bar, at(4, 1))  # Monday 01:00: Sunday has no hours
    assert index.opens_at(bar, at(3, 3)) == at(8, 18)  # next Friday


def test_now_in_utc_is_read_in_the_mall_timezone(bundle):
    index = ContentIndex(bundle.content)
    shoes = index.store("s-shoes")
    # 02:30 UTC is 10:30 in Shanghai: open. 14:30 UTC is 22:30 in Shanghai: closed.
    assert index.is_open(shoes, datetime(2026, 5, 1, 2, 30, tzinfo=UTC))
    assert not index.is_open(shoes, datetime(2026, 5, 1, 14, 30, tzinfo=UTC))
    closes = index.closes_at(shoes, datetime(2026, 5, 1, 2, 30, tzinfo=UTC))
    assert closes == datetime(2026, 5, 1, 14, 0, tzinfo=UTC)
    # A naive time is already mall-local.
    assert index.is_open(shoes, datetime(2026, 5, 1, 10, 30))


def test_other_timezone_and_daylight_saving(bundle_factory):
    new_york = ZoneInfo("America/New_York")
    index = ContentIndex(bundle_factory(timezone="America/New_York").content)
    # 8 March 2026: clocks go forward at 02:00. 10:00 EDT is 14:00 UTC.
    assert index.is_open(None, datetime(2026, 3, 8, 14, 0, tzinfo=UTC))
    assert not index.is_open(None, datetime(2026, 3, 8, 13, 59, tzinfo=UTC))
    assert (index.closes_at(None, datetime(2026, 3, 8, 15, 0, tzinfo=UTC))
            == datetime(2026, 3, 8, 22, 0, tzinfo=new_york))


def test_open_around_the_clock(bundle):
    bundle.content.mall.hours = [TimeRange(weekdays=list(range(7)), open="00:00", close="24:00")]
    index = ContentIndex(bundle.content)
    for hour in (0, 3, 12, 23):
        assert index.is_open(None, at(1, hour, 59))
    assert index.closes_at(None, at(1, 12)) is None


def test_back_to_back_ranges_close_at_the_end_of_the_last(bundle):
    bundle.content.mall.hours = [
        TimeRange(weekdays=[4], open="10:00", close="24:00"),
        TimeRange(weekdays=[5], open="00:00", close="03:00"),
    ]
    index = ContentIndex(bundle.content)
    assert index.closes_at(None, at(1, 20)) == at(2, 3)


hours = st.lists(
    st.builds(
        TimeRange,
        weekdays=st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True),
        open=st.sampled_from(["00:00", "06:30", "10:00", "18:00", "22:00", "23:59"]),
        close=st.sampled_from(["00:00", "02:00", "10:00", "21:30", "22:00", "24:00"]),
    ),
    min_size=1, max_size=3,
)
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hours, moments)
def test_closes_at_is_consistent_with_is_open(bundle_factory, ranges, moment):
    bundle = bundle_factory()
    bundle.content.mall.hours = ranges
    index = ContentIndex(bundle.content)
    now = moment.replace(tzinfo=SHANGHAI)
    closes = index.closes_at(None, now)
    if not index.is_open(None, now):
        assert closes is None
        opens = index.opens_at(None, now)
        if opens is not None:
            assert opens > now and index.is_open(None, opens)
            assert not index.is_open(None, opens - timedelta(minutes=1)) or opens - now <= timedelta(minutes=1)
    elif closes is not None:
        assert closes > now
        assert index.is_open(None, closes - timedelta(minutes=1))
        assert not index.is_open(None, closes)
