"""The rules of staff accounts: creating staff with a role and a mall, reading someone's roles."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from server.accounts.roles import ROLES_WITH_ADMIN_SITE, Role
from server.malls.boundary import only_mall
from server.malls.models import Mall, StaffProfile, person_name


class StaffError(Exception):
    """A staff account could not be created or changed as asked."""


@transaction.atomic
def create_staff_user(username: str, role: Role | str, password: str, *, mall: Mall | None = None,
                      email: str = "", display_name: str = "", check_password: bool = True,
                      department: str = ""):
    """A new staff account with one role; everyone but an administrator belongs to a mall."""
    role = Role(role)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise StaffError(f"user {username!r} already exists")
    mall = mall or only_mall()
    if mall is None and role != Role.ADMINISTRATOR:
        raise StaffError("a mall is needed for this role (there is not exactly one mall to default to)")
    user = User(username=username, email=email)
    if check_password:
        try:
            validate_password(password, user)
        except Exception as error:  # django.core.exceptions.ValidationError: list its messages
            messages = getattr(error, "messages", [str(error)])
            raise StaffError("password refused: " + " ".join(messages)) from error
    user.set_password(password)
    user.save()
    StaffProfile.objects.create(user=user, mall=mall, display_name=display_name, department=department)
    set_role(user, role)
    return user


@transaction.atomic
def set_role(user, role: Role | str) -> None:
    """Make `role` the user's only role, with the admin-site access that role has."""
    role = Role(role)
    role_names = [r.value for r in Role]
    user.groups.remove(*Group.objects.filter(name__in=role_names))
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    user.is_staff = role in ROLES_WITH_ADMIN_SITE
    user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff", "is_superuser"])


def roles_of(user) -> set[Role]:
    if not getattr(user, "is_authenticated", False):
        return set()
    names = set(user.groups.values_list("name", flat=True))
    return {role for role in Role if role.value in names}


def has_role(user, *roles: Role | str) -> bool:
    return bool(roles_of(user) & {Role(role) for role in roles})


def record_audit(actor, action: str, *, mall=None, subject: str = "", detail: str = ""):
    """Append one entry to the audit log (server.accounts.models.AuditEntry)."""
    from server.accounts.models import AuditEntry

    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=person_name(actor) if actor is not None else "system",
        action=action, mall=mall, subject=str(subject)[:64], detail=detail[:500],
    )


def department_of(user) -> str:
    """The department a staff member works in ("" when none)."""
    return StaffProfile.objects.filter(user_id=user.pk).values_list("department", flat=True).first() or ""
