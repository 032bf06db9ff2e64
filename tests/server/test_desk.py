"""The desk ledgers through the console (Django's test client, the whole URL and middleware
stack): what staff enter, what is stored, what they are told when the input is wrong, and that
a page of one mall never shows or changes another mall's rows."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from test_cases_support import make_staff

from server.accounts.models import AuditEntry
from server.broadcasts import services as broadcasts
from server.core.jobs import registered_jobs
from server.desk import closing, handovers, incidents, luggage
from server.desk.errors import DeskError
from server.desk.models import (
    ClosingRecord,
    FirstAidUse,
    Handover,
    Incident,
    LeftLuggage,
    MorningMeeting,
)
from server.lostfound import intake
from server.malls.models import Mall
from sync.protocol import I18nText

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(published, imported_mall):
    mall = imported_mall
    mall.hours = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "open": "10:00", "close": "22:00"}]
    mall.save(update_fields=["hours"])
    return {"mall": mall, "agent": make_staff("desk-wang", "agent", mall), "incoming": make_staff(
        "desk-li", "agent", mall), "manager": make_staff("manager-zhou", "manager", mall),
            "handler": make_staff("engineer-sun", "department_handler", mall, department="engineering")}


def check_in_through_the_console(client, **overrides):
    data = {"description": "黑色行李箱", "pieces": "2", "storage_place": "B2", "surname": "王",
            "phone": "138 0013 8000", **overrides}
    return client.post("/console/desk/luggage/new", data)


def test_check_in_prints_a_ticket_with_a_qr_code_and_pick_up_by_scanning_it(client, desk):
    client.force_login(desk["agent"])
    response = check_in_through_the_console(client)
    item = LeftLuggage.objects.get()
    assert response.status_code == 302 and response.url == f"/console/desk/luggage/{item.pk}/"
    assert luggage.TICKET_RE.fullmatch(item.ticket) and (item.pieces, item.surname) == (2, "王")
    assert item.checked_in_at.astimezone(desk["mall"].zone).strftime("%m%d") in item.ticket

    ticket_page = client.get(f"/console/desk/luggage/{item.pk}/ticket").content.decode()
    assert item.ticket in ticket_page and "<svg" in ticket_page and "2 件" in ticket_page
    assert "138 0013 8000" not in ticket_page and "黑色行李箱" not in ticket_page, "the ticket is seen by anyone"
    assert "请妥善保管此寄存牌" in ticket_page and "Keep this ticket." in ticket_page, "in Chinese and English"

    scanned = f"http://testserver/console/desk/luggage/find?ticket={item.ticket}"
    found = client.get("/console/desk/luggage/find", {"ticket": scanned})
    assert found.status_code == 302 and found.url == f"/console/desk/luggage/{item.pk}/"
    typed = client.get("/console/desk/luggage/find", {"ticket": item.ticket.lower().replace("-", "")})
    assert typed.status_code == 302

    assert client.post(f"/console/desk/luggage/{item.pk}/pick-up").status_code == 302
    item.refresh_from_db()
    assert item.status == "picked_up" and item.picked_up_at and item.picked_up_by
    again = client.post(f"/console/desk/luggage/{item.pk}/pick-up")
    assert again.status_code == 409 and "已于" in again.content.decode()
    assert list(AuditEntry.objects.filter(subject=item.ticket).values_list("action", flat=True).order_by("pk")) == [
        "desk.luggage_check_in", "desk.luggage_status"]


@pytest.mark.parametrize("field, value, shown", [
    ("pieces", "0", "大于或等于1"), ("pieces", "many", "整数"), ("phone", "call me", "电话号码"),
    ("surname", "", "这个字段是必填项"), ("description", "x" * 201, "200"),
])
def test_bad_check_in_is_a_form_error_and_stores_nothing(client, desk, field, value, shown):
    client.force_login(desk["agent"])
    response = check_in_through_the_console(client, **{field: value})
    assert response.status_code == 400 and shown in response.content.decode()
    assert not LeftLuggage.objects.exists()


def test_an_unknown_or_malformed_ticket_is_told_plainly(client, desk):
    client.force_login(desk["agent"])
    for text, shown in (("hello", "不是寄存牌号"), ("LL-0101-ZZZZ", "没有寄存牌号为 LL-0101-ZZZZ"), ("", "必填")):
        response = client.get("/console/desk/luggage/find", {"ticket": text})
        assert response.status_code == 400 and shown in response.content.decode(), text


def test_closing_job_records_what_is_still_stored_once_a_day(client, desk):
    mall, agent = desk["mall"], desk["agent"]
    assert "desk-closing-time" in {job.name for job in registered_jobs()}
    kept = luggage.check_in(mall, agent, description="购物袋", pieces=1, surname="李", phone="13900000000")
    collected = luggage.check_in(mall, agent, description="雨伞", pieces=1, surname="张", phone="13700000000")
    luggage.pick_up(collected, agent)
    today = timezone.localtime(timezone.now(), mall.zone).date()
    LeftLuggage.objects.update(checked_in_at=datetime.combine(today, datetime.min.time(), tzinfo=mall.zone)
                               + timedelta(hours=11))
    ClosingRecord.objects.all().delete()
    before_close = datetime.combine(today, datetime.min.time(), tzinfo=mall.zone) + timedelta(hours=21, minutes=50)
    closing.record_closing_time(before_close)
    assert not ClosingRecord.objects.filter(day=today).exists()
    after_close = before_close + timedelta(minutes=15)
    closing.record_closing_time(after_close)
    closing.record_closing_time(after_close + timedelta(minutes=10))
    record = ClosingRecord.objects.get(mall=mall, day=today)
    assert list(record.luggage.all()) == [kept]
    assert closing.closing_time(mall, today).strftime("%H:%M") == "22:00"
    client.force_login(desk["incoming"])
    for url in ("/console/desk/handovers/new", "/console/desk/handovers/", "/console/desk/luggage/closing"):
        page = client.get(url).content.decode()
        assert kept.ticket in page and collected.ticket not in page, url
    assert f"{today:%Y-%m-%d} 闭店时仍有 1 件寄存未取" in client.get("/console/desk/handovers/").content.decode()


def test_a_mall_without_hours_closes_at_midnight(desk):
    mall = Mall.objects.create(id="late", name_zh_cn="夜市")
    assert closing.closing_time(mall, date(2026, 12, 4)) == datetime(2026, 12, 5, tzinfo=mall.zone)


def test_first_aid_use_is_logged_with_its_incident_and_bad_input_refused(client, desk):
    client.force_login(desk["agent"])
    incident = incidents.record_incident(desk["mall"], desk["agent"], kind="injury",
                                         occurred_at=timezone.now(), what="儿童擦伤")
    preset = client.get("/console/desk/first-aid/", {"incident": incident.pk})
    assert preset.context["form"]["incident"].value() == str(incident.pk), "opened from the incident's page"
    assert client.get("/console/desk/first-aid/", {"incident": "nonsense"}).status_code == 200
    now = timezone.localtime(timezone.now(), desk["mall"].zone)
    data = {"used_at": now.strftime("%Y-%m-%dT%H:%M"), "supplies": "创可贴 2 片", "used_for": "六岁儿童膝盖擦伤",
            "given_by": "王芳", "incident": incident.pk}
    assert client.post("/console/desk/first-aid/", data).status_code == 302
    use = FirstAidUse.objects.get()
    assert (use.supplies, use.incident, use.given_by) == ("创可贴 2 片", incident, "王芳")
    page = client.get("/console/desk/first-aid/").content.decode()
    assert "六岁儿童膝盖擦伤" in page and incident.number in page

    future = (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/console/desk/first-aid/", {**data, "used_at": future})
    assert response.status_code == 400 and "不可能在将来" in response.content.decode()
    response = client.post("/console/desk/first-aid/", {**data, "used_at": "yesterday", "incident": 999999})
    assert response.status_code == 400 and FirstAidUse.objects.count() == 1


def test_an_incident_at_a_store_with_its_follow_up_report_and_status(client, desk):
    client.force_login(desk["agent"])
    now = timezone.localtime(timezone.now(), desk["mall"].zone).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/console/desk/incidents/new", {
        "kind": "injury", "occurred_at": now, "what": "顾客在茶馆门口滑倒", "level_id": "L1", "store_id": "s-tea",
        "place": "门口", "helpers": "保安 陈", "follow_up": ""})
    incident = Incident.objects.get()
    assert response.status_code == 302
    page = client.get(f"/console/desk/incidents/{incident.pk}/").content.decode()
    assert "1F · 茶馆 · 1F-01 · 门口" in page
    client.post(f"/console/desk/incidents/{incident.pk}/", {"helpers": "保安 陈", "follow_up": "已通知物业",
                                                            "report": "地面湿滑，已放置警示牌。"})
    incident.refresh_from_db()
    assert incident.report_written_by and incident.follow_up == "已通知物业"
    assert client.post(f"/console/desk/incidents/{incident.pk}/status", {"status": "closed"}).status_code == 302
    assert Incident.objects.get().status == "closed"
    assert client.post(f"/console/desk/incidents/{incident.pk}/status", {"status": "closed"}).status_code == 409
    assert client.post(f"/console/desk/incidents/{incident.pk}/status", {"status": "gone"}).status_code == 400
    bad = client.post("/console/desk/incidents/new", {"kind": "alien", "occurred_at": now, "what": ""})
    assert bad.status_code == 400 and Incident.objects.count() == 1


def test_an_ended_emergency_asks_for_its_incident_report_until_written(client, desk):
    mall, agent = desk["mall"], desk["agent"]
    emergency = broadcasts.send_broadcast(
        mall, kind="emergency", reason="fire", title=I18nText(zh_CN="火警", en="Fire", zh_TW="火警"),
        text=I18nText(zh_CN="请从最近的出口离开", en="Leave", zh_TW="請離開"), duration=timedelta(hours=1), user=agent)
    client.force_login(agent)
    assert "事件报告待写" not in client.get("/console/desk/incidents/").content.decode(), "not while it is on"
    on_now = client.get(f"/console/broadcasts/{emergency.pk}/").content.decode()
    assert f"?broadcast={emergency.pk}" in on_now and 'id="incident-report-due"' not in on_now
    broadcasts.end_broadcast(emergency, agent)
    page = client.get("/console/desk/incidents/").content.decode()
    assert "事件报告待写" in page and f"?broadcast={emergency.pk}" in page

    form = client.get("/console/desk/incidents/new", {"broadcast": emergency.pk})
    assert form.status_code == 200 and "请从最近的出口离开" in form.content.decode()
    data = {key: value for key, value in form.context["form"].initial.items()}
    response = client.post("/console/desk/incidents/new", {**data, "broadcast": emergency.pk, "helpers": "",
                                                           "place": "", "store_id": "", "level_id": "",
                                                           "follow_up": ""})
    incident = Incident.objects.get(broadcast=emergency)
    assert response.status_code == 302 and incident.kind == "fire"
    emergency_page = client.get(f"/console/broadcasts/{emergency.pk}/").content.decode()
    assert 'id="incident-report-due"' in emergency_page and incident.number in emergency_page
    detail = client.get(f"/console/desk/incidents/{incident.pk}/").content.decode()
    assert 'id="report-due"' in detail
    assert client.get("/console/desk/incidents/new", {"broadcast": emergency.pk}).url.endswith(
        f"/incidents/{incident.pk}/"), "one incident per emergency"
    client.post(f"/console/desk/incidents/{incident.pk}/", {"report": "19:05 报警器误报，已疏散 2F，19:30 恢复。"})
    assert 'id="report-due"' not in client.get(f"/console/desk/incidents/{incident.pk}/").content.decode()
    assert "事件报告待写" not in client.get("/console/desk/incidents/").content.decode()
    assert 'id="incident-report-due"' not in client.get(f"/console/broadcasts/{emergency.pk}/").content.decode()
    notice = broadcasts.send_broadcast(
        mall, kind="notice", reason="other", title=I18nText(zh_CN="通知", en="N", zh_TW="通知"),
        text=I18nText(zh_CN="", en="", zh_TW=""), duration=timedelta(hours=1))
    assert client.get("/console/desk/incidents/new", {"broadcast": notice.pk}).status_code == 404
    with pytest.raises(DeskError):
        incidents.record_incident(mall, agent, kind="fire", occurred_at=timezone.now(), what="x", broadcast=emergency)


def test_handover_is_prefilled_with_what_is_open_and_acknowledged_by_the_next_agent(client, desk):
    mall, agent, incoming = desk["mall"], desk["agent"], desk["incoming"]
    bags = luggage.check_in(mall, agent, description="婴儿车", pieces=1, surname="赵", phone="13600000000")
    item = intake.register_found_item(mall, agent, category="umbrella", description="蓝色雨伞",
                                      found_at=timezone.now(), storage_place="架 3")
    client.force_login(agent)
    form = client.get("/console/desk/handovers/new")
    initial = form.context["form"].initial
    assert initial["luggage"] == [bags.pk] and initial["found_items"] == [item.pk]
    assert bags.ticket in form.content.decode() and item.number in form.content.decode()
    empty = client.post("/console/desk/handovers/new", {"open_matters": " "})
    assert empty.status_code == 400 and "请写下未结事项" in empty.content.decode()
    response = client.post("/console/desk/handovers/new", {"open_matters": "3F 电梯维修中", "luggage": [bags.pk],
                                                           "found_items": [item.pk]})
    handover = Handover.objects.get()
    assert response.status_code == 302 and list(handover.luggage.all()) == [bags]
    assert "3F 电梯维修中" in client.get("/console/desk/handovers/").content.decode()
    own = client.post(f"/console/desk/handovers/{handover.pk}/acknowledge")
    assert own.status_code == 409 and Handover.objects.get().status == "written"

    client.force_login(incoming)
    listing = client.get("/console/desk/handovers/")
    assert list(listing.context["waiting"]) == [handover]
    assert client.post(f"/console/desk/handovers/{handover.pk}/acknowledge").status_code == 302
    handover.refresh_from_db()
    assert handover.status == "acknowledged" and handover.acknowledged_by == incoming and handover.acknowledged_at
    assert list(client.get("/console/desk/handovers/").context["waiting"]) == []
    assert client.post(f"/console/desk/handovers/{handover.pk}/acknowledge").status_code == 409


def test_handover_refuses_another_malls_rows(desk):
    other = Mall.objects.create(id="elsewhere", name_zh_cn="别处")
    bags = luggage.check_in(other, desk["agent"], description="x", pieces=1, surname="x", phone="13600000000")
    with pytest.raises(DeskError):
        handovers.write_handover(desk["mall"], desk["agent"], open_matters="x", cases=[], found_items=[],
                                 luggage=[bags])


def test_morning_meeting_once_a_day(client, desk):
    client.force_login(desk["manager"])
    data = {"day": "2026-12-04", "attendees": "王芳、李明、周经理", "notes": "圣诞活动安排",
            "actions": "李明：周五前布置"}
    response = client.post("/console/desk/meetings/", data)
    meeting = MorningMeeting.objects.get()
    assert response.status_code == 302 and meeting.recorded_by
    assert "圣诞活动安排" in client.get(f"/console/desk/meetings/{meeting.pk}/").content.decode()
    again = client.post("/console/desk/meetings/", data)
    assert again.status_code == 400 and "2026-12-04 的晨会已有记录" in again.content.decode()
    bad = client.post("/console/desk/meetings/", {**data, "day": "not a day"})
    assert bad.status_code == 400 and MorningMeeting.objects.count() == 1


def test_only_agents_managers_and_administrators_keep_the_ledgers(client, desk):
    client.force_login(desk["handler"])
    for url in ("/console/desk/", "/console/desk/first-aid/", "/console/desk/incidents/", "/console/desk/handovers/",
                "/console/desk/meetings/"):
        assert client.get(url).status_code == 403, url
    client.logout()
    assert client.get("/console/desk/").status_code == 302
    client.force_login(desk["manager"])
    page = client.get("/console/desk/")
    assert page.status_code == 200 and "/console/desk/" in page.content.decode()


def test_english_pages_use_the_english_words(client, desk):
    client.force_login(desk["agent"])
    page = client.get("/console/desk/?lang=en").content.decode()
    assert "Left luggage" in page and "Shift handover book" in page
    assert "寄存" not in page


def test_the_visitors_phone_is_erased_a_month_after_pick_up(desk):
    mall, agent = desk["mall"], desk["agent"]
    old = luggage.check_in(mall, agent, description="纸袋", pieces=1, surname="钱", phone="13500000000")
    recent = luggage.check_in(mall, agent, description="纸袋", pieces=1, surname="孙", phone="13500000001")
    stored = luggage.check_in(mall, agent, description="纸袋", pieces=1, surname="李", phone="13500000002")
    for item in (old, recent):
        luggage.pick_up(item, agent)
    LeftLuggage.objects.filter(pk=old.pk).update(picked_up_at=timezone.now() - timedelta(days=31))
    assert "desk-luggage-contact-erasure" in {job.name for job in registered_jobs()}
    assert luggage.erase_old_contacts() == 1
    phones = dict(LeftLuggage.objects.values_list("pk", "phone"))
    assert phones == {old.pk: "", recent.pk: "13500000001", stored.pk: "13500000002"}
    assert LeftLuggage.objects.get(pk=old.pk).surname == "钱"


def test_the_closing_job_runs_through_the_job_runner(desk):
    from server.core.jobs import run_job

    mall = desk["mall"]
    bags = luggage.check_in(mall, desk["agent"], description="纸袋", pieces=1, surname="钱", phone="13500000000")
    yesterday = timezone.localtime(timezone.now(), mall.zone).date() - timedelta(days=1)
    LeftLuggage.objects.filter(pk=bags.pk).update(checked_in_at=closing.closing_time(mall, yesterday)
                                                  - timedelta(hours=2))
    run = run_job(next(job for job in registered_jobs() if job.name == "desk-closing-time"), force=True)
    assert run is not None and run.succeeded, run and run.result
    assert list(ClosingRecord.objects.get(mall=mall, day=yesterday).luggage.all()) == [bags]
    assert AuditEntry.objects.filter(action="desk.closing_record", mall=mall, subject=str(yesterday)).exists()


def test_the_admin_shows_the_ledgers_to_managers_read_only(client, desk):
    bags = luggage.check_in(desk["mall"], desk["agent"], description="纸袋", pieces=1, surname="钱",
                            phone="13500000000")
    client.force_login(desk["manager"])
    listing = client.get("/admin/desk/leftluggage/")
    assert listing.status_code == 200 and bags.ticket in listing.content.decode()
    assert client.get("/admin/desk/leftluggage/add/").status_code == 403
    page = client.get(f"/admin/desk/leftluggage/{bags.pk}/change/")
    assert page.status_code == 200 and 'name="surname"' not in page.content.decode(), "shown, not editable"
    assert client.post(f"/admin/desk/leftluggage/{bags.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LeftLuggage.objects.filter(pk=bags.pk).exists()
