"""Who may send and end notices and emergencies: the service desk (lost child, closing time),
mall managers and administrators, each for their own mall (administrators for any)."""
from __future__ import annotations

from server.accounts.roles import Role
from server.accounts.services import has_role

BROADCASTING_ROLES = (Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT)


def can_broadcast(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or has_role(user, *BROADCASTING_ROLES)
