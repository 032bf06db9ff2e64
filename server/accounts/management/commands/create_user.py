"""`python -m server create-user USERNAME --role ROLE [--mall M] [--password P]` (prompts when no password)."""
from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from server.accounts import services
from server.accounts.roles import Role
from server.malls.boundary import staff_mall_id
from server.malls.models import Department, Mall


class Command(BaseCommand):
    help = "Create a staff account with one role (administrator, manager, agent, department_handler, content_editor)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--mall", help="The mall's id; may be left out when there is exactly one mall, "
                                           "or for an administrator of all malls.")
        parser.add_argument("--password", help="Prompted for (twice) when not given.")
        parser.add_argument("--email", default="")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--department", default="", choices=[""] + [d.value for d in Department],
                            help="For a department handler: the department whose cases they work.")

    def handle(self, *args, username: str, role: str, mall: str | None, password: str | None,
               email: str, display_name: str, department: str = "", **options):
        if role == Role.DEPARTMENT_HANDLER and not department:
            raise CommandError("a department handler needs --department")
        mall_row = None
        if mall:
            mall_row = Mall.objects.filter(pk=mall).first()
            if mall_row is None:
                known = ", ".join(Mall.objects.values_list("id", flat=True)) or "none"
                raise CommandError(f"no mall {mall!r}; known: {known}")
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the two passwords differ")
        try:
            user = services.create_staff_user(
                username, role, password, mall=mall_row, email=email, display_name=display_name,
                department=department,
            )
        except services.StaffError as error:
            raise CommandError(str(error)) from error
        where = staff_mall_id(user)
        self.stdout.write(f"Created {user.username} ({role}) for mall {where or 'all malls'}.")
