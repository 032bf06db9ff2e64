"""Settings from the environment: the secret key, the database, security defaults."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REPO_DIR = Path(__file__).resolve().parents[2]


def settings_value(data_dir: Path, expression: str, **env: str) -> str:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"CONCIERGE_SECRET_KEY", "CONCIERGE_DATABASE_URL", "CONCIERGE_DEBUG"}}
    environment.update(CONCIERGE_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO_DIR), **env)
    result = subprocess.run([sys.executable, "-c", f"import server.settings as s; print({expression})"],
                            cwd=REPO_DIR, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_secret_key_is_generated_once_and_kept(tmp_path):
    first = settings_value(tmp_path, "s.SECRET_KEY")
    assert len(first) >= 50
    assert settings_value(tmp_path, "s.SECRET_KEY") == first
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert settings_value(tmp_path / "other", "s.SECRET_KEY") != first


def test_the_environment_overrides(tmp_path):
    assert settings_value(tmp_path, "s.SECRET_KEY", CONCIERGE_SECRET_KEY="from-env" * 8) == "from-env" * 8
    assert settings_value(tmp_path, "s.DEBUG") == "False"
    assert settings_value(tmp_path, "s.DEBUG", CONCIERGE_DEBUG="1") == "True"
    assert settings_value(tmp_path, "s.DATABASES['default']['NAME']") == str(tmp_path / "server.sqlite3")
    assert settings_value(tmp_path, "s.DATABASES['default']['ENGINE']",
                          CONCIERGE_DATABASE_URL="postgresql://u:p@db:5432/mall") == "django.db.backends.postgresql"
    assert settings_value(tmp_path, "s.SESSION_COOKIE_SECURE",
                          CONCIERGE_PUBLIC_BASE_URL="https://concierge.example-mall.cn") == "True"
    assert settings_value(tmp_path, "s.ALLOWED_HOSTS", CONCIERGE_ALLOWED_HOSTS="a.cn, b.cn") == "['a.cn', 'b.cn']"


def test_security_defaults():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en", "zh-hant"]
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite pragmas apply to SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
