"""The case desk beyond the bare lifecycle: call-backs, the visitor's reply and rating, cases
registered by staff, the inbox's filters and search, photos, canned replies, masking and
revealing phone numbers, and erasing contact details after retention."""
from __future__ import annotations

import io
import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image
from test_cases_support import csrf_token_of, make_staff, new_case, visible_text

from server.accounts.models import AuditEntry
from server.cases import attachments, audit, callbacks, flows, inbox, intake, jobs, notes, presentation, tracking
from server.cases.errors import InvalidCallback, InvalidCase, VisitorError
from server.cases.inbox import InboxFilters
from server.cases.models import CannedReply, Case, CaseEvent
from sync.protocol import REFERENCE_RE, CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus


def resolved_case(kiosk, agent, **overrides) -> Case:
    case = new_case(kiosk, **overrides)
    flows.transition(case, S.ACCEPTED, agent)
    flows.transition(case, S.RESOLVED, agent, note="已处理")
    return case


def browser_for(user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def post_form(browser: Client, page_url: str, action: str, data: dict, **extra):
    page = browser.get(page_url)
    assert page.status_code == 200, page.status_code
    return browser.post(action, {"csrfmiddlewaretoken": csrf_token_of(page), **data}, **extra)


# ---------------------------------------------------------------- call-backs
def test_resolving_a_case_with_a_phone_sets_a_call_back_task(kiosk, agent):
    case = resolved_case(kiosk, agent)
    silent = resolved_case(kiosk, agent, contact_phone=None, contact_consent=False)

    assert case.callback_due_at is not None and case.callback_due_at > case.resolved_at
    assert silent.callback_due_at is None
    due = inbox.filter_inbox(Case.objects.all(), InboxFilters(callback_due=True))
    assert list(due) == [Case.objects.get(pk=case.pk)]


def test_a_call_back_records_satisfaction_and_moves_the_case_on(kiosk, agent):
    case = resolved_case(kiosk, agent)

    callbacks.record_callback(case, agent, reached=False, outcome="无人接听")
    assert Case.objects.get(pk=case.pk).status == "resolved"
    callbacks.record_callback(case, agent, reached=True, satisfaction=4, outcome="顾客满意")

    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.callback_satisfaction, stored.callback_outcome) == ("followed_up", 4, "顾客满意")
    assert stored.callback_done_at is not None and stored.callback_due_at is None
    logged = list(CaseEvent.objects.filter(case=case).exclude(kind="created").values_list("kind", "visibility"))
    assert ("callback", "internal") in logged and ("status", "internal") in logged


def test_a_call_back_needs_a_satisfaction_and_a_resolved_case(kiosk, agent):
    case = resolved_case(kiosk, agent)
    with pytest.raises(InvalidCallback):
        callbacks.record_callback(case, agent, reached=True, satisfaction=None)
    with pytest.raises(InvalidCallback):
        callbacks.record_callback(new_case(kiosk), agent, reached=True, satisfaction=5)


def test_the_call_back_form_in_the_console(kiosk, agent):
    case = resolved_case(kiosk, agent)
    url = f"/console/cases/{case.pk}/"

    response = post_form(browser_for(agent), url, f"{url}callback",
                         {"reached": "yes", "satisfaction": "5", "outcome": "很满意"})

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).callback_satisfaction == 5


# ---------------------------------------------------------------- the visitor's page
def test_the_visitor_answers_a_question_and_the_case_runs_again(client, kiosk, agent):
    token = secrets.token_urlsafe(32)
    case = new_case(kiosk, token=token)
    flows.transition(case, S.ACCEPTED, agent)
    flows.transition(case, S.WAITING_ON_VISITOR, agent, note="请问是哪一层的洗手间？")
    page = client.get(f"/t/{token}")
    assert "请问是哪一层的洗手间？" in visible_text(page)

    response = client.post(f"/t/{token}/reply", {"text": "三楼东侧"})

    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == "in_progress"
    assert CaseEvent.objects.filter(case=case, kind="visitor", note="三楼东侧", visibility="public").exists()
    assert "三楼东侧" in visible_text(client.get(f"/t/{token}"))


def test_the_visitor_cannot_reply_when_nobody_asked(client, kiosk):
    token = secrets.token_urlsafe(32)
    new_case(kiosk, token=token)

    response = client.post(f"/t/{token}/reply", {"text": "你好"})

    assert response.status_code == 409
    assert not CaseEvent.objects.filter(kind="visitor").exists()


def test_the_rating_is_a_form_submit_accepted_once(client, kiosk, agent):
    token = secrets.token_urlsafe(32)
    case = new_case(kiosk, token=token)
    assert 'name="stars"' not in client.get(f"/t/{token}").content.decode()  # not resolved yet
    flows.transition(case, S.ACCEPTED, agent)
    flows.transition(case, S.RESOLVED, agent)
    assert 'name="stars"' in client.get(f"/t/{token}").content.decode()

    assert client.get(f"/t/{token}/rate?stars=1").status_code == 405  # a link cannot rate
    assert client.post(f"/t/{token}/rate", {"stars": "9"}).status_code == 400
    assert client.post(f"/t/{token}/rate", {"stars": "4", "comment": "谢谢"}).status_code == 302
    again = client.post(f"/t/{token}/rate", {"stars": "1"})
    assert again.status_code == 409 and 'role="alert"' in again.content.decode()

    stored = Case.objects.get(pk=case.pk)
    assert (stored.rating, stored.rating_comment) == (4, "谢谢")
    with pytest.raises(VisitorError):
        tracking.rate_case(stored, 1)


def test_the_visitor_page_shows_the_expected_date(client, kiosk):
    token = secrets.token_urlsafe(32)
    case = new_case(kiosk, token=token)

    text = visible_text(client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="en"))

    local_due = timezone.localtime(case.due_at, case.mall.zone)
    assert f"Expected answer by {local_due:%Y-%m-%d %H:%M}" in text


# ---------------------------------------------------------------- staff register a case
def test_an_agent_registers_a_phone_call_and_owns_it(mall, agent):
    case, token = intake.register_case(
        mall, agent, source="phone", kind="complaint", category="safety",
        description="顾客来电：地下车库B2灯坏了", contact_phone="13900001111", contact_consent=True,
    )

    assert REFERENCE_RE.match(case.reference)
    assert (case.status, case.owner, case.department, case.source) == ("accepted", agent, "security", "phone")
    assert tracking.find_by_token(token) == case
    assert AuditEntry.objects.filter(action="case.register", subject=case.pk).exists()
    second, _ = intake.register_case(mall, agent, source="desk", kind="suggestion", description="多放些座椅")
    assert second.reference[:3] == case.reference[:3]  # the desk's own prefix


@pytest.mark.parametrize("fields", [
    {"source": "kiosk", "kind": "complaint", "category": "safety", "description": "x"},
    {"source": "desk", "kind": "complaint", "category": "", "description": "x"},
    {"source": "desk", "kind": "praise", "description": "   "},
    {"source": "desk", "kind": "praise", "description": "x", "contact_phone": "abc"},
    {"source": "desk", "kind": "praise", "description": "x", "contact_phone": "13900001111"},
])
def test_registering_refuses_bad_input_with_a_message(mall, agent, fields):
    with pytest.raises(InvalidCase) as refused:
        intake.register_case(mall, agent, **fields)
    assert refused.value.message
    assert not Case.objects.exists()


def test_the_register_form_shows_the_ticket_once(mall, agent):
    browser = browser_for(agent)
    response = post_form(browser, "/console/cases/new", "/console/cases/new", {
        "source": "desk", "kind": "complaint", "category": "service_attitude", "description": "店员态度差",
        "contact_phone": "", "language": "en",
    })

    assert response.status_code == 200
    page = response.content.decode()
    case = Case.objects.get()
    assert case.reference in page and "<svg" in page and "/t/" in page
    assert case.language == "en"


def test_the_register_form_keeps_what_was_typed_on_error(mall, agent):
    response = post_form(browser_for(agent), "/console/cases/new", "/console/cases/new", {
        "source": "desk", "kind": "complaint", "category": "", "description": "没有类别的投诉",
        "language": "zh_CN",
    })

    assert response.status_code == 400
    assert "没有类别的投诉" in response.content.decode()
    assert not Case.objects.exists()


# ---------------------------------------------------------------- the inbox
def test_inbox_filters_combine(kiosk, agent, mall):
    engineer = make_staff("eng-zhao", "department_handler", mall, department="engineering")
    safety = new_case(kiosk, category="safety", description="扶梯异响", store_id="s-tea")
    toilet = new_case(kiosk, description="洗手间没纸")
    flows.transition(toilet, S.ACCEPTED, agent)
    flows.hand_over(toilet, engineer, agent)
    late = new_case(kiosk, kind="suggestion", category=None, description="希望多一些座椅")
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))

    def matching(**filters):
        return {c.pk for c in inbox.filter_inbox(Case.objects.all(), InboxFilters(**filters))}

    assert matching(department="security") == {safety.pk}
    assert matching(owner=engineer.pk) == {toilet.pk}
    assert matching(owner="none") == {safety.pk, late.pk}
    assert matching(overdue=True) == {late.pk}
    assert matching(store="s-tea") == {safety.pk}
    assert matching(kind="suggestion") == {late.pk}
    assert matching(category="safety", status="new") == {safety.pk}
    assert matching(search="扶梯") == {safety.pk}
    assert matching(search=toilet.reference) == {toilet.pk}
    assert matching(search="5678") == {safety.pk, toilet.pk, late.pk}  # last digits of the phone
    today = timezone.localdate()
    assert len(matching(received_from=today, received_to=today)) == 3
    assert matching(received_from=today + timedelta(days=1)) == set()


def test_text_search_finds_rare_and_common_words_through_the_index_and_without(kiosk):
    from django.db import connection

    rare = new_case(kiosk, description="B2 停车场 Exit-7 的道闸抬不起来")
    common = [new_case(kiosk, description=f"洗手间没纸，第{n}次") for n in range(5)]
    odd = new_case(kiosk, description='有人写了 "100%_满意" 的字条')

    def matching(text):
        return {c.pk for c in inbox.filter_inbox(Case.objects.all(), InboxFilters(search=text))}

    assert inbox._indexed_description_matches("道闸抬", 10) == [rare.pk], (
        "migration 0005 built the trigram index and its triggers feed it")
    for limit in (10, 3):  # the index answers; a common term falls back to the ordered scan
        inbox.SEARCH_CANDIDATES, saved = limit, inbox.SEARCH_CANDIDATES
        try:
            assert matching("道闸抬") == {rare.pk}
            assert matching("exit-7") == {rare.pk}  # any case
            assert matching("洗手间没纸") == {c.pk for c in common}
            assert matching("手间") == {c.pk for c in common}  # two characters: no trigram, a scan
            assert matching('"100%_') == {odd.pk}
            assert matching("100%x") == set()
        finally:
            inbox.SEARCH_CANDIDATES = saved

    Case.objects.filter(pk=rare.pk).update(description="已改写的描述")
    assert matching("道闸抬") == set() and matching("已改写") == {rare.pk}
    Case.objects.filter(pk=rare.pk).delete()
    assert matching("已改写") == set()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_case_fts")
            assert cursor.fetchone()[0] == Case.objects.count()


def test_the_inbox_page_filters_masks_and_marks_overdue_in_red(kiosk, agent):
    late = new_case(kiosk, description="很久没人处理")
    new_case(kiosk, category="safety", description="消防通道被堵")
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=3))
    browser = browser_for(agent)

    page = browser.get("/console/cases/?overdue=on").content.decode()
    assert "很久没人处理" in page and "消防通道被堵" not in page
    assert 'class="overdue"' in page
    assert "138****5678" in page and "13812345678" not in page
    assert "消防通道被堵" in browser.get("/console/cases/?category=safety&kind=bogus&page=x").content.decode()


def test_a_department_handler_sees_only_their_department(kiosk, agent, mall):
    engineer = make_staff("eng-zhao", "department_handler", mall, department="engineering")
    facilities = new_case(kiosk, description="水管漏水")
    safety = new_case(kiosk, category="safety", description="消防通道堵塞")
    browser = browser_for(engineer)

    page = browser.get("/console/cases/").content.decode()

    assert "水管漏水" in page and "消防通道堵塞" not in page
    assert browser.get(f"/console/cases/{safety.pk}/").status_code == 404
    assert browser.get(f"/console/cases/{facilities.pk}/").status_code == 200


# ---------------------------------------------------------------- contact details
def test_revealing_a_phone_number_is_a_logged_post(kiosk, agent, mall):
    case = new_case(kiosk)
    browser = browser_for(agent)
    url = f"/console/cases/{case.pk}/"
    assert "13812345678" not in browser.get(url).content.decode()

    response = post_form(browser, url, f"{url}contact", {})

    assert response.status_code == 200 and "13812345678" in response.content.decode()
    entry = AuditEntry.objects.get(action="case.reveal_contact")
    assert (entry.actor, entry.subject, entry.mall_id) == (agent, case.pk, mall.pk)
    handler = make_staff("eng-zhao", "department_handler", mall, department="engineering")
    refused = post_form(browser_for(handler), url, f"{url}contact", {})
    assert refused.status_code == 403 and "13812345678" not in refused.content.decode()


def test_the_audit_log_is_append_only(agent, mall):
    from server.accounts.services import record_audit

    entry = record_audit(agent, "case.reveal_contact", mall=mall, subject="x")
    entry.detail = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.get().detail == ""


def test_bulk_changes_to_the_audit_log_are_refused_too(agent, mall):
    from server.accounts.services import record_audit

    record_audit(agent, "case.reveal_contact", mall=mall, subject="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(subject="x").update(detail="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().detail == ""


def test_the_audit_log_records_who_did_what_to_a_case(kiosk, agent, mall):
    other = make_staff("agent-zhou", "agent", mall)
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)
    notes.add_note(case, agent, "已联系工程部", "internal")
    flows.hand_over(case, other, agent)
    attachments.attach_photo(case, other, "leak.png", _png())
    flows.transition(case, S.RESOLVED, other, note="已修好")
    callbacks.record_callback(case, other, reached=False)
    audit.reveal_contact(case, other)

    entries = list(AuditEntry.objects.filter(subject=case.pk).order_by("at", "id")
                   .values_list("actor__username", "action"))
    assert entries == [
        ("agent-li", "case.status"), ("agent-li", "case.note"), ("agent-li", "case.hand_over"),
        ("agent-zhou", "case.attachment"), ("agent-zhou", "case.status"), ("agent-zhou", "case.callback"),
        ("agent-zhou", "case.reveal_contact"),
    ]
    assert all(entry.mall_id == mall.pk for entry in AuditEntry.objects.all())


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("phone, masked", [
    ("13812345678", "138****5678"), ("+8613812345678", "+86 138****5678"), ("12345", "*****"), ("", ""),
])
def test_phone_masking(phone, masked):
    assert presentation.mask_phone(phone) == masked


def test_contacts_are_erased_after_retention_and_links_stop_working(kiosk, agent, settings):
    settings.CONCIERGE_CONTACT_RETENTION_DAYS = 30
    old_token, fresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    old, fresh = new_case(kiosk, token=old_token), new_case(kiosk, token=fresh_token)
    open_case = new_case(kiosk)
    for case in (old, fresh):
        flows.transition(case, S.WITHDRAWN, agent)
    Case.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))

    assert tracking.find_by_token(old_token) is None  # before the job ran
    assert jobs.erase_expired_contacts() == 1
    assert jobs.erase_expired_contacts() == 0  # a second server: nothing left

    stored = Case.objects.get(pk=old.pk)
    assert stored.contact_phone is None and stored.contact_erased_at is not None
    assert tracking.find_by_token(old_token) is None
    assert Case.objects.get(pk=fresh.pk).contact_phone == "13812345678"
    assert tracking.find_by_token(fresh_token) == fresh
    assert Case.objects.get(pk=open_case.pk).contact_phone == "13812345678"


# ---------------------------------------------------------------- photos, canned replies
def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_photo_is_attached_and_served_only_to_staff(client, kiosk, agent):
    case = new_case(kiosk)
    browser = browser_for(agent)
    url = f"/console/cases/{case.pk}/"
    upload = io.BytesIO(jpeg_bytes())
    upload.name = "../现场.jpg"

    response = post_form(browser, url, f"{url}photos", {"photo": upload})

    assert response.status_code == 302
    photo = case.attachments.get()
    assert photo.media_type == "image/jpeg" and "/" not in photo.filename
    served = browser.get(f"{url}photos/{photo.pk}")
    assert served.status_code == 200 and served.content == bytes(photo.data)
    assert Image.open(io.BytesIO(served.content)).size == (40, 30)  # re-encoded, not resized
    assert client.get(f"{url}photos/{photo.pk}").status_code == 302  # not signed in


def test_a_file_that_is_not_a_photo_is_refused(kiosk, agent):
    case = new_case(kiosk)
    url = f"/console/cases/{case.pk}/"
    fake = io.BytesIO(b"MZ\x90\x00 not an image")
    fake.name = "photo.jpg"

    response = post_form(browser_for(agent), url, f"{url}photos", {"photo": fake})

    assert response.status_code == 400 and not case.attachments.exists()


@pytest.mark.parametrize("language, expected", [("zh_CN", "您好，已收到"), ("en", "Hello, received"),
                                                 ("zh_TW", "您好，已收到（繁）")])
def test_a_canned_reply_goes_out_in_the_visitors_language(kiosk, agent, mall, language, expected):
    reply = CannedReply.objects.create(mall=mall, title="收到", text_zh_cn="您好，已收到",
                                       text_en="Hello, received", text_zh_tw="您好，已收到（繁）")
    case = new_case(kiosk, language=language)
    url = f"/console/cases/{case.pk}/"

    response = post_form(browser_for(agent), url, f"{url}reply", {"reply": reply.pk})

    assert response.status_code == 302
    event = case.events.get(kind="note")
    assert (event.note, event.visibility) == (expected, "public")
