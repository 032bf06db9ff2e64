"""Health checks for load balancers and process supervisors: plain JSON, no authentication."""
from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("server.health")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Says nothing about the database on purpose."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers a query against a migrated table."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("readiness check failed: %s", error)
        return JsonResponse(
            {"status": "unavailable",
             "error": {"code": "database_unavailable", "message": "The database does not answer."}},
            status=503,
        )
    return JsonResponse({"status": "ready", "database": connection.vendor})
