"""Who may work the lost-property office: the staff who handle cases (desk agents, managers,
department handlers), for their own mall; administrators for every mall."""
from __future__ import annotations

from django.db.models import QuerySet

from server.cases.access import CHANGE_CASES, can_handle_cases, staff_mall_id

from .models import FoundItem, LostReport


def mall_ids_for(user) -> list[str] | None:
    """The malls `user` works for; None means every mall (administrators)."""
    if user.is_superuser:
        return None
    mall_id = staff_mall_id(user)
    return [mall_id] if mall_id else []


def items_visible_to(user) -> QuerySet[FoundItem]:
    if not can_handle_cases(user):
        return FoundItem.objects.none()
    malls = mall_ids_for(user)
    return FoundItem.objects.all() if malls is None else FoundItem.objects.filter(mall_id__in=malls)


def reports_visible_to(user) -> QuerySet[LostReport]:
    if not can_handle_cases(user):
        return LostReport.objects.none()
    malls = mall_ids_for(user)
    return LostReport.objects.all() if malls is None else LostReport.objects.filter(mall_id__in=malls)


def can_work_items(user) -> bool:
    """Register, hand over and dispose of items (the cases change permission)."""
    return can_handle_cases(user) and user.has_perm(CHANGE_CASES)
