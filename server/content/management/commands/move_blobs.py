"""`python -m server move-blobs`: move the blobs the database holds into the bucket."""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from server.content import blob_store


class Command(BaseCommand):
    help = ('Move the bytes of every blob kept in the database into the S3-compatible bucket '
            '(CONCIERGE_BLOB_STORAGE="s3"), one blob at a time, while the server keeps serving them. '
            'Safe to interrupt and run again.')

    def handle(self, *args, **options):
        try:
            moved = blob_store.move_to_bucket()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Moved {moved.blobs} blob(s), {moved.bytes} bytes, into the bucket.")
