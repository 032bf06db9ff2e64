"""The lost-property lifecycles (server.lostfound.flows): every move the tables allow works through
`move`, stamps its time and writes the audit entry; every other move is refused with an
IllegalMove, which the console shows as a message rather than failing."""
from __future__ import annotations

import itertools
import secrets
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override
from lostfound_helpers import PASSWORD

from server.accounts.models import AuditEntry
from server.accounts.services import create_staff_user
from server.lostfound import flows, retention, suggestions
from server.lostfound.errors import IllegalMove, LostPropertyError
from server.lostfound.models import (
    Claim,
    ClaimStatus,
    DisposalApproval,
    FoundItem,
    ItemStatus,
    LostReport,
    MatchSuggestion,
    ReportStatus,
    SuggestionStatus,
)
from server.malls.models import Mall

pytestmark = pytest.mark.django_db


@pytest.fixture
def mall():
    return Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza")


@pytest.fixture
def agent(mall):
    return create_staff_user("desk-wang", "agent", PASSWORD, mall=mall, check_password=False)


def an_item(mall, status=ItemStatus.STORED, category="documents", *, signed_off=True) -> FoundItem:
    """An item; ID papers and the like come with the manager's approval to dispose of them unless told not to."""
    now = timezone.now()
    item = FoundItem.objects.create(
        mall=mall, number=f"LF-T-{secrets.token_hex(4)}", category=category, description="黑色钱包",
        found_at=now, status=status, keep_until=timezone.localdate(now) + timedelta(days=30),
        label_token=secrets.token_urlsafe(18))
    if signed_off:
        DisposalApproval.objects.create(item=item, action="police", requested_by="desk-wang",
                                        approved_by="boss-zhao", approved_at=now)
    return item


def a_report(mall, status=ReportStatus.OPEN) -> LostReport:
    return LostReport.objects.create(mall=mall, category="wallet", description="黑色钱包", status=status)


def a_suggestion(mall, status=SuggestionStatus.SUGGESTED) -> MatchSuggestion:
    return MatchSuggestion.objects.create(report=a_report(mall), item=an_item(mall), score=0.8, status=status)


def a_claim(mall, status=ClaimStatus.STARTED) -> Claim:
    return Claim.objects.create(
        item=an_item(mall), claimant_name="李女士", questions="里面有什么？", answers="一张全家福",
        answers_match=True, id_kind="resident_id", id_last_digits="123X", id_checked_by="desk-wang", status=status)


KINDS = {
    "item": (an_item, ItemStatus, flows.ITEM_MOVES),
    "report": (a_report, ReportStatus, flows.REPORT_MOVES),
    "suggestion": (a_suggestion, SuggestionStatus, flows.SUGGESTION_MOVES),
    "claim": (a_claim, ClaimStatus, flows.CLAIM_MOVES),
}
MOVES = [(kind, current, target) for kind, (_, statuses, _) in KINDS.items()
         for current, target in itertools.product(statuses, repeat=2)]
ALLOWED = [(kind, current, target) for kind, current, target in MOVES if target in KINDS[kind][2][current]]
REFUSED = [(kind, current, target) for kind, current, target in MOVES if target not in KINDS[kind][2][current]]


def test_every_status_has_a_row_in_its_table():
    for _, statuses, moves in KINDS.values():
        assert set(moves) == set(statuses)
        assert all(set(targets) <= set(statuses) for targets in moves.values())


@pytest.mark.parametrize(("kind", "current", "target"), ALLOWED, ids=lambda v: str(v))
def test_every_allowed_move_works_stamps_the_time_and_is_audited(mall, agent, kind, current, target):
    make, _, _ = KINDS[kind]
    record = make(mall, current)
    before = timezone.now()
    assert flows.move(record, target, agent) is record
    stored = type(record).objects.get(pk=record.pk)
    assert stored.status == record.status == target
    stamp = flows.LIFECYCLES[type(record)].stamp
    assert getattr(stored, stamp) >= before
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.mall_id) == (flows.LIFECYCLES[type(record)].action, agent.pk, "plaza")
    assert entry.detail.endswith(f"{current} → {target}")


@pytest.mark.parametrize(("kind", "current", "target"), REFUSED, ids=lambda v: str(v))
def test_every_other_move_is_refused_with_a_message(mall, agent, kind, current, target):
    make, _, _ = KINDS[kind]
    record = make(mall, current)
    with pytest.raises(IllegalMove) as refused:
        flows.move(record, target, agent)
    assert isinstance(refused.value, LostPropertyError), "views show every lost-property error as a message"
    assert refused.value.message and refused.value.code
    assert type(record).objects.get(pk=record.pk).status == current == record.status
    assert not AuditEntry.objects.exists()


@override("en")
def test_the_refusal_names_both_statuses_unless_it_has_its_own_words(mall, agent):
    with pytest.raises(IllegalMove) as refused:
        flows.move(an_item(mall, ItemStatus.RETURNED), ItemStatus.DUE, agent)
    assert refused.value.code == "illegal_move"
    assert "Returned" in refused.value.message and "Due for disposal" in refused.value.message
    with pytest.raises(IllegalMove) as own_words:
        flows.move(an_item(mall, ItemStatus.STORED), ItemStatus.STORED, agent)
    assert (own_words.value.code, own_words.value.message) == ("not_announced", "This item has already been received.")


@override("en")
def test_an_unknown_status_is_refused(mall, agent):
    with pytest.raises(IllegalMove, match="Unknown status"):
        flows.move(an_item(mall), "lost_in_space", agent)


def test_only_documents_and_cards_leave_storage_before_they_are_due(mall, agent):
    wallet = an_item(mall, category="wallet")
    assert ItemStatus.DISPOSED not in flows.allowed_moves(wallet)
    with pytest.raises(IllegalMove) as refused:
        flows.move(wallet, ItemStatus.DISPOSED, agent)
    assert refused.value.code == "not_due"
    for category in ("documents", "card"):
        item = an_item(mall, category=category)
        assert ItemStatus.DISPOSED in flows.allowed_moves(item)
        assert flows.move(item, ItemStatus.DISPOSED, agent).status == ItemStatus.DISPOSED


@pytest.mark.parametrize("category", ["phone", "documents", "card", "wallet"])
def test_valuables_are_not_disposed_of_without_the_managers_approval(mall, agent, category):
    item = an_item(mall, ItemStatus.DUE, category=category, signed_off=False)
    with pytest.raises(IllegalMove) as refused:
        flows.move(item, ItemStatus.DISPOSED, agent)
    assert refused.value.code == "needs_manager_approval"
    assert FoundItem.objects.get(pk=item.pk).status == ItemStatus.DUE and not AuditEntry.objects.exists()
    assert flows.move(an_item(mall, ItemStatus.DUE, category="umbrella", signed_off=False),
                      ItemStatus.DISPOSED, agent).status == ItemStatus.DISPOSED


def test_moving_stamps_the_time_of_the_status_reached(mall, agent):
    item = flows.move(an_item(mall), ItemStatus.RETURNED, agent)
    assert FoundItem.objects.get(pk=item.pk).returned_at == item.returned_at is not None
    report = flows.move(a_report(mall), ReportStatus.MATCHED, agent)
    assert LostReport.objects.get(pk=report.pk).matched_at == report.matched_at is not None
    claim = flows.move(a_claim(mall), ClaimStatus.HANDED_OVER, agent)
    assert Claim.objects.get(pk=claim.pk).handed_over_at == claim.handed_over_at is not None


def test_of_two_people_moving_the_same_record_only_the_first_succeeds(mall, agent):
    report = a_report(mall)
    stale = LostReport.objects.get(pk=report.pk)
    flows.move(report, ReportStatus.RETURNED, agent)
    with pytest.raises(IllegalMove) as refused:
        flows.move(stale, ReportStatus.MATCHED, agent)
    assert refused.value.code == "already_matched"
    suggestion = a_suggestion(mall)
    stale = MatchSuggestion.objects.get(pk=suggestion.pk)
    flows.move(suggestion, SuggestionStatus.REJECTED, agent)
    with pytest.raises(IllegalMove) as refused:
        flows.move(stale, SuggestionStatus.CONFIRMED, agent)
    assert refused.value.code == "changed_meanwhile"
    assert MatchSuggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.REJECTED
    assert AuditEntry.objects.count() == 2


def test_confirming_twice_is_refused_and_leaves_the_first_decision(mall, agent):
    report = a_report(mall)
    first = MatchSuggestion.objects.create(report=report, item=an_item(mall), score=0.9)
    second = MatchSuggestion.objects.create(report=report, item=an_item(mall), score=0.7)
    suggestions.confirm_match(first, agent)
    with pytest.raises(IllegalMove) as refused:
        suggestions.confirm_match(second, agent)
    assert refused.value.code == "already_matched"
    second.refresh_from_db()
    assert second.status == SuggestionStatus.SUGGESTED, "the refused confirmation changed nothing"


def test_marking_items_due_goes_through_the_lifecycle_as_the_system(mall):
    overdue = an_item(mall, category="umbrella")
    FoundItem.objects.filter(pk=overdue.pk).update(keep_until=timezone.localdate() - timedelta(days=1))
    an_item(mall, category="umbrella")  # still within its retention time
    assert retention.mark_due_items() == 1
    assert retention.mark_due_items() == 0, "idempotent"
    overdue.refresh_from_db()
    assert overdue.status == ItemStatus.DUE
    entry = AuditEntry.objects.get()
    assert (entry.actor_label, entry.action, entry.subject) == ("system", "lostfound.item_status", overdue.number)


def test_the_console_shows_a_refused_move_as_a_message(client, mall, agent):
    client.force_login(agent)
    stored = an_item(mall, category="wallet")
    receive = client.post(f"/console/lost-property/items/{stored.pk}/receive?lang=en",
                          {"storage_place": "Safe A", "hidden_details": ""})
    assert receive.status_code == 409
    assert "This item has already been received." in receive.content.decode()
    dispose = client.post(f"/console/lost-property/items/{stored.pk}/dispose?lang=en",
                          {"action": "police", "recipient": "南京路派出所", "note": ""})
    assert dispose.status_code == 409
    assert "Only an unclaimed item past its retention time can be disposed of." in dispose.content.decode()
    assert FoundItem.objects.get(pk=stored.pk).status == ItemStatus.STORED
