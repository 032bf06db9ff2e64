"""Roles, staff accounts, `create-user`, sign-in and /api/v1/accounts/me."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from server.accounts import services
from server.accounts.roles import Role
from server.malls.boundary import staff_mall_id
from server.malls.models import StaffProfile

PASSWORD = "correct-horse-battery-9"


@pytest.mark.django_db
def test_the_role_groups_exist_with_real_permissions():
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions__content_type")}
    assert set(groups) >= {role.value for role in Role}

    def codenames(role: Role) -> set[str]:
        return {f"{p.content_type.app_label}.{p.codename}" for p in groups[role.value].permissions.all()}

    assert "cases.change_case" in codenames(Role.AGENT)
    assert "content.view_store" in codenames(Role.AGENT)
    assert "content.change_store" not in codenames(Role.AGENT)
    assert "content.change_store" in codenames(Role.CONTENT_EDITOR)
    assert "cases.view_case" not in codenames(Role.CONTENT_EDITOR)
    assert "cases.change_case" in codenames(Role.DEPARTMENT_HANDLER)
    assert "cases.delete_case" not in codenames(Role.DEPARTMENT_HANDLER)
    assert "fleet.change_kiosk" in codenames(Role.MANAGER)
    assert "auth.change_user" in codenames(Role.ADMINISTRATOR)


def test_create_user_command(imported_mall, capsys):
    call_command("create_user", "li.na", "--role", "agent", "--password", PASSWORD, "--mall", imported_mall.id)

    profile = StaffProfile.objects.select_related("user").get(user__username="li.na")
    assert profile.mall == imported_mall
    assert services.roles_of(profile.user) == {Role.AGENT}
    assert profile.user.check_password(PASSWORD)
    assert profile.user.password.startswith("argon2$")
    assert not profile.user.is_staff  # agents work in the console, not the admin
    assert "Created li.na (agent)" in capsys.readouterr().out


def test_create_user_prompts_for_the_password(imported_mall, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_user", "wang", "--role", "content_editor")  # the only mall is the default
    user = StaffProfile.objects.get(user__username="wang").user
    assert user.check_password(PASSWORD) and user.is_staff


def test_create_user_refuses_mismatched_prompts(imported_mall, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("create_user", "wang", "--role", "agent")


@pytest.mark.parametrize(("arguments", "message"), [
    (["--role", "agent", "--password", "short"], "password refused"),
    (["--role", "agent", "--password", PASSWORD, "--mall", "nowhere"], "no mall"),
])
def test_create_user_refusals(imported_mall, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "zhao", *arguments)
    assert not StaffProfile.objects.filter(user__username="zhao").exists()


def test_create_user_refuses_a_duplicate(imported_mall):
    call_command("create_user", "li.na", "--role", "agent", "--password", PASSWORD)
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "li.na", "--role", "manager", "--password", PASSWORD)


@pytest.mark.django_db
def test_a_mall_is_required_unless_administrator():
    with pytest.raises(services.StaffError, match="a mall is needed"):
        services.create_staff_user("chen", Role.AGENT, PASSWORD)
    admin = services.create_staff_user("root", Role.ADMINISTRATOR, PASSWORD)
    assert admin.is_superuser and staff_mall_id(admin) is None


def test_set_role_replaces_the_previous_role(imported_mall):
    user = services.create_staff_user("sun", Role.AGENT, PASSWORD)
    services.set_role(user, Role.MANAGER)
    assert services.roles_of(user) == {Role.MANAGER}
    assert services.has_role(user, Role.MANAGER, Role.ADMINISTRATOR)
    assert not services.has_role(user, Role.AGENT)


def test_me_needs_a_session_then_says_who(client, imported_mall):
    assert client.get("/api/v1/accounts/me").status_code == 401
    services.create_staff_user("li.na", Role.AGENT, PASSWORD, display_name="李娜")
    response = client.post("/accounts/login/", {"username": "li.na", "password": PASSWORD})
    assert response.status_code == 302

    me = client.get("/api/v1/accounts/me").json()
    assert me == {"username": "li.na", "display_name": "李娜", "roles": ["agent"], "mall_id": imported_mall.id}


@pytest.fixture
def compiled_catalogs():
    """The .mo files are build products (`make catalogs`): compile them, then reload Django's."""
    from django.utils.translation import trans_real

    from server import i18n_compile

    assert i18n_compile.main() == 0
    trans_real._translations = {}
    trans_real._default = None
    yield
    trans_real._translations = {}
    trans_real._default = None


@pytest.mark.django_db
def test_the_login_page_is_translated_and_self_contained(client, compiled_catalogs):
    pages = {language: client.get("/accounts/login/", headers={"Accept-Language": language})
             for language in ("zh-CN", "zh-TW", "en")}
    assert {page.status_code for page in pages.values()} == {200}
    html = {language: page.content.decode() for language, page in pages.items()}
    assert 'lang="zh-hans"' in html["zh-CN"] and "员工登录" in html["zh-CN"]
    assert 'lang="zh-hant"' in html["zh-TW"] and "員工登入" in html["zh-TW"]
    assert 'lang="en"' in html["en"] and "staff sign-in" in html["en"]
    for page in html.values():
        assert "https://" not in page and "http://" not in page  # nothing from another site
