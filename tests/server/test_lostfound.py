"""The lost-property office: register, kiosk reports, matching, claims, retention and disposal."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from lostfound_helpers import PASSWORD, file_kiosk_case, jpeg_bytes, signature_data_url

from server.accounts.services import create_staff_user
from server.cases.models import Case
from server.fleet import services as fleet
from server.lostfound import claims, intake, retention, suggestions
from server.lostfound.errors import LostPropertyError
from server.lostfound.figures import office_figures
from server.lostfound.models import (
    Claim,
    Disposal,
    FoundItem,
    ItemStatus,
    LostReport,
    ReportStatus,
    SuggestionStatus,
)
from server.malls.models import Mall
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def mall():
    return Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza")


@pytest.fixture
def kiosk(mall):
    return fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk


@pytest.fixture
def agent(mall):
    return create_staff_user("desk-wang", "agent", PASSWORD, mall=mall, check_password=False)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit hooks (re-matching) as a real commit would."""
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)
    return run


def register(mall, agent, run_on_commit, **fields):
    defaults = dict(category="wallet", description="黑色真皮长款钱包，有拉链", found_at=timezone.now(),
                    colour="black", brand="蔻驰", storage_place="A-1", hidden_details="里面有一张全家福照片")
    defaults.update(fields)
    return run_on_commit(intake.register_found_item, mall, agent, **defaults)


# ---------------------------------------------------------------- from the kiosk
def test_kiosk_cases_enter_the_register(kiosk, run_on_commit):
    found_case, _ = run_on_commit(file_kiosk_case, kiosk, "found_item", "捡到一把黑色雨伞",
                                  category="umbrella", colour="black", level="L2")
    lost_case, _ = run_on_commit(file_kiosk_case, kiosk, "lost_report", "Black folding umbrella, wooden handle",
                                 category="umbrella", colour="black", language="en")

    item = FoundItem.objects.get(case=found_case)
    assert (item.status, item.category, item.colour, item.level_id) == (ItemStatus.ANNOUNCED, "umbrella", "black", "L2")
    assert item.number.startswith("LF-")
    report = LostReport.objects.get(case=lost_case)
    assert (report.status, report.category, report.description) == (
        ReportStatus.OPEN, "umbrella", "Black folding umbrella, wooden handle")
    # The lost report arrived after the found item: it was matched on arrival.
    assert [s.item_id for s in suggestions.suggestions_for_report(report)] == [item.pk]


def test_unknown_kiosk_details_are_kept_not_dropped(kiosk):
    case, _ = file_kiosk_case(kiosk, "lost_report", "一个奇怪的东西", category="spaceship", colour="ultraviolet")
    report = LostReport.objects.get(case=case)
    assert (report.category, report.colour, report.description) == ("other", "", "一个奇怪的东西")


def test_complaints_do_not_enter_the_register(kiosk):
    from ulid import ULID

    from server.cases import intake as case_intake
    from sync.protocol import CaseUpload

    case_intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-7777", tracking_token_sha256="a" * 64, kind="complaint",
        category="safety", description="地滑", created_at=timezone.now()))
    assert FoundItem.objects.count() == 0 and LostReport.objects.count() == 0


# ---------------------------------------------------------------- matching
def test_a_new_found_item_is_suggested_to_the_open_report_it_matches(mall, kiosk, agent, run_on_commit):
    lost_case, _ = run_on_commit(file_kiosk_case, kiosk, "lost_report",
                                 "I lost a black Coach leather wallet with a zip, a family photo inside",
                                 category="wallet", colour="black", brand="Coach", language="en",
                                 occurred_at=timezone.now() - timedelta(hours=3))
    report = LostReport.objects.get(case=lost_case)
    assert list(suggestions.suggestions_for_report(report)) == []

    other = register(mall, agent, run_on_commit, description="红色短款钱包，印花图案", colour="red", brand="")
    keys = register(mall, agent, run_on_commit, category="keys", description="一串钥匙，黑色钥匙扣")
    theirs = register(mall, agent, run_on_commit)

    ranked = [s.item_id for s in suggestions.suggestions_for_report(report)]
    assert ranked[0] == theirs.pk, "the Chinese registration of the same wallet ranks first"
    assert other.pk in ranked and keys.pk not in ranked, "other categories are filtered out"


def test_items_found_long_before_the_loss_are_not_suggested(mall, agent, run_on_commit):
    old = register(mall, agent, run_on_commit, found_at=timezone.now() - timedelta(days=5))
    report = run_on_commit(intake.create_lost_report, mall, category="wallet", description="黑色钱包",
                           lost_at=timezone.now() - timedelta(hours=2))
    assert old.pk not in [s.item_id for s in suggestions.suggestions_for_report(report)]


def test_a_rejected_suggestion_never_comes_back(mall, agent, run_on_commit):
    item = register(mall, agent, run_on_commit)
    report = run_on_commit(intake.create_lost_report, mall, category="wallet", description="黑色钱包")
    suggestion = report.suggestions.get(item=item)
    run_on_commit(suggestions.reject_match, suggestion, agent)
    suggestions.rematch_report(report)
    assert not suggestions.suggestions_for_report(report).filter(item=item).exists()
    assert report.suggestions.get(item=item).status == SuggestionStatus.REJECTED


# ---------------------------------------------------------------- the visitor's tracking page
def test_the_tracking_page_asks_for_identification_but_never_describes_the_item(client, mall, kiosk, agent,
                                                                                 run_on_commit):
    lost_case, token = run_on_commit(file_kiosk_case, kiosk, "lost_report", "丢了一个钱包", category="wallet")
    item = register(mall, agent, run_on_commit, description="黑色真皮长款钱包，夹层有红色便签", brand="蔻驰")
    report = LostReport.objects.get(case=lost_case)

    before = client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A possible match is waiting" not in before

    suggestions.confirm_match(report.suggestions.get(item=item), agent)
    page = client.get(f"/t/{token}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A possible match is waiting at the service desk. Please bring identification." in page
    for secret in ("真皮", "红色便签", "蔻驰", item.number, item.hidden_details, "A-1"):
        assert secret not in page
    chinese = client.get(f"/t/{token}?lang=zh-hans").content.decode()
    assert "服务台" in chinese and "证件" in chinese


# ---------------------------------------------------------------- claims and hand-over
def claim(item, agent, **fields):
    values = dict(claimant_name="李雷", questions="钱包里有什么照片？", answers="一张全家福", answers_match=True,
                  id_kind="resident_id", id_last_digits="123x")
    values.update(fields)
    return claims.start_claim(item, agent, **values)


def test_a_claim_needs_matching_answers_and_an_identity_check(mall, agent, run_on_commit):
    item = register(mall, agent, run_on_commit)
    with pytest.raises(LostPropertyError) as refused:
        claim(item, agent, answers_match=False)
    assert refused.value.code == "answers"
    for digits in ("12", "12345", "12-4", ""):
        with pytest.raises(LostPropertyError):
            claim(item, agent, id_last_digits=digits)
    with pytest.raises(LostPropertyError):
        claim(item, agent, id_kind="selfie")
    started = claim(item, agent)
    assert (started.id_last_digits, started.id_kind, started.id_checked_by) == ("123X", "resident_id", "desk-wang")
    # Only a record of the check is kept: no field of a claim holds an image of a document.
    image_fields = [f.name for f in Claim._meta.get_fields()
                    if f.get_internal_type() in ("BinaryField", "FileField", "ImageField")]
    assert image_fields == ["signature_png"]


def test_a_signed_hand_over_returns_the_item_and_closes_the_visitors_case(mall, kiosk, agent, run_on_commit):
    lost_case, _ = run_on_commit(file_kiosk_case, kiosk, "lost_report", "Black wallet", category="wallet",
                                 phone="13812345678", language="en")
    found_case, _ = run_on_commit(file_kiosk_case, kiosk, "found_item", "捡到钱包", category="wallet")
    announced = FoundItem.objects.get(case=found_case)
    intake.receive_handed_in(announced, agent, storage_place="Safe B", hidden_details="身份证复印件一张")
    report = LostReport.objects.get(case=lost_case)
    suggestion = report.suggestions.get(item=announced)
    suggestions.confirm_match(suggestion, agent)

    started = claim(announced, agent, report=report)
    with pytest.raises(LostPropertyError):
        claims.hand_over(started, agent, signature_data_url=signature_data_url(blank=True))
    done = claims.hand_over(started, agent, signature_data_url=signature_data_url())

    assert done.handed_over_at is not None and bytes(done.signature_png).startswith(b"\x89PNG")
    announced.refresh_from_db()
    report.refresh_from_db()
    lost_case.refresh_from_db()
    found_case.refresh_from_db()
    assert announced.status == ItemStatus.RETURNED and announced.returned_at is not None
    assert report.status == ReportStatus.RETURNED
    assert lost_case.status == CaseStatus.CLOSED, "the visitor's kiosk case is closed by the hand-over"
    assert found_case.status == CaseStatus.CLOSED, "the finder hears that the item went home"
    public_notes = list(lost_case.events.filter(visibility="public").exclude(note="").values_list("note", flat=True))
    assert "Your item was returned to you at the service desk. Thank you." in public_notes
    with pytest.raises(LostPropertyError):
        claims.hand_over(started, agent, staff_confirmed=True)


def test_a_staff_confirmation_replaces_the_signature(mall, agent, run_on_commit):
    item = register(mall, agent, run_on_commit)
    started = claim(item, agent)
    with pytest.raises(LostPropertyError):
        claims.hand_over(started, agent)
    with pytest.raises(LostPropertyError):
        claims.hand_over(started, agent, signature_data_url="data:image/png;base64,not-base64!")
    done = claims.hand_over(started, agent, staff_confirmed=True)
    assert done.signature_png is None and done.staff_confirmed_by == "desk-wang"


def test_an_announced_item_cannot_be_claimed_before_it_is_handed_in(kiosk, agent):
    case, _ = file_kiosk_case(kiosk, "found_item", "捡到手机", category="phone")
    with pytest.raises(LostPropertyError):
        claim(FoundItem.objects.get(case=case), agent)


# ---------------------------------------------------------------- photos
def test_photos_are_re_encoded_and_refused_for_cards_and_documents(mall, agent, run_on_commit):
    item = register(mall, agent, run_on_commit)
    photo = intake.add_photo(item, jpeg_bytes())
    assert bytes(photo.jpeg).startswith(b"\xff\xd8")
    with pytest.raises(LostPropertyError):
        intake.add_photo(item, b"GIF89a not really")
    card = register(mall, agent, run_on_commit, category="card", description="招商银行卡，姓名王芳")
    with pytest.raises(LostPropertyError) as refused:
        intake.add_photo(card, jpeg_bytes())
    assert refused.value.code == "no_photo"


# ---------------------------------------------------------------- retention and disposal
def test_retention_per_category_and_the_disposal_log(mall, agent, run_on_commit):
    umbrella = register(mall, agent, run_on_commit, category="umbrella", description="蓝色折叠伞")
    passport = register(mall, agent, run_on_commit, category="documents", description="外国护照")
    today = timezone.localdate()
    assert umbrella.keep_until == today + timedelta(days=30)
    assert passport.keep_until == today + timedelta(days=3)

    with pytest.raises(LostPropertyError) as early:
        retention.dispose(umbrella, agent, action="donated", recipient="红十字会")
    assert early.value.code == "not_due"
    with pytest.raises(LostPropertyError):
        retention.dispose(passport, agent, action="destroyed")
    with pytest.raises(LostPropertyError) as unapproved:
        retention.dispose(passport, agent, action="police", recipient="南京路派出所 回执 0423")
    assert unapproved.value.code == "needs_manager_approval", "ID papers go to the manager"
    manager = create_staff_user("boss-zhao", "manager", PASSWORD, mall=mall, check_password=False)
    retention.dispose(passport, manager, action="police", recipient="南京路派出所 回执 0423")

    assert retention.mark_due_items(today + timedelta(days=31)) == 1
    umbrella.refresh_from_db()
    assert umbrella.status == ItemStatus.DUE
    with pytest.raises(LostPropertyError):
        retention.dispose(umbrella, agent, action="donated", recipient="")
    retention.dispose(umbrella, agent, action="donated", recipient="红十字会")

    log = {(d.item.number, d.action, d.recipient, d.recorded_by) for d in Disposal.objects.select_related("item")}
    assert log == {(passport.number, "police", "南京路派出所 回执 0423", "boss-zhao"),
                   (umbrella.number, "donated", "红十字会", "desk-wang")}
    assert set(FoundItem.objects.values_list("status", flat=True)) == {ItemStatus.DISPOSED}


def test_the_retention_command_marks_due_items_and_matches_again(mall, agent, run_on_commit, capsys):
    item = register(mall, agent, run_on_commit, category="toy", description="小熊毛绒玩具")
    FoundItem.objects.filter(pk=item.pk).update(keep_until=timezone.localdate() - timedelta(days=1))
    report = LostReport.objects.create(mall=mall, category="toy", description="teddy bear")
    call_command("lostfound_retention")
    assert FoundItem.objects.get(pk=item.pk).status == ItemStatus.DUE
    assert report.suggestions.filter(item=item).exists()
    assert "items now due for disposal: 1" in capsys.readouterr().out


# ---------------------------------------------------------------- figures
def test_figures_count_items_returns_and_time_to_return(mall, agent, run_on_commit):
    items = [register(mall, agent, run_on_commit, description=f"钱包 {n}") for n in range(4)]
    for item, hours in ((items[0], 2), (items[1], 6)):
        claims.hand_over(claim(item, agent), agent, staff_confirmed=True)
        FoundItem.objects.filter(pk=item.pk).update(returned_at=item.registered_at + timedelta(hours=hours))
    today = timezone.localdate()
    figures = office_figures(FoundItem.objects.all(), LostReport.objects.all(), today.replace(day=1), today)
    assert (figures.items_in, figures.returned, figures.return_rate) == (4, 2, 0.5)
    assert figures.median_hours_to_return == 4.0
    assert [(row.category, row.items_in, row.returned) for row in figures.by_category] == [("wallet", 4, 2)]


def test_a_case_survives_when_its_register_row_is_removed(kiosk):
    case, _ = file_kiosk_case(kiosk, "lost_report", "书包", category="bag")
    LostReport.objects.filter(case=case).delete()
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_office_jobs_are_scheduled(mall, agent, run_on_commit):
    from server.core.jobs import registered_jobs, run_job

    jobs = {job.name: job for job in registered_jobs()}
    assert {"lost-property-due", "lost-property-rematch", "lost-report-surnames"} <= set(jobs)
    item = register(mall, agent, run_on_commit, category="keys", description="一串钥匙")
    FoundItem.objects.filter(pk=item.pk).update(keep_until=timezone.localdate() - timedelta(days=1))
    run = run_job(jobs["lost-property-due"], force=True)
    assert run is not None and FoundItem.objects.get(pk=item.pk).status == ItemStatus.DUE


def test_the_spot_tapped_at_the_kiosk_is_where_exactly(kiosk, client, agent):
    found_case, _ = file_kiosk_case(kiosk, "found_item", "捡到一把伞", category="umbrella", level="L1",
                                    extra={"place_point": "112.5,37.0", "place_note": "1F · 云朵咖啡"})
    assert FoundItem.objects.get(case=found_case).place == "1F · 云朵咖啡"
    lost_case, _ = file_kiosk_case(kiosk, "lost_report", "lost an umbrella", category="umbrella", language="en",
                                   extra={"place_point": "10.0,20.0", "place_note": "1F · Near the fountain"})
    client.force_login(agent)
    report = LostReport.objects.get(case=lost_case)
    assert "Near the fountain" in client.get(f"/console/lost-property/reports/{report.pk}/?lang=en").content.decode()
