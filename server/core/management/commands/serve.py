"""`python -m server serve [--host H] [--port P]`: migrate, then run the ASGI app under uvicorn, with
the scheduled jobs run every minute beside it (unless `--no-jobs`: a systemd timer runs them)."""
from __future__ import annotations

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from server.core.jobs import start_background_runner


class Command(BaseCommand):
    help = "Apply migrations, then serve the server with uvicorn in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1,
                            help="Worker processes (PostgreSQL; keep 1 on SQLite).")
        parser.add_argument("--keep-alive", type=int, default=settings.CONCIERGE_KEEP_ALIVE_SECONDS,
                            help="Seconds an idle connection is kept open (longer than the kiosks' heartbeat "
                                 "interval, so they reuse it).")
        parser.add_argument("--no-migrate", action="store_true", help="Skip `migrate` (another node ran it).")
        parser.add_argument("--no-jobs", action="store_true", help="Do not run the scheduled jobs here.")

    def handle(self, *args, host: str, port: int, workers: int, keep_alive: int, no_migrate: bool, no_jobs: bool,
               **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        if not no_jobs:
            start_background_runner()
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
        self.stdout.write(f"Concierge server listening on http://{shown_host}:{port}/ "
                          f"(phones use {settings.PUBLIC_BASE_URL}; console {settings.PUBLIC_BASE_URL}/console/)")
        self.stdout.flush()
        uvicorn.run(
            "server.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            # uvloop and httptools where installed (uvicorn[standard]): "auto" picks them.
            loop="auto",
            http="auto",
            timeout_keep_alive=keep_alive,
            # A fleet reconnecting at once (the server restarted) must not overflow the listen queue.
            backlog=4096,
            proxy_headers=bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)),
            log_level="info",
        )
