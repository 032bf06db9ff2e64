"""Django settings for the tests that use the server (tests/server and end-to-end helpers).

pyproject's pytest settings name no DJANGO_SETTINGS_MODULE, so it is set here, before
pytest-django configures Django. Server data (secret key, SQLite test database) goes to a
temporary folder, removed at exit, unless CONCIERGE_DATA_DIR is set.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
# Notifications are sent by the test that reads them back (outbox.deliver_due), not by a thread.
os.environ.setdefault("CONCIERGE_NOTIFY_AT_ONCE", "0")
if "CONCIERGE_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="concierge-test-server-")
    os.environ["CONCIERGE_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)

import django  # noqa: E402 - the environment above must be set first

django.setup()
