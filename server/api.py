"""The one NinjaAPI of the server, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Paths are those of `sync.protocol`: /kiosks/enroll, /kiosk/content, /kiosk/heartbeat,
/kiosk/cases (the cases app), /blobs/{sha256}; plus /accounts/me for staff pages.
"""
from __future__ import annotations

from ninja import NinjaAPI

from server.accounts.api import router as accounts_router
from server.broadcasts.api import kiosk_router as broadcasts_kiosk_router
from server.cases.api import router as cases_router
from server.content.api import blob_router
from server.core.errors import install_error_handlers
from server.desk.help_api import kiosk_router as desk_kiosk_router
from server.fleet.api import enroll_router
from server.fleet.api import kiosk_router as fleet_kiosk_router
from server.loans.api import kiosk_router as loans_kiosk_router
from sync.protocol import PROTOCOL_VERSION

api = NinjaAPI(
    title="Concierge",
    version=str(PROTOCOL_VERSION),
    description="Kiosk sync protocol v1 (sync/protocol.py) and staff endpoints. "
    'Errors are {"error": {"code": ..., "message": ...}}.',
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)

api.add_router("/kiosks/", enroll_router)
api.add_router("/kiosk/", fleet_kiosk_router)
api.add_router("/kiosk/", cases_router)
api.add_router("/kiosk/", broadcasts_kiosk_router)
api.add_router("/kiosk/", loans_kiosk_router)
api.add_router("/kiosk/", desk_kiosk_router)
api.add_router("/blobs/", blob_router)
api.add_router("/accounts/", accounts_router)
