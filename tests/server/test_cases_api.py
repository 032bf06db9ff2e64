"""POST /api/v1/kiosk/cases: idempotent uploads, conflicts, and refusal of bad input.

Every test asserts what a kiosk gets back (status, JSON body) and what the server stored.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from test_cases_support import upload_for

from server.cases.models import Case, CaseEvent
from server.fleet import services as fleet
from server.malls.models import Mall
from sync.protocol import CASES_PATH

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk_client(enrollment):
    return Client(HTTP_AUTHORIZATION=f"Bearer {enrollment.device_key}")


def upload_body(kiosk, **overrides) -> dict:
    """A valid upload as JSON, with every optional field the kiosk may fill."""
    body = upload_for(
        kiosk,
        store_id="s-teahouse",
        occurred_at="2026-11-20T15:30:00+08:00",
        description="店员态度很差 / the clerk was rude",
        category="service_attitude",
        location_id="k-atrium",
    ).model_dump(mode="json")
    body["contact_phone"] = "138 1234 5678"  # as typed: the protocol normalises it
    body.update(overrides)
    return body


def post(client: Client, body) -> tuple[int, dict]:
    payload = body if isinstance(body, (str, bytes)) else json.dumps(body)
    response = client.post(CASES_PATH, payload, content_type="application/json")
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def test_first_upload_is_201_and_stores_the_case_in_the_kiosks_mall(kiosk_client, enrollment, mall):
    body = upload_body(enrollment.kiosk)

    status, receipt = post(kiosk_client, body)

    assert status == 201
    assert receipt == {"id": body["id"], "reference": body["reference"], "status": "new", "created": True}
    case = Case.objects.get(pk=body["id"])
    assert case.mall == mall and case.kiosk == enrollment.kiosk
    assert case.tracking_token_sha256 == body["tracking_token_sha256"]
    assert case.contact_phone == "13812345678"  # normalised by the protocol
    assert case.status == "new" and case.owner is None
    assert case.created_at == datetime(2026, 11, 20, 15, 42, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert case.received_at >= case.created_at
    created = CaseEvent.objects.get(case=case)
    assert (created.kind, created.to_status, created.visibility) == ("created", "new", "public")
    assert enrollment.kiosk.code in created.actor_label


def test_retry_with_the_same_id_is_200_and_keeps_one_case(kiosk_client, enrollment):
    body = upload_body(enrollment.kiosk)
    assert post(kiosk_client, body)[0] == 201

    status, receipt = post(kiosk_client, body)

    assert status == 200
    assert receipt["created"] is False and receipt["id"] == body["id"]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_retry_after_staff_moved_the_case_reports_its_current_status(kiosk_client, enrollment):
    body = upload_body(enrollment.kiosk)
    post(kiosk_client, body)
    Case.objects.filter(pk=body["id"]).update(status="accepted")

    status, receipt = post(kiosk_client, body)

    assert (status, receipt["status"], receipt["created"]) == (200, "accepted", False)


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_case_store_it_once():
    mall = Mall.objects.create(id="race", name_zh_cn="竞速广场")
    enrollment = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code)
    body = json.dumps(upload_body(enrollment.kiosk))
    workers = 8
    start = threading.Barrier(workers)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def upload() -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {enrollment.device_key}")
            start.wait()
            response = client.post(CASES_PATH, body, content_type="application/json")
            statuses.append(response.status_code)
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    assert sorted(statuses) == [200] * (workers - 1) + [201]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_another_case_reusing_a_reference_is_409(kiosk_client, enrollment):
    first = upload_body(enrollment.kiosk)
    post(kiosk_client, first)

    status, body = post(kiosk_client, upload_body(enrollment.kiosk, reference=first["reference"]))

    assert status == 409
    assert body["error"]["code"] == "reference_conflict"
    assert Case.objects.count() == 1


def test_another_case_reusing_a_tracking_token_is_409(kiosk_client, enrollment):
    first = upload_body(enrollment.kiosk)
    post(kiosk_client, first)

    status, body = post(
        kiosk_client,
        upload_body(enrollment.kiosk, tracking_token_sha256=first["tracking_token_sha256"]),
    )

    assert status == 409
    assert body["error"]["code"] == "token_conflict"
    assert Case.objects.count() == 1


def test_same_id_with_a_different_reference_is_409_not_a_silent_merge(kiosk_client, enrollment):
    first = upload_body(enrollment.kiosk)
    post(kiosk_client, first)
    clash = upload_body(enrollment.kiosk, id=first["id"])

    status, body = post(kiosk_client, clash)

    assert status == 409
    assert body["error"]["code"] == "id_conflict"
    assert Case.objects.get().reference == first["reference"]


def test_same_id_from_a_kiosk_of_another_mall_is_409(kiosk_client, enrollment, other_mall):
    first = upload_body(enrollment.kiosk)
    post(kiosk_client, first)
    other = fleet.enroll_kiosk(fleet.create_enrollment_code(other_mall).code)
    own_reference = upload_body(other.kiosk)["reference"]

    status, body = post(
        Client(HTTP_AUTHORIZATION=f"Bearer {other.device_key}"), dict(first, reference=own_reference)
    )

    assert (status, body["error"]["code"]) == (409, "id_conflict")
    assert Case.objects.get().mall_id == "plaza"


def test_upload_without_a_valid_device_key_is_401(enrollment):
    body = upload_body(enrollment.kiosk)
    for client in (Client(), Client(HTTP_AUTHORIZATION="Bearer not-a-key")):
        status, error = post(client, body)
        assert status == 401 and error["error"]["code"] == "unauthorized"
    assert not Case.objects.exists()


def test_a_revoked_kiosk_cannot_upload(kiosk_client, enrollment):
    fleet.revoke_kiosk(enrollment.kiosk)

    status, _ = post(kiosk_client, upload_body(enrollment.kiosk))

    assert status == 401
    assert not Case.objects.exists()


BAD_UPLOADS = {
    "missing description": lambda b: b.pop("description"),
    "missing id": lambda b: b.pop("id"),
    "missing created_at": lambda b: b.pop("created_at"),
    "id is not a ULID": lambda b: b.update(id="not-a-ulid-at-all-00000000"),
    "id has a forbidden letter": lambda b: b.update(id="01HZZZZZZZZZZZZZZZZZZZZZZU"),
    "reference malformed": lambda b: b.update(reference="ABCD-1234"),
    "token hash not hex": lambda b: b.update(tracking_token_sha256="z" * 64),
    "10,000-character description": lambda b: b.update(description="长" * 10_000),
    "empty description": lambda b: b.update(description="   "),
    "control characters": lambda b: b.update(description="broken\x00text\x1b[31m"),
    "bad phone": lambda b: b.update(contact_phone="12345"),
    "phone with letters": lambda b: b.update(contact_phone="138abcd5678"),
    "phone without consent": lambda b: b.update(contact_consent=False),
    "unknown kind": lambda b: b.update(kind="rant"),
    "unknown category": lambda b: b.update(category="bad_vibes"),
    "kind of wrong type": lambda b: b.update(kind=7),
    "description of wrong type": lambda b: b.update(description=["a", "list"]),
    "consent of wrong type": lambda b: b.update(contact_consent="perhaps"),
    "created_at not a time": lambda b: b.update(created_at="yesterday"),
    "details not strings": lambda b: b.update(details={"colour": {"nested": True}}),
    "unknown field": lambda b: b.update(is_admin=True),
    "unknown language": lambda b: b.update(language="fr"),
    "store_id too long": lambda b: b.update(store_id="s" * 65),
    "location_id too long": lambda b: b.update(location_id="k" * 65),
    "too many details": lambda b: b.update(details={f"k{i}": "v" for i in range(31)}),
    "detail value too long": lambda b: b.update(details={"features": "x" * 501}),
    "control characters in details": lambda b: b.update(details={"colour": "red\x07"}),
}


@pytest.mark.parametrize("breakage", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_bad_uploads_are_refused_with_a_json_4xx_and_store_nothing(kiosk_client, enrollment, breakage):
    body = upload_body(enrollment.kiosk)
    breakage(body)

    status, error = post(kiosk_client, body)

    assert 400 <= status < 500
    assert set(error) == {"error"} and error["error"]["code"] and error["error"]["message"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "payload", ['{"id": ', "not json at all", "[]", '"a string"', "null", b"\xff\xfe"],
    ids=["truncated", "text", "a list", "a string", "null", "not UTF-8"],
)
def test_malformed_bodies_are_refused_with_a_json_4xx(kiosk_client, payload):
    status, error = post(kiosk_client, payload)

    assert 400 <= status < 500
    assert error["error"]["code"]
    assert not Case.objects.exists()


def test_a_time_without_offset_is_read_in_the_malls_time_zone(kiosk_client, enrollment):
    body = upload_body(enrollment.kiosk, created_at="2026-11-20T15:42:10", occurred_at=None)

    assert post(kiosk_client, body)[0] == 201

    case = Case.objects.get()
    assert case.created_at == datetime(2026, 11, 20, 7, 42, 10, tzinfo=ZoneInfo("UTC"))
    assert case.occurred_at is None


def test_a_kiosk_clock_running_ahead_cannot_file_a_case_in_the_future(kiosk_client, enrollment):
    body = upload_body(enrollment.kiosk, created_at="2031-01-01T09:00:00+08:00",
                       occurred_at="2031-01-01T08:30:00+08:00")

    assert post(kiosk_client, body)[0] == 201

    case = Case.objects.get()
    assert case.created_at == case.received_at and case.occurred_at == case.received_at


def test_a_case_without_contact_stores_no_phone(kiosk_client, enrollment):
    body = upload_body(
        enrollment.kiosk, contact_phone=None, contact_consent=False, kind="praise", category=None
    )

    assert post(kiosk_client, body)[0] == 201

    case = Case.objects.get()
    assert case.contact_phone is None and case.category == "" and case.kind == "praise"


def test_lost_property_details_are_kept(kiosk_client, enrollment):
    details = {"colour": "黑色", "brand": "Nike", "where": "2F 洗手间"}
    body = upload_body(enrollment.kiosk, kind="lost_report", category=None, details=details)

    assert post(kiosk_client, body)[0] == 201

    assert Case.objects.get().details == details


def test_the_upload_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"][CASES_PATH]["post"]
    assert {"200", "201", "409"} <= set(operation["responses"])
