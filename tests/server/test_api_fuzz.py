"""schemathesis against a live server: no input the published schema allows gets a 5xx, and
every answer matches the schema (status codes and bodies, the error body included).

The server runs as a real process (tests/live_server.py) on SQLite, and also on PostgreSQL
when CONCIERGE_TEST_POSTGRES_URL is set (CI sets it): a throwaway database is created for the
run and dropped after it. Each operation gets a bounded number of examples from a fixed seed,
with the kiosk's device key and without it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from live_server import ServerProcess, enroll, free_port, manage, new_enrollment_code

from kiosk.identity import load_identity

pytestmark = pytest.mark.timeout(600)

MAX_EXAMPLES = 40
SEED = 20261205
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
SCHEMA_PATH = "/api/v1/openapi.json"
POSTGRES_URL = os.environ.get("CONCIERGE_TEST_POSTGRES_URL", "").strip()


def _postgres_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed_server(request, tmp_path_factory):
    database_url = ""
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("CONCIERGE_TEST_POSTGRES_URL is not set")
        name = f"concierge_fuzz_{uuid.uuid4().hex[:12]}"
        _postgres_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"')
        database_url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    data_dir = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    server = ServerProcess(data_dir, free_port())
    server.env.pop("CONCIERGE_DATABASE_URL", None)  # the PostgreSQL run of tests/server sets it: SQLite is SQLite
    if database_url:
        server.env["CONCIERGE_DATABASE_URL"] = database_url
    try:
        migrated = manage(server.env, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        code = new_enrollment_code(server)
        server.start()
        identity = load_identity(enroll(server, data_dir / "kiosk", code))
        assert identity is not None
        server.device_key = identity.device_key
        yield server
    finally:
        server.stop()
        if database_url:
            _postgres_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_schemathesis(server: ServerProcess, report: Path, *headers: str) -> tuple[subprocess.CompletedProcess, dict]:
    # One worker: hypothesis parses lambdas' source with ast.parse, which CPython 3.11 cannot
    # do in two threads at once ("AST constructor recursion depth mismatch").
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", server.url + SCHEMA_PATH,
        "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--phases", "examples,coverage,fuzzing", "--workers", "1", "--no-shrink",
        "--request-timeout", "30", "--report", "json", "--report-json-path", str(report),
    ]
    for header in headers:
        command += ["--header", header]
    result = subprocess.run(command, capture_output=True, text=True, timeout=540,
                            env=dict(os.environ, SCHEMATHESIS_HOOKS="", NO_COLOR="1"))
    return result, json.loads(report.read_text()) if report.exists() else {}


@pytest.mark.parametrize("with_key", [True, False], ids=["kiosk-key", "anonymous"])
def test_no_server_errors_and_answers_match_the_schema(fuzzed_server, with_key, tmp_path):
    headers = [f"Authorization: Bearer {fuzzed_server.device_key}"] if with_key else []
    result, report = run_schemathesis(fuzzed_server, tmp_path / "report.json", *headers)
    output = result.stdout[-6000:] + result.stderr[-3000:]
    assert result.returncode == 0, output
    cases = report["test_cases"]
    assert cases["generated"] >= 300 and report["operations"]["tested"] == report["operations"]["total"], output
    assert cases["with_failures"] == 0 and not report["failures"] and not report["errors"], output
    print(f"schemathesis: {cases['generated']} test cases, {len(report['failures'])} failures")
