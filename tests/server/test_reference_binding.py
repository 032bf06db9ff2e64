"""A kiosk uploads cases only under its own references (DESIGN decision 3).

References are predictable (a kiosk's code, then a permuted counter), so before this rule a
kiosk of another mall could upload cases under a victim kiosk's next references and make the
victim's real cases fail with 409 forever. Now the reference must start with the uploading
kiosk's code, and the refusal says nothing about whether the reference exists.
"""
from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client
from test_cases_support import make_staff, upload_for

from kiosk.cases import encode_reference
from server.cases import intake
from server.cases.models import Case, CaseEvent, DeskReferencePrefix
from server.fleet import services as fleet
from server.fleet.models import IssuedKioskCode, Kiosk
from sync.protocol import CASES_PATH

pytestmark = pytest.mark.django_db


def client_of(enrollment: fleet.Enrollment) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {enrollment.device_key}")


def post(client: Client, upload) -> tuple[int, dict]:
    response = client.post(CASES_PATH, upload.model_dump_json(), content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture
def victim(enrollment) -> fleet.Enrollment:
    return enrollment


@pytest.fixture
def squatter(other_mall) -> fleet.Enrollment:
    return fleet.enroll_kiosk(fleet.create_enrollment_code(other_mall).code)


def test_a_kiosk_of_another_mall_cannot_take_the_victims_next_references(victim, squatter):
    next_references = [encode_reference(victim.kiosk.code, counter) for counter in range(5)]

    answers = [
        post(client_of(squatter), upload_for(squatter.kiosk, reference=reference))
        for reference in next_references
    ]

    assert {status for status, _ in answers} == {422}
    assert {body["error"]["code"] for _, body in answers} == {"reference_not_yours"}
    assert not Case.objects.exists()


def test_the_victims_cases_arrive_after_the_squatters_attempts(victim, squatter):
    references = [encode_reference(victim.kiosk.code, counter) for counter in range(3)]
    for reference in references:
        post(client_of(squatter), upload_for(squatter.kiosk, reference=reference))

    uploads = [upload_for(victim.kiosk, reference=reference) for reference in references]
    first = [post(client_of(victim), upload) for upload in uploads]
    retried = [post(client_of(victim), upload) for upload in uploads]

    assert [status for status, _ in first] == [201, 201, 201]
    assert [status for status, _ in retried] == [200, 200, 200]  # idempotent: one case each
    stored = Case.objects.order_by("reference")
    assert sorted(references) == [case.reference for case in stored]
    assert {case.kiosk_id for case in stored} == {victim.kiosk.pk}


def test_the_refusal_is_the_same_whether_or_not_the_reference_exists(victim, squatter):
    reference = encode_reference(victim.kiosk.code, 0)
    attempt = upload_for(squatter.kiosk, reference=reference)
    before = client_of(squatter).post(CASES_PATH, attempt.model_dump_json(), content_type="application/json")
    assert post(client_of(victim), upload_for(victim.kiosk, reference=reference))[0] == 201

    after = client_of(squatter).post(CASES_PATH, attempt.model_dump_json(), content_type="application/json")

    assert (before.status_code, after.status_code) == (422, 422)
    assert before.content == after.content
    assert before["Content-Type"] == after["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(after.content)["error"]["code"] == "reference_not_yours"
    assert Case.objects.get().kiosk_id == victim.kiosk.pk


def test_a_case_id_retried_by_another_kiosk_is_not_stored_twice(victim, squatter):
    upload = upload_for(victim.kiosk)
    assert post(client_of(victim), upload)[0] == 201

    status, body = post(client_of(squatter), upload)

    assert (status, body["error"]["code"]) == (422, "reference_not_yours")
    assert post(client_of(victim), upload)[0] == 200
    assert Case.objects.count() == 1


def test_another_kiosk_of_the_same_mall_is_refused_too(victim, mall):
    neighbour = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code)

    status, body = post(client_of(neighbour), upload_for(victim.kiosk))

    assert (status, body["error"]["code"]) == (422, "reference_not_yours")


def test_a_reference_under_an_unissued_prefix_is_refused(victim):
    free = next(code for code in ("ZZZ", "ZZY", "ZZX") if code != victim.kiosk.code)

    status, body = post(client_of(victim), upload_for(victim.kiosk, reference=f"{free}-0000"))

    assert (status, body["error"]["code"]) == (422, "reference_not_yours")


def test_desk_references_have_a_prefix_no_kiosk_has_and_no_kiosk_may_use(victim, squatter, other_mall):
    desk_case, _token = intake.register_case(
        other_mall, make_staff("agent-wu", "agent", other_mall), source="phone", kind="enquiry",
        description="Where is the lost property office?",
    )
    prefix = desk_case.reference.partition("-")[0]

    assert DeskReferencePrefix.objects.get(code=prefix).mall == other_mall
    assert IssuedKioskCode.objects.filter(code=prefix).exists()  # never handed to a kiosk later
    assert not Kiosk.objects.filter(code=prefix).exists()
    later = fleet.enroll_kiosk(fleet.create_enrollment_code(other_mall).code)
    assert later.kiosk.code != prefix
    for enrollment in (squatter, later, victim):
        status, body = post(client_of(enrollment), upload_for(enrollment.kiosk, reference=f"{prefix}-0000"))
        assert (status, body["error"]["code"]) == (422, "reference_not_yours")
    assert Case.objects.get() == desk_case


def test_the_migration_frees_references_squatted_before_the_rule(victim, squatter):
    """Rows stored before the rule (made here past intake, as the old server let them in)."""
    taken = encode_reference(victim.kiosk.code, 0)
    legit = Case.objects.get(pk=post(client_of(victim), upload_for(victim.kiosk))[1]["id"])
    squatter_case = Case.objects.get(pk=post(client_of(squatter), upload_for(squatter.kiosk))[1]["id"])
    Case.objects.filter(pk=squatter_case.pk).update(reference=taken)
    token_hash = squatter_case.tracking_token_sha256
    migration = importlib.import_module("server.cases.migrations.0007_release_squatted_references")

    migration.release_squatted_references(apps, None)

    squatter_case.refresh_from_db()
    assert squatter_case.reference[0] == "Z" and squatter_case.reference != taken
    assert squatter_case.tracking_token_sha256 == token_hash  # its QR link still opens it
    note = CaseEvent.objects.get(case=squatter_case, kind="note")
    assert note.visibility == "internal" and taken in note.note and squatter_case.reference in note.note
    legit_reference = legit.reference
    legit.refresh_from_db()
    assert legit.reference == legit_reference
    assert post(client_of(victim), upload_for(victim.kiosk, reference=taken))[0] == 201
