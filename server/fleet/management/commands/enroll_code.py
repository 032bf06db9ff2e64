"""`python -m server enroll-code --mall M [--location L] [--hours H]`: print a one-time enrollment code."""
from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from server.fleet import services
from server.malls.models import Mall


class Command(BaseCommand):
    help = "Create a one-time code that enrolls one kiosk at a mall (and kiosk point); prints it once."

    def add_arguments(self, parser):
        parser.add_argument("--mall", required=True, help="The mall's id.")
        parser.add_argument("--location", default="", help="The kiosk point id where the kiosk stands.")
        parser.add_argument("--hours", type=int, default=None, help="How long the code stays valid (default 72).")

    def handle(self, *args, mall: str, location: str, hours: int | None, **options):
        mall_row = Mall.objects.filter(pk=mall).first()
        if mall_row is None:
            known = ", ".join(Mall.objects.values_list("id", flat=True)) or "none"
            raise CommandError(f"no mall {mall!r}; known: {known}")
        if hours is not None and hours < 1:
            raise CommandError("--hours must be at least 1")
        try:
            issued = services.create_enrollment_code(
                mall_row, location, valid_for=timedelta(hours=hours) if hours else None
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(issued.code)
        self.stderr.write(
            f"One-time enrollment code for mall {mall_row.id}"
            f"{' at ' + location if location else ''}, valid until {issued.record.expires_at:%Y-%m-%d %H:%M %Z}."
        )
