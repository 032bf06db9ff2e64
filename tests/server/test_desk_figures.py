"""The desk ledgers' figures of one day, as the daily log reads them (local days of the mall)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from test_cases_support import make_staff

from server.desk import first_aid, incidents, luggage
from server.desk.figures import counts_for_day
from server.desk.models import LeftLuggage
from server.malls.models import Mall

pytestmark = pytest.mark.django_db


def test_counts_for_day_counts_the_local_day_only():
    mall = Mall.objects.create(id="plaza", name_zh_cn="广场", timezone="Asia/Shanghai")
    other = Mall.objects.create(id="other", name_zh_cn="别处")
    agent = make_staff("desk-agent", "agent", mall)
    zone = mall.zone
    day = date(2026, 12, 4)
    at = lambda hour, minute=0: datetime(2026, 12, 4, hour, minute, tzinfo=zone)  # noqa: E731

    early = luggage.check_in(mall, agent, description="行李箱", pieces=2, surname="王", phone="13800000000")
    late = luggage.check_in(mall, agent, description="纸袋", pieces=1, surname="李", phone="13900000000")
    before = luggage.check_in(mall, agent, description="雨伞", pieces=1, surname="张", phone="13700000000")
    luggage.check_in(other, agent, description="other mall", pieces=1, surname="X", phone="1")
    LeftLuggage.objects.filter(pk=early.pk).update(checked_in_at=at(10))
    LeftLuggage.objects.filter(pk=late.pk).update(checked_in_at=at(23, 50))
    LeftLuggage.objects.filter(pk=before.pk).update(checked_in_at=at(9) - timedelta(days=1))
    luggage.pick_up(LeftLuggage.objects.get(pk=early.pk), agent)
    LeftLuggage.objects.filter(pk=early.pk).update(picked_up_at=at(18))
    # 00:10 the next day, Shanghai time, is still 4 December in UTC: it counts for the 5th.
    first_aid.record_use(mall, agent, used_at=at(0, 10) + timedelta(days=1), supplies="创可贴", used_for="x",
                         given_by="王")
    first_aid.record_use(mall, agent, used_at=at(15), supplies="创可贴", used_for="儿童擦伤", given_by="王")
    incidents.record_incident(mall, agent, kind="injury", occurred_at=at(15), what="儿童在扶梯旁摔倒")

    assert counts_for_day(mall, day) == {"luggage_checked_in": 2, "luggage_picked_up": 1, "luggage_open": 2,
                                         "first_aid_uses": 1, "incidents": 1}
    assert counts_for_day(mall, day - timedelta(days=1))["luggage_open"] == 1
    assert counts_for_day(other, timezone.localdate())["luggage_checked_in"] == 1
