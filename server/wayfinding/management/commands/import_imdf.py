"""`python -m server import-imdf PATH [--mall ID] [--publish] [--dry-run]`: an IMDF archive into a
mall's draft (with --dry-run: only the report and a summary)."""
from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from server.content import services as content_services
from server.wayfinding.imdf import ImdfRefused, import_imdf


class Command(BaseCommand):
    help = ("Import an IMDF 1.0.0 archive (a folder or a .zip: levels, units, openings, amenities, occupants, "
            "anchors, addresses, relationships, and a path graph when present, else one built from units and "
            "openings) into the draft of a mall. An archive that cannot be imported is refused with each problem "
            "named; with --publish the draft is published if it passes the checks.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--mall", help="The mall id to import into (default: imdf-<venue id>).")
        parser.add_argument("--publish", action="store_true", help="Publish the draft afterwards if it validates.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Print the report and a summary of what would be imported; write nothing.")
        parser.add_argument("--confirm-loss", default="", metavar="TOKEN",
                            help="Publish although the version loses stores, levels or routes the kiosks show "
                                 "now: the token a refused publish printed for exactly that loss (with --user).")
        parser.add_argument("--user", default="", metavar="NAME",
                            help="The manager (or administrator) who confirms the loss; recorded in the audit log.")

    def handle(self, *args, path: Path, mall: str | None, publish: bool, dry_run: bool = False,
               confirm_loss: str = "", user: str = "", **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        confirming = None
        if confirm_loss:
            if not publish or not user:
                raise CommandError("--confirm-loss needs --publish and --user NAME (a manager of the mall)")
            confirming = get_user_model().objects.filter(username=user, is_active=True).first()
            if confirming is None:
                raise CommandError(f"no active user {user!r}")
        try:
            imported = import_imdf(path, mall_id=mall)
        except ImdfRefused as refused:  # one line, no traceback; nothing was imported
            raise CommandError(str(refused)) from None
        for line in imported.report.lines():
            self.stdout.write(line)
        if dry_run:
            for line in imported.summary():
                self.stdout.write(line)
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            result = content_services.import_mall_content(imported.content, {})
        except content_services.ContentError as error:
            raise CommandError("the draft was not changed:\n  " + "\n  ".join(error.problems)) from error
        self.stdout.write(f"Draft of mall {result.mall.id} updated.")
        if publish:
            try:
                published = content_services.publish(result.mall, confirming, only_if_changed=True,
                                                     confirm_losses=confirm_loss)
            except content_services.UnconfirmedLosses as refused:
                lines = "\n  ".join(refused.problems)
                if refused.needs_manager:
                    raise CommandError(f"Not published: {user} is not a manager of mall {result.mall.id}; "
                                       f"the version loses:\n  {lines}") from refused
                raise CommandError(
                    f"Not published: the version loses what the kiosks show now:\n  {lines}\n"
                    f"A manager who accepts this loss runs the import again with --publish "
                    f"--confirm-loss {refused.fingerprint} --user NAME.") from refused
            except content_services.PublishError as error:
                self.stdout.write(f"Not published: {len(error.problems)} problems (see the console's map check):")
                for problem in error.problems:
                    self.stdout.write(f"  - {problem}")
                return
            self.stdout.write(f"Published as version {published.version.version}.")
