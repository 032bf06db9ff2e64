"""Security at the HTTP and file boundary: `check --deploy` is clean under the production settings,
every page carries a strict Content-Security-Policy and the other security headers, HTTPS is
enforced once the public URL is https, and the data of server and kiosk is private (0700/0600)."""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from test_cases_support import make_staff, new_case

from kiosk.store import LocalStore
from server.content import services as content_services
from server.fleet import services as fleet
from sync.bundle import load_source_bundle

REPO_DIR = Path(__file__).resolve().parents[2]
DEMO = REPO_DIR / "assets" / "demo"
MALL = "galaxy-harbour"
pytestmark = pytest.mark.django_db
PRODUCTION = {
    "CONCIERGE_ENV": "production",
    "CONCIERGE_PUBLIC_BASE_URL": "https://concierge.example-mall.cn",
    "CONCIERGE_ALLOWED_HOSTS": "concierge.example-mall.cn",
    "CONCIERGE_BEHIND_PROXY": "1",
}
CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def run_server_python(data_dir: Path, arguments: list[str], **env: str) -> subprocess.CompletedProcess:
    """`python ARGUMENTS` with the server's settings on a data dir of its own and `env` only."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CONCIERGE_")}
    environment.update(CONCIERGE_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO_DIR),
                       DJANGO_SETTINGS_MODULE="server.settings", **env)
    return subprocess.run([sys.executable, *arguments], cwd=REPO_DIR, env=environment,
                          capture_output=True, text=True, timeout=120)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# ------------------------------------------------------------------ production settings

def test_check_deploy_is_clean_under_the_production_settings(tmp_path):
    result = run_server_python(tmp_path, ["-m", "server", "check", "--deploy", "--fail-level", "WARNING"],
                               **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_production_refuses_a_demo_setup(tmp_path):
    result = run_server_python(tmp_path, ["-m", "server", "check"], CONCIERGE_ENV="production")
    assert result.returncode != 0
    for missing in ("CONCIERGE_ALLOWED_HOSTS", "CONCIERGE_PUBLIC_BASE_URL must be https", "CONCIERGE_BEHIND_PROXY"):
        assert missing in result.stderr, missing


def production_security_settings(data_dir: Path) -> dict:
    names = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
             "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "DEBUG"]
    code = f"import json, server.settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    result = run_server_python(data_dir, ["-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_behind_tls_https_is_enforced_and_remembered(tmp_path, settings, client):
    production = production_security_settings(tmp_path)
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"] and not production["DEBUG"]
    for name, value in production.items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)

    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200, "health checks from the machine stay on plain HTTP"

    proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert client.get("/accounts/login/").status_code == 301, "only the proxy's header counts as TLS"


def test_plain_http_for_a_lan_demo_sends_no_hsts(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


# ------------------------------------------------------------------ headers on every kind of page

@pytest.fixture
def demo_mall(db):
    bundle = load_source_bundle(DEMO)
    mall = content_services.import_mall_content(bundle.content, bundle.blobs).mall
    content_services.publish(mall)
    return mall


@pytest.fixture
def tracking_token(demo_mall) -> str:
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(demo_mall).code, hostname="kiosk-sec").kiosk
    token = secrets.token_urlsafe(32)
    new_case(kiosk, token=token)
    return token


def policy_of(response) -> dict[str, set[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: set(values) for name, *values in directives}


def assert_strict_headers(response) -> None:
    assert response.status_code == 200, response.status_code
    policy = policy_of(response)
    for directive, sources in CSP.items():
        assert policy.pop(directive) == sources, directive
    style = policy.pop("style-src")
    assert policy == {}, f"unexpected directives: {policy}"
    html = response.content.decode()
    nonces = {source for source in style if source.startswith("'nonce-")}
    assert style - nonces == {"'self'"}, style
    tags = re.findall(r"<style\b[^>]*>", html)
    assert all(re.fullmatch(r'<style nonce="[^"]+">', tag) for tag in tags), f"a <style> without a nonce: {tags}"
    used = set(re.findall(r'<style nonce="([^"]+)">', html))
    assert {f"'nonce-{nonce}'" for nonce in used} == nonces, "the <style> blocks carry the header's nonce"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert not re.search(r"\sstyle=\"", html), "a style attribute (needs 'unsafe-inline')"
    assert not re.search(r"\son[a-z]+=\"", html), "an inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "an asset from another host"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_phone_pages_are_strict(client, demo_mall, tracking_token):
    for path in (f"/t/{tracking_token}", f"/r/{MALL}/lobby-1f/cloud-coffee?lang=en",
                 f"/s/{MALL}/cloud-coffee?lang=en&from=lobby-1f", "/accounts/login/"):
        assert_strict_headers(client.get(path))


def test_the_console_and_the_admin_are_strict(client, demo_mall):
    client.force_login(make_staff("sec-manager", "manager", demo_mall))
    for path in ("/console/cases/", "/console/broadcasts/", "/console/reports/", "/console/promotions/",
                 "/console/lost-property/", f"/console/wayfinding/?mall={MALL}"):
        assert_strict_headers(client.get(path))
    client.force_login(make_staff("sec-admin", "administrator", None))
    for path in ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/"):
        assert_strict_headers(client.get(path))


def test_each_response_gets_a_fresh_nonce(client, demo_mall):
    first, second = (policy_of(client.get("/accounts/login/"))["style-src"] for _ in range(2))
    assert first != second


# ------------------------------------------------------------------ file modes

def test_a_fresh_server_data_dir_is_private(tmp_path):
    data_dir = tmp_path / "server"
    code = (
        "import django, os; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.db import connection\n"
        "call_command('migrate', verbosity=0)\n"
        "connection.cursor().execute('CREATE TABLE probe (x)')\n"  # a write: the WAL and its index exist
        "print(sorted(os.listdir(os.environ['CONCIERGE_DATA_DIR'])))\n"
    )
    result = run_server_python(data_dir, ["-c", code])
    assert result.returncode == 0, result.stderr
    assert {"secret_key", "server.sqlite3", "server.sqlite3-wal", "server.sqlite3-shm"} <= set(eval(result.stdout))
    assert mode(data_dir) == 0o700
    for name in ("secret_key", "server.sqlite3", "server.sqlite3-wal", "server.sqlite3-shm"):
        if (data_dir / name).exists():  # the WAL may be checkpointed away when the process ends
            assert mode(data_dir / name) == 0o600, name


def test_a_server_data_dir_from_before_is_tightened_on_start(tmp_path):
    data_dir = tmp_path / "server"
    data_dir.mkdir(mode=0o755)
    for name in ("secret_key", "server.sqlite3", "server.sqlite3-wal"):
        (data_dir / name).write_text("x" * 60 if name == "secret_key" else "")
        os.chmod(data_dir / name, 0o644)
    os.chmod(data_dir, 0o755)
    result = run_server_python(data_dir, ["-c", "import server.settings"])
    assert result.returncode == 0, result.stderr
    assert mode(data_dir) == 0o700
    for name in ("secret_key", "server.sqlite3", "server.sqlite3-wal"):
        assert mode(data_dir / name) == 0o600, name


def test_the_kiosk_store_is_private(tmp_path):
    store = LocalStore(tmp_path / "kiosk" / "kiosk.db")
    store.set_setting("device_key", "secret")
    store.write_blob("a" * 64, b"blob")
    try:
        assert mode(store.data_dir) == 0o700 and mode(store.blobs_dir) == 0o700
        for path in (store.path, store.path.with_name("kiosk.db-wal"), store.path.with_name("kiosk.db-shm"),
                     store.blob_path("a" * 64)):
            assert mode(path) == 0o600, path
    finally:
        store.close()

    os.chmod(store.data_dir, 0o755)
    os.chmod(store.path, 0o644)
    LocalStore(store.path).close()
    assert mode(store.data_dir) == 0o700 and mode(store.path) == 0o600, "tightened when opened again"
