"""Departments that act: a department's queue that anyone there may take from (one wins a
race), the temporary team of collaborators, and the owner's audited reveal of the phone."""
from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from test_cases_support import csrf_token_of, make_staff, new_case, visible_text

from server.accounts.models import AuditEntry
from server.cases import collaborators, flows, queues
from server.cases.access import cases_visible_to
from server.cases.errors import CaseError, InvalidCollaborator, InvalidHandOver
from server.cases.models import Case, CaseEvent
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus
PHONE = "13812345678"


def browser_for(user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def post_form(browser: Client, page_url: str, action: str, data: dict):
    """Open the page, then post one of its forms with the page's CSRF token, as a browser does."""
    page = browser.get(page_url)
    assert page.status_code == 200, page.status_code
    return browser.post(action, {"csrfmiddlewaretoken": csrf_token_of(page), **data})


def url_of(case) -> str:
    return f"/console/cases/{case.pk}/"


@pytest.fixture
def security(mall):
    return make_staff("sec-wang", "department_handler", mall, department="security")


@pytest.fixture
def security_two(mall):
    return make_staff("sec-chen", "department_handler", mall, department="security")


@pytest.fixture
def engineer(mall):
    return make_staff("eng-zhao", "department_handler", mall, department="engineering")


@pytest.fixture
def accepted(kiosk, agent):
    """A facilities complaint (routed to engineering) the desk has accepted."""
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)
    return case


# ---------------------------------------------------------------- the queue
def test_a_case_handed_to_a_department_waits_in_its_queue_owned_by_nobody(accepted, agent, security, engineer):
    queues.hand_over_to_department(accepted, "security", agent, note="监控室请查看录像")

    stored = Case.objects.get(pk=accepted.pk)
    assert (stored.department, stored.owner, stored.status) == ("security", None, "accepted")
    event = stored.events.get(kind="queue")
    assert (event.actor, event.visibility) == (agent, "internal") and "监控室请查看录像" in event.note
    assert AuditEntry.objects.filter(action="case.queue", subject=stored.pk).exists()
    assert list(queues.department_queue(cases_visible_to(security), "security")) == [stored]
    assert not cases_visible_to(engineer).filter(pk=stored.pk).exists()  # not engineering's any more


def test_each_handler_sees_their_own_departments_queue_in_the_inbox(accepted, agent, security, engineer, kiosk):
    queues.hand_over_to_department(accepted, "security", agent)
    leak = new_case(kiosk, description="三楼水管漏水")  # new, routed to engineering by its category

    security_inbox = browser_for(security).get("/console/cases/?status=open&department=security&owner=none")
    engineering_inbox = browser_for(engineer).get("/console/cases/?status=open&department=engineering&owner=none")

    assert accepted.reference in visible_text(security_inbox) and leak.reference not in visible_text(security_inbox)
    assert leak.reference in visible_text(engineering_inbox)
    assert accepted.reference not in visible_text(engineering_inbox)


def test_the_inbox_links_to_my_departments_queue_and_mine(accepted, agent, security, security_two):
    queues.hand_over_to_department(accepted, "security", agent)
    browser = browser_for(security)

    page = browser.get("/console/cases/?lang=en")
    assert 'href="?status=open&amp;department=security&amp;owner=none"' in page.content.decode()
    assert "Security queue (1)" in visible_text(page) and "Mine (0)" in visible_text(page)

    queues.take(Case.objects.get(pk=accepted.pk), security)
    page = browser.get("/console/cases/?lang=en")
    assert "Security queue (0)" in visible_text(page) and "Mine (1)" in visible_text(page)
    mine = browser.get(f"/console/cases/?status=open&owner={security.pk}")
    assert accepted.reference in visible_text(mine)
    assert accepted.reference not in visible_text(browser_for(security_two).get(
        f"/console/cases/?status=open&owner={security_two.pk}"))


def test_anyone_in_the_department_takes_the_case_from_the_console(accepted, agent, security):
    queues.hand_over_to_department(accepted, "security", agent)

    response = post_form(browser_for(security), url_of(accepted), f"{url_of(accepted)}take", {})

    assert response.status_code == 302
    stored = Case.objects.get(pk=accepted.pk)
    assert stored.owner == security and stored.events.filter(kind="take", actor=security).exists()
    assert AuditEntry.objects.filter(action="case.take", actor=security).exists()


def test_a_handler_hands_their_case_to_another_departments_queue_and_lets_go(kiosk, engineer, security):
    case = new_case(kiosk)
    queues.take(case, engineer)  # engineering's by its category: the engineer accepts it by taking it
    browser = browser_for(engineer)

    response = post_form(browser, url_of(case), f"{url_of(case)}queue",
                         {"department": "security", "note": "不是设备问题，请安保查看"})

    assert response.status_code == 302 and response["Location"] == "/console/cases/"  # out of their view
    stored = Case.objects.get(pk=case.pk)
    assert (stored.owner, stored.department, stored.status) == (None, "security", "accepted")
    assert browser.get(url_of(case)).status_code == 404
    assert browser_for(security).get(url_of(case)).status_code == 200


def test_two_handlers_taking_at_once_one_wins(accepted, agent, security, security_two):
    queues.hand_over_to_department(accepted, "security", agent)
    seen_by_wang = Case.objects.get(pk=accepted.pk)
    seen_by_chen = Case.objects.get(pk=accepted.pk)  # both pages show the case still in the queue

    queues.take(seen_by_wang, security)
    with pytest.raises(InvalidHandOver, match="took this case meanwhile|被他人领取"):
        queues.take(seen_by_chen, security_two)

    stored = Case.objects.get(pk=accepted.pk)
    assert stored.owner == security
    assert list(stored.events.filter(kind="take").values_list("actor__username", flat=True)) == ["sec-wang"]


@pytest.mark.django_db(transaction=True)
def test_handlers_taking_at_the_same_moment_on_their_own_threads_one_wins(mall, kiosk, agent):
    handlers = [make_staff(f"sec-{n}", "department_handler", mall, department="security") for n in range(4)]
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)
    queues.hand_over_to_department(case, "security", agent)
    start = threading.Barrier(len(handlers))
    won: list[str] = []
    refused: list[str] = []
    failures: list[BaseException] = []

    def take(handler) -> None:
        try:
            seen = Case.objects.get(pk=case.pk)  # each page shows the case in the queue
            start.wait()
            try:
                queues.take(seen, handler)
                won.append(handler.username)
            except InvalidHandOver:
                refused.append(handler.username)
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(handler,)) for handler in handlers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    assert len(won) == 1 and len(refused) == len(handlers) - 1
    stored = Case.objects.get(pk=case.pk)
    assert stored.owner.username == won[0]
    assert list(stored.events.filter(kind="take").values_list("actor__username", flat=True)) == won


def test_two_handlers_taking_a_new_case_at_once_one_accepts_it(kiosk, engineer, mall):
    other_engineer = make_staff("eng-sun", "department_handler", mall, department="engineering")
    case = new_case(kiosk)  # new, in engineering's queue by its category
    seen_first, seen_second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)

    queues.take(seen_first, engineer)
    with pytest.raises(CaseError):
        queues.take(seen_second, other_engineer)

    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.owner) == ("accepted", engineer)
    assert stored.events.filter(kind="status", to_status="accepted").count() == 1


def test_the_race_through_the_console_shows_the_loser_why(accepted, agent, security, security_two):
    queues.hand_over_to_department(accepted, "security", agent)
    loser = browser_for(security_two)
    page = loser.get(f"{url_of(accepted)}?lang=en")  # opened while the case was still in the queue

    queues.take(Case.objects.get(pk=accepted.pk), security)
    response = loser.post(f"{url_of(accepted)}take", {"csrfmiddlewaretoken": csrf_token_of(page)})

    assert response.status_code == 409
    assert "Someone else has taken this case." in visible_text(response)
    assert Case.objects.get(pk=accepted.pk).owner == security


def test_another_department_cannot_take_from_the_queue(accepted, agent, engineer):
    queues.hand_over_to_department(accepted, "security", agent)

    with pytest.raises(InvalidHandOver):
        queues.take(Case.objects.get(pk=accepted.pk), engineer)
    assert Case.objects.get(pk=accepted.pk).owner is None


def test_a_handler_of_another_mall_neither_sees_nor_takes_the_case(accepted, agent, other_mall):
    stranger = make_staff("sec-harbour", "department_handler", other_mall, department="security")
    queues.hand_over_to_department(accepted, "security", agent)

    assert not cases_visible_to(stranger).filter(pk=accepted.pk).exists()
    assert browser_for(stranger).get(url_of(accepted)).status_code == 404
    with pytest.raises(InvalidHandOver):
        queues.take(Case.objects.get(pk=accepted.pk), stranger)


def test_handing_to_a_department_refuses_a_bad_department_and_a_finished_case(accepted, agent):
    with pytest.raises(InvalidHandOver):
        queues.hand_over_to_department(accepted, "canteen", agent)
    flows.transition(accepted, S.WITHDRAWN, agent)
    with pytest.raises(InvalidHandOver):
        queues.hand_over_to_department(accepted, "security", agent)
    assert Case.objects.get(pk=accepted.pk).department == "engineering"


def test_hand_over_to_a_named_person_still_works(accepted, agent, security):
    flows.hand_over(accepted, security, agent)

    stored = Case.objects.get(pk=accepted.pk)
    assert (stored.owner, stored.department) == (security, "security")


# ---------------------------------------------------------------- the owner's reveal
def test_the_handler_who_owns_the_case_reveals_the_phone_and_it_is_logged(accepted, agent, security):
    queues.hand_over_to_department(accepted, "security", agent)
    queues.take(Case.objects.get(pk=accepted.pk), security)
    browser = browser_for(security)
    page = browser.get(f"{url_of(accepted)}?lang=en").content.decode()
    assert PHONE not in page and "138****5678" in page and "Show number" in page

    response = post_form(browser, url_of(accepted), f"{url_of(accepted)}contact", {})

    assert response.status_code == 200 and PHONE in response.content.decode()
    entry = AuditEntry.objects.get(action="case.reveal_contact")
    assert (entry.actor, entry.subject) == (security, accepted.pk)
    assert CaseEvent.objects.filter(case=accepted, kind="reveal", actor=security, visibility="internal").exists()


def test_a_handler_who_does_not_own_the_case_cannot_reveal_the_phone(accepted, agent, security, security_two):
    queues.hand_over_to_department(accepted, "security", agent)
    queues.take(Case.objects.get(pk=accepted.pk), security)
    browser = browser_for(security_two)  # same department, sees the case, does not own it

    page = browser.get(f"{url_of(accepted)}?lang=en")
    assert page.status_code == 200 and "Show number" not in visible_text(page)
    refused = browser.post(f"{url_of(accepted)}contact", {"csrfmiddlewaretoken": csrf_token_of(page)})

    assert refused.status_code == 403 and PHONE not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="case.reveal_contact").exists()
    assert not CaseEvent.objects.filter(kind="reveal").exists()


# ---------------------------------------------------------------- the team
def test_a_collaborator_from_another_department_sees_the_case_and_adds_notes(accepted, agent, security, engineer):
    queues.hand_over_to_department(accepted, "security", agent)
    assert not cases_visible_to(engineer).filter(pk=accepted.pk).exists()

    response = post_form(browser_for(agent), url_of(accepted), f"{url_of(accepted)}team", {"user": engineer.pk})

    assert response.status_code == 302
    assert accepted.events.filter(kind="team", actor=agent).exists()
    assert AuditEntry.objects.filter(action="case.team", subject=accepted.pk).exists()
    browser = browser_for(engineer)
    assert browser.get(url_of(accepted)).status_code == 200
    noted = post_form(browser, url_of(accepted), f"{url_of(accepted)}notes",
                      {"text": "配电箱已检查，无异常", "visibility": "internal"})
    assert noted.status_code == 302
    assert accepted.events.filter(kind="note", actor=engineer, note="配电箱已检查，无异常").exists()


def test_a_collaborator_changes_nothing_else_and_cannot_reveal(accepted, agent, security, engineer):
    queues.hand_over_to_department(accepted, "security", agent)
    collaborators.add_collaborator(accepted, engineer, agent)
    browser = browser_for(engineer)
    page = browser.get(url_of(accepted))
    token = csrf_token_of(page)

    status = browser.post(f"{url_of(accepted)}status", {"csrfmiddlewaretoken": token, "to_status": "resolved",
                                                        "visibility": "public"})
    reveal = browser.post(f"{url_of(accepted)}contact", {"csrfmiddlewaretoken": token})

    assert status.status_code == 403 and reveal.status_code == 403
    assert Case.objects.get(pk=accepted.pk).status == "accepted"
    assert PHONE not in reveal.content.decode()


def test_collaborators_come_from_the_cases_mall_and_join_once(accepted, agent, engineer, other_mall):
    stranger = make_staff("eng-harbour", "department_handler", other_mall, department="engineering")
    collaborators.add_collaborator(accepted, engineer, agent)

    with pytest.raises(InvalidCollaborator):
        collaborators.add_collaborator(accepted, engineer, agent)
    with pytest.raises(InvalidCollaborator):
        collaborators.add_collaborator(accepted, stranger, agent)
    with pytest.raises(InvalidCollaborator):
        collaborators.add_collaborator(accepted, agent, agent)  # the owner
    assert list(collaborators.team_of(accepted)) == [engineer]
    assert stranger not in collaborators.candidates_for(accepted)
