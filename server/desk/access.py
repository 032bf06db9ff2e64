"""Who keeps the desk ledgers: desk agents and managers (the `desk.add_leftluggage` permission,
granted by their roles), each for their own mall; administrators for every mall."""
from __future__ import annotations

from django.db.models import QuerySet

from server.malls.boundary import scope

KEEP_LEDGERS = "desk.add_leftluggage"


def can_keep_ledgers(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(KEEP_LEDGERS))


def visible(queryset: QuerySet, user) -> QuerySet:
    """`queryset` (any desk ledger) limited to what `user` may read."""
    if not can_keep_ledgers(user):
        return queryset.none()
    return scope(queryset, user)
