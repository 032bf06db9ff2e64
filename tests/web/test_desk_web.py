"""The desk's ledgers in a real Chromium, from the desk's side: left luggage checked in, its
printed claim ticket scanned back at pick-up; the first-aid kit log; an incident opened from an
ended emergency and its report written; a handover written by one agent and acknowledged by the
next; the morning meeting. Each page is also shot in Simplified Chinese and English."""
from __future__ import annotations

from datetime import timedelta

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.broadcasts import services as broadcasts
from server.desk import handovers, incidents, luggage, meetings
from server.desk.models import FirstAidUse, Handover, Incident, LeftLuggage, MorningMeeting
from server.lostfound import intake
from sync.protocol import I18nText

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Desk-ledgers-2026!"


@pytest.fixture
def desk(demo_mall):
    for username, role, name in (("desk-wang", "agent", "王芳"), ("desk-li", "agent", "李明"),
                                 ("boss-zhou", "manager", "周经理")):
        create_staff_user(username, role, PASSWORD, mall=demo_mall, check_password=False, display_name=name)
    return demo_mall


def desk_page(chromium, live_server, path: str, username: str = "desk-wang", **context):
    return signed_in_page(chromium, f"{live_server.url}{path}", username, PASSWORD, f"**{path.split('?')[0]}**",
                          **context)


def test_left_luggage_check_in_printed_ticket_and_pick_up_by_scanning(chromium, live_server, desk, screenshots,
                                                                       tmp_path):
    page = desk_page(chromium, live_server, "/console/desk/")
    assert page.get_by_role("link", name="服务台台账").is_visible(), "the console menu has the section"
    page.get_by_role("link", name="+ 登记寄存").click()
    page.fill('input[name="description"]', "黑色行李箱、红色购物袋")
    page.fill('input[name="pieces"]', "0")
    page.fill('input[name="surname"]', "陈")
    page.fill('input[name="phone"]', "13812345678")
    page.fill('input[name="storage_place"]', "B2 架")
    page.evaluate("document.querySelector('input[name=pieces]').removeAttribute('min')")
    page.get_by_role("button", name="登记并生成寄存牌").click()
    assert "确保该值大于或等于1" in page.locator("ul.errorlist").inner_text()
    assert not LeftLuggage.objects.exists()
    page.fill('input[name="pieces"]', "2")
    page.get_by_role("button", name="登记并生成寄存牌").click()
    page.wait_for_url("**/console/desk/luggage/*/")
    item = LeftLuggage.objects.get()
    assert page.locator(".ticket-number").inner_text() == item.ticket
    assert page.locator("#status").inner_text() == "寄存中"
    page.screenshot(path=str(screenshots / "desk-luggage-detail-zh_CN.png"), full_page=True)

    with page.expect_popup() as popup:
        page.get_by_role("link", name="打印寄存牌").click()
    ticket = popup.value
    ticket.wait_for_load_state()
    assert item.ticket in ticket.locator(".number").inner_text() and "2 件" in ticket.inner_text("body")
    assert "13812345678" not in ticket.content(), "the ticket never shows the visitor's phone"
    ticket.locator(".receipt svg").screenshot(path=str(tmp_path / "qr.png"))
    ticket.screenshot(path=str(screenshots / "desk-luggage-ticket-zh_CN.png"), full_page=True)
    scanned = [result.text for result in zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))]
    assert len(scanned) == 1 and item.ticket in scanned[0]

    page.goto(f"{live_server.url}/console/desk/")
    expect(page.locator(f'tr[data-ticket="{item.ticket}"]')).to_be_visible()
    page.fill('input[name="ticket"]', "LL-0101-ZZZZ")
    page.get_by_role("button", name="查找").click()
    assert "没有寄存牌号为 LL-0101-ZZZZ 的寄存物" in page.locator(".error").inner_text()
    page.fill('input[name="ticket"]', scanned[0])  # a desk scanner types what the QR code holds
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/desk/luggage/{item.pk}/")
    page.get_by_role("button", name="交还：已取件").click()
    expect(page.locator("#status")).to_have_text("已取件")
    assert "王芳" in page.locator("#picked-up").inner_text()
    item.refresh_from_db()
    assert item.status == "picked_up"
    page.goto(f"{live_server.url}/console/desk/")
    assert page.locator(f'tr[data-ticket="{item.ticket}"] .badge').inner_text() == "已取件", "picked up today"
    page.screenshot(path=str(screenshots / "desk-luggage-list-zh_CN.png"), full_page=True)


def test_first_aid_use_is_logged(chromium, live_server, desk, screenshots):
    page = desk_page(chromium, live_server, "/console/desk/first-aid/")
    assert page.input_value('input[name="given_by"]') == "王芳"
    page.fill('input[name="supplies"]', "创可贴 2 片、碘伏棉签")
    page.fill('input[name="used_for"]', "六岁男孩在儿童乐园擦伤膝盖")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/console/desk/first-aid/")
    row = page.locator("table.first-aid tbody tr").first
    assert "六岁男孩在儿童乐园擦伤膝盖" in row.inner_text() and "王芳" in row.inner_text()
    assert FirstAidUse.objects.get().supplies == "创可贴 2 片、碘伏棉签"
    page.screenshot(path=str(screenshots / "desk-first-aid-zh_CN.png"), full_page=True)
    page.fill('input[name="used_at"]', (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill('input[name="supplies"]', "纱布")
    page.fill('input[name="used_for"]', "x")
    page.get_by_role("button", name="登记", exact=True).click()
    assert "医药箱不可能在将来被使用" in page.locator(".error").inner_text()
    assert FirstAidUse.objects.count() == 1


def test_an_incident_after_an_emergency_and_its_report(chromium, live_server, desk, screenshots):
    emergency = broadcasts.send_broadcast(
        desk, kind="emergency", reason="fire", title=I18nText(zh_CN="火警", en="Fire alarm", zh_TW="火警"),
        text=I18nText(zh_CN="2F 火警，请从最近的安全出口离开", en="Fire on 2F", zh_TW="2F 火警"),
        duration=timedelta(hours=1), level_ids=["2f"])
    broadcasts.end_broadcast(emergency)
    page = desk_page(chromium, live_server, "/console/desk/incidents/")
    due = page.locator(f'#reports-due li[data-broadcast="{emergency.pk}"]')
    assert "火警" in due.inner_text()
    page.goto(f"{live_server.url}/console/broadcasts/{emergency.pk}/")
    assert page.locator("#incident-report-due").inner_text() == "事件报告待写", "the emergency's page asks for it"
    page.screenshot(path=str(screenshots / "desk-emergency-report-due-zh_CN.png"), full_page=True)
    page.locator("#desk-incident").get_by_role("link", name="登记事件").click()
    assert page.input_value('textarea[name="what"]') == "2F 火警，请从最近的安全出口离开"
    assert page.locator('select[name="kind"] option:checked').inner_text() == "火警"
    assert page.locator('select[name="level_id"] option:checked').inner_text() == "2F"
    page.select_option('select[name="store_id"]', label=page.locator('select[name="store_id"] option')
                       .filter(has_text="2F-").first.inner_text())
    page.fill('input[name="helpers"]', "保安 陈、消防中控室")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/console/desk/incidents/*/")
    incident = Incident.objects.get(broadcast=emergency)
    assert page.locator("#report-due").inner_text() == "事件报告待写"
    page.screenshot(path=str(screenshots / "desk-incident-detail-zh_CN.png"), full_page=True)
    page.fill('textarea[name="report"]', "19:05 2F 烟感报警，保安确认为误报；已疏散 2F 顾客，19:30 恢复营业。")
    with page.expect_navigation(url=f"**/console/desk/incidents/{incident.pk}/"):  # back to itself
        page.get_by_role("button", name="保存").click()
    expect(page.locator("#report-due")).to_have_count(0)
    page.get_by_role("button", name="结案").click()
    expect(page.locator("#status")).to_have_text("已结案")
    page.goto(f"{live_server.url}/console/broadcasts/{emergency.pk}/")
    assert page.locator("#incident-report-due").count() == 0
    assert incident.number in page.locator("#desk-incident").inner_text()
    page.goto(f"{live_server.url}/console/desk/incidents/")
    assert page.locator("#reports-due").count() == 0
    assert "已写" in page.locator(f'tr[data-number="{incident.number}"]').inner_text()
    page.screenshot(path=str(screenshots / "desk-incidents-zh_CN.png"), full_page=True)


def test_handover_written_and_acknowledged_by_the_next_agent(chromium, live_server, desk, screenshots):
    agent = desk.staff.get(user__username="desk-wang").user
    bags = LeftLuggage.objects.create(mall=desk, ticket="LL-1205-7K3Q", description="婴儿车", pieces=1,
                                      surname="赵", phone="13600000000")
    item = intake.register_found_item(desk, agent, category="umbrella", description="蓝色折叠伞",
                                      found_at=timezone.now(), storage_place="架 3")
    outgoing = desk_page(chromium, live_server, "/console/desk/handovers/")
    outgoing.get_by_role("link", name="+ 填写交接班记录").click()
    assert outgoing.get_by_label(f"{bags.ticket} · 1 × 婴儿车 · —").is_checked()
    item_box = outgoing.get_by_label(item.number, exact=False)
    assert item_box.is_checked()
    outgoing.screenshot(path=str(screenshots / "desk-handover-form-zh_CN.png"), full_page=True)
    item_box.uncheck()
    outgoing.fill('textarea[name="open_matters"]', "3F 扶梯维修至 14:00；陈女士 15:00 来取婴儿车")
    outgoing.get_by_role("button", name="交班").click()
    outgoing.wait_for_url("**/console/desk/handovers/*/")
    handover = Handover.objects.get()
    assert list(handover.luggage.all()) == [bags] and not handover.found_items.exists()
    assert outgoing.get_by_role("button", name="确认接班").count() == 0, "not by the one who wrote it"

    incoming = desk_page(chromium, live_server, "/console/desk/handovers/", "desk-li")
    assert incoming.locator("#waiting-handovers").inner_text() == "1", "the sub-menu tells the next shift"
    waiting = incoming.locator(f'tr[data-handover="{handover.pk}"]')
    assert "待接班确认" in waiting.inner_text() and "3F 扶梯维修" in waiting.inner_text()
    waiting.get_by_role("link").click()
    assert "婴儿车" in incoming.inner_text("body")
    incoming.get_by_role("button", name="确认接班").click()
    assert incoming.locator("#status").inner_text() == "已确认"
    assert "李明" in incoming.locator("#acknowledged").inner_text()
    handover.refresh_from_db()
    assert handover.status == "acknowledged" and handover.acknowledged_by_name == "李明"
    assert incoming.locator("#waiting-handovers").count() == 0
    incoming.screenshot(path=str(screenshots / "desk-handover-detail-zh_CN.png"), full_page=True)


def test_morning_meeting_recorded_once_a_day(chromium, live_server, desk, screenshots):
    page = desk_page(chromium, live_server, "/console/desk/meetings/", "boss-zhou")
    assert page.input_value('input[name="day"]') == timezone.localdate().isoformat()
    page.fill('input[name="attendees"]', "周经理、王芳、李明")
    page.fill('textarea[name="notes"]', "圣诞活动期间客流大，寄存架加开两层。")
    page.fill('textarea[name="actions"]', "李明：周五前准备寄存牌")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/console/desk/meetings/*/")
    assert "寄存架加开两层" in page.inner_text("body")
    page.goto(f"{live_server.url}/console/desk/meetings/")
    page.fill('input[name="attendees"]', "周经理")
    page.fill('textarea[name="notes"]', "again")
    page.get_by_role("button", name="登记", exact=True).click()
    assert "的晨会已有记录" in page.locator(".error").inner_text()
    assert MorningMeeting.objects.count() == 1
    page.screenshot(path=str(screenshots / "desk-meetings-zh_CN.png"), full_page=True)


PAGES = ["/console/desk/", "/console/desk/luggage/new", "/console/desk/luggage/closing", "/console/desk/first-aid/",
         "/console/desk/incidents/", "/console/desk/incidents/new", "/console/desk/handovers/",
         "/console/desk/handovers/new", "/console/desk/meetings/"]


@pytest.mark.parametrize("language, lang_code", [("zh_CN", "zh-hans"), ("en", "en"), ("zh_TW", "zh-hant")])
def test_every_ledger_page_in_each_language(chromium, live_server, desk, screenshots, language, lang_code):
    agent = desk.staff.get(user__username="desk-wang").user
    bags = luggage.check_in(desk, agent, description="行李箱", pieces=2, surname="赵", phone="13600000000")
    incident = incidents.record_incident(desk, agent, kind="injury", occurred_at=timezone.now(), what="行李箱",
                                         level_id="1f")
    handover = handovers.write_handover(desk, agent, open_matters="行李箱", cases=[], found_items=[], luggage=[bags])
    meeting = meetings.record_meeting(desk, agent, day=timezone.localdate(), attendees="赵", notes="行李箱")
    details = [f"/console/desk/luggage/{bags.pk}/", f"/console/desk/incidents/{incident.pk}/",
               f"/console/desk/handovers/{handover.pk}/", f"/console/desk/meetings/{meeting.pk}/"]
    page = desk_page(chromium, live_server, f"/console/desk/?lang={lang_code}")
    for path in PAGES + details:
        page.goto(f"{live_server.url}{path}")
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=str(screenshots / f"{name}-{language}.png"), full_page=True)
        words = page.inner_text("main")
        for data in ("行李箱", "赵", "王芳", "1F"):  # what the desk typed, not the page's words
            words = words.replace(data, "")
        if language == "en":
            chinese = [char for char in words if "\u4e00" <= char <= "\u9fff"]
            assert not chinese, f"{path}: Chinese left in the English page: {''.join(chinese)}"
        else:
            assert "Left luggage" not in words and "Desk ledgers" not in page.inner_text("body"), path
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways in {language}"
