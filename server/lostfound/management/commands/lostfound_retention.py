"""Daily lost-property job: items past their category's retention time become due for
disposal, and every open lost report is matched again (items may have arrived while a
report's suggestions were computed). Safe to run on several servers at once: the status
change is one conditional update, and re-matching keeps staff decisions."""
from django.core.management.base import BaseCommand

from server.lostfound import retention, suggestions


class Command(BaseCommand):
    help = "Mark lost-property items due for disposal and re-run matching for open lost reports."

    def add_arguments(self, parser):
        parser.add_argument("--no-rematch", action="store_true", help="Only mark items due for disposal.")

    def handle(self, *args, no_rematch: bool = False, **options):
        due = retention.mark_due_items()
        self.stdout.write(f"items now due for disposal: {due}")
        if not no_rematch:
            self.stdout.write(f"lost reports matched again: {suggestions.rematch_open_reports()}")
