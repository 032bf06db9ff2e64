"""The kiosk API refuses, with a 422 error body, every value the databases cannot store or a
kiosk cannot honestly send (the bounds of sync.protocol), and never answers 500 for them.

The values are those a fuzzer found answering 500: integers beyond 32 and 64 bits, a negative
content version, UTC offsets beyond ±14:00, years 1 and 9999 with offsets, NUL bytes. The
PostgreSQL run (CONCIERGE_DATABASE_URL set) checks them against PostgreSQL's column types.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from server_helpers import assert_error
from test_cases_support import upload_for

from server.cases.models import Case
from server.fleet.models import Kiosk, KioskEvent
from sync.protocol import (
    BROADCASTS_PATH,
    BROADCASTS_SHOWN_PATH,
    CASES_PATH,
    CONTENT_PATH,
    ENROLL_PATH,
    EVENTS_PATH,
    HEARTBEAT_PATH,
)

pytestmark = pytest.mark.django_db

NUL = "\x00"
BAD_TIMES = {
    "offset +23:59": "2026-11-20T15:30:00+23:59",
    "offset -20:00": "2026-11-20T15:30:00-20:00",
    "year 1 with an offset": "0001-01-01T00:00:00+01:00",
    "year 9999 with an offset": "9999-12-31T23:59:59-01:00",
    "year 9999 naive": "9999-12-31T23:59:59",
    "before 1970": "1969-12-31T23:59:59Z",
}
GOOD_HEARTBEAT = {"app_version": "1.2.0", "content_version": 3, "outbox_depth": 2, "uptime_s": 60.5,
                  "disk_free_bytes": 10**9, "last_errors": ["case ABC-1234 refused:\n\t422"],
                  "sent_at": "2026-11-20T15:30:00+08:00"}
BAD_HEARTBEATS = {
    "content version below 1": {"content_version": 0},
    "negative content version": {"content_version": -1},
    "content version beyond 32 bits": {"content_version": 2**31},
    "content version beyond 64 bits": {"content_version": 2**64},
    "outbox depth beyond 32 bits": {"outbox_depth": 2**31},
    "negative outbox depth": {"outbox_depth": -1},
    "disk beyond 63 bits": {"disk_free_bytes": 2**63},
    "disk beyond 64 bits": {"disk_free_bytes": 2**64 + 1},
    "uptime beyond three centuries": {"uptime_s": 1e300},
    "NUL in the app version": {"app_version": "1.2" + NUL},
    "newline in the app version": {"app_version": "1.2\n"},
    "NUL in an error": {"last_errors": ["bad" + NUL]},
    "escape in an error": {"last_errors": ["\x1b[31mred"]},
    **{f"sent_at {name}": {"sent_at": value} for name, value in BAD_TIMES.items()},
}


@pytest.fixture
def kiosk_client(enrollment) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {enrollment.device_key}")


def post(client: Client, path: str, body) -> object:
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("change", BAD_HEARTBEATS.values(), ids=BAD_HEARTBEATS.keys())
def test_a_refused_heartbeat_is_a_422_and_the_next_good_one_succeeds(kiosk_client, enrollment, change):
    assert_error(post(kiosk_client, HEARTBEAT_PATH, {**GOOD_HEARTBEAT, **change}), 422, "invalid_request")

    response = post(kiosk_client, HEARTBEAT_PATH, GOOD_HEARTBEAT)

    assert response.status_code == 200, response.content
    kiosk = Kiosk.objects.get(pk=enrollment.kiosk.pk)
    assert (kiosk.content_version, kiosk.outbox_depth, kiosk.app_version) == (3, 2, "1.2.0")
    assert kiosk.heartbeat_sent_at == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    assert kiosk_client.get(CONTENT_PATH).status_code in (200, 404)  # the kiosk still authenticates


def test_the_largest_values_the_contract_allows_are_stored(kiosk_client, enrollment):
    edge = {"content_version": 2**31 - 1, "outbox_depth": 2**31 - 1, "disk_free_bytes": 2**63 - 1,
            "uptime_s": 1e10, "sent_at": "2199-12-31T23:59:59+14:00", "app_version": "v" * 64,
            "last_errors": ["e" * 500] * 20}

    assert post(kiosk_client, HEARTBEAT_PATH, {**GOOD_HEARTBEAT, **edge}).status_code == 200

    kiosk = Kiosk.objects.get(pk=enrollment.kiosk.pk)
    assert (kiosk.content_version, kiosk.outbox_depth, kiosk.disk_free_bytes) == (2**31 - 1, 2**31 - 1, 2**63 - 1)
    assert kiosk.heartbeat_sent_at == datetime(2199, 12, 31, 9, 59, 59, tzinfo=UTC)
    assert post(kiosk_client, HEARTBEAT_PATH, {**GOOD_HEARTBEAT, "sent_at": "1970-01-01T00:00:00Z"}).status_code == 200


BAD_EVENTS = {
    **{f"at {name}": {"at": value} for name, value in BAD_TIMES.items()},
    "NUL in the subject": {"subject_id": "p1" + NUL},
    "NUL in the value": {"value": NUL},
    "tab in the subject": {"subject_id": "p\t1"},
}


@pytest.mark.parametrize("change", BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_events_outside_the_contract_are_refused_and_a_good_batch_follows(kiosk_client, change):
    event = {"kind": "promotion_shown", "at": "2026-11-20T15:30:00+08:00", "subject_id": "p1"}
    batch = {"batch_id": "01JDZ0000000000000000000AA", "events": [event, {**event, **change}]}

    assert_error(post(kiosk_client, EVENTS_PATH, batch), 422, "invalid_request")
    assert not KioskEvent.objects.exists()

    response = post(kiosk_client, EVENTS_PATH, {**batch, "events": [event]})
    assert response.status_code == 201, response.content
    assert KioskEvent.objects.get().at == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)


BAD_UPLOADS = {
    **{f"created_at {name}": {"created_at": value} for name, value in BAD_TIMES.items()},
    **{f"occurred_at {name}": {"occurred_at": value} for name, value in BAD_TIMES.items()},
    "NUL in the description": {"description": "lost" + NUL},
    "NUL in the store": {"store_id": "s" + NUL},
    "empty store": {"store_id": ""},
    "NUL in the location": {"location_id": "k" + NUL},
    "NUL in a detail key": {"details": {"col" + NUL: "red"}},
    "newline in a detail key": {"details": {"col\nour": "red"}},
    "empty detail key": {"details": {"": "red"}},
    "NUL in a detail value": {"details": {"colour": "red" + NUL}},
    "31 details": {"details": {f"k{i}": "v" for i in range(31)}},
    "a phone of 33 characters": {"contact_phone": "1" * 33},
}


@pytest.mark.parametrize("change", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_cases_outside_the_contract_are_refused_and_store_nothing(kiosk_client, enrollment, change):
    body = {**upload_for(enrollment.kiosk, store_id="s-teahouse").model_dump(mode="json"), **change}

    assert_error(post(kiosk_client, CASES_PATH, body), 422, "invalid_request")
    assert not Case.objects.exists()


def test_a_case_time_with_an_offset_is_stored_in_utc_and_free_text_keeps_newlines(kiosk_client, enrollment):
    body = upload_for(enrollment.kiosk, description="line one\n\tline two").model_dump(mode="json")
    body.update(created_at="2026-11-20T15:30:00+14:00", occurred_at="2026-11-20T01:00:00-14:00",
                details={"item_brand": "Acme\nblue strap"})

    assert post(kiosk_client, CASES_PATH, body).status_code == 201

    case = Case.objects.get()
    assert case.created_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert case.occurred_at == datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    assert case.description == "line one\n\tline two"


@pytest.mark.parametrize("shown_at", BAD_TIMES.values(), ids=BAD_TIMES.keys())
def test_broadcast_acknowledgements_outside_the_contract_are_refused(kiosk_client, shown_at):
    body = {"shown": [{"broadcast_id": "01JDZ0000000000000000000AA", "shown_at": shown_at}]}

    assert_error(post(kiosk_client, BROADCASTS_SHOWN_PATH, body), 422, "invalid_request")


@pytest.mark.parametrize("wait", ["-1", str(2**31), str(2**64), "1e3", "%00"])
def test_a_poll_wait_outside_the_contract_is_refused(kiosk_client, wait):
    assert_error(kiosk_client.get(f"{BROADCASTS_PATH}?wait={wait}"), 422, "invalid_request")


@pytest.mark.parametrize("code", ["ABCD" + NUL + "EFGH", "ABCD\nEFGH", "ABCD-EFGH-" + "J" * 60])
def test_enrollment_codes_outside_the_contract_are_refused(client, code):
    response = client.post(ENROLL_PATH, json.dumps({"code": code}), content_type="application/json")

    assert_error(response, 422, "invalid_request")


def test_enrollment_with_a_NUL_in_the_hostname_is_refused(client, mall):
    from server.fleet.services import create_enrollment_code

    code = create_enrollment_code(mall).code
    body = {"code": code, "hostname": "kiosk" + NUL}

    assert_error(client.post(ENROLL_PATH, json.dumps(body), content_type="application/json"), 422)
    assert client.post(ENROLL_PATH, json.dumps({"code": code}), content_type="application/json").status_code == 201


def test_every_kiosk_operation_documents_its_error_answers_with_the_error_body(client):
    schema = client.get("/api/v1/openapi.json").json()
    documented = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorBody"), (method, path, status)
                    documented.setdefault((method, path), set()).add(int(status))
    assert documented[("post", HEARTBEAT_PATH)] >= {400, 401, 413, 422}
    assert documented[("post", CASES_PATH)] >= {400, 401, 409, 413, 422}
    assert documented[("post", EVENTS_PATH)] >= {400, 401, 413, 422}
    assert documented[("post", ENROLL_PATH)] >= {400, 404, 409, 413, 422, 429}
    assert documented[("post", BROADCASTS_SHOWN_PATH)] >= {400, 401, 413, 422}
    assert documented[("get", BROADCASTS_PATH)] >= {401, 422}
