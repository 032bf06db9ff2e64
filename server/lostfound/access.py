"""Who may work the lost-property office: the staff who handle cases (desk agents, managers,
department handlers), for their own mall; administrators for every mall."""
from __future__ import annotations

from django.db.models import QuerySet

from server.accounts.roles import Role
from server.accounts.services import has_role
from server.cases.access import CHANGE_CASES, can_handle_cases
from server.malls.boundary import scope, sees_every_mall, staff_mall_id

from .models import FoundItem, LostReport


def items_visible_to(user) -> QuerySet[FoundItem]:
    if not can_handle_cases(user):
        return FoundItem.objects.none()
    return scope(FoundItem.objects.all(), user)


def reports_visible_to(user) -> QuerySet[LostReport]:
    if not can_handle_cases(user):
        return LostReport.objects.none()
    return scope(LostReport.objects.all(), user)


def can_work_items(user) -> bool:
    """Register, hand over and dispose of items (the cases change permission)."""
    return can_handle_cases(user) and user.has_perm(CHANGE_CASES)


def may_approve_disposal(user, mall_id: str) -> bool:
    """The mall's manager (or an administrator) signs off the disposal of unclaimed valuables."""
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if sees_every_mall(user):
        return True
    return has_role(user, Role.MANAGER, Role.ADMINISTRATOR) and staff_mall_id(user) == mall_id
