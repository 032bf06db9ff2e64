"""Scheduled jobs (escalate overdue cases, erase expired contact details, re-run matches…).

Each app registers its jobs in `AppConfig.ready()` with `register_job`. `run_due_jobs()` runs
the ones whose interval has passed; it is called by `python -m server run-jobs` (a systemd timer
in production) and every minute by `serve` (the demo). Several servers may call it at once:
a job is claimed with one conditional UPDATE on its `JobRun` row, so only one of them runs it.
"""
from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, close_old_connections
from django.db.models import Q
from django.utils import timezone

from server.core.models import JobRun

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
"""A job running longer than this is presumed dead (its server crashed) and may be claimed again."""


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every: timedelta


_jobs: dict[str, Job] = {}


def register_job(name: str, run: Callable[[], object], every: timedelta) -> None:
    """`run()` does the work and may return a short summary (kept as the job's last result)."""
    _jobs[name] = Job(name, run, every)


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def _claim(job: Job, now: datetime, force: bool) -> bool:
    try:
        JobRun.objects.get_or_create(name=job.name)
    except IntegrityError:  # another server created the row at the same moment
        pass
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = Q(finished_at__isnull=True) | Q(finished_at__lte=now - job.every)
    condition = free if force else free & due
    return JobRun.objects.filter(condition, name=job.name).update(lease_until=now + LEASE, started_at=now) == 1


def run_job(job: Job, *, now: datetime | None = None, force: bool = False) -> JobRun | None:
    """Run `job` if it is due and no other server is running it; None when it was not run."""
    now = now or timezone.now()
    if not _claim(job, now, force):
        return None
    try:
        summary = job.run()
        succeeded, result = True, "" if summary is None else str(summary)
    except Exception:  # one failing job must not stop the others; the failure is kept and logged
        log.exception("scheduled job %s failed", job.name)
        succeeded, result = False, traceback.format_exc(limit=5)
    JobRun.objects.filter(name=job.name).update(
        lease_until=None, finished_at=timezone.now(), succeeded=succeeded, result=result[-4000:],
    )
    return JobRun.objects.get(name=job.name)


def run_due_jobs(*, now: datetime | None = None, only: str | None = None, force: bool = False) -> list[JobRun]:
    """Run every registered job that is due (or `only` that one); returns the runs made."""
    runs = []
    for job in registered_jobs():
        if only and job.name != only:
            continue
        run = run_job(job, now=now, force=force)
        if run is not None:
            runs.append(run)
    return runs


def start_background_runner(interval_s: float = 60.0) -> threading.Event:
    """Run due jobs every `interval_s` seconds on a daemon thread; set the returned event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                close_old_connections()
                run_due_jobs()
            except Exception:  # the database may be briefly away: try again next time
                log.exception("scheduled jobs could not run")
            finally:
                close_old_connections()

    threading.Thread(target=loop, name="concierge-jobs", daemon=True).start()
    return stop
