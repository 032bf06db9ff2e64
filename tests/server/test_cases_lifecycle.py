"""The case rules in server.cases (flows, notes, tracking): the lifecycle table, notes, hand-overs,
tracking look-up."""
from __future__ import annotations

import secrets
from itertools import product

import pytest
from test_cases_support import make_staff, new_case, put_in

from server.cases import flows, notes, presentation, tracking
from server.cases.errors import IllegalTransition, InvalidHandOver, InvalidNote
from server.cases.models import Case, CaseEvent
from server.malls.models import Mall
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus

# The lifecycle as DESIGN decision 4 and the manuals describe it, written out independently of
# the implementation's table: (from, to) pairs that must be allowed. Everything else is refused.
EXPECTED_ALLOWED = {
    (S.NEW, S.ACCEPTED), (S.NEW, S.WITHDRAWN), (S.NEW, S.DUPLICATE),
    (S.ACCEPTED, S.IN_PROGRESS), (S.ACCEPTED, S.WAITING_ON_VISITOR), (S.ACCEPTED, S.RESOLVED),
    (S.ACCEPTED, S.WITHDRAWN), (S.ACCEPTED, S.DUPLICATE),
    (S.IN_PROGRESS, S.WAITING_ON_VISITOR), (S.IN_PROGRESS, S.RESOLVED), (S.IN_PROGRESS, S.WITHDRAWN),
    (S.WAITING_ON_VISITOR, S.IN_PROGRESS), (S.WAITING_ON_VISITOR, S.RESOLVED),
    (S.WAITING_ON_VISITOR, S.WITHDRAWN),
    (S.RESOLVED, S.FOLLOWED_UP), (S.RESOLVED, S.IN_PROGRESS), (S.RESOLVED, S.CLOSED),
    (S.FOLLOWED_UP, S.CLOSED), (S.FOLLOWED_UP, S.IN_PROGRESS),
}


def test_a_complaint_goes_through_the_whole_lifecycle(kiosk, agent):
    case = new_case(kiosk)

    flows.transition(case, S.ACCEPTED, agent, note="已受理，马上处理")
    assert case.owner == agent and case.accepted_at is not None
    flows.transition(case, S.IN_PROGRESS, agent, note="已通知保洁", visibility="internal")
    flows.transition(case, S.WAITING_ON_VISITOR, agent, note="请告诉我们具体是哪个洗手间")
    flows.transition(case, S.IN_PROGRESS, agent)
    flows.transition(case, S.RESOLVED, agent, note="已补充纸巾，感谢反馈")
    assert case.resolved_at is not None
    flows.transition(case, S.FOLLOWED_UP, agent, note="回访：顾客满意", visibility="internal")
    flows.transition(case, S.CLOSED, agent)

    stored = Case.objects.get(pk=case.pk)
    assert stored.status == "closed" and stored.owner == agent
    assert stored.finished_at is not None and stored.status_changed_at == stored.finished_at
    history = list(stored.events.values_list("kind", "from_status", "to_status", "visibility"))
    assert history == [
        ("created", "", "new", "public"),
        ("status", "new", "accepted", "public"),
        ("status", "accepted", "in_progress", "internal"),
        ("status", "in_progress", "waiting_on_visitor", "public"),
        ("status", "waiting_on_visitor", "in_progress", "public"),
        ("status", "in_progress", "resolved", "public"),
        ("status", "resolved", "followed_up", "internal"),
        ("status", "followed_up", "closed", "public"),
    ]
    assert all(event.actor == agent for event in stored.events.exclude(kind="created"))


@pytest.mark.parametrize(
    ("current", "target"), list(product(CaseStatus, CaseStatus)), ids=lambda s: s.value
)
def test_every_transition_is_allowed_or_refused_as_the_lifecycle_says(kiosk, agent, current, target):
    case = put_in(new_case(kiosk, contact_phone=None, contact_consent=False), current, owner=agent)

    if (current, target) in EXPECTED_ALLOWED:
        # A duplicate names the case that carries on (merging.merge_into passes it).
        extra = {"merged_into": new_case(kiosk)} if target == S.DUPLICATE else None
        event = flows.transition(case, target, agent, extra_changes=extra)
        assert Case.objects.get(pk=case.pk).status == target.value
        assert (event.from_status, event.to_status) == (current.value, target.value)
    else:
        with pytest.raises(IllegalTransition):
            flows.transition(case, target, agent)
        assert Case.objects.get(pk=case.pk).status == current.value
        assert not case.events.filter(kind="status").exists()


def test_a_case_with_a_phone_needs_the_call_back_before_closing(kiosk, agent):
    case = put_in(new_case(kiosk), S.RESOLVED, owner=agent)

    with pytest.raises(IllegalTransition, match="call them back|回访"):
        flows.transition(case, S.CLOSED, agent)
    assert S.CLOSED not in flows.allowed_next_statuses(case)

    flows.transition(case, S.FOLLOWED_UP, agent)
    flows.transition(case, S.CLOSED, agent)
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_accepting_needs_a_person_who_becomes_the_owner(kiosk, agent):
    case = new_case(kiosk)

    with pytest.raises(IllegalTransition):
        flows.transition(case, S.ACCEPTED, None)
    flows.transition(case, S.ACCEPTED, agent)

    assert Case.objects.get(pk=case.pk).owner == agent


def test_reopening_a_resolved_case_clears_its_resolution_time(kiosk, agent):
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)
    flows.transition(case, S.RESOLVED, agent)

    flows.transition(case, S.IN_PROGRESS, agent, note="顾客仍不满意，重新处理")

    stored = Case.objects.get(pk=case.pk)
    assert stored.status == "in_progress" and stored.resolved_at is None


def test_two_agents_acting_on_a_stale_page_cannot_both_accept(kiosk, agent, mall):
    other_agent = make_staff("agent-wang", "agent", mall)
    case = new_case(kiosk)
    stale_copy = Case.objects.get(pk=case.pk)

    flows.transition(case, S.ACCEPTED, agent)
    with pytest.raises(IllegalTransition, match="meanwhile|其他人"):
        flows.transition(stale_copy, S.ACCEPTED, other_agent)

    stored = Case.objects.get(pk=case.pk)
    assert stored.owner == agent
    assert stored.events.filter(kind="status").count() == 1


def test_an_unknown_status_is_refused(kiosk, agent):
    with pytest.raises(IllegalTransition):
        flows.transition(new_case(kiosk), "escalated_to_ceo", agent)


def test_notes_are_checked_and_logged_with_their_visibility(kiosk, agent):
    case = new_case(kiosk)

    public = notes.add_note(case, agent, "  我们已联系店铺  ", "public")
    internal = notes.add_note(case, agent, "店长说顾客态度也不好")

    assert (public.note, public.visibility, public.kind) == ("我们已联系店铺", "public", "note")
    assert internal.visibility == "internal"
    for bad in ("", "   ", "x" * 2001, "bell\x07"):
        with pytest.raises(InvalidNote):
            notes.add_note(case, agent, bad)
    with pytest.raises(InvalidNote):
        notes.add_note(case, agent, "ok", visibility="everyone")
    assert case.events.filter(kind="note").count() == 2


def test_a_transition_note_is_checked_too(kiosk, agent):
    case = new_case(kiosk)

    with pytest.raises(InvalidNote):
        flows.transition(case, S.ACCEPTED, agent, note="y" * 2001)

    assert Case.objects.get(pk=case.pk).status == "new"


def test_hand_over_passes_ownership_to_a_handler_of_the_same_mall(kiosk, agent, mall):
    engineer = make_staff("eng-zhao", "department_handler", mall)
    editor = make_staff("editor-qian", "content_editor", mall)
    stranger = make_staff("agent-far", "agent", Mall.objects.create(id="far", name_zh_cn="远方广场"))
    case = new_case(kiosk)

    with pytest.raises(InvalidHandOver):
        flows.hand_over(case, engineer, agent)  # not accepted yet: nobody owns it
    flows.transition(case, S.ACCEPTED, agent)
    for unfit in (editor, stranger, agent):
        with pytest.raises(InvalidHandOver):
            flows.hand_over(case, unfit, agent)
    event = flows.hand_over(case, engineer, agent, note="请工程部检查")

    assert Case.objects.get(pk=case.pk).owner == engineer
    assert event.kind == "assign" and event.visibility == "internal"
    assert "请工程部检查" in event.note


def test_find_by_token_opens_only_the_matching_case(kiosk):
    token = secrets.token_urlsafe(32)
    case = new_case(kiosk, token=token)
    new_case(kiosk)

    assert tracking.find_by_token(token) == case
    assert tracking.find_by_token(secrets.token_urlsafe(32)) is None
    for malformed in ("", "short", "../../etc/passwd", "a" * 500, "令牌" * 20, case.reference):
        assert tracking.find_by_token(malformed) is None
    assert not Case.objects.filter(tracking_token_sha256=token).exists()  # the raw token is not stored


def test_the_public_timeline_leaves_out_internal_events(kiosk, agent):
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent, note="我们会在今天内处理")
    notes.add_note(case, agent, "内部：顾客是常客", "internal")
    flows.transition(case, S.IN_PROGRESS, agent, note="内部：找保洁主管", visibility="internal")

    public_notes = [event.note for event in tracking.public_timeline(case)]

    assert public_notes == ["", "我们会在今天内处理"]


def test_the_visitor_progress_folds_internal_steps(kiosk, agent):
    case = new_case(kiosk)
    assert [s.state for s in tracking.visitor_progress(case)] == ["current", "todo", "todo", "todo", "todo"]

    put_in(case, S.WAITING_ON_VISITOR)
    steps = tracking.visitor_progress(Case.objects.get(pk=case.pk))
    assert [s.state for s in steps] == ["done", "done", "current", "todo", "todo"]

    assert tracking.visitor_progress(put_in(case, S.WITHDRAWN)) == []


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+8613812341234", "+86 138****1234"),
        ("+447911123456", "+447*****3456"),
        (None, ""),
    ],
)
def test_phones_are_masked_for_lists(phone, masked):
    assert presentation.mask_phone(phone) == masked


def test_case_events_survive_their_actor(kiosk, agent):
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)

    agent.delete()

    event = CaseEvent.objects.get(case=case, kind="status")
    assert event.actor is None and event.actor_label == "agent-li"
