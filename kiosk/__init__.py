"""The kiosk's runtime: everything a kiosk does except drawing widgets (no Kivy imports here).

Config, the local store, the outbox, case and item drafts, the input method, i18n, and the sync
agent (`sync_agent.py`, with `broadcast_listener.py`), the only part that touches the network.
The mall itself (lookups, search, routing, schedules) is `venue/`, shared with the server; the
screens in `screens/` draw from both.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    APP_VERSION = version("concierge")
except PackageNotFoundError:  # running from a checkout that was never installed
    APP_VERSION = "0.0.0+checkout"
