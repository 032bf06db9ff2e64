"""Who may see and handle which cases.

Cases carry visitors' personal data (PIPL: need to know), so only roles with the cases
permissions see them (server.accounts.roles: managers, agents, department handlers), and only
for the mall of their staff profile. Department handlers see only the cases routed to their
department or handed over to them, and those they were added to as collaborators. Superusers
(administrators) see every mall. Content editors and accounts without a mall see none. A
visitor's full phone number is shown only to roles allowed to reveal it, and to the department
handler who owns the case (the procedure's "contact the visitor at once"), one case at a time,
and each reveal is audited.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from server.accounts.roles import Role
from server.malls.boundary import may_see_mall, scope, staff_mall_id
from server.malls.models import StaffProfile

from .models import Case, CaseCollaborator

VIEW_CASES = "cases.view_case"
CHANGE_CASES = "cases.change_case"  # change status, hand over
ADD_NOTES = "cases.add_caseevent"
REGISTER_CASES = "cases.add_case"
REVEAL_CONTACT = "cases.reveal_contact"
ADD_ATTACHMENTS = "cases.add_caseattachment"
VIEW_REPORTS = "cases.view_reports"


def can_handle_cases(user) -> bool:
    """True for active superusers, and for staff of a mall whose role lets them see cases."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.has_perm(VIEW_CASES) and staff_mall_id(user) is not None


def department_scope(user) -> str | None:
    """The department a department handler is limited to ("" if none set), None for others."""
    if user.is_superuser:
        return None
    if not hasattr(user, "_case_department_scope"):
        profile = StaffProfile.objects.filter(user_id=user.pk).values_list("department", flat=True).first()
        limited = user.groups.filter(name=Role.DEPARTMENT_HANDLER.value).exists()
        user._case_department_scope = (profile or "") if limited else None
    return user._case_department_scope


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases `user` may open: their mall's (a department handler: their department's, their
    own and those they collaborate on), every mall's for superusers, else none."""
    if not can_handle_cases(user):
        return Case.objects.none()
    cases = scope(Case.objects.all(), user)
    department = department_scope(user)
    if department is not None:
        cases = cases.filter(Q(department=department, department__gt="") | Q(owner=user)
                             | Q(pk__in=CaseCollaborator.objects.filter(user=user).values("case_id")))
    return cases


def may_own_cases_of(user, mall_id: str) -> bool:
    """Could `user` be handed a case of this mall (any department)?"""
    if not can_handle_cases(user) or not user.has_perm(CHANGE_CASES):
        return False
    return may_see_mall(user, mall_id)


def can_change_case(user, case: Case) -> bool:
    """May `user` move `case` through its lifecycle, add to it, or hand it over?"""
    if not may_own_cases_of(user, case.mall_id):
        return False
    department = department_scope(user)
    return department is None or case.owner_id == user.pk or (department and case.department == department)


def can_register_cases(user) -> bool:
    return can_handle_cases(user) and user.has_perm(REGISTER_CASES)


def can_reveal_contact(user) -> bool:
    return can_handle_cases(user) and user.has_perm(REVEAL_CONTACT)


def can_reveal_contact_of(user, case: Case) -> bool:
    """The desk's roles may reveal any visible case's number; a department handler only the
    number of a case they own, so the department can call the visitor without the desk."""
    if can_reveal_contact(user):
        return True
    return (department_scope(user) is not None and case.owner_id == user.pk
            and can_change_case(user, case))


def is_collaborator(user, case: Case) -> bool:
    return CaseCollaborator.objects.filter(case=case, user_id=user.pk).exists()


def can_note_on(user, case: Case) -> bool:
    """Notes: whoever may change the case, and its collaborators (who change nothing else)."""
    if not can_add_notes(user) or not may_own_cases_of(user, case.mall_id):
        return False
    return can_change_case(user, case) or is_collaborator(user, case)


def may_take(user, case: Case) -> bool:
    """May `user` take the case from its department's queue? Anyone of that department; the
    desk's roles, who are not limited to a department, too."""
    if not may_own_cases_of(user, case.mall_id):
        return False
    department = department_scope(user)
    return department is None or (bool(department) and department == case.department)


def can_add_attachments(user) -> bool:
    return can_handle_cases(user) and user.has_perm(ADD_ATTACHMENTS)


def can_view_reports(user) -> bool:
    return can_handle_cases(user) and user.has_perm(VIEW_REPORTS)


def can_add_notes(user) -> bool:
    return user.has_perm(ADD_NOTES)


def case_handlers_for(case: Case) -> QuerySet:
    """Who a case may be handed over to: active staff of its mall allowed to change cases,
    other than its owner."""
    app_label, codename = CHANGE_CASES.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model().objects.filter(is_active=True, staff_profile__mall_id=case.mall_id)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
        )
        .exclude(pk=case.owner_id)
        .distinct()
        .select_related("staff_profile")
        .order_by("username")
    )
