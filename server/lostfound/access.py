"""Who may work the lost-property office: the staff who handle cases (desk agents, managers,
department handlers), for their own mall; administrators for every mall."""
from __future__ import annotations

from django.db.models import QuerySet

from server.cases.access import CHANGE_CASES, can_handle_cases
from server.malls.boundary import scope

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
