"""Notifications through real channels: e-mail read back from an SMTP server the test starts
(aiosmtpd), group-robot messages and SMS read back from local HTTP receivers (the SMS operator
is outside the machine; the receiver stands in for its gateway, behind the same adapter)."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.utils import timezone
from notification_receivers import HttpReceiver, SmtpInbox
from test_cases_support import make_staff, new_case, put_in

from server.cases import escalation, flows, tracking
from server.cases.models import Case
from server.notifications import jobs, outbox
from server.notifications.models import Channel, DepartmentChannel, Message, MessageStatus, StaffPreference, Trigger
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    inbox = SmtpInbox().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    inbox.stop()


@pytest.fixture
def robot():
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def sms_gateway(settings):
    receiver = HttpReceiver(answer={"accepted": True}).start()
    settings.CONCIERGE_SMS_GATEWAY_URL = receiver.url + "/sms/send"
    settings.CONCIERGE_SMS_GATEWAY_KEY = "gateway-key-1"
    settings.CONCIERGE_SMS_SIGNATURE = "星光广场"
    yield receiver
    receiver.stop()


@pytest.fixture
def engineer(mall):
    user = make_staff("eng-wang", "department_handler", mall, department="engineering")
    user.email = "wang@plaza.example"
    user.save()
    return user


@pytest.fixture
def manager(mall):
    user = make_staff("mgr-zhao", "manager", mall)
    user.email = "zhao@plaza.example"
    user.save()
    return user


def robot_for(mall, receiver, department="engineering", **fields) -> DepartmentChannel:
    return DepartmentChannel.objects.create(mall=mall, department=department, webhook_url=receiver.url + "/robot",
                                            triggers=[t.value for t in Trigger], **fields)


def test_a_new_case_is_mailed_to_its_department_and_posted_to_its_robot(kiosk, engineer, smtp, robot):
    robot_for(kiosk.mall, robot)
    case = new_case(kiosk, description="三楼电梯停了")  # environment and facilities → engineering
    assert case.department == "engineering"
    assert outbox.deliver_due() == (2, 0)

    [mail] = smtp.to("wang@plaza.example")
    assert case.reference in mail["Subject"]
    assert "三楼电梯停了" in mail.get_content()
    assert f"/console/cases/{case.pk}/" in mail.get_content()
    [posted] = robot.received
    assert posted.path == "/robot"
    assert posted.body["msgtype"] == "text"
    assert case.reference in posted.body["text"]["content"]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_staff_who_opted_out_get_no_mail_and_other_departments_hear_nothing(kiosk, engineer, mall, smtp):
    security = make_staff("sec-liu", "department_handler", mall, department="security")
    security.email = "liu@plaza.example"
    security.save()
    StaffPreference.objects.create(user=engineer, email_triggers=[Trigger.HAND_OVER])
    new_case(kiosk)
    outbox.deliver_due()
    assert smtp.messages == []


def test_a_dead_mail_server_keeps_the_message_retries_and_then_shows_the_failure(kiosk, engineer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    case = new_case(kiosk)  # the intake is not held up by the mail server
    assert Case.objects.filter(pk=case.pk).exists()
    now = timezone.now()
    assert outbox.deliver_due(now) == (0, 1)
    message = Message.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert "mail server" in message.last_error
    assert outbox.deliver_due(now) == (0, 0)  # not due again yet
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        now += timedelta(hours=1)
        outbox.deliver_due(now)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, outbox.MAX_ATTEMPTS)


def test_a_robot_that_refuses_is_retried_with_its_reason(kiosk, engineer, robot):
    robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    StaffPreference.objects.create(user=engineer, email_triggers=[])
    robot_for(kiosk.mall, robot)
    new_case(kiosk)
    assert outbox.deliver_due() == (0, 1)
    message = Message.objects.get(channel=Channel.WEBHOOK)
    assert message.status == MessageStatus.PENDING
    assert "93000" in message.last_error and "invalid webhook url" in message.last_error


def test_a_dingtalk_robot_with_a_secret_gets_a_signed_call(kiosk, robot):
    robot_for(kiosk.mall, robot, webhook_secret="SECabc123")
    new_case(kiosk)
    assert outbox.deliver_due() == (1, 0)
    [posted] = robot.received
    timestamp, sign = posted.query["timestamp"][0], posted.query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECabc123", f"{timestamp}\nSECabc123".encode(),
                                         hashlib.sha256).digest()).decode()
    assert sign == expected


def test_the_visitor_gets_an_sms_through_the_gateway_when_the_case_is_resolved(kiosk, agent, sms_gateway):
    case = new_case(kiosk, contact_phone="13812345678", contact_consent=True, language="en")
    flows.transition(case, CaseStatus.ACCEPTED, agent)
    flows.transition(case, CaseStatus.RESOLVED, agent, note="The lift works again.")
    assert outbox.deliver_due() == (1, 0)
    [sent] = sms_gateway.received
    assert sent.path == "/sms/send"
    assert sent.headers["Authorization"] == "Bearer gateway-key-1"
    assert sent.body["phone"] == "13812345678"
    assert sent.body["sign"] == "星光广场"
    assert case.reference in sent.body["text"] and "Resolved" in sent.body["text"]
    assert "Starlight Plaza" in sent.body["text"]
    # Once out, the queue keeps only a masked number.
    assert Message.objects.get(channel=Channel.SMS).recipient == "138****5678"


def test_no_sms_without_a_phone_or_for_moves_that_are_no_news(kiosk, agent, sms_gateway):
    quiet = new_case(kiosk, contact_phone=None, contact_consent=False)
    flows.transition(quiet, CaseStatus.ACCEPTED, agent)
    flows.transition(quiet, CaseStatus.RESOLVED, agent)
    other = new_case(kiosk, contact_phone="13900001111", contact_consent=True)
    flows.transition(other, CaseStatus.ACCEPTED, agent)  # accepting is not news worth an SMS
    flows.transition(other, CaseStatus.IN_PROGRESS, agent, visibility="internal")
    outbox.deliver_due()
    assert sms_gateway.received == []


def test_hand_over_mails_the_new_owner(kiosk, agent, engineer, smtp):
    StaffPreference.objects.create(user=engineer, email_triggers=[Trigger.HAND_OVER])
    case = new_case(kiosk)
    flows.transition(case, CaseStatus.ACCEPTED, agent)
    flows.hand_over(case, engineer, agent, note="请检查电梯")
    outbox.deliver_due()
    [mail] = smtp.to("wang@plaza.example")
    assert case.reference in mail["Subject"] and "请检查电梯" in mail.get_content()


def test_escalation_mails_the_managers(kiosk, agent, manager, smtp):
    case = new_case(kiosk)
    flows.transition(case, CaseStatus.ACCEPTED, agent)
    escalation.escalate_now(case, agent, "顾客情绪激动，要求见经理")
    outbox.deliver_due()
    [mail] = smtp.to("zhao@plaza.example")
    assert case.reference in mail["Subject"] and "要求见经理" in mail.get_content()


def test_a_visitor_reply_mails_the_owner(kiosk, engineer, smtp):
    case = new_case(kiosk)
    flows.transition(case, CaseStatus.ACCEPTED, engineer)
    flows.transition(case, CaseStatus.WAITING_ON_VISITOR, engineer, note="请问是哪部电梯？")
    outbox.deliver_due()
    smtp.messages.clear()
    smtp.recipients.clear()
    tracking.visitor_reply(Case.objects.get(pk=case.pk), "靠近南门的那部")
    outbox.deliver_due()
    [mail] = smtp.to("wang@plaza.example")
    assert "靠近南门的那部" in mail.get_content()


def test_a_low_rating_mails_the_managers(kiosk, agent, manager, smtp, django_capture_on_commit_callbacks):
    case = put_in(new_case(kiosk), CaseStatus.RESOLVED, owner=agent)
    with django_capture_on_commit_callbacks(execute=True):
        tracking.rate_case(case, 1, "没人理我")
    outbox.deliver_due()
    [mail] = smtp.to("zhao@plaza.example")
    assert case.reference in mail["Subject"]


def test_a_deadline_near_is_announced_once_per_deadline(kiosk, agent, smtp, settings):
    agent.email = "li@plaza.example"
    agent.save()
    case = new_case(kiosk)
    flows.transition(case, CaseStatus.ACCEPTED, agent)
    due = timezone.now() + timedelta(minutes=30)
    Case.objects.filter(pk=case.pk).update(due_at=due)
    jobs.announce_deadlines_near()
    jobs.announce_deadlines_near()
    outbox.deliver_due()
    [mail] = smtp.to("li@plaza.example")
    assert case.reference in mail["Subject"]
    assert Message.objects.filter(trigger=Trigger.DEADLINE_NEAR).count() == 1


def test_a_case_put_in_a_department_queue_mails_that_department(kiosk, agent, engineer, smtp):
    from server.cases import queues

    case = new_case(kiosk, category="other")  # the service desk's
    flows.transition(case, CaseStatus.ACCEPTED, agent)
    queues.hand_over_to_department(case, "engineering", agent, note="请工程部处理")
    outbox.deliver_due()
    [mail] = smtp.to("wang@plaza.example")
    assert case.reference in mail["Subject"] and "请工程部处理" in mail.get_content()


def test_a_collaborator_is_told_they_joined_the_team(kiosk, agent, engineer, smtp,
                                                    django_capture_on_commit_callbacks):
    from server.cases import collaborators

    case = new_case(kiosk, category="other")
    flows.transition(case, CaseStatus.ACCEPTED, agent)
    with django_capture_on_commit_callbacks(execute=True):
        collaborators.add_collaborator(case, engineer, agent)
    outbox.deliver_due()
    [mail] = smtp.to("wang@plaza.example")
    assert case.reference in mail["Subject"]


def test_the_end_of_day_list_reaches_the_managers_once(kiosk, agent, manager, smtp,
                                                      django_capture_on_commit_callbacks):
    case = new_case(kiosk)
    flows.transition(case, CaseStatus.ACCEPTED, agent)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now())
    today = timezone.localdate(timezone.now(), kiosk.mall.zone)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalation.report_same_day(kiosk.mall, today) is not None
    outbox.deliver_due()
    [mail] = smtp.to("zhao@plaza.example")
    assert today.isoformat() in mail["Subject"]
    assert case.reference in mail.get_content()
    assert Message.objects.get(trigger=Trigger.END_OF_DAY).case_id == ""


def test_a_department_mailbox_gets_what_its_department_chose(kiosk, smtp):
    DepartmentChannel.objects.create(mall=kiosk.mall, department="engineering", mailbox="eng-duty@plaza.example",
                                     triggers=[Trigger.NEW_CASE.value])
    DepartmentChannel.objects.create(mall=kiosk.mall, department="security", mailbox="sec-duty@plaza.example",
                                     triggers=[Trigger.ESCALATION.value])
    case = new_case(kiosk)
    new_case(kiosk, category="safety")  # security's, which chose escalations only
    outbox.deliver_due()
    [mail] = smtp.to("eng-duty@plaza.example")
    assert case.reference in mail["Subject"]
    assert smtp.to("sec-duty@plaza.example") == []
