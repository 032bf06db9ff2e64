"""`python -m server import-imdf PATH [--mall ID] [--publish]`: an IMDF archive into a mall's draft."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from server.content import services as content_services
from server.wayfinding.imdf import import_imdf


class Command(BaseCommand):
    help = ("Import an IMDF archive (a folder or a .zip: levels, units, openings, amenities, occupants, "
            "anchors, and a navPath path graph when present) into the draft of a mall. Whatever cannot "
            "be used is reported and skipped; with --publish the draft is published if it passes the checks.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--mall", help="The mall id to import into (default: imdf-<venue id>).")
        parser.add_argument("--publish", action="store_true", help="Publish the draft afterwards if it validates.")

    def handle(self, *args, path: Path, mall: str | None, publish: bool, **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        imported = import_imdf(path, mall_id=mall)
        for line in imported.report.lines():
            self.stdout.write(line)
        if imported.content is None:
            raise CommandError("nothing usable in the archive; the draft was not changed")
        try:
            result = content_services.import_mall_content(imported.content, {})
        except content_services.ContentError as error:
            raise CommandError("the draft was not changed:\n  " + "\n  ".join(error.problems)) from error
        self.stdout.write(f"Draft of mall {result.mall.id} updated.")
        if publish:
            try:
                published = content_services.publish(result.mall, only_if_changed=True)
            except content_services.PublishError as error:
                self.stdout.write(f"Not published: {len(error.problems)} problems (see the console's map check):")
                for problem in error.problems:
                    self.stdout.write(f"  - {problem}")
                return
            self.stdout.write(f"Published as version {published.version.version}.")
