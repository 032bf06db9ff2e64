"""The kiosk's runtime: everything a kiosk does except drawing widgets (no Kivy imports here).

Config, the local store, the outbox, case and item drafts, the input method, i18n, and the sync
agent (`sync_agent.py`, with `broadcast_listener.py`), the only part that touches the network.
The mall itself (lookups, search, routing, schedules) is `venue/`, shared with the server; the
screens in `screens/` draw from both.
"""

from functools import cache


@cache
def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("concierge")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0+checkout"


def __getattr__(name: str) -> str:
    """`APP_VERSION`, read from the installed package's metadata when first asked for: reading
    it (importlib.metadata) cost the kiosk's first frame ~20 ms at every start."""
    if name == "APP_VERSION":
        return _app_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
