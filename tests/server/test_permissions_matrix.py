"""Every console route × every role: allowed or refused, as the roles are meant to work.

Allowed means the view did its work or answered the form (200, 302 to a page, 400/409 for the
form's own refusal); refused means 403 (the role may not) or 404 (the case is not theirs to
see). Someone not signed in is sent to the sign-in page. The matrix must name every console
route, so a new route without an entry here fails the suite.
"""
from __future__ import annotations

import io

import pytest
from django.urls import get_resolver
from PIL import Image
from test_cases_support import enrollment, kiosk, make_staff, mall, new_case  # noqa: F401

from server.cases import services
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "administrator", "manager", "agent", "handler_own", "handler_other",
         "content_editor", "manager_other_mall"]
Y, N = "allowed", "refused"

# route name: (method, {role: expectation}); handler_own works in the case's department
# (engineering: the case is about facilities), handler_other in security.
EVERYONE_WITH_CASES = {"administrator": Y, "manager": Y, "agent": Y, "handler_own": Y,
                       "handler_other": N, "content_editor": N, "manager_other_mall": N}
# Their own inbox, without cases that are not theirs, is fine.
LIST_LEVEL = {**EVERYONE_WITH_CASES, "handler_other": Y, "manager_other_mall": Y}
DESK_ONLY = {**EVERYONE_WITH_CASES, "handler_own": N}
REPORTS = {**DESK_ONLY, "manager_other_mall": Y}  # they see their own mall's report
AUDIT = {**REPORTS, "agent": N}
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    "cases:console_home": ("get", LIST_LEVEL),
    "cases:case_list": ("get", LIST_LEVEL),
    "cases:case_new": ("get", {**DESK_ONLY, "handler_other": N, "manager_other_mall": Y}),
    "cases:case_detail": ("get", EVERYONE_WITH_CASES),
    "cases:case_transition": ("post", EVERYONE_WITH_CASES),
    "cases:case_note": ("post", EVERYONE_WITH_CASES),
    "cases:case_hand_over": ("post", EVERYONE_WITH_CASES),
    "cases:case_canned_reply": ("post", EVERYONE_WITH_CASES),
    "cases:case_callback": ("post", EVERYONE_WITH_CASES),
    "cases:case_reveal_contact": ("post", DESK_ONLY),
    "cases:case_attach": ("post", EVERYONE_WITH_CASES),
    "cases:case_attachment": ("get", EVERYONE_WITH_CASES),
    "reports:daily": ("get", REPORTS),
    "reports:monthly": ("get", REPORTS),
    "reports:audit": ("get", AUDIT),
}
PUBLIC_ROUTES = {"cases:track", "cases:track_reply", "cases:track_rate"}


def console_route_names() -> set[str]:
    names = set()
    for namespace in ("cases", "reports"):
        _prefix, resolver = get_resolver().namespace_dict[namespace]
        names |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    return names - PUBLIC_ROUTES


def test_the_matrix_names_every_console_route():
    assert console_route_names() == set(MATRIX)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Seven accounts per test: Argon2 would make this matrix take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(mall):
    from server.content.models import Mall

    far = Mall.objects.create(id="far", name_zh_cn="远方广场")
    return {
        "administrator": make_staff("root", "administrator", None),
        "manager": make_staff("boss", "manager", mall),
        "agent": make_staff("desk", "agent", mall),
        "handler_own": make_staff("eng", "department_handler", mall, department="engineering"),
        "handler_other": make_staff("guard", "department_handler", mall, department="security"),
        "content_editor": make_staff("editor", "content_editor", mall),
        "manager_other_mall": make_staff("far-boss", "manager", far),
    }


def url_and_data(route: str, case, photo_id: int) -> tuple[str, dict]:
    from django.urls import reverse

    if route == "cases:case_attachment":
        return reverse(route, args=[case.pk, photo_id]), {}
    if route in ("cases:console_home", "cases:case_list", "cases:case_new") or route.startswith("reports:"):
        return reverse(route), {}
    data = {
        "cases:case_transition": {"to_status": "in_progress", "visibility": "internal"},
        "cases:case_note": {"text": "检查中", "visibility": "internal"},
        "cases:case_hand_over": {"new_owner": "", "note": ""},
        "cases:case_canned_reply": {"reply": ""},
        "cases:case_callback": {"reached": "no"},
    }.get(route, {})
    return reverse(route, args=[case.pk]), data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_and_role(client, kiosk, mall, people, route, role):
    owner = people["agent"]
    case = new_case(kiosk)  # facilities: routed to engineering
    services.transition(case, CaseStatus.ACCEPTED, owner)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    photo = services.attach_photo(case, owner, "a.png", buffer.getvalue())
    method, expectations = MATRIX[route]
    url, data = url_and_data(route, case, photo.pk)
    if role != "anonymous":
        client.force_login(people[role])

    response = getattr(client, method)(url, data)

    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], response.status_code
        return
    outcome = N if response.status_code in (403, 404) else Y
    assert response.status_code in (200, 302, 400, 403, 404, 409), response.status_code
    if response.status_code == 302:
        assert "/accounts/login/" not in response["Location"]
    assert outcome == expectations[role], (route, role, response.status_code)
