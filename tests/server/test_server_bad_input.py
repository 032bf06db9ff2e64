"""Bad input anywhere in the API gets a 4xx with the JSON error body, never a 500."""
from __future__ import annotations

import pytest
from server_helpers import assert_error, post_json

ENROLL = "/api/v1/kiosks/enroll"
HEARTBEAT = "/api/v1/kiosk/heartbeat"


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "status", "code"), [
    (b"{not json", 400, "malformed_json"),
    (b'{"code": "ABCD-EFGH-JKMN"', 400, "malformed_json"),
    (b"\xff\xfe\x00garbage", 400, "malformed_json"),
    (b"[" * 100_000 + b"]" * 100_000, 400, "malformed_json"),
    (b"[]", 422, "invalid_request"),
    (b'"a string"', 422, "invalid_request"),
    (b"null", 422, "invalid_request"),
    (b"", 422, "invalid_request"),
    (b'{"code": 12345678}', 422, "invalid_request"),
    (b'{"code": ["ABCD-EFGH-JKMN"]}', 422, "invalid_request"),
    (b'{"code": "ABCD-EFGH-JKMN", "admin": true}', 422, "invalid_request"),
    (b'{"code": "ABC"}', 422, "invalid_request"),
    (b'{"code": "' + b"A" * 65 + b'"}', 422, "invalid_request"),
])
def test_bad_enroll_bodies(client, body, status, code):
    response = client.post(ENROLL, data=body, content_type="application/json")
    assert_error(response, status, code)


@pytest.mark.django_db
def test_validation_messages_name_the_field(client):
    body = assert_error(post_json(client, ENROLL, {"code": "ABCD-EFGH-JKMN", "admin": True}), 422)
    assert body["error"]["message"] == "admin: Extra inputs are not permitted"


@pytest.mark.django_db
def test_a_huge_body_is_413(client, settings):
    huge = b'{"code": "' + b"A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'
    assert_error(client.post(ENROLL, data=huge, content_type="application/json"), 413, "payload_too_large")


def test_huge_authenticated_bodies_are_413_too(client, enrolled_kiosk, settings):
    huge = b'{"app_version": "' + b"9" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'
    response = client.post(HEARTBEAT, data=huge, content_type="application/json", headers=enrolled_kiosk.headers)
    assert_error(response, 413, "payload_too_large")


@pytest.mark.django_db
def test_form_encoded_bodies_are_refused(client):
    response = client.post(ENROLL, data={"code": "ABCD-EFGH-JKMN"})
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", ENROLL, 405),
    ("delete", "/api/v1/kiosk/content", 405),
    ("put", HEARTBEAT, 405),
    ("get", "/api/v1/no/such/thing", 404),
    ("get", "/api/v2/kiosk/content", 404),
])
def test_wrong_methods_and_paths(client, method, path, status):
    response = getattr(client, method)(path)
    assert_error(response, status)
    if status == 405:
        assert response.has_header("Allow")


@pytest.mark.django_db
def test_non_api_pages_keep_html_errors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_a_bug_is_a_json_500_not_a_traceback(client, monkeypatch):
    from server.fleet import services

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "enroll_kiosk", broken)
    client.raise_request_exception = False
    response = post_json(client, ENROLL, {"code": "ABCD-EFGH-JKMN"})
    body = assert_error(response, 500, "internal_error")
    assert "secret internals" not in str(body)
