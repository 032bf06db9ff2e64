"""Scheduled jobs: run when due, once across servers, a failure kept without stopping the rest."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from server.core import jobs
from server.core.models import JobRun


@pytest.fixture
def job_registry(monkeypatch):
    monkeypatch.setattr(jobs, "_jobs", {})
    return jobs


def test_a_job_runs_when_due_and_not_before(db, job_registry):
    calls = []
    job_registry.register_job("test.count", lambda: calls.append(1) or f"ran {len(calls)}", timedelta(minutes=5))
    start = timezone.now()

    assert [run.result for run in job_registry.run_due_jobs(now=start)] == ["ran 1"]
    assert job_registry.run_due_jobs(now=start + timedelta(minutes=1)) == []
    assert len(calls) == 1
    later = JobRun.objects.get(name="test.count").finished_at + timedelta(minutes=5)
    assert [run.succeeded for run in job_registry.run_due_jobs(now=later)] == [True]
    assert len(calls) == 2


def test_a_job_held_by_another_server_is_not_run_twice(db, job_registry):
    calls = []
    job_registry.register_job("test.held", lambda: calls.append(1), timedelta(minutes=1))
    now = timezone.now()
    JobRun.objects.create(name="test.held", lease_until=now + timedelta(minutes=10), started_at=now)

    assert job_registry.run_due_jobs(now=now) == []
    assert calls == []
    # A lease that ran out means its server died: the job may be claimed again.
    assert len(job_registry.run_due_jobs(now=now + timedelta(minutes=11))) == 1 and calls == [1]


def test_a_failing_job_is_recorded_and_the_others_still_run(db, job_registry):
    def broken():
        raise RuntimeError("database of the police is away")

    ran = []
    job_registry.register_job("test.a_broken", broken, timedelta(minutes=1))
    job_registry.register_job("test.b_fine", lambda: ran.append(1) or "fine", timedelta(minutes=1))

    runs = {run.name: run for run in job_registry.run_due_jobs()}
    assert runs["test.a_broken"].succeeded is False and "police is away" in runs["test.a_broken"].result
    assert runs["test.b_fine"].succeeded is True and ran == [1]
    assert JobRun.objects.get(name="test.a_broken").lease_until is None


def test_run_jobs_command_reports_and_fails_on_failure(db, job_registry, capsys):
    job_registry.register_job("test.fine", lambda: "3 cases escalated", timedelta(minutes=1))
    call_command("run_jobs")
    assert "test.fine: ok 3 cases escalated" in capsys.readouterr().out
    call_command("run_jobs")
    assert "nothing due" in capsys.readouterr().out
    job_registry.register_job("test.broken", lambda: 1 / 0, timedelta(minutes=1))
    with pytest.raises(CommandError, match="failed"):
        call_command("run_jobs", job="test.broken")
    with pytest.raises(CommandError, match="no job named"):
        call_command("run_jobs", job="nonsense")
