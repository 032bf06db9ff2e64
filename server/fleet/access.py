"""Who may see the fleet console and who may act on kiosks, each within their own mall
(administrators in any): the desk and content editors see the kiosks' health; managers and
administrators also approve, revoke, rotate keys, send commands and set the alarms."""
from __future__ import annotations

from server.accounts.roles import Role
from server.accounts.services import has_role

FLEET_VIEWERS = (Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT, Role.CONTENT_EDITOR)
FLEET_OPERATORS = (Role.ADMINISTRATOR, Role.MANAGER)


def _staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_see_fleet(user) -> bool:
    return _staff(user) and (user.is_superuser or has_role(user, *FLEET_VIEWERS))


def can_run_fleet(user) -> bool:
    return _staff(user) and (user.is_superuser or has_role(user, *FLEET_OPERATORS))
