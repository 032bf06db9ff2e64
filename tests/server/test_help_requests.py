"""The kiosk's help button, server side: POST /api/v1/kiosk/assistance stores one open request a
kiosk with the kiosk's place, refuses bad input with a 4xx, and the desk of the kiosk's mall (only
that mall) sees it in the live console's state, takes it ("I'm on my way") and resolves it."""
from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from server_helpers import assert_error, post_json
from test_cases_support import make_staff
from ulid import ULID

from server.desk.models import HelpRequest
from server.fleet import services as fleet
from server.notifications.live import console_state
from sync.protocol import ASSISTANCE_PATH

pytestmark = pytest.mark.django_db


@pytest.fixture
def lobby(imported_mall):
    """A kiosk at the mall's lobby point (1F · 大堂), with its device key."""
    return fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall, "k-lobby").code)


@pytest.fixture
def lobby_client(lobby):
    return Client(HTTP_AUTHORIZATION=f"Bearer {lobby.device_key}")


def ask(client: Client, **overrides):
    body = {"id": str(ULID()), "requested_at": "2026-12-05T14:02:00+08:00", "language": "en", **overrides}
    return body, post_json(client, ASSISTANCE_PATH, body)


def test_a_help_request_is_stored_with_the_kiosks_place_and_reaches_the_desks_live_state(
        lobby_client, lobby, imported_mall):
    agent = make_staff("desk-wang", "agent", imported_mall)
    assert console_state(agent)["help"] == []

    body, response = ask(lobby_client)

    assert response.status_code == 201, response.content
    assert response.json() == {"id": body["id"], "status": "open", "place": "1F · 大堂", "created": True}
    stored = HelpRequest.objects.get(pk=body["id"])
    assert (stored.mall, stored.kiosk, stored.place, stored.language) == (imported_mall, lobby.kiosk, "1F · 大堂", "en")
    assert stored.requested_at.isoformat() == "2026-12-05T06:02:00+00:00"
    alerts = console_state(agent)["help"]
    assert [(alert["id"], alert["place"], alert["on_the_way"]) for alert in alerts] == [(body["id"], "1F · 大堂", "")]


def test_pressing_again_while_a_request_is_open_alerts_the_desk_once(lobby_client, lobby):
    first, _ = ask(lobby_client)

    _, retry = ask(lobby_client, id=first["id"])  # the outbox retrying after a lost reply
    _, again = ask(lobby_client)  # a new press while the first is open

    assert retry.status_code == 200 and again.status_code == 200
    assert retry.json()["id"] == again.json()["id"] == first["id"]
    assert again.json()["created"] is False
    assert HelpRequest.objects.filter(kiosk=lobby.kiosk).count() == 1


def test_once_resolved_the_kiosk_can_ask_again(lobby_client, lobby, imported_mall):
    agent = make_staff("desk-wang", "agent", imported_mall)
    first, _ = ask(lobby_client)
    client = Client()
    client.force_login(agent)
    client.post(reverse("desk:help_resolve", args=[first["id"]]))

    second, response = ask(lobby_client)

    assert response.status_code == 201
    assert HelpRequest.objects.get(pk=first["id"]).resolved_by_name
    assert response.json()["id"] == second["id"]


@pytest.mark.parametrize("body", [
    {"requested_at": "2026-12-05T14:02:00+08:00"},  # no id
    {"id": "not-a-ulid", "requested_at": "2026-12-05T14:02:00+08:00"},
    {"id": str(ULID()), "requested_at": "yesterday"},
    {"id": str(ULID()), "requested_at": "2026-12-05T14:02:00+08:00", "language": "fr"},
    {"id": str(ULID()), "requested_at": "2026-12-05T14:02:00+08:00", "place": "I say where"},
])
def test_bad_requests_are_refused_with_422_and_nothing_is_stored(lobby_client, body):
    assert_error(post_json(lobby_client, ASSISTANCE_PATH, body), 422)
    assert HelpRequest.objects.count() == 0


def test_not_json_is_400_and_no_device_key_is_401(lobby_client):
    assert_error(post_json(lobby_client, ASSISTANCE_PATH, "{not json"), 400)
    assert_error(post_json(Client(), ASSISTANCE_PATH, {"id": str(ULID()), "requested_at": "2026-12-05T14:02:00Z"}),
                 401)
    revoked = Client(HTTP_AUTHORIZATION="Bearer " + "x" * 43)
    assert_error(post_json(revoked, ASSISTANCE_PATH, {"id": str(ULID()), "requested_at": "2026-12-05T14:02:00Z"}),
                 401)
    assert HelpRequest.objects.count() == 0


def test_another_kiosks_id_is_409(lobby_client, imported_mall):
    other = fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall).code)
    taken, _ = ask(Client(HTTP_AUTHORIZATION=f"Bearer {other.device_key}"))

    _, response = ask(lobby_client, id=taken["id"])

    assert_error(response, 409, "id_taken")
    assert HelpRequest.objects.get(pk=taken["id"]).kiosk == other.kiosk


def test_a_kiosk_without_a_place_on_the_map_is_named_by_its_name_or_code(mall):
    enrollment = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {enrollment.device_key}")

    _, response = ask(client)
    named = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code)
    named.kiosk.name = "二楼扶梯旁"
    named.kiosk.save(update_fields=["name"])
    _, by_name = ask(Client(HTTP_AUTHORIZATION=f"Bearer {named.device_key}"))

    assert enrollment.kiosk.code in response.json()["place"]  # "终端 T0W" in the server's language
    assert by_name.json()["place"] == "二楼扶梯旁"


def test_staff_see_only_their_own_malls_requests(lobby_client, imported_mall, other_mall, other_kiosk):
    ours, _ = ask(lobby_client)
    HelpRequest.objects.create(id=str(ULID()), mall=other_mall, kiosk=other_kiosk, place="海港城 2F",
                               language="zh_CN", requested_at="2026-12-05T06:02:00Z")
    agent = make_staff("desk-wang", "agent", imported_mall)
    far_agent = make_staff("desk-far", "agent", other_mall)
    handler = make_staff("eng-zhou", "department_handler", imported_mall, department="engineering")

    assert [alert["id"] for alert in console_state(agent)["help"]] == [ours["id"]]
    assert [alert["place"] for alert in console_state(far_agent)["help"]] == ["海港城 2F"]
    assert console_state(handler)["help"] == []  # not the desk: no alert

    client = Client()
    client.force_login(far_agent)
    assert client.post(reverse("desk:help_acknowledge", args=[ours["id"]])).status_code == 404
    assert "大堂" not in client.get(reverse("desk:help_list")).content.decode()
    assert HelpRequest.objects.get(pk=ours["id"]).acknowledged_at is None


def test_on_my_way_then_resolved_from_the_alert(lobby_client, imported_mall):
    asked, _ = ask(lobby_client)
    agent = make_staff("desk-wang", "agent", imported_mall)
    colleague = make_staff("desk-chen", "agent", imported_mall)
    client = Client()
    client.force_login(agent)

    banner = client.get(reverse("desk:help_alert")).content.decode()
    assert "1F · 大堂" in banner and reverse("desk:help_acknowledge", args=[asked["id"]]) in banner

    response = client.post(reverse("desk:help_acknowledge", args=[asked["id"]]), {"back": "/console/cases/"})
    assert response.status_code == 302 and response["Location"] == "/console/cases/"
    assert console_state(agent)["help"][0]["on_the_way"] == "desk-wang"
    _, kiosk_sees = ask(lobby_client)
    assert kiosk_sees.json()["status"] == "acknowledged"

    client.force_login(colleague)  # someone already going is not taken over
    assert client.post(reverse("desk:help_acknowledge", args=[asked["id"]])).status_code == 409
    off_site = client.post(reverse("desk:help_resolve", args=[asked["id"]]), {"back": "https://evil.example/"})
    assert off_site.status_code == 302 and off_site["Location"] == reverse("desk:help_list")
    assert console_state(agent)["help"] == []
    assert client.post(reverse("desk:help_resolve", args=[asked["id"]])).status_code == 409
    assert json.loads(json.dumps(console_state(agent)))["help"] == []
