"""Fixtures for the server: a small mall built in code, imported and published, and an
enrolled kiosk with its device key. Tests talk HTTP through Django's test client (the whole
middleware and URL stack) and check the stored rows."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from server_helpers import Bundle, EnrolledKiosk, make_bundle, post_json


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    """Rate limits live in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _database_work_on_the_test_thread(settings):
    """The test's transaction lives on this thread's connection: the kiosk API's database
    threads would not see its rows (live-server tests run them for real)."""
    settings.CONCIERGE_DATABASE_THREADS = 0


@pytest.fixture
def bundle() -> Bundle:
    return make_bundle()


@pytest.fixture
def imported_mall(db, bundle):
    from server.content.services import import_mall_content

    return import_mall_content(bundle.content, bundle.blobs).mall


@pytest.fixture
def published(imported_mall):
    from server.content.services import publish

    return publish(imported_mall).version


@pytest.fixture
def enrollment_code(imported_mall) -> str:
    from server.fleet.services import create_enrollment_code

    return create_enrollment_code(imported_mall, "k-lobby").code


@pytest.fixture
def enrolled_kiosk(client, enrollment_code) -> EnrolledKiosk:
    response = post_json(client, "/api/v1/kiosks/enroll", {"code": enrollment_code, "app_version": "0.1.0"})
    assert response.status_code == 201, response.content
    body = response.json()
    return EnrolledKiosk(id=body["kiosk_id"], code=body["kiosk_code"], device_key=body["device_key"])
