"""Who this kiosk is to the server: saved once at enrollment, read at every start."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from kiosk.store import LocalStore

IDENTITY_KEY = "identity"


@dataclass(frozen=True)
class KioskIdentity:
    kiosk_id: str
    kiosk_code: str
    """Three Crockford characters unique in the fleet: the first part of every reference."""
    device_key: str
    """The kiosk's bearer credential for /api/v1/kiosk/*; never shown on screen."""
    mall_id: str
    location_id: str | None
    """The kiosk point (MallContent.kiosks) this kiosk stands at."""
    public_base_url: str
    """Where phones reach the server; tracking URLs are <public_base_url>/t/<token>."""
    server_url: str
    """Where this kiosk reaches the server's API (may differ from the public URL)."""

    def __repr__(self) -> str:
        # Keep the device key out of logs and tracebacks.
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "device_key"}
        return f"KioskIdentity({', '.join(f'{k}={v!r}' for k, v in shown.items())}, device_key=…)"


def save_identity(store: LocalStore, identity: KioskIdentity) -> None:
    store.set_setting(IDENTITY_KEY, asdict(identity))


def load_identity(store: LocalStore) -> KioskIdentity | None:
    """The saved identity, or None for a kiosk that has not been enrolled yet."""
    saved = store.get_setting(IDENTITY_KEY)
    if not saved:
        return None
    known = {f.name for f in fields(KioskIdentity)}
    return KioskIdentity(**{key: value for key, value in saved.items() if key in known})
