"""`python -m server export-imdf --mall M [--version N] OUT.zip`: a published version as IMDF 1.0.0."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from server.wayfinding.exports import ExportError, export_version


class Command(BaseCommand):
    help = ("Write a published content version of a mall (the newest unless --version) as an IMDF 1.0.0 "
            "archive: manifest, venue, building, level, unit, opening, amenity, occupant, anchor, address, "
            "relationship (connectors with their direction) and the path graph as a vendor extension.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version is the content version here, not Django's own version flag
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="The .zip to write.")
        parser.add_argument("--mall", required=True, help="The mall id.")
        parser.add_argument("--version", type=int, dest="content_version",
                            help="The published version (default: the newest).")

    def handle(self, *args, out: Path, mall: str, content_version: int | None, **options):
        try:
            data, version = export_version(mall, content_version)
        except ExportError as error:
            raise CommandError(str(error)) from None
        out.write_bytes(data)
        self.stdout.write(f"Wrote {out} ({len(data)} bytes): mall {mall}, version {version}.")
