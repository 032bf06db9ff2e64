"""Every console route × every role: allowed or refused, as the roles are meant to work.

Allowed means the view did its work or answered the form (200, 302 to a page, 400/409 for the
form's own refusal); refused means 403 (the role may not) or 404 (the object is not theirs to
see). Someone not signed in is sent to the sign-in page, whatever the route.

The console's routes are read from the URL resolver (every pattern under /console/, whichever
app serves it), so a route added without an entry here fails `test_the_matrix_names_every_console_route`.
Each route's objects are built once; each role's request runs in a savepoint rolled back after it,
so one role's POST (a publish, a hand-over) never changes what the next role finds.
"""
from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from lostfound_helpers import file_kiosk_case, signature_data_url
from PIL import Image
from test_cases_support import make_staff

from server.cases import attachments, flows
from sync.protocol import CaseStatus, CommandResult, I18nText

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "administrator", "manager", "agent", "handler_own", "handler_other",
         "content_editor", "manager_other_mall"]
Y, N = "allowed", "refused"


def roles(allowed: set[str]) -> dict[str, str]:
    return {role: Y if role in allowed else N for role in ROLES if role != "anonymous"}


# handler_own works in the case's department (engineering: the case is about facilities),
# handler_other in security. manager_other_mall manages another mall: their own lists and pages
# open, this mall's objects do not.
DESK = {"administrator", "manager", "agent"}
CASE_WORK = roles(DESK | {"handler_own"})
CASE_LISTS = roles(DESK | {"handler_own", "handler_other", "manager_other_mall"})
REGISTER = roles(DESK | {"manager_other_mall"})
REVEAL = roles(DESK)
REPORTS = roles(DESK | {"manager_other_mall"})
AUDIT = roles({"administrator", "manager", "manager_other_mall"})
# The manager writes the report's analysis and closes follow-ups by hand (their own mall's).
ANALYSIS = roles({"administrator", "manager", "manager_other_mall"})
CLOSE_FOLLOW_UP = roles({"administrator", "manager"})
# The lost-property office: every role that handles cases, any department.
LOST_PROPERTY_LISTS = roles(DESK | {"handler_own", "handler_other", "manager_other_mall"})
LOST_PROPERTY_OBJECTS = roles(DESK | {"handler_own", "handler_other"})
# Notices and emergencies: the desk and managers; not department handlers or editors.
BROADCAST_LISTS = roles(DESK | {"manager_other_mall"})
BROADCAST_OBJECTS = roles(DESK)
# Loans at the desk: agents and managers lend; managers keep the register.
LOAN_LISTS = roles(DESK | {"manager_other_mall"})
LOAN_OBJECTS = roles(DESK)
LOAN_REGISTER = roles({"administrator", "manager", "manager_other_mall"})
LOAN_ITEMS = roles({"administrator", "manager"})
# The desk's ledgers (left luggage, first aid, incidents, handovers, meetings): agents and managers.
DESK_LEDGER_LISTS = roles(DESK | {"manager_other_mall"})
DESK_LEDGER_OBJECTS = roles(DESK)
# Promotions and the map: content editors and managers.
CONTENT_LISTS = roles({"administrator", "manager", "content_editor", "manager_other_mall"})
CONTENT_OBJECTS = roles({"administrator", "manager", "content_editor"})
# The kiosk fleet: the desk and editors see it; managers act on kiosks and set the alarms.
FLEET_LISTS = roles({"administrator", "manager", "agent", "content_editor", "manager_other_mall"})
FLEET_SETTINGS = roles({"administrator", "manager", "manager_other_mall"})
FLEET_OBJECTS = roles({"administrator", "manager", "agent", "content_editor"})
FLEET_ACTIONS = roles({"administrator", "manager"})

# route name: [(method, {role: expectation}), ...]; routes answering GET and POST are tried both ways.
MATRIX: dict[str, list[tuple[str, dict[str, str]]]] = {
    "cases:console_home": [("get", CASE_LISTS)],
    "cases:case_list": [("get", CASE_LISTS)],
    "cases:case_new": [("get", REGISTER), ("post", REGISTER)],
    "cases:case_detail": [("get", CASE_WORK)],
    "cases:case_transition": [("post", CASE_WORK)],
    "cases:case_note": [("post", CASE_WORK)],
    "cases:case_hand_over": [("post", CASE_WORK)],
    "cases:case_canned_reply": [("post", CASE_WORK)],
    "cases:case_callback": [("post", CASE_WORK)],
    "cases:case_reveal_contact": [("post", REVEAL)],
    "cases:case_attach": [("post", CASE_WORK)],
    "cases:case_attachment": [("get", CASE_WORK)],
    "cases:case_priority": [("post", CASE_WORK)],
    "cases:case_escalate": [("post", CASE_WORK)],
    "cases:case_queue": [("post", CASE_WORK)],
    "cases:case_take": [("post", CASE_WORK)],
    "cases:case_team": [("post", CASE_WORK)],
    "cases:case_merge": [("post", CASE_WORK)],
    "cases:deadlines": [("get", CASE_LISTS)],
    "cases:same_day_reports": [("get", REPORTS)],
    "reports:daily": [("get", REPORTS)],
    "reports:monthly": [("get", REPORTS)],
    "reports:print": [("get", REPORTS)],
    "reports:analysis": [("post", ANALYSIS)],
    "cases:follow_ups": [("get", CASE_LISTS)],
    "cases:follow_up_close": [("post", CLOSE_FOLLOW_UP)],
    "reports:audit": [("get", AUDIT)],
    "lostfound:item_list": [("get", LOST_PROPERTY_LISTS)],
    "lostfound:item_create": [("get", LOST_PROPERTY_LISTS), ("post", LOST_PROPERTY_LISTS)],
    "lostfound:item_detail": [("get", LOST_PROPERTY_OBJECTS)],
    "lostfound:item_receive": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:item_storage": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:item_photo_add": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:item_photo": [("get", LOST_PROPERTY_OBJECTS)],
    "lostfound:item_label": [("get", LOST_PROPERTY_OBJECTS)],
    "lostfound:item_dispose": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:item_disposal_request": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:item_disposal_approve": [("post", roles({"administrator", "manager"}))],
    "lostfound:item_announce": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:claim_new": [("get", LOST_PROPERTY_OBJECTS), ("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:label_scan": [("get", LOST_PROPERTY_OBJECTS)],
    "lostfound:report_list": [("get", LOST_PROPERTY_LISTS)],
    "lostfound:report_create": [("get", LOST_PROPERTY_LISTS), ("post", LOST_PROPERTY_LISTS)],
    "lostfound:report_detail": [("get", LOST_PROPERTY_OBJECTS)],
    "lostfound:report_rematch": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:report_suggest": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:suggestion_decide": [("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:claim_handover": [("get", LOST_PROPERTY_OBJECTS), ("post", LOST_PROPERTY_OBJECTS)],
    "lostfound:claim_signature": [("get", LOST_PROPERTY_OBJECTS)],
    "lostfound:retention": [("get", LOST_PROPERTY_LISTS)],
    "lostfound:figures": [("get", LOST_PROPERTY_LISTS)],
    "broadcasts:broadcast_list": [("get", BROADCAST_LISTS), ("post", BROADCAST_LISTS)],
    "broadcasts:broadcast_detail": [("get", BROADCAST_OBJECTS)],
    "broadcasts:broadcast_end": [("post", BROADCAST_OBJECTS)],
    "loans:overview": [("get", LOAN_LISTS)],
    "loans:loan_new": [("get", LOAN_LISTS), ("post", LOAN_LISTS)],
    "loans:loan_return": [("post", LOAN_OBJECTS)],
    "loans:overdue": [("get", LOAN_LISTS)],
    "loans:register": [("get", LOAN_LISTS), ("post", LOAN_REGISTER)],
    "loans:item_state": [("post", LOAN_ITEMS)],
    "desk:luggage_list": [("get", DESK_LEDGER_LISTS)],
    "desk:luggage_create": [("get", DESK_LEDGER_LISTS), ("post", DESK_LEDGER_LISTS)],
    "desk:luggage_find": [("get", DESK_LEDGER_LISTS)],
    "desk:luggage_closing": [("get", DESK_LEDGER_LISTS)],
    "desk:luggage_detail": [("get", DESK_LEDGER_OBJECTS)],
    "desk:luggage_pick_up": [("post", DESK_LEDGER_OBJECTS)],
    "desk:luggage_ticket": [("get", DESK_LEDGER_OBJECTS)],
    "desk:first_aid_list": [("get", DESK_LEDGER_LISTS), ("post", DESK_LEDGER_LISTS)],
    "desk:incident_list": [("get", DESK_LEDGER_LISTS)],
    "desk:incident_create": [("get", DESK_LEDGER_LISTS), ("post", DESK_LEDGER_LISTS)],
    "desk:incident_detail": [("get", DESK_LEDGER_OBJECTS), ("post", DESK_LEDGER_OBJECTS)],
    "desk:incident_move": [("post", DESK_LEDGER_OBJECTS)],
    "desk:handover_list": [("get", DESK_LEDGER_LISTS)],
    "desk:handover_create": [("get", DESK_LEDGER_LISTS), ("post", DESK_LEDGER_LISTS)],
    "desk:handover_detail": [("get", DESK_LEDGER_OBJECTS)],
    "desk:handover_acknowledge": [("post", DESK_LEDGER_OBJECTS)],
    "desk:meeting_list": [("get", DESK_LEDGER_LISTS), ("post", DESK_LEDGER_LISTS)],
    "desk:meeting_detail": [("get", DESK_LEDGER_OBJECTS)],
    "desk:help_list": [("get", DESK_LEDGER_LISTS)],
    "desk:help_alert": [("get", DESK_LEDGER_LISTS)],
    "desk:help_acknowledge": [("post", DESK_LEDGER_OBJECTS)],
    "desk:help_resolve": [("post", DESK_LEDGER_OBJECTS)],
    "content:promotion_list": [("get", CONTENT_LISTS)],
    "content:promotion_new": [("get", CONTENT_LISTS), ("post", CONTENT_LISTS)],
    "content:promotion_edit": [("get", CONTENT_OBJECTS), ("post", CONTENT_OBJECTS)],
    "content:publish": [("post", CONTENT_LISTS)],
    "fleet:proof_of_play": [("get", CONTENT_LISTS)],
    "fleet:fleet_list": [("get", FLEET_LISTS)],
    "fleet:fleet_settings": [("post", FLEET_SETTINGS)],
    "fleet:kiosk_detail": [("get", FLEET_OBJECTS)],
    "fleet:kiosk_approve": [("post", FLEET_ACTIONS)],
    "fleet:kiosk_revoke": [("post", FLEET_ACTIONS)],
    "fleet:kiosk_rotate_key": [("post", FLEET_ACTIONS)],
    "fleet:kiosk_command": [("post", FLEET_ACTIONS)],
    "fleet:command_screenshot": [("get", FLEET_OBJECTS)],
    "wayfinding:console": [("get", CONTENT_LISTS)],
    "wayfinding:close_connector": [("post", CONTENT_LISTS)],
    "wayfinding:publish": [("post", CONTENT_LISTS)],
    "wayfinding:map_upload": [("post", CONTENT_LISTS)],
    "wayfinding:map_review": [("get", CONTENT_LISTS)],
    "wayfinding:map_publish": [("post", CONTENT_LISTS)],
    "wayfinding:map_discard": [("post", CONTENT_LISTS)],
    "wayfinding:map_export": [("get", CONTENT_LISTS)],
    "notifications:preferences": [("get", CASE_LISTS), ("post", CASE_LISTS)],
}


def console_route_names() -> set[str]:
    """The name of every URL pattern under /console/, from the resolver itself."""

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern),
                                pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or repr(pattern))
                yield prefix + str(pattern.pattern), name

    return {name for route, name in walk(get_resolver().url_patterns, "", None)
            if route.lstrip("^").startswith("console/")}


def test_the_matrix_names_every_console_route():
    routes = console_route_names()
    assert len(routes) > 40, routes  # the walk found the console
    assert routes - set(MATRIX) == set(), "console routes without a matrix entry"
    assert set(MATRIX) - routes == set(), "matrix entries for routes that are gone"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Seven accounts per test: Argon2 would make this matrix take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 60, 120)).save(buffer, format="JPEG")
    return buffer.getvalue()


def png(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 60, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(imported_mall, published):
    """One mall with something behind every console route, its staff in every role, and a staff
    member of another mall."""
    from server.broadcasts import services as broadcasts
    from server.fleet import services as fleet
    from server.lostfound import claims, intake, suggestions
    from server.lostfound.models import LostReport
    from server.malls.models import Mall

    mall = imported_mall
    far = Mall.objects.create(id="far", name_zh_cn="远方广场")
    people = {
        "administrator": make_staff("root", "administrator", None),
        "manager": make_staff("boss", "manager", mall),
        "agent": make_staff("desk", "agent", mall),
        "handler_own": make_staff("eng", "department_handler", mall, department="engineering"),
        "handler_other": make_staff("guard", "department_handler", mall, department="security"),
        "content_editor": make_staff("editor", "content_editor", mall),
        "manager_other_mall": make_staff("far-boss", "manager", far),
    }
    agent = people["agent"]
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall, "k-lobby").code).kiosk

    from test_cases_support import new_case

    case = new_case(kiosk)  # facilities: routed to engineering
    flows.transition(case, CaseStatus.ACCEPTED, agent)
    from server.cases.models import FollowUp

    follow_up = FollowUp.objects.create(case=case, low_score=1)
    photo = attachments.attach_photo(case, agent, "a.png", png())

    item = intake.register_found_item(
        mall, agent, category="phone", description="黑色手机", found_at=timezone.now(), colour="black",
        brand="华为", storage_place="Safe A", hidden_details="壁纸是一只猫")
    item_photo = intake.add_photo(item, png((8, 8)))
    lost_case, _token = file_kiosk_case(kiosk, "lost_report", "black Huawei phone", category="phone",
                                        colour="black", brand="Huawei", language="en")
    report = LostReport.objects.get(case=lost_case)
    suggestions.rematch_report(report)
    suggestion = report.suggestions.get(item=item)
    returned = intake.register_found_item(
        mall, agent, category="umbrella", description="蓝伞", found_at=timezone.now(), colour="blue",
        storage_place="Shelf 2", hidden_details="伞柄有划痕")
    claim = claims.start_claim(returned, agent, claimant_name="Li", questions="handle?", answers="scratched",
                                  answers_match=True, id_kind="passport", id_last_digits="1234")
    claims.hand_over(claim, agent, signature_data_url=signature_data_url())

    broadcast = broadcasts.send_broadcast(
        mall, kind="notice", reason="lost_child",
        title=I18nText(zh_CN="寻人", en="Lost child", zh_TW="尋人"),
        text=I18nText(zh_CN="请到服务台", en="Come to the desk", zh_TW="請到服務臺"),
        duration=timedelta(hours=1), user=agent)
    from server.loans import lending

    wheelchair = lending.register_item(mall, kind="wheelchair", tag="LY-01", kept_at="f-desk", note="",
                                       actor=people["manager"])
    loan = lending.lend(mall, lending.LoanRequest(surname="王", phone="13812345678", security="id_card_sighted",
                                                  kind="wheelchair"), agent)
    from server.desk import handovers, incidents, luggage, meetings

    bags = luggage.check_in(mall, agent, description="行李箱", pieces=1, surname="王", phone="13812345678")
    incident = incidents.record_incident(mall, agent, kind="injury", occurred_at=timezone.now(), what="滑倒")
    handover = handovers.write_handover(mall, agent, open_matters="电梯维修", cases=[case], found_items=[item],
                                        luggage=[bags])
    meeting = meetings.record_meeting(mall, agent, day=timezone.localdate(), attendees="王", notes="晨会")
    from ulid import ULID

    from server.desk import help as assistance
    from sync.protocol import AssistanceRequest

    asked, _ = assistance.receive(kiosk, AssistanceRequest(id=str(ULID()), requested_at=timezone.now()))
    desk_ledgers = {"desk:luggage_detail": bags.pk, "desk:luggage_pick_up": bags.pk, "desk:luggage_ticket": bags.pk,
                    "desk:incident_detail": incident.pk, "desk:incident_move": incident.pk,
                    "desk:handover_detail": handover.pk, "desk:handover_acknowledge": handover.pk,
                    "desk:meeting_detail": meeting.pk,
                    "desk:help_acknowledge": asked.pk, "desk:help_resolve": asked.pk}
    from server.fleet import remote

    screenshot = remote.send_command(kiosk, "screenshot", people["manager"])
    remote.record_result(kiosk, screenshot.pk, CommandResult(ok=True, screenshot_jpeg_b64=base64.b64encode(
        jpeg()).decode()))
    return {"people": people, "case": case, "photo": photo, "item": item, "item_photo": item_photo,
            "kiosk": kiosk, "screenshot": screenshot,
            "desk_ledgers": desk_ledgers,
            "report": report, "suggestion": suggestion, "claim": claim, "broadcast": broadcast,
            "loan": loan, "lendable": wheelchair, "follow_up": follow_up}


def url_and_data(route: str, method: str, world) -> tuple[str, dict]:
    case, item = world["case"], world["item"]
    args = {
        "cases:case_attachment": [case.pk, world["photo"].pk],
        "lostfound:item_photo": [item.pk, world["item_photo"].pk],
        "lostfound:label_scan": [item.label_token],
        "lostfound:report_detail": [world["report"].pk],
        "lostfound:report_rematch": [world["report"].pk],
        "lostfound:report_suggest": [world["report"].pk],
        "lostfound:suggestion_decide": [world["report"].pk, world["suggestion"].pk],
        "lostfound:claim_handover": [world["claim"].pk],
        "lostfound:claim_signature": [world["claim"].pk],
        "broadcasts:broadcast_detail": [world["broadcast"].id],
        "broadcasts:broadcast_end": [world["broadcast"].id],
        "content:promotion_edit": ["p-tea"],
        "loans:loan_return": [world["loan"].pk],
        "loans:item_state": [world["lendable"].pk],
        "cases:follow_up_close": [world["follow_up"].pk],
        "fleet:command_screenshot": [world["screenshot"].pk],
    }.get(route)
    if route.startswith("fleet:kiosk_"):
        args = [world["kiosk"].pk]
    if route in world["desk_ledgers"]:
        args = [world["desk_ledgers"][route]]
    if args is None and route.startswith("cases:case_") and route not in ("cases:case_list", "cases:case_new"):
        args = [case.pk]
    if args is None and route.startswith("lostfound:item_") and route not in (
            "lostfound:item_list", "lostfound:item_create"):
        args = [item.pk]
    if route == "lostfound:claim_new":
        args = [item.pk]
    data = {
        "cases:case_transition": {"to_status": "in_progress", "visibility": "internal"},
        "cases:case_note": {"text": "检查中", "visibility": "internal"},
        "cases:case_hand_over": {"new_owner": "", "note": ""},
        "cases:case_canned_reply": {"reply": ""},
        "cases:case_callback": {"reached": "no"},
        "lostfound:suggestion_decide": {"decision": "reject"},
        "lostfound:report_suggest": {"item": str(world["item"].pk)},
        "wayfinding:close_connector": {"connector": "f-lift", "closed": "1"},
        "loans:item_state": {"state": "out_of_service"},
        "desk:incident_move": {"status": "closed"},
        "cases:follow_up_close": {"note": "经理已致电道歉"},
        "fleet:kiosk_command": {"kind": "reload"},
        "fleet:fleet_settings": {"offline_after_minutes": "20"},
        "reports:analysis": {"period": "month", "at": "2026-11", "text": "本月投诉集中在二楼"},
    }.get(route, {}) if method == "post" else {}
    # An administrator works across malls and picks one with ?mall= (others' pages ignore it).
    return reverse(route, args=args or []) + f"?mall={case.mall_id}", data


def request_as(client, people, role: str, route: str, method: str, world):
    url, data = url_and_data(route, method, world)
    client.logout()
    if role != "anonymous":
        client.force_login(people[role])
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_for_every_role(client, world, route):
    wrong = []
    for method, expectations in MATRIX[route]:
        assert set(expectations) | {"anonymous"} == set(ROLES), route
        for role in ROLES:
            response = request_as(client, world["people"], role, route, method, world)
            code = response.status_code
            if role == "anonymous":
                if not (code == 302 and "/accounts/login/" in response["Location"]):
                    wrong.append(f"{method} as anonymous: {code}, not sent to sign in")
                continue
            if code not in (200, 302, 400, 403, 404, 409):
                wrong.append(f"{method} as {role}: status {code}")
                continue
            if code == 302 and "/accounts/login/" in response["Location"]:
                wrong.append(f"{method} as {role}: sent to sign in though signed in")
                continue
            outcome = N if code in (403, 404) else Y
            if outcome != expectations[role]:
                wrong.append(f"{method} as {role}: {outcome} ({code}), meant to be {expectations[role]}")
    assert not wrong, f"{route}:\n  " + "\n  ".join(wrong)
