"""Sign-in lock-out and rate limits hold across server processes: two real servers share one
database (and so the lock-out's attempts and the cache the rate limits count in), and every
guess alternates between them; the rate limits again with Redis as the cache when
CONCIERGE_TEST_REDIS_URL is set. The servers run as behind the reverse proxy, so that each
request can come from the client address it names in X-Forwarded-For (uvicorn trusts it from
127.0.0.1 only); the addresses differ from run to run, as Redis keeps counts between runs."""
from __future__ import annotations

import itertools
import json
import os
import uuid

import pytest
import requests
from live_server import ServerProcess, free_port, manage

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery-9"
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
USERS = ["acct-accounts", "acct-admin", "addr-accounts", "addr-admin", "steady", "root"]
COOL_OFF_MINUTES = 30
# Per hour, so that no window ends in the middle of a test.
LIMITS = {"CONCIERGE_LOGIN_RATE": "15/h", "CONCIERGE_ENROLL_RATE": "5/h",
          "CONCIERGE_TRACKING_RATE": "6/h", "CONCIERGE_ROUTE_RATE": "4/h"}
LOCKED = {"zh-hans": "登录已锁定", "en": "Sign-in locked", "zh-hant": "登入已鎖定"}
THROTTLED = {"zh-hans": "请求过于频繁", "en": "Too many requests", "zh-hant": "請求過於頻繁"}
REDIS_URL = os.environ.get("CONCIERGE_TEST_REDIS_URL", "").strip()
addresses = (f"2001:db8:{uuid.uuid4().hex[:4]}::{n:x}" for n in itertools.count(1))


def server_pair(data_dir, **env: str) -> list[ServerProcess]:
    pair = [ServerProcess(data_dir, free_port()) for _ in range(2)]
    for server in pair:
        server.env.pop("CONCIERGE_DATABASE_URL", None)  # one SQLite file in the shared data dir
        server.env.pop("CONCIERGE_REDIS_URL", None)  # the database cache, unless `env` names Redis
        server.env.update(LIMITS, CONCIERGE_BEHIND_PROXY="1", **env)
    return pair


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    pair = server_pair(tmp_path_factory.mktemp("shared"), CONCIERGE_LOGIN_LOCKOUT_MINUTES=str(COOL_OFF_MINUTES))
    migrated = manage(pair[0].env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    made = manage(pair[0].env, "shell", "-c", (
        "from server.accounts.roles import Role\n"
        "from server.accounts.services import create_staff_user\n"
        f"for name in {USERS!r}:\n"
        f"    create_staff_user(name, Role.ADMINISTRATOR, {PASSWORD!r})\n"))
    assert made.returncode == 0, made.stderr
    for server in pair:
        server.start()
    yield pair
    for server in pair:
        server.stop()


@pytest.fixture(scope="module", params=["database", "redis"])
def throttled_servers(request, servers, tmp_path_factory):
    """The pair above (the database cache), or a pair counting in Redis."""
    if request.param == "database":
        yield servers
        return
    if not REDIS_URL:
        pytest.skip("CONCIERGE_TEST_REDIS_URL is not set (CI sets redis://127.0.0.1:6379/0)")
    pair = server_pair(tmp_path_factory.mktemp("redis"), CONCIERGE_REDIS_URL=REDIS_URL)
    for server in pair:
        server.start()
    yield pair
    for server in pair:
        server.stop()


def sign_in(server: ServerProcess, page: str, username: str, password: str, address: str,
            language: str | None = None) -> requests.Response:
    """The form posted the way a browser does (CSRF cookie and token), from `address`."""
    headers = {"X-Forwarded-For": address}
    if language:
        headers["Accept-Language"] = language
    session = requests.Session()
    session.get(server.url + page, headers=headers, timeout=10)
    return session.post(server.url + page, headers=headers, timeout=30, allow_redirects=False, data={
        "username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"],
        "next": "/admin/" if page.startswith("/admin/") else "/console/"})


def unlock(server: ServerProcess, command: str, value: str) -> None:
    result = manage(server.env, command, value)
    assert result.returncode == 0, result.stderr


def signed_in_session(server: ServerProcess, username: str) -> requests.Session:
    session = requests.Session()
    headers = {"X-Forwarded-For": next(addresses)}
    session.get(server.url + "/admin/login/", headers=headers, timeout=10)
    response = session.post(server.url + "/admin/login/", headers=headers, timeout=30, allow_redirects=False, data={
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"],
        "next": "/admin/"})
    assert response.status_code == 302, response.text[:300]
    return session


def assert_locked_out(response: requests.Response, language: str) -> None:
    assert response.status_code == 429, response.text[:300]
    assert response.headers["Retry-After"] == str(COOL_OFF_MINUTES * 60)
    assert LOCKED[language] in response.text


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_ten_wrong_passwords_lock_the_account_until_an_administrator_unlocks_it(servers, page):
    username = "acct-" + page.split("/")[1]
    # Each guess from another address: only the account's count can lock.
    codes = [sign_in(servers[n % 2], page, username, "wrong-password", next(addresses)).status_code
             for n in range(10)]
    assert codes == [200] * 9 + [429]

    for server, language in zip(servers, ("en", "zh-hant"), strict=True):
        assert_locked_out(sign_in(server, page, username, PASSWORD, next(addresses), language), language)
    assert_locked_out(sign_in(servers[0], page, username, PASSWORD, next(addresses)), "zh-hans")

    # The administrator sees the lock in the admin, and lifts it.
    admin = signed_in_session(servers[1], "root")
    attempts = admin.get(servers[1].url + "/admin/axes/accessattempt/", timeout=10)
    assert attempts.status_code == 200 and username in attempts.text
    unlock(servers[0], "axes_reset_username", username)
    assert sign_in(servers[1], page, username, PASSWORD, next(addresses)).status_code == 302


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_ten_wrong_passwords_from_one_address_lock_that_address(servers, page):
    address = next(addresses)
    # Each guess at another account: only the address's count can lock.
    codes = [sign_in(servers[n % 2], page, f"nobody-{n}", "wrong-password", address).status_code for n in range(10)]
    assert codes == [200] * 9 + [429]

    owner = "addr-" + page.split("/")[1]
    assert_locked_out(sign_in(servers[1], page, owner, PASSWORD, address, "en"), "en")
    assert sign_in(servers[0], page, owner, PASSWORD, next(addresses)).status_code == 302

    unlock(servers[1], "axes_reset_ip", address)
    assert sign_in(servers[0], page, owner, PASSWORD, address).status_code == 302


def test_sign_in_attempts_are_rate_limited_per_address_across_servers(servers):
    address = next(addresses)
    codes = [sign_in(servers[n % 2], LOGIN_PAGES[n % 2], "steady", PASSWORD, address).status_code for n in range(16)]
    assert codes == [302] * 15 + [429]
    refused = sign_in(servers[0], "/accounts/login/", "steady", PASSWORD, address, "zh-TW")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert THROTTLED["zh-hant"] in refused.text
    assert sign_in(servers[0], "/accounts/login/", "steady", PASSWORD, next(addresses)).status_code == 302


def test_enrolment_is_rate_limited_per_address_across_servers(throttled_servers):
    servers = throttled_servers
    address = next(addresses)
    codes = []
    for n in range(6):
        response = requests.post(servers[n % 2].url + "/api/v1/kiosks/enroll", timeout=10,
                                 headers={"X-Forwarded-For": address},
                                 json={"code": "NOPE-NOPE", "app_version": "0.1.0"})
        codes.append(response.status_code)
    assert 429 not in codes[:5] and codes[5] == 429
    assert json.loads(response.text)["error"]["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize(("path", "allowed"), [("/t/not-a-real-token", 6), ("/r/plaza/lobby/nowhere", 4)])
def test_phone_pages_are_rate_limited_per_address_across_servers(throttled_servers, path, allowed):
    servers = throttled_servers
    address = next(addresses)
    codes = [requests.get(servers[n % 2].url + path, headers={"X-Forwarded-For": address}, timeout=10).status_code
             for n in range(allowed)]
    assert 429 not in codes
    for server, language in zip(servers, ("en", "zh-hans"), strict=True):
        refused = requests.get(server.url + path, timeout=10,
                               headers={"X-Forwarded-For": address, "Accept-Language": language})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert THROTTLED[language] in refused.text
    assert requests.get(servers[0].url + path, headers={"X-Forwarded-For": next(addresses)},
                        timeout=10).status_code != 429
