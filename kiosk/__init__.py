"""The kiosk's core: everything a kiosk does except drawing widgets (no Kivy imports here).

The screens in `screens/` draw from this package; the sync agent in `sync/agent.py` is the
only part that touches the network.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    APP_VERSION = version("concierge")
except PackageNotFoundError:  # running from a checkout that was never installed
    APP_VERSION = "0.0.0+checkout"
