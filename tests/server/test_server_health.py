"""Liveness, readiness and the OpenAPI document."""
from __future__ import annotations

import pytest

from sync.protocol import CASES_PATH, CONTENT_PATH, ENROLL_PATH, HEARTBEAT_PATH


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_queries_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


@pytest.mark.django_db
def test_readyz_reports_a_broken_database_as_503(client, monkeypatch):
    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    def fail(*args, **kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr(CursorWrapper, "execute", fail)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


def test_openapi_lists_every_protocol_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["version"] == "1"
    for path in (ENROLL_PATH, CONTENT_PATH, HEARTBEAT_PATH, CASES_PATH, "/api/v1/blobs/{sha256}"):
        assert path in schema["paths"], path
    security = schema["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in security.values())


def test_api_docs_use_no_third_party_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower() and "https://" not in page
