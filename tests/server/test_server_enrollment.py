"""Enrollment: one-time codes, device keys stored as hashes, fleet-unique kiosk codes."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from server_helpers import assert_error, post_json

from server.fleet import services
from server.fleet.models import EnrollmentCode, IssuedKioskCode, Kiosk
from sync.protocol import REFERENCE_ALPHABET, EnrollResponse, sha256_hex

ENROLL = "/api/v1/kiosks/enroll"


def test_enrollment_creates_a_kiosk_and_spends_the_code(client, imported_mall, enrollment_code, settings):
    response = post_json(client, ENROLL, {"code": enrollment_code, "app_version": "0.1.0", "hostname": "kiosk-7"})

    assert response.status_code == 201
    body = EnrollResponse.model_validate(response.json())
    assert body.mall_id == imported_mall.id
    assert body.location_id == "k-lobby"
    assert body.public_base_url == settings.PUBLIC_BASE_URL
    kiosk = Kiosk.objects.get(pk=body.kiosk_id)
    assert kiosk.code == body.kiosk_code and not kiosk.code.startswith(services.SERVER_CODE_PREFIX)
    assert kiosk.hostname == "kiosk-7" and kiosk.app_version == "0.1.0"
    assert kiosk.name == "大堂"  # the kiosk point's name
    # Only the hash of the device key is stored, never the key.
    assert kiosk.device_key_sha256 == sha256_hex(body.device_key.encode())
    assert len(body.device_key) >= 43
    stored_values = [str(value) for value in Kiosk.objects.filter(pk=kiosk.pk).values().first().values()]
    assert body.device_key not in stored_values
    record = EnrollmentCode.objects.get()
    assert record.used_at is not None and record.kiosk_id == kiosk.pk
    assert IssuedKioskCode.objects.filter(code=kiosk.code).exists()


def test_a_code_enrolls_only_once(client, enrollment_code):
    assert post_json(client, ENROLL, {"code": enrollment_code}).status_code == 201

    assert_error(post_json(client, ENROLL, {"code": enrollment_code}), 400, "code_used")
    assert Kiosk.objects.count() == 1


def test_codes_are_forgiving_about_case_dashes_and_lookalikes(client, imported_mall):
    issued = services.create_enrollment_code(imported_mall)
    typed = issued.code.replace("-", " ").lower().replace("0", "o").replace("1", "l")

    assert post_json(client, ENROLL, {"code": typed}).status_code == 201


def test_the_code_is_stored_only_as_a_hash(imported_mall):
    issued = services.create_enrollment_code(imported_mall, "k-lobby")
    record = EnrollmentCode.objects.get()
    assert record.code_sha256 == sha256_hex(issued.code.replace("-", "").encode())
    assert issued.code.replace("-", "") not in str(EnrollmentCode.objects.values().first())


@pytest.mark.parametrize(("code", "status", "error"), [
    ("ABCD-EFGH-JKMN", 404, "unknown_code"),
    ("ABCD-EFGH", 400, "invalid_code"),
    ("ABCD-EFGH-JKM!", 400, "invalid_code"),
    ("ABCD-EFGH-JKMN-PQRS", 400, "invalid_code"),
])
def test_bad_codes_are_refused(client, imported_mall, code, status, error):
    assert_error(post_json(client, ENROLL, {"code": code}), status, error)
    assert Kiosk.objects.count() == 0


def test_an_expired_code_is_refused(client, imported_mall):
    issued = services.create_enrollment_code(imported_mall)
    EnrollmentCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_error(post_json(client, ENROLL, {"code": issued.code}), 400, "code_expired")
    assert Kiosk.objects.count() == 0
    assert EnrollmentCode.objects.get().used_at is None


def test_a_code_for_an_unknown_kiosk_point_cannot_be_made(imported_mall):
    with pytest.raises(ValueError, match="no kiosk point"):
        services.create_enrollment_code(imported_mall, "k-nowhere")


@pytest.mark.django_db(transaction=True)
def test_concurrent_use_of_one_code_enrolls_exactly_one_kiosk(bundle):
    from server.content.services import import_mall_content

    mall = import_mall_content(bundle.content, bundle.blobs).mall
    code = services.create_enrollment_code(mall, "k-lobby").code
    attempts = 6
    barrier = threading.Barrier(attempts)
    statuses: list[int] = []
    lock = threading.Lock()

    def enroll() -> None:
        try:
            barrier.wait()
            response = post_json(Client(), ENROLL, {"code": code})
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=enroll) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(statuses) == [201] + [400] * (attempts - 1)
    assert Kiosk.objects.count() == 1
    assert IssuedKioskCode.objects.count() == 1


def test_kiosk_codes_are_unique_and_never_reused(client, imported_mall):
    codes = set()
    for _ in range(5):
        issued = services.create_enrollment_code(imported_mall)
        codes.add(post_json(client, ENROLL, {"code": issued.code}).json()["kiosk_code"])
    assert len(codes) == 5
    Kiosk.objects.all().delete()

    # Every code but one is taken (the deleted kiosks' codes stay issued): the next kiosk gets
    # the last free one, and after that the fleet is full. Nothing starting with Z is handed out.
    every_kiosk_code = [a + b + c for a in services.KIOSK_CODE_FIRST_CHARACTERS
                        for b in REFERENCE_ALPHABET for c in REFERENCE_ALPHABET]
    assert len(every_kiosk_code) == 31 * 32 * 32
    last_free = next(code for code in every_kiosk_code if code not in codes)
    IssuedKioskCode.objects.bulk_create(
        [IssuedKioskCode(code=code) for code in every_kiosk_code if code not in codes and code != last_free],
        batch_size=2000,
    )
    issued = services.create_enrollment_code(imported_mall)
    assert post_json(client, ENROLL, {"code": issued.code}).json()["kiosk_code"] == last_free

    issued = services.create_enrollment_code(imported_mall)
    assert_error(post_json(client, ENROLL, {"code": issued.code}), 409, "fleet_full")
    assert not IssuedKioskCode.objects.filter(code__startswith="Z").exists()
    # The refused enrollment rolled back: its code is still open.
    assert services.is_enrollment_code_open(issued.code)


def test_enrollment_is_rate_limited(client, imported_mall, settings):
    from ninja.throttling import AnonRateThrottle

    limit = AnonRateThrottle(settings.CONCIERGE_ENROLL_RATE).num_requests
    if limit > 200:
        pytest.skip(f"CONCIERGE_ENROLL_RATE={settings.CONCIERGE_ENROLL_RATE} is too high to exhaust here")
    responses = [post_json(client, ENROLL, {"code": "ABCD-EFGH-JKMN"}) for _ in range(limit + 1)]

    assert {response.status_code for response in responses[:limit]} == {404}
    assert_error(responses[-1], 429, "too_many_requests")
    assert responses[-1].has_header("Retry-After")
