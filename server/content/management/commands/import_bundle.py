"""`python -m server import-bundle DIR [--publish]`: load a content bundle folder into a mall's draft."""
from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from server.content import services


class Command(BaseCommand):
    help = ("Import a content bundle (mall.json and its images, as in assets/demo/) into the draft of its mall, "
            "updating rows in place; with --publish, publish the draft if it changed.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--publish", action="store_true", help="Publish a new version if the content changed.")
        parser.add_argument("--user", help="The staff user recorded as publisher.")

    def handle(self, *args, directory: Path, publish: bool, user: str | None, **options):
        from sync.bundle import BundleError, load_source_bundle

        publisher = None
        if user:
            publisher = get_user_model().objects.filter(username=user).first()
            if publisher is None:
                raise CommandError(f"no user {user!r}")
        try:
            content, blobs = load_source_bundle(directory)
            result = services.import_mall_content(content, blobs)
        except (BundleError, services.ContentError) as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in result.counts.items())
        self.stdout.write(f"Imported {result.mall.id}: {counts}.")
        removed = {kind: count for kind, count in result.removed.items() if count}
        if removed:
            self.stdout.write("Removed from the draft: " + ", ".join(f"{n} {k}" for k, n in removed.items()) + ".")
        if publish:
            try:
                published = services.publish(result.mall, publisher, only_if_changed=True)
            except services.PublishError as error:
                raise CommandError("not published:\n  " + "\n  ".join(error.problems)) from error
            state = "published" if published.created else "unchanged, still"
            self.stdout.write(f"Content {state} version {published.version.version}.")
