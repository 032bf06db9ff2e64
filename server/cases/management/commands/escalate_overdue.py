"""`python -m server escalate-overdue`: escalate overdue cases to their mall's managers, once each.

Safe to run on several servers at once: every case is claimed by a conditional update."""
from django.core.management.base import BaseCommand

from server.cases.jobs import escalate_overdue


class Command(BaseCommand):
    help = "Escalate every overdue case (deadline passed in opening hours) to the mall's managers."

    def handle(self, *args, **options):
        escalated = escalate_overdue()
        for case in escalated:
            self.stdout.write(f"escalated {case.reference} (due {case.due_at:%Y-%m-%d %H:%M})")
        self.stdout.write(f"{len(escalated)} case(s) escalated.")
