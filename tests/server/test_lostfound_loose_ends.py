"""The lost-property office's loose ends: announcing a found item on chosen floors without its
hidden details, the manager's sign-off for disposing of valuables, and lost reports taken at the
desk with the visitor's surname, phone and a ticket."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from lostfound_helpers import PASSWORD
from test_cases_support import visible_text

from server.accounts.models import AuditEntry
from server.accounts.services import create_staff_user
from server.broadcasts.models import Broadcast
from server.cases.models import Source
from server.cases.tracking import find_by_token
from server.content.models import KioskPoint, Level
from server.fleet import services as fleet
from server.lostfound import announcements, intake, retention
from server.lostfound.errors import LostPropertyError
from server.lostfound.models import Disposal, DisposalApproval, ItemStatus, LostReport
from sync.protocol import BroadcastState

pytestmark = pytest.mark.django_db
POLL = "/api/v1/kiosk/broadcasts"
HIDDEN = "壁纸是一只柴犬，背面贴着蓝色贴纸"


@pytest.fixture
def kiosks(imported_mall):
    """A kiosk in the lobby (1F) and one upstairs (2F)."""
    KioskPoint.objects.create(mall=imported_mall, content_id="k-upper", name_zh_cn="二楼",
                              level=Level.objects.get(mall=imported_mall, content_id="L2"), node_id="n2-b")
    return {name: fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall, point).code, hostname=name)
            for name, point in (("lobby", "k-lobby"), ("upper", "k-upper"))}


@pytest.fixture
def agent(imported_mall):
    return create_staff_user("desk-li", "agent", PASSWORD, mall=imported_mall, check_password=False)


@pytest.fixture
def manager(imported_mall):
    return create_staff_user("boss-zhao", "manager", PASSWORD, mall=imported_mall, check_password=False)


@pytest.fixture
def phone(imported_mall, agent):
    return intake.register_found_item(
        imported_mall, agent, category="phone", colour="black", brand="华为",
        description="黑色华为手机，透明手机壳，屏幕右上角有裂痕", hidden_details=HIDDEN,
        found_at=timezone.now() - timedelta(hours=2), level_id="L2", storage_place="Safe A")


def _poll(client: Client, enrollment) -> list:
    response = client.get(POLL, headers={"Authorization": f"Bearer {enrollment.device_key}"})
    assert response.status_code == 200
    return BroadcastState.model_validate_json(response.content).broadcasts


# ---------------------------------------------------------------- announcements
def test_the_announcement_tells_none_of_the_hidden_details_nor_the_features(phone):
    wording = announcements.compose(phone)
    everything = wording.everything()
    for secret in ("柴犬", "壁纸", "蓝色贴纸", "华为", "裂痕", "透明手机壳", "Safe A"):
        assert secret not in everything
    assert "手机" in wording.title.zh_CN and "Phone" in wording.title.en and "手機" in wording.title.zh_TW
    assert "2F" in wording.text.zh_CN and "服务台" in wording.public_address_zh
    assert "service desk" in wording.public_address_en and "2F" in wording.public_address_en


def test_a_brand_that_slips_into_the_wording_is_caught(imported_mall, agent):
    """A colour-name brand would be announced in the item's colour words: refused, not sent."""
    item = intake.register_found_item(imported_mall, agent, category="bag", colour="red", brand="Red",
                                      description="red bag", found_at=timezone.now(), storage_place="Shelf 1")
    with pytest.raises(LostPropertyError) as refused:
        announcements.compose(item)
    assert refused.value.code == "leaks_details"


def test_the_notice_reaches_the_kiosks_on_the_chosen_floor_and_not_the_others(client, kiosks, phone, agent):
    announcement = announcements.announce(phone, agent, level_ids=["L2"], days=3)
    got = {name: [b.id for b in _poll(client, enrollment)] for name, enrollment in kiosks.items()}
    assert got == {"lobby": [], "upper": [announcement.broadcast.id]}
    shown = _poll(client, kiosks["upper"])[0]
    assert shown.kind == "notice" and "手机" in shown.title.zh_CN
    for text in (shown.title.zh_CN, shown.title.en, shown.title.zh_TW, shown.text.zh_CN, shown.text.en,
                 shown.text.zh_TW):
        assert "柴犬" not in text and "华为" not in text
    assert announcement.broadcast.expires_at - announcement.broadcast.starts_at == timedelta(days=3)
    assert AuditEntry.objects.filter(action="lostfound.announce", subject=phone.number).exists()


def test_announcing_refuses_unknown_floors_items_not_at_the_desk_and_long_runs(kiosks, phone, agent):
    with pytest.raises(LostPropertyError):
        announcements.announce(phone, agent, level_ids=["L99"], days=1)
    with pytest.raises(LostPropertyError):
        announcements.announce(phone, agent, level_ids=[], days=30)
    assert not Broadcast.objects.exists()


def test_announcing_from_the_item_page(client, kiosks, phone, agent):
    client.force_login(agent)
    page = client.get(f"/console/lost-property/items/{phone.pk}/?lang=zh-hans")
    preview = visible_text(page)
    assert "招领" in preview
    response = client.post(f"/console/lost-property/items/{phone.pk}/announce", {"levels": ["L2"], "days": "2"})
    assert response.status_code == 302
    announced = visible_text(client.get(f"/console/lost-property/items/{phone.pk}/?lang=en"))
    assert "Attention please" in announced and "service desk" in announced
    bad = client.post(f"/console/lost-property/items/{phone.pk}/announce", {"levels": ["nowhere"], "days": "2"})
    assert bad.status_code == 400


# ---------------------------------------------------------------- the manager's sign-off
def _make_due(item):
    type(item).objects.filter(pk=item.pk).update(keep_until=timezone.localdate() - timedelta(days=1))
    assert retention.mark_due_items() == 1
    item.refresh_from_db()
    assert item.status == ItemStatus.DUE


def test_an_agent_cannot_dispose_of_a_phone_without_the_manager(phone, agent):
    _make_due(phone)
    with pytest.raises(LostPropertyError) as refused:
        retention.dispose(phone, agent, action="police", recipient="城南派出所")
    assert refused.value.code == "needs_manager_approval" and "manager" in refused.value.message
    phone.refresh_from_db()
    assert phone.status == ItemStatus.DUE and not Disposal.objects.exists()


def test_the_agent_requests_the_manager_approves_and_the_audit_log_has_both(phone, agent, manager):
    _make_due(phone)
    retention.request_disposal(phone, agent, action="police", recipient="城南派出所 回执 0042")
    with pytest.raises(LostPropertyError):
        retention.approve_disposal(phone, agent)  # an agent is not the manager
    disposal = retention.approve_disposal(phone, manager)
    phone.refresh_from_db()
    assert phone.status == ItemStatus.DISPOSED
    assert (disposal.action, disposal.recipient) == ("police", "城南派出所 回执 0042")
    approval = DisposalApproval.objects.get(item=phone)
    assert approval.requested_by != approval.approved_by and approval.approved_at
    actions = list(AuditEntry.objects.filter(subject=phone.number).order_by("at", "id")
                   .values_list("action", flat=True))
    assert actions[-3:] == ["lostfound.disposal_request", "lostfound.disposal_approval", "lostfound.item_status"]


def test_ordinary_items_need_no_sign_off(imported_mall, agent):
    umbrella = intake.register_found_item(imported_mall, agent, category="umbrella", description="蓝色折叠伞",
                                          found_at=timezone.now(), storage_place="Shelf 3")
    _make_due(umbrella)
    retention.dispose(umbrella, agent, action="donated", recipient="红十字会")
    assert not DisposalApproval.objects.exists()


def test_the_console_refuses_the_agent_with_the_message_and_lets_the_manager_approve(phone, agent, manager):
    _make_due(phone)
    desk, boss = Client(), Client()
    desk.force_login(agent)
    boss.force_login(manager)
    url = f"/console/lost-property/items/{phone.pk}/"
    refused = desk.post(url + "dispose?lang=en", {"action": "police", "recipient": "Police"})
    assert refused.status_code == 409 and "manager" in visible_text(refused)
    assert desk.post(url + "disposal-request", {"action": "police", "recipient": "Police"}).status_code == 302
    assert desk.post(url + "disposal-approve").status_code == 403
    listing = boss.get("/console/lost-property/retention/?lang=en").content.decode()
    waiting_list = listing[listing.index('id="approval-heading"'):listing.index('id="due-heading"')]
    assert phone.number in waiting_list and "desk-li" in waiting_list
    waiting = visible_text(boss.get(url + "?lang=en"))
    assert "Waiting for the manager's approval" in waiting
    assert boss.post(url + "disposal-approve").status_code == 302
    phone.refresh_from_db()
    assert phone.status == ItemStatus.DISPOSED


# ---------------------------------------------------------------- desk lost reports
def test_a_desk_lost_report_keeps_surname_and_phone_and_gets_a_ticket(imported_mall, agent):
    report, token = intake.take_desk_lost_report(
        imported_mall, agent, category="wallet", colour="brown", description="棕色皮质钱包",
        contact_name="陈", contact_phone="138 0013 8000", level_id="L1")
    report.refresh_from_db()
    assert (report.contact_name, report.category, report.colour, report.level_id) == ("陈", "wallet", "brown", "L1")
    assert report.case.source == Source.DESK and report.case.contact_phone == "138 0013 8000"
    assert find_by_token(token) == report.case
    assert LostReport.objects.count() == 1


def test_the_desk_form_shows_the_ticket_with_a_qr_and_refuses_a_bad_phone(client, imported_mall, agent):
    client.force_login(agent)
    assert client.get("/console/lost-property/reports/new?lang=en").status_code == 200
    fields = {"category": "keys", "description": "三把钥匙，一个小熊挂件", "contact_name": "Chen",
              "contact_phone": "not a phone"}
    bad = client.post("/console/lost-property/reports/new?lang=en", fields)
    assert bad.status_code == 400 and "phone number" in visible_text(bad)
    assert not LostReport.objects.exists()
    ticket = client.post("/console/lost-property/reports/new?lang=en", {**fields, "contact_phone": "13800138000"})
    report = LostReport.objects.get()
    assert ticket.status_code == 200 and "<svg" in ticket.content.decode()
    assert report.case.reference in visible_text(ticket)
    assert report.contact_name == "Chen"


def test_the_surname_goes_when_the_cases_contact_details_are_erased(imported_mall, agent):
    from server.cases.models import Case

    report, _token = intake.take_desk_lost_report(imported_mall, agent, category="keys", description="钥匙",
                                                  contact_name="陈", contact_phone="13800138000")
    assert retention.forget_erased_surnames() == 0
    Case.objects.filter(pk=report.case_id).update(contact_phone=None, contact_erased_at=timezone.now())
    assert retention.forget_erased_surnames() == 1
    report.refresh_from_db()
    assert report.contact_name == ""


def test_a_claim_for_a_desk_report_starts_with_the_visitors_surname(client, imported_mall, agent, phone):
    report, _token = intake.take_desk_lost_report(imported_mall, agent, category="phone", description="黑色手机",
                                                  contact_name="陈", contact_phone="13800138000")
    client.force_login(agent)
    page = client.get(f"/console/lost-property/items/{phone.pk}/claim?report={report.pk}").content.decode()
    assert 'name="claimant_name" value="陈"' in page
