"""Fixtures for the server: a small mall built in code, imported and published, and an
enrolled kiosk with its device key. Tests talk HTTP through Django's test client (the whole
middleware and URL stack) and check the stored rows."""
from __future__ import annotations

import pytest
from server_helpers import Bundle, EnrolledKiosk, make_bundle, post_json
from test_cases_support import make_staff

from server.fleet import services as fleet
from server.malls.models import Mall


@pytest.fixture(autouse=True)
def _database_work_on_the_test_thread(settings):
    """The test's transaction lives on this thread's connection: the kiosk API's database
    threads would not see its rows (live-server tests run them for real)."""
    settings.CONCIERGE_DATABASE_THREADS = 0


@pytest.fixture(autouse=True)
def _device_keys_checked_every_time(settings):
    """Tests change kiosk rows between requests (a revocation, an old heartbeat): each request
    reads the row as it is now. The key cache is tested with real server processes
    (test_device_key_cache.py)."""
    settings.CONCIERGE_DEVICE_KEY_CACHE_SECONDS = 0


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


# A mall made in code with a kiosk enrolled through the fleet's own services, and staff made
# through the accounts' own services (the test_cases_* modules, the reports; helpers in
# test_cases_support). A module defining a fixture of the same name overrides these.


@pytest.fixture
def mall(db) -> Mall:
    return Mall.objects.create(
        id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza", name_zh_tw="星光廣場"
    )


@pytest.fixture
def other_mall(db) -> Mall:
    return Mall.objects.create(id="harbour", name_zh_cn="海港城", name_en="Harbour City")


@pytest.fixture
def enrollment(mall) -> fleet.Enrollment:
    return fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code, hostname="kiosk-1")


@pytest.fixture
def kiosk(enrollment):
    return enrollment.kiosk


@pytest.fixture
def other_kiosk(other_mall):
    return fleet.enroll_kiosk(fleet.create_enrollment_code(other_mall).code).kiosk


@pytest.fixture
def agent(mall):
    return make_staff("agent-li", "agent", mall)
