"""Who may see and handle which cases.

Cases carry visitors' personal data (PIPL: need to know), so only roles with the cases
permissions see them (server.accounts.roles: managers, agents, department handlers), and only
for the mall of their staff profile. Superusers (administrators) see every mall. Content
editors and accounts without a mall see none.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from server.accounts.models import StaffProfile

from .models import Case

VIEW_CASES = "cases.view_case"
CHANGE_CASES = "cases.change_case"  # change status, hand over
ADD_NOTES = "cases.add_caseevent"


def staff_mall_id(user) -> str | None:
    """The mall a staff account works for, or None."""
    return StaffProfile.objects.filter(user_id=user.pk).values_list("mall_id", flat=True).first()


def can_handle_cases(user) -> bool:
    """True for active superusers, and for staff of a mall whose role lets them see cases."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.has_perm(VIEW_CASES) and staff_mall_id(user) is not None


def cases_visible_to(user) -> QuerySet[Case]:
    """The cases `user` may open: their mall's, every mall's for superusers, else none."""
    if not can_handle_cases(user):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    return Case.objects.filter(mall_id=staff_mall_id(user))


def can_change_case(user, case: Case) -> bool:
    """May `user` move `case` through its lifecycle or own it?"""
    if not can_handle_cases(user) or not user.has_perm(CHANGE_CASES):
        return False
    return user.is_superuser or staff_mall_id(user) == case.mall_id


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
