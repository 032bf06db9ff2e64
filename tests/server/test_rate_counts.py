"""Rate limits counted in the database (no Redis): one upsert per request, exact under
concurrency, and the ended windows swept by a scheduled job."""
from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from server.core.jobs import registered_jobs
from server.core.models import RateCount
from server.core.throttle import spend, sweep_rate_counts


@pytest.mark.django_db
def test_a_limit_allows_its_count_then_names_the_wait(settings):
    settings.CONCIERGE_REDIS_URL = ""
    answers = [spend("tracking", "203.0.113.7", "5/m") for _ in range(7)]
    assert answers[:5] == [None] * 5
    assert all(isinstance(wait, int) and 1 <= wait <= 60 for wait in answers[5:])
    assert spend("tracking", "203.0.113.8", "5/m") is None  # another address counts apart
    assert spend("route", "203.0.113.7", "5/m") is None  # another limit too
    (row,) = RateCount.objects.filter(key__contains=":tracking:203.0.113.7:")
    assert row.count == 7
    assert time.time() < row.expires <= time.time() + 60


@pytest.mark.django_db(transaction=True)
def test_requests_racing_each_other_are_each_counted(settings):
    settings.CONCIERGE_REDIS_URL = ""
    threads, each = 8, 25
    refused: list[int] = []

    def client() -> None:
        try:
            for _ in range(each):
                if spend("tracking", "198.51.100.1", f"{threads * each - 10}/h") is not None:
                    refused.append(1)
        finally:
            connection.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert RateCount.objects.get().count == threads * each
    assert len(refused) == 10


@pytest.mark.django_db
def test_the_sweep_forgets_ended_windows_only(settings):
    settings.CONCIERGE_REDIS_URL = ""
    spend("login", "192.0.2.1", "10/m")
    RateCount.objects.create(key="throttle:login:192.0.2.1:1", count=9, expires=time.time() - 1)
    assert sweep_rate_counts() == "1 rate limit counts removed"
    assert [row.count for row in RateCount.objects.all()] == [1]
    assert "rate-count-sweep" in {job.name for job in registered_jobs()}
