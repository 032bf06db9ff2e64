"""Roles are Django groups (created by a data migration) with a defined set of permissions.

The manuals' division of work: agents take and own cases at the desk; department handlers
(engineering, security, marketing, floor) work the cases handed to them; content editors keep
the kiosks' content; managers oversee a mall; administrators run the whole installation.
"""
from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    MANAGER = "manager"
    AGENT = "agent"
    DEPARTMENT_HANDLER = "department_handler"
    CONTENT_EDITOR = "content_editor"


ROLE_LABELS = {
    Role.ADMINISTRATOR: _("Administrator"),
    Role.MANAGER: _("Mall manager"),
    Role.AGENT: _("Service-desk agent"),
    Role.DEPARTMENT_HANDLER: _("Department handler"),
    Role.CONTENT_EDITOR: _("Content editor"),
}

ROLES_WITH_ADMIN_SITE = {Role.ADMINISTRATOR, Role.MANAGER, Role.CONTENT_EDITOR}
"""Roles that may open Django's admin (content editing, fleet); the others work in the console."""

# "app.*" = every permission of the app; "app.view" = every view_ permission of the app;
# "app.codename" = one permission.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.ADMINISTRATOR: ["*"],
    Role.MANAGER: [
        "cases.*", "content.*", "fleet.*", "accounts.view", "auth.view_user", "auth.view_group",
        "malls.view", "malls.change_mall", "loans.*", "desk.*", "reports.view_reportanalysis",
        "reports.change_reportanalysis",
    ],
    Role.AGENT: [
        "cases.*", "content.view", "fleet.view_kiosk", "malls.view_mall",
        "loans.view", "loans.add_loan", "loans.change_loan",
        "desk.view", "desk.add", "desk.change",
    ],
    Role.DEPARTMENT_HANDLER: [
        "cases.view_case", "cases.view_caseevent", "cases.view_caseattachment", "cases.view_cannedreply",
        "cases.change_case", "cases.add_caseevent", "cases.add_caseattachment", "content.view",
        "malls.view_mall",
    ],
    Role.CONTENT_EDITOR: [
        "content.*", "fleet.view", "fleet.add_enrollmentcode", "malls.view_mall", "malls.change_mall",
    ],
}


def resolve_permissions(patterns: list[str]):
    """The Permission rows a role's patterns name (only those that exist yet)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    if "*" in patterns:
        return Permission.objects.all()
    query = Q(pk__in=[])
    for pattern in patterns:
        app_label, _, codename = pattern.partition(".")
        if codename == "*":
            query |= Q(content_type__app_label=app_label)
        elif codename in {"view", "add", "change", "delete"}:
            query |= Q(content_type__app_label=app_label, codename__startswith=f"{codename}_")
        else:
            query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def grant_role_permissions(*, using: str = "default", **kwargs) -> None:
    """Make sure every role group exists with the permissions it should have.

    Runs after migrate and after a test flush. It adds and never removes, so permissions an
    administrator granted by hand survive a deployment.
    """
    from django.contrib.auth.models import Group

    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        wanted = set(resolve_permissions(patterns).using(using).values_list("pk", flat=True))
        have = set(group.permissions.values_list("pk", flat=True))
        if wanted - have:
            group.permissions.add(*(wanted - have))
