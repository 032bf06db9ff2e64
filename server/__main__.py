"""`python -m server COMMAND ...`: Django's management commands with the server's settings.

Commands may be written with dashes (create-user, enroll-code, import-imdf); they map to
Django's underscore names. `python -m server help` lists them all.
"""
from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["python -m server", *args])


if __name__ == "__main__":
    main()
