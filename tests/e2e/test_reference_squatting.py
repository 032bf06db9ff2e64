"""Reference squatting, against the real server process: a kiosk of another mall uploads cases
under a victim kiosk's next references (they are predictable) and is refused every time, so
the victim's real cases, uploaded by its own sync agent, arrive and their QR links open.
"""
from __future__ import annotations

import json
import secrets

import pytest
import requests
from live_server import manage
from ulid import ULID

from kiosk import outbox
from kiosk.cases import CaseDraft, encode_reference, submit_case
from kiosk.identity import load_identity
from kiosk.store import LocalStore
from kiosk.sync_agent import SyncAgent
from sync.protocol import CASES_PATH, ENROLL_PATH, CaseUpload, EnrollRequest, sha256_hex

pytestmark = pytest.mark.e2e

SQUATTED = 6
"""How many of the victim's next references the attacker takes."""


def server_shell(server, code: str) -> str:
    result = manage(server.env, "shell", "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def attacker(central_server) -> requests.Session:
    """A kiosk enrolled at a second mall, driven by raw HTTP: it runs whatever its owner wants."""
    code = server_shell(
        central_server,
        "from server.malls.models import Mall; from server.fleet.services import create_enrollment_code; "
        "mall, _ = Mall.objects.get_or_create(id='harbour', defaults={'name_zh_cn': '海港城'}); "
        "print(create_enrollment_code(mall).code)",
    )
    enrolled = requests.post(central_server.url + ENROLL_PATH, timeout=10,
                             data=EnrollRequest(code=code, hostname="not-a-kiosk").model_dump_json(),
                             headers={"Content-Type": "application/json"})
    assert enrolled.status_code in (200, 201), enrolled.text
    assert enrolled.json()["mall_id"] == "harbour"
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {enrolled.json()['device_key']}",
                            "Content-Type": "application/json"})
    return session


def squat(server, attacker: requests.Session, reference: str) -> requests.Response:
    upload = CaseUpload(
        id=str(ULID()), reference=reference, kind="complaint", category="environment_facilities",
        tracking_token_sha256=sha256_hex(secrets.token_urlsafe(32).encode("ascii")),
        description="squatting", created_at="2026-11-20T15:42:10+08:00",
    )
    return attacker.post(server.url + CASES_PATH, data=upload.model_dump_json(), timeout=10)


def test_a_squatter_cannot_block_the_victims_cases(central_server, enrolled_kiosk_dir, attacker):
    store = LocalStore.in_dir(enrolled_kiosk_dir)
    identity = load_identity(store)
    draft = CaseDraft(kind="complaint", category="service_attitude", description="收银员态度差",
                      contact_phone="13812345678", contact_consent=True)
    receipts = [submit_case(store, identity, draft) for _ in range(2)]  # in the outbox, not sent yet
    predicted = [encode_reference(identity.kiosk_code, counter) for counter in range(SQUATTED)]
    assert [receipt.reference for receipt in receipts] == predicted[:2]

    refused = [squat(central_server, attacker, reference) for reference in predicted]

    assert [response.status_code for response in refused] == [422] * SQUATTED
    assert {response.json()["error"]["code"] for response in refused} == {"reference_not_yours"}

    agent = SyncAgent(store, identity, "test")
    try:
        assert agent.push_outbox(store).sent == 2
    finally:
        agent.session.close()
    assert outbox.depth(store) == 0
    stored = json.loads(server_shell(
        central_server,
        "import json; from server.cases.models import Case; print(json.dumps(sorted("
        f"[c.reference, c.kiosk.code, c.mall_id] for c in Case.objects.filter(reference__in={predicted!r}))))",
    ))
    assert stored == [[receipt.reference, identity.kiosk_code, identity.mall_id] for receipt in receipts]
    for receipt in receipts:
        page = requests.get(receipt.tracking_url.replace(identity.public_base_url, central_server.url), timeout=10)
        assert page.status_code == 200 and receipt.reference in page.text

    # The refusal is the same now that the first two references exist as the unused ones were.
    again = [squat(central_server, attacker, reference) for reference in predicted]
    assert [(r.status_code, r.content) for r in again] == [(r.status_code, r.content) for r in refused]
    store.close()
