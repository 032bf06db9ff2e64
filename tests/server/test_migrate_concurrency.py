"""Servers starting together each run `migrate` on the same fresh database: both must succeed
(server/core/management/commands/migrate.py holds a lock around it). Real processes; the
PostgreSQL case makes a throwaway database next to CONCIERGE_TEST_POSTGRES_URL's."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from live_server import ROOT, manage, server_env

pytestmark = pytest.mark.e2e
POSTGRES_URL = os.environ.get("CONCIERGE_TEST_POSTGRES_URL", "").strip()


def migrate_twice_at_once(env: dict[str, str]) -> list[subprocess.CompletedProcess]:
    processes = [subprocess.Popen([sys.executable, "-m", "server", "migrate", "--noinput"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return results


def assert_migrated(env: dict[str, str], results: list[subprocess.CompletedProcess]) -> None:
    for result in results:
        assert result.returncode == 0, result.stderr[-3000:]
    # One of them applied the migrations, the other found nothing left to do.
    assert sorted("No migrations to apply" in result.stdout for result in results) == [False, True]
    check = manage(env, "migrate", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    cached = manage(env, "shell", "-c", "from django.core.cache import cache; cache.set('k', 1); print(cache.get('k'))")
    assert cached.returncode == 0 and cached.stdout.strip().endswith("1"), cached.stderr


def test_two_migrates_at_once_on_a_fresh_sqlite_database(tmp_path):
    env = server_env(tmp_path, 8000)
    env.pop("CONCIERGE_DATABASE_URL", None)
    env.pop("CONCIERGE_REDIS_URL", None)
    assert_migrated(env, migrate_twice_at_once(env))


@pytest.fixture
def fresh_postgres_url():
    if not POSTGRES_URL:
        pytest.skip("CONCIERGE_TEST_POSTGRES_URL is not set (CI sets postgresql://postgres@127.0.0.1:5432/test)")
    import psycopg

    name = f"concierge_migrate_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path="/" + name))
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_migrates_at_once_on_a_fresh_postgres_database(tmp_path, fresh_postgres_url):
    env = server_env(tmp_path, 8000)
    env.pop("CONCIERGE_REDIS_URL", None)
    env["CONCIERGE_DATABASE_URL"] = fresh_postgres_url
    assert_migrated(env, migrate_twice_at_once(env))
