"""Staff account API: who is signed in (for console pages and scripts using the session)."""
from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from server.accounts import services
from server.core.errors import error_responses
from server.malls.boundary import staff_mall_id

router = Router(tags=["accounts"])


class Me(Schema):
    username: str
    display_name: str
    roles: list[str]
    mall_id: str | None


@router.get("/me", response={200: Me, **error_responses(401)}, auth=django_auth, summary="The signed-in staff member")
def me(request: HttpRequest):
    user = request.auth
    profile = getattr(user, "staff_profile", None)
    return Me(
        username=user.get_username(),
        display_name=(profile.display_name if profile else "") or user.get_full_name() or user.get_username(),
        roles=sorted(role.value for role in services.roles_of(user)),
        mall_id=staff_mall_id(user),
    )
