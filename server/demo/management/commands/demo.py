"""`python -m server demo`: migrate, load and publish the demo mall, print logins and a kiosk code."""
from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from server.content.services import ContentError
from server.demo.services import DEMO_BUNDLE_DIR, describe, seed_demo


class Command(BaseCommand):
    help = ("Seed the demo (idempotent): the demo mall from assets/demo/ published as a content version, "
            "staff logins demo-agent and demo-admin, and a one-time kiosk enrollment code.")

    def add_arguments(self, parser):
        parser.add_argument("--bundle", type=Path, default=DEMO_BUNDLE_DIR, help="The demo content bundle folder.")

    def handle(self, *args, bundle: Path, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            summary = seed_demo(bundle)
        except ContentError as error:
            raise CommandError("the demo content does not publish:\n  " + "\n  ".join(error.problems)) from error
        self.stdout.write(describe(summary))
