"""Low scores open a follow-up for the manager (直至合格为止): a one-star rating opens one, a
better rating closes it; a low call-back opens one; only a manager closes one by hand, with a note."""
from __future__ import annotations

import secrets

import pytest
from test_cases_support import csrf_token_of, make_staff, new_case, visible_text

from server.accounts.models import AuditEntry
from server.cases import callbacks, flows, followups, signals, tracking
from server.cases.errors import CaseError
from server.cases.models import Case, FollowUp, FollowUpStatus
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus


@pytest.fixture
def manager(mall):
    return make_staff("manager-wang", "manager", mall)


@pytest.fixture
def resolved(kiosk, agent):
    token = secrets.token_urlsafe(32)
    case = new_case(kiosk, token=token)
    flows.transition(case, S.ACCEPTED, agent)
    flows.transition(case, S.RESOLVED, agent)
    return case, token


@pytest.fixture
def announced():
    heard = []

    def opened(sender, follow_up, case, **kwargs):
        heard.append(("opened", case.pk, follow_up.status))

    def closed(sender, follow_up, case, **kwargs):
        heard.append(("closed", case.pk, follow_up.status))

    signals.follow_up_opened.connect(opened)
    signals.follow_up_closed.connect(closed)
    yield heard
    signals.follow_up_opened.disconnect(opened)
    signals.follow_up_closed.disconnect(closed)


def test_a_one_star_rating_opens_a_follow_up_and_a_better_one_closes_it(
        client, resolved, announced, django_capture_on_commit_callbacks):
    case, token = resolved
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/t/{token}/rate", {"stars": "1", "comment": "没人来修"})
    assert page.status_code == 302
    follow_up = FollowUp.objects.get(case=case)
    assert (follow_up.status, follow_up.low_score, follow_up.opened_by_callback) == ("open", 1, False)
    assert announced == [("opened", case.pk, "open")]

    # While the follow-up is open the visitor may rate again: the tracking page offers the form.
    assert 'name="stars"' in client.get(f"/t/{token}").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/t/{token}/rate", {"stars": "4"})
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.better_score) == ("closed", 4)
    assert Case.objects.get(pk=case.pk).rating == 4
    assert announced[-1] == ("closed", case.pk, "closed")
    # Closed: no more ratings.
    assert 'name="stars"' not in client.get(f"/t/{token}").content.decode()
    with pytest.raises(CaseError):
        tracking.rate_case(Case.objects.get(pk=case.pk), 5)


def test_a_second_low_rating_keeps_the_one_follow_up_open(resolved):
    case, _token = resolved
    tracking.rate_case(case, 2)
    tracking.rate_case(Case.objects.get(pk=case.pk), 1)
    assert list(FollowUp.objects.filter(case=case).values_list("status", "low_score")) == [("open", 2)]


def test_good_ratings_open_nothing(resolved):
    case, _token = resolved
    tracking.rate_case(case, 3)
    assert not FollowUp.objects.exists()


def test_a_low_call_back_opens_one_too(resolved, agent):
    case, _token = resolved
    callbacks.record_callback(case, agent, reached=True, satisfaction=2, outcome="还是不满意")
    follow_up = FollowUp.objects.get(case=case)
    assert follow_up.opened_by_callback and follow_up.low_score == 2


def test_only_a_manager_closes_a_follow_up_by_hand_with_a_note(client, resolved, agent, manager):
    case, _token = resolved
    tracking.rate_case(case, 1)
    follow_up = FollowUp.objects.get(case=case)

    with pytest.raises(CaseError):
        followups.close_by_manager(follow_up, agent, "我处理好了")
    client.force_login(agent)
    page = client.get("/console/follow-ups/")
    assert case.reference in visible_text(page) and "1/5" in visible_text(page)
    assert "The mall manager closes it." in visible_text(page) or "由商场经理关闭" in visible_text(page)

    client.force_login(manager)
    page = client.get("/console/follow-ups/")
    address = f"/console/follow-ups/{follow_up.pk}/close"
    refused = client.post(address, {"note": "  ", "csrfmiddlewaretoken": csrf_token_of(page)})
    assert refused.status_code == 400
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN

    done = client.post(address, {"note": "经理致电道歉，赠送停车券"})
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.closed_by) == ("closed", manager)
    assert follow_up.closing_note == "经理致电道歉，赠送停车券"
    assert AuditEntry.objects.filter(action="case.follow_up_close", subject=case.pk).exists()
    assert case.reference not in visible_text(client.get("/console/follow-ups/"))


def test_staff_of_another_mall_see_no_follow_up(client, resolved, other_mall):
    case, _token = resolved
    tracking.rate_case(case, 1)
    stranger = make_staff("manager-other", "manager", other_mall)
    client.force_login(stranger)
    assert case.reference not in visible_text(client.get("/console/follow-ups/"))
    follow_up = FollowUp.objects.get(case=case)
    assert client.post(f"/console/follow-ups/{follow_up.pk}/close", {"note": "x"}).status_code == 404
