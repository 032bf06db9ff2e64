"""`python -m server run-jobs [--job NAME] [--force] [--list]`: run the scheduled jobs that are due.

Safe to start on several servers at once (each job runs on one of them). Production runs it
from a systemd timer (deploy/concierge-jobs.timer); `serve` also runs it every minute.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from server.core import jobs


class Command(BaseCommand):
    help = "Run the scheduled jobs that are due (escalations, retention, re-matching)."

    def add_arguments(self, parser):
        parser.add_argument("--job", help="Run only this job.")
        parser.add_argument("--force", action="store_true", help="Run even if not due yet.")
        parser.add_argument("--list", action="store_true", help="List the jobs and their last runs.")

    def handle(self, *args, job: str | None, force: bool, list: bool, **options):
        known = {registered.name for registered in jobs.registered_jobs()}
        if job and job not in known:
            raise CommandError(f"no job named {job!r}; known: {', '.join(sorted(known)) or 'none'}")
        if list:
            last = {run.name: run for run in jobs.JobRun.objects.all()}
            for registered in jobs.registered_jobs():
                run = last.get(registered.name)
                when = run.finished_at.isoformat(timespec="seconds") if run and run.finished_at else "never"
                state = "" if not run or run.succeeded is None else (" ok" if run.succeeded else " FAILED")
                self.stdout.write(f"{registered.name}\tevery {registered.every}\tlast {when}{state}")
            return
        runs = jobs.run_due_jobs(only=job, force=force)
        for run in runs:
            self.stdout.write(f"{run.name}: {'ok' if run.succeeded else 'FAILED'} {run.result.strip()[:200]}")
        if any(not run.succeeded for run in runs):
            raise CommandError("some jobs failed")
        if not runs:
            self.stdout.write("nothing due")
