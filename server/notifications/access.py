"""Who may set what: everyone who handles cases chooses their own e-mails; the mall's managers
(and administrators) set their departments' group robots and see what was sent."""
from __future__ import annotations

from server.accounts.roles import Role
from server.cases.access import can_handle_cases


def can_set_notifications(user) -> bool:
    return can_handle_cases(user)


def can_manage_department_channels(user) -> bool:
    if not can_handle_cases(user):
        return False
    return user.is_superuser or user.groups.filter(name=Role.MANAGER.value).exists()
