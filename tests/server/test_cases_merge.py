"""Merging a duplicate into the case that carries on: the visitor's phone, photos and timeline
move over (labelled), the duplicate's tracking page shows the surviving case in the visitor's
language, and the mall boundary and the lifecycle hold."""
from __future__ import annotations

import io
import secrets

import pytest
from django.test import Client
from PIL import Image
from test_cases_support import csrf_token_of, make_staff, new_case, visible_text

from server.accounts.models import AuditEntry
from server.cases import attachments, collaborators, flows, merging, tracking
from server.cases.errors import IllegalTransition, InvalidMerge
from server.cases.models import Case, CaseAttachment, CaseEvent
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 20, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def tokens() -> dict[str, str]:
    return {"survivor": secrets.token_urlsafe(32), "duplicate": secrets.token_urlsafe(32)}


@pytest.fixture
def survivor(kiosk, agent, tokens):
    """The first report of a leak: no phone left, accepted by the desk, with a public note."""
    case = new_case(kiosk, token=tokens["survivor"], description="三楼北侧洗手间漏水", contact_phone=None,
                    contact_consent=False)
    flows.transition(case, S.ACCEPTED, agent, note="已通知工程部维修")
    return case


@pytest.fixture
def duplicate(kiosk, agent, tokens):
    """The same leak reported again, by a visitor who left a phone, with a photo and a reply."""
    case = new_case(kiosk, token=tokens["duplicate"], description="三楼洗手间地面很多水，差点滑倒",
                    contact_phone="13912345678", contact_consent=True, language="en")
    attachments.attach_photo(case, agent, "floor.png", png())
    return case


def test_merging_moves_the_phone_photos_and_timeline_onto_the_survivor(survivor, duplicate, agent):
    duplicate_events = set(duplicate.events.values_list("pk", flat=True))

    event = merging.merge_into(duplicate, survivor, agent, note="同一处漏水，合并处理")

    kept, merged = Case.objects.get(pk=survivor.pk), Case.objects.get(pk=duplicate.pk)
    assert (merged.status, merged.merged_into_id, merged.finished_at is not None) == ("duplicate", kept.pk, True)
    assert (kept.contact_phone, kept.contact_consent) == ("13912345678", True)
    assert merged.contact_phone is None  # moved, not copied
    assert list(CaseAttachment.objects.filter(case=kept).values_list("filename", flat=True)) == ["floor.png"]
    assert not CaseAttachment.objects.filter(case=merged).exists()
    moved = CaseEvent.objects.filter(pk__in=duplicate_events)
    assert all(e.case_id == kept.pk and e.merged_from_id == merged.pk for e in moved)
    status = CaseEvent.objects.get(case=kept, kind="status", to_status="duplicate")
    assert (status.merged_from_id, status.note, status.visibility) == (merged.pk, "同一处漏水，合并处理", "public")
    assert (event.case_id, event.kind, event.merged_from_id, event.visibility) == (kept.pk, "merge", merged.pk,
                                                                                   "public")
    assert CaseEvent.objects.get(case=merged, kind="merge").note == f"→ {kept.reference}"
    # The survivor's own events stay unlabelled.
    assert kept.events.filter(merged_from__isnull=True, kind="status", to_status="accepted").exists()
    assert AuditEntry.objects.filter(action="case.merge", subject=kept.pk).exists()


def test_the_survivors_phone_is_kept_when_it_has_one(kiosk, agent):
    kept = new_case(kiosk, contact_phone="13800000001")
    other = new_case(kiosk, contact_phone="13800000002")

    merging.merge_into(other, kept, agent)

    assert Case.objects.get(pk=kept.pk).contact_phone == "13800000001"
    assert Case.objects.get(pk=other.pk).contact_phone == "13800000002"  # nothing moved over it


def test_the_duplicates_tracking_page_shows_the_surviving_case_in_the_visitors_language(
        client, survivor, duplicate, agent, tokens):
    flows.transition(duplicate, S.ACCEPTED, agent, note="Thank you, we are on it.")
    merging.merge_into(duplicate, survivor, agent, note="Merged with an earlier report of the same leak.")

    english = client.get(f"/t/{tokens['duplicate']}", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(f"/t/{tokens['duplicate']}", HTTP_ACCEPT_LANGUAGE="zh-CN")
    taiwan = client.get(f"/t/{tokens['duplicate']}", HTTP_ACCEPT_LANGUAGE="zh-TW")

    assert english.status_code == 200
    text = visible_text(english)
    assert (f"Your case {duplicate.reference} was merged with case {survivor.reference}" in text)
    assert survivor.reference in text and "Accepted" in text  # the survivor's status
    assert "三楼洗手间地面很多水" in text  # what this visitor told us, not the other's words
    assert "三楼北侧洗手间漏水" not in text
    assert "已通知工程部维修" in text  # the survivor's public update
    assert f"Case {duplicate.reference}: " in text and "Thank you, we are on it." in text  # labelled
    assert f"Case {duplicate.reference} was merged into this case." in text
    assert f"您的工单 {duplicate.reference} 已与工单 {survivor.reference} 合并" in visible_text(chinese)
    assert f"您的工單 {duplicate.reference} 已與工單 {survivor.reference} 合併" in visible_text(taiwan)
    assert "13912345678" not in english.content.decode()


def test_the_survivors_own_page_shows_both_but_not_the_other_visitors_words(
        client, survivor, duplicate, agent, tokens):
    merging.merge_into(duplicate, survivor, agent)
    CaseEvent.objects.create(case=survivor, kind="visitor", note="我的电话是另一个", visibility="public",
                             actor_label="visitor", merged_from=duplicate)

    text = visible_text(client.get(f"/t/{tokens['survivor']}", HTTP_ACCEPT_LANGUAGE="en"))

    assert "was merged with case" not in text  # this visitor's own case
    assert "三楼北侧洗手间漏水" in text
    assert f"Case {duplicate.reference} was merged into this case." in text
    assert "我的电话是另一个" not in text  # the other visitor's own words stay theirs
    duplicate_text = visible_text(client.get(f"/t/{tokens['duplicate']}", HTTP_ACCEPT_LANGUAGE="en"))
    assert "我的电话是另一个" in duplicate_text


def test_the_visitor_replies_and_rates_through_the_duplicates_link(client, survivor, duplicate, agent, tokens):
    merging.merge_into(duplicate, survivor, agent)
    flows.transition(survivor, S.WAITING_ON_VISITOR, agent, note="请问是哪一侧？")
    page = client.get(f"/t/{tokens['duplicate']}")

    response = client.post(f"/t/{tokens['duplicate']}/reply",
                           {"text": "北侧", "csrfmiddlewaretoken": csrf_token_of(page)})

    assert response.status_code == 302
    kept = Case.objects.get(pk=survivor.pk)
    assert kept.status == "in_progress" and kept.events.filter(kind="visitor", note="北侧").exists()


def test_a_new_merge_carries_earlier_merges_along(kiosk, survivor, duplicate, agent, tokens):
    third = new_case(kiosk, description="厕所漏水")
    merging.merge_into(duplicate, survivor, agent)
    merging.merge_into(survivor, third, agent)

    assert Case.objects.get(pk=duplicate.pk).merged_into_id == third.pk
    found = tracking.find_by_token(tokens["duplicate"])
    assert tracking.surviving_case(found).pk == third.pk
    labels = set(CaseEvent.objects.filter(case=third).values_list("merged_from__reference", flat=True))
    assert labels == {None, survivor.reference, duplicate.reference}


def test_the_team_joins_the_survivor(survivor, duplicate, agent, mall):
    engineer = make_staff("eng-zhao", "department_handler", mall, department="engineering")
    collaborators.add_collaborator(duplicate, engineer, agent)

    merging.merge_into(duplicate, survivor, agent)

    assert list(collaborators.team_of(survivor)) == [engineer]


def test_a_merge_is_refused_across_malls_into_itself_or_into_a_finished_case(
        survivor, duplicate, agent, other_kiosk, kiosk):
    elsewhere = new_case(other_kiosk)
    finished = new_case(kiosk)
    flows.transition(finished, S.WITHDRAWN, agent)

    with pytest.raises(InvalidMerge):
        merging.merge_into(duplicate, elsewhere, agent)
    with pytest.raises(InvalidMerge):
        merging.find_survivor(duplicate, elsewhere.reference)  # another mall's reference is not found
    with pytest.raises(InvalidMerge):
        merging.merge_into(duplicate, duplicate, agent)
    with pytest.raises(InvalidMerge):
        merging.merge_into(duplicate, finished, agent)
    assert Case.objects.get(pk=duplicate.pk).status == "new"
    assert CaseAttachment.objects.filter(case=duplicate).count() == 1


def test_the_lifecycle_decides_which_cases_can_become_duplicates(survivor, duplicate, agent):
    flows.transition(duplicate, S.ACCEPTED, agent)
    flows.transition(duplicate, S.IN_PROGRESS, agent)

    with pytest.raises(IllegalTransition):
        merging.merge_into(duplicate, survivor, agent)
    with pytest.raises(IllegalTransition):
        flows.transition(survivor, S.DUPLICATE, agent)  # never a duplicate of nothing
    assert Case.objects.get(pk=duplicate.pk).contact_phone == "13912345678"  # nothing moved
    assert Case.objects.get(pk=survivor.pk).contact_phone is None


def test_merging_from_the_console_opens_the_survivor(survivor, duplicate, agent):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    page = browser.get(f"/console/cases/{duplicate.pk}/?lang=en")
    assert "Merge into another case" in visible_text(page)

    response = browser.post(f"/console/cases/{duplicate.pk}/merge", {
        "csrfmiddlewaretoken": csrf_token_of(page), "reference": survivor.reference.lower(), "note": "同一件事"})

    assert response.status_code == 302 and response["Location"] == f"/console/cases/{survivor.pk}/"
    text = visible_text(browser.get(response["Location"]))
    assert f"Case {duplicate.reference} was merged into this case." in text
    assert f"from {duplicate.reference}" in text and "三楼洗手间地面很多水" in text
    merged_page = visible_text(browser.get(f"/console/cases/{duplicate.pk}/?lang=en"))
    assert f"This case was merged into {survivor.reference}" in merged_page
    assert "Merge into another case" not in merged_page  # a duplicate is final
    refused = browser.post(f"/console/cases/{survivor.pk}/merge", {
        "csrfmiddlewaretoken": csrf_token_of(page), "reference": "ZZZ-ZZZZ"})
    assert refused.status_code == 409 and "There is no case ZZZ-ZZZZ in this mall." in visible_text(refused)
