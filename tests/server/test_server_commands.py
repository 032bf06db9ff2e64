"""`python -m server` commands: enroll-code, demo (idempotent), serve, and the catalog compiler."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from server_helpers import make_bundle, post_json

from server.accounts.roles import Role
from server.accounts.services import roles_of
from server.content.models import Blob, Category, ContentVersion, Level, Promotion, Store
from server.fleet.models import EnrollmentCode, Kiosk
from server.malls.models import Mall, StaffProfile

REPO_DIR = Path(__file__).resolve().parents[2]


def test_enroll_code_prints_a_code_that_enrolls(client, imported_mall, capsys):
    call_command("enroll_code", "--mall", imported_mall.id, "--location", "k-lobby")
    code = capsys.readouterr().out.strip()

    response = post_json(client, "/api/v1/kiosks/enroll", {"code": code})
    assert response.status_code == 201
    assert response.json()["location_id"] == "k-lobby"


@pytest.mark.parametrize(("arguments", "message"), [
    (["--mall", "nowhere"], "no mall"),
    (["--mall", "test-mall", "--location", "k-roof"], "no kiosk point"),
    (["--mall", "test-mall", "--hours", "0"], "at least 1"),
])
def test_enroll_code_refusals(imported_mall, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("enroll_code", *arguments)
    assert EnrollmentCode.objects.count() == 0


# ---------------------------------------------------------------- demo
def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Mall, Level, Category, Store, Promotion, Blob, ContentVersion, StaffProfile, EnrollmentCode)}


def run_demo(capsys) -> str:
    call_command("demo")
    return capsys.readouterr().out


def check_demo_is_idempotent(capsys) -> None:
    first = run_demo(capsys)
    after_first = counts()
    second = run_demo(capsys)

    assert counts() == after_first
    assert after_first["ContentVersion"] == 1 and after_first["EnrollmentCode"] == 1
    assert "content version 1 (published now)" in first
    assert "content version 1 (already published, unchanged)" in second
    # The same login and the same (still unused) code are printed each time.
    assert first.splitlines()[1:] == second.splitlines()[1:]
    agent = StaffProfile.objects.get(user__username="demo-agent").user
    admin = StaffProfile.objects.get(user__username="demo-admin").user
    assert roles_of(agent) == {Role.AGENT} and roles_of(admin) == {Role.ADMINISTRATOR}
    password = next(line for line in first.splitlines() if "demo-agent /" in line).split("/")[-1].strip()
    assert agent.check_password(password)


@pytest.fixture
def fake_demo_bundle(monkeypatch):
    """sync.bundle's loader, returning the small test mall (the real demo mall has its own test)."""
    bundle = make_bundle("demo-mall")
    module = types.ModuleType("sync.bundle")
    module.load_source_bundle = lambda directory: (bundle.content, bundle.blobs)
    monkeypatch.setitem(sys.modules, "sync.bundle", module)
    return bundle


@pytest.mark.django_db
def test_demo_is_idempotent(fake_demo_bundle, capsys, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    check_demo_is_idempotent(capsys)
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    assert oct((tmp_path / "demo-credentials.json").stat().st_mode & 0o777) == "0o600"
    assert credentials["enrollment"]["location"] == "k-lobby"


@pytest.mark.django_db
def test_demo_code_is_renewed_once_used_and_content_republished_when_changed(fake_demo_bundle, capsys, settings,
                                                                             tmp_path, client):
    settings.DATA_DIR = tmp_path
    first = run_demo(capsys)
    code = first.split("--code ")[-1].strip()
    assert post_json(client, "/api/v1/kiosks/enroll", {"code": code}).status_code == 201
    fake_demo_bundle.content.stores[0].unit = "1F-99"

    second = run_demo(capsys)
    assert "content version 2 (published now)" in second
    assert second.split("--code ")[-1].strip() != code
    assert Kiosk.objects.count() == 1


@pytest.mark.django_db
def test_the_real_demo_mall_seeds_and_publishes_idempotently(capsys, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    check_demo_is_idempotent(capsys)


# ---------------------------------------------------------------- serve
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_migrates_and_answers(tmp_path):
    """A real `python -m server serve` process on a fresh SQLite data dir (never the test database)."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "CONCIERGE_DATABASE_URL"}
    env.update(CONCIERGE_DATA_DIR=str(tmp_path), PYTHONPATH=str(REPO_DIR))
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "server", "serve", "--port", str(port)],
                               cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                    assert json.loads(response.read())["status"] == "ready"
                    break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/admin/css/base.css", timeout=5) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        log.close()
    assert (tmp_path / "server.sqlite3").exists()
    output = (tmp_path / "serve.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output


# ---------------------------------------------------------------- catalogs
def test_catalogs_compile_with_babel(tmp_path):
    from server import i18n_compile

    po = tmp_path / "server" / "app" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Sign in"\nmsgstr "登录"\n', encoding="utf-8")
    kiosk_po = tmp_path / "kiosk" / "locale" / "en" / "LC_MESSAGES" / "kiosk.po"
    kiosk_po.parent.mkdir(parents=True)
    kiosk_po.write_text('msgid ""\nmsgstr ""\n\nmsgid "Hello"\nmsgstr "Hello"\n', encoding="utf-8")

    assert i18n_compile.catalog_sources(tmp_path) == [kiosk_po, po]  # screens/ missing: fine
    assert all(i18n_compile.compile_catalog(path) for path in (po, kiosk_po))
    assert not i18n_compile.compile_catalog(po)  # unchanged: not rewritten

    import gettext

    with po.with_suffix(".mo").open("rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("Sign in") == "登录"


def test_the_catalog_command_runs_on_the_tree():
    result = subprocess.run([sys.executable, "-m", "server.i18n_compile"], cwd=REPO_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "catalogs" in result.stdout


# ---------------------------------------------------------------- import-bundle
def test_import_bundle_loads_and_publishes_a_folder(db, tmp_path, capsys, bundle):
    images = tmp_path / "images"
    images.mkdir()
    document = bundle.content.model_copy(deep=True)
    for index, promotion in enumerate(document.promotions):
        data, _ = bundle.blobs[promotion.image_sha256]
        (images / f"promo-{index}.png").write_bytes(data)
        promotion.image_sha256 = f"images/promo-{index}.png"
    for index, store in enumerate(document.stores):
        if store.logo_sha256:
            (images / f"logo-{index}.png").write_bytes(bundle.blobs[store.logo_sha256][0])
            store.logo_sha256 = f"images/logo-{index}.png"
    (tmp_path / "mall.json").write_text(document.model_dump_json(), encoding="utf-8")

    call_command("import_bundle", str(tmp_path), "--publish")
    call_command("import_bundle", str(tmp_path), "--publish")
    output = capsys.readouterr().out
    assert "Content published version 1." in output and "Content unchanged, still version 1." in output
    assert Store.objects.count() == 2 and ContentVersion.objects.count() == 1


def test_import_bundle_reports_a_broken_folder(db, tmp_path):
    with pytest.raises(CommandError, match="mall.json"):
        call_command("import_bundle", str(tmp_path))
