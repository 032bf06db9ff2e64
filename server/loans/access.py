"""Who may run loans at the desk (agents and managers, by the `loans.add_loan` permission) and
who keeps the register of lendable things (managers: `loans.change_lendableitem`), each for their
own mall; administrators for every mall."""
from __future__ import annotations

from django.db.models import QuerySet

from server.malls.boundary import scope

from .models import LendableItem, Loan

RUN_LOANS = "loans.add_loan"
MANAGE_REGISTER = "loans.change_lendableitem"


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_run_loans(user) -> bool:
    return _active(user) and user.has_perm(RUN_LOANS)


def can_manage_register(user) -> bool:
    return _active(user) and user.has_perm(MANAGE_REGISTER)


def items_visible_to(user) -> QuerySet[LendableItem]:
    if not can_run_loans(user):
        return LendableItem.objects.none()
    return scope(LendableItem.objects.all(), user)


def loans_visible_to(user) -> QuerySet[Loan]:
    if not can_run_loans(user):
        return Loan.objects.none()
    return scope(Loan.objects.all(), user)
