"""The notification settings page and the live streams, through Django's test client."""
from __future__ import annotations

import json

import pytest
from test_cases_support import make_staff, new_case, visible_text

from server.notifications.models import DepartmentChannel, Message, MessageStatus, StaffPreference, Trigger

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(mall):
    return make_staff("mgr-zhao", "manager", mall)


def test_staff_choose_their_own_emails(client, agent):
    client.force_login(agent)
    page = client.get("/console/notifications/?lang=en")
    assert page.status_code == 200
    assert "Your account has no e-mail address" in visible_text(page)
    assert "Department group robots" not in visible_text(page)  # for managers only

    saved = client.post("/console/notifications/", {"action": "own", "email_triggers": ["hand_over", "escalation"]})
    assert saved.status_code == 302
    assert StaffPreference.objects.get(user=agent).email_triggers == ["hand_over", "escalation"]
    refused = client.post("/console/notifications/", {"action": "own", "email_triggers": ["nonsense"]})
    assert refused.status_code == 400
    assert StaffPreference.objects.get(user=agent).email_triggers == ["hand_over", "escalation"]
    # An agent cannot set a department's robot.
    assert client.post("/console/notifications/", {"action": "department", "department": "engineering",
                                                   "engineering-webhook_url": "https://x.example/"}).status_code == 400
    assert not DepartmentChannel.objects.exists()


def test_a_manager_sets_a_department_robot_and_sees_failures(client, manager, kiosk):
    client.force_login(manager)
    bad = client.post("/console/notifications/?lang=en", {
        "action": "department", "department": "engineering", "engineering-webhook_url": "ftp://robot",
        "engineering-triggers": ["new_case"]})
    assert bad.status_code == 400
    assert "Enter a valid URL" in visible_text(bad) or "robot's web address" in visible_text(bad)
    ok = client.post("/console/notifications/", {
        "action": "department", "department": "engineering",
        "engineering-webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "engineering-triggers": ["new_case", "escalation"]})
    assert ok.status_code == 302
    robot = DepartmentChannel.objects.get(mall=kiosk.mall, department="engineering")
    assert robot.triggers == ["new_case", "escalation"]

    case = new_case(kiosk)
    message = Message.objects.get(channel="webhook")
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, attempts=6,
                                                 last_error="group robot answered HTTP 502")
    page = client.get("/console/notifications/?lang=en")
    text = visible_text(page)
    assert case.reference in text and "group robot answered HTTP 502" in text and "Failed" in text
    assert "qyapi.weixin.qq.com" not in text  # the robot's key is in its address: not shown in the list

    retried = client.post("/console/notifications/", {"action": "retry", "message": str(message.pk)})
    assert retried.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 0)
    assert client.post("/console/notifications/", {"action": "retry", "message": "x"}).status_code == 400


def test_another_malls_failures_cannot_be_retried(client, manager, other_kiosk):
    new_case(other_kiosk)
    DepartmentChannel.objects.create(mall=other_kiosk.mall, department="engineering",
                                     webhook_url="https://robot.example/", triggers=[Trigger.NEW_CASE.value])
    new_case(other_kiosk)
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    client.force_login(manager)
    assert client.post("/console/notifications/", {"action": "retry", "message": str(message.pk)}).status_code == 400
    assert Message.objects.get().status == MessageStatus.FAILED


def read_events(response, count: int) -> list:
    """The first `count` state events of a stream, as the browser's EventSource reads them."""
    states, chunks = [], iter(response.streaming_content)
    while len(states) < count:
        chunk = next(chunks).decode()
        if chunk.startswith("event: state"):
            states.append(json.loads(chunk.split("data: ", 1)[1]))
    return states  # not response.close(): its request_finished would close the test's database


def test_the_console_stream_counts_new_cases_the_person_may_see(client, agent, kiosk, other_kiosk, settings):
    settings.CONCIERGE_LIVE_CHECK_SECONDS = 0
    new_case(kiosk)
    new_case(other_kiosk)
    client.force_login(agent)
    response = client.get("/live/console")
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-store"
    [state] = read_events(response, 1)
    assert state["new"] == 1 and state["version"] > 0


def test_the_streams_refuse_strangers(client, kiosk):
    assert client.get("/live/console").status_code == 403
    assert client.get("/t/" + "A" * 43 + "/live").status_code == 404


def test_the_tracking_stream_tells_of_public_progress_only(client, kiosk, agent, settings):
    from server.cases import flows, notes
    from sync.protocol import CaseStatus

    settings.CONCIERGE_LIVE_CHECK_SECONDS = 0
    token = "T" * 43
    case = new_case(kiosk, token=token)
    [first] = read_events(client.get(f"/t/{token}/live"), 1)
    notes.add_note(case, agent, "内部备注", "internal")
    [same] = read_events(client.get(f"/t/{token}/live"), 1)
    assert same == first
    flows.transition(case, CaseStatus.ACCEPTED, agent, note="已受理")
    [moved] = read_events(client.get(f"/t/{token}/live"), 1)
    assert moved["status"] == "accepted" and moved["version"] > first["version"]


def test_under_asgi_the_stream_is_an_async_one(agent, kiosk, settings):
    """What uvicorn serves: an async stream whose reads go to the database threads."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    settings.CONCIERGE_LIVE_CHECK_SECONDS = 0
    new_case(kiosk)

    async def first_state() -> dict:
        client = AsyncClient()
        await client.aforce_login(agent)
        response = await client.get("/live/console")
        assert response.is_async
        async for chunk in response.streaming_content:
            if chunk.startswith(b"event: state"):
                return json.loads(chunk.decode().split("data: ", 1)[1])
        raise AssertionError("the stream ended without a state")

    assert async_to_sync(first_state)()["new"] == 1


def test_the_tracking_stream_says_when_the_page_is_older_than_the_progress(client, kiosk, agent, settings):
    import time

    from server.cases import flows
    from sync.protocol import CaseStatus

    settings.CONCIERGE_LIVE_CHECK_SECONDS = 0
    token = "S" * 43
    case = new_case(kiosk, token=token)
    rendered = int(time.time()) - 5
    [fresh] = read_events(client.get(f"/t/{token}/live", {"since": str(int(time.time()) + 1)}), 1)
    assert fresh["stale"] is False
    flows.transition(case, CaseStatus.ACCEPTED, agent, note="已受理")
    [old_page] = read_events(client.get(f"/t/{token}/live", {"since": str(rendered)}), 1)
    assert old_page["stale"] is True
    assert read_events(client.get(f"/t/{token}/live", {"since": "nonsense"}), 1)[0]["stale"] is False
