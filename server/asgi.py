"""ASGI entry point: `uvicorn server.asgi:application` (what `python -m server serve` runs).

The kiosk API (`/api/v1/kiosk/`, `/api/v1/kiosks/`) is machine to machine: device keys, no
cookies, sessions, CSRF, languages or frames. It goes through a Django handler with only the
middleware it needs, which makes a kiosk poll about a third cheaper (bench/bench_signage.py);
everything else, the staff API included, goes through the full stack of settings.MIDDLEWARE.
Both handlers serve the same URLs and views. In front of both, `ConcurrencyLimit`
(server/core/overload.py) bounds how many requests run at once and answers the rest 503.
"""
import os

from django.core.asgi import get_asgi_application
from django.core.handlers.asgi import ASGIHandler
from django.test.utils import override_settings

from server.core.overload import KIOSK_API_PREFIXES, ConcurrencyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")

KIOSK_API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "server.core.errors.ApiJsonErrorsMiddleware",
]

site = get_asgi_application()


class KioskApiHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds a handler's middleware chain from settings.MIDDLEWARE only.
        with override_settings(MIDDLEWARE=KIOSK_API_MIDDLEWARE):
            super().load_middleware(is_async)


kiosk_api = KioskApiHandler()


async def route(scope, receive, send):
    if scope["type"] == "http" and scope["path"].startswith(KIOSK_API_PREFIXES):
        return await kiosk_api(scope, receive, send)
    return await site(scope, receive, send)


application = ConcurrencyLimit(route)
