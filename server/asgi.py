"""ASGI entry point: `uvicorn server.asgi:application` (what `python -m server serve` runs)."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")

application = get_asgi_application()
