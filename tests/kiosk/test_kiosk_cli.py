"""The command line: clear failures without tracebacks, and no Kivy in the kiosk core."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from kiosk import outbox
from kiosk.cases import CaseDraft, submit_case
from kiosk.identity import KioskIdentity, load_identity, save_identity
from kiosk.store import LocalStore
from sync.protocol import CaseKind

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if data_dir is not None:
        env["CONCIERGE_KIOSK_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)


def test_enroll_against_a_closed_port_fails_clearly(tmp_path: Path):
    result = kiosk("enroll", "--server", "http://127.0.0.1:9", "--code", "ABCD-1234", data_dir=tmp_path)
    assert result.returncode == 1
    assert "cannot reach the server" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    with LocalStore.in_dir(tmp_path) as store:
        assert load_identity(store) is None


def test_enroll_with_a_url_without_scheme_or_a_short_code(tmp_path: Path):
    result = kiosk("enroll", "--server", "concierge.local", "--code", "ABCD-1234", data_dir=tmp_path)
    assert result.returncode == 1 and "http://" in result.stderr and "Traceback" not in result.stderr
    result = kiosk("enroll", "--server", "http://127.0.0.1:9", "--code", "x", data_dir=tmp_path)
    assert result.returncode == 1 and "not an enrollment code" in result.stderr


def test_enroll_refuses_to_replace_an_identity_without_force(tmp_path: Path):
    with LocalStore.in_dir(tmp_path) as store:
        save_identity(store, KioskIdentity("k-1", "C7K", "key", "mall-1", None, "https://p", "http://s"))
    result = kiosk("enroll", "--server", "http://127.0.0.1:9", "--code", "ABCD-1234", data_dir=tmp_path)
    assert result.returncode == 1 and "--force" in result.stderr


def test_enroll_again_waits_for_the_outbox(tmp_path: Path):
    """Cases are taken only under the code of the kiosk that uploads them: a new enrolment (a
    new code) would strand them, so it is refused while any wait, and nothing is changed."""
    old = KioskIdentity("k-1", "C7K", "key", "mall-1", None, "https://p", "http://s")
    with LocalStore.in_dir(tmp_path) as store:
        save_identity(store, old)
        submit_case(store, old, CaseDraft(kind=CaseKind.PRAISE, description="谢谢服务台"))
    result = kiosk("enroll", "--server", "http://127.0.0.1:9", "--code", "ABCD-1234", "--force",
                   data_dir=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "1 case(s) made as C7K are still waiting" in result.stderr and "Traceback" not in result.stderr
    with LocalStore.in_dir(tmp_path) as store:
        assert load_identity(store) == old
        assert outbox.depth(store) == 1


def test_status_of_an_empty_and_an_enrolled_kiosk(tmp_path: Path):
    empty = kiosk("status", "--data-dir", str(tmp_path / "nothing"))
    assert empty.returncode == 1 and "No kiosk data" in empty.stdout
    with LocalStore.in_dir(tmp_path) as store:
        save_identity(store, KioskIdentity("k-1", "C7K", "secret-device-key", "mall-1", "kp-1",
                                           "https://p.example", "http://s.example"))
    result = kiosk("status", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "C7K" in result.stdout and "0 case(s) waiting" in result.stdout
    assert "none installed" in result.stdout
    assert "secret-device-key" not in result.stdout


def test_status_names_a_picture_damaged_on_disk(tmp_path: Path):
    from kiosk.content import active_content, install_bundle
    from sync.bundle import load_source_bundle

    with LocalStore.in_dir(tmp_path) as store:
        install_bundle(store, load_source_bundle(ROOT / "assets" / "demo"))
        logo = next(s.logo_sha256 for s in active_content(store).stores if s.logo_sha256)
        store.blob_path(logo).write_bytes(b"damaged")
    result = kiosk("status", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 damaged, 0 missing" in result.stdout and logo in result.stdout


def test_usage_errors_exit_2():
    assert kiosk().returncode == 2
    assert kiosk("enroll").returncode == 2


def test_the_kiosk_core_never_imports_kivy():
    script = (
        "import sys, pkgutil, importlib, kiosk\n"
        "for module in pkgutil.walk_packages(kiosk.__path__, 'kiosk.'):\n"
        "    if module.name != 'kiosk.__main__':\n"
        "        importlib.import_module(module.name)\n"
        "import kiosk.__main__, kiosk.sync_agent\n"
        "loaded = [name for name in sys.modules if name == 'kivy' or name.startswith(('kivy.', 'screens'))]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_no_kivy_import_statement_in_the_core_sources():
    imports_kivy = re.compile(r"^\s*(import\s+kivy|from\s+kivy)\b", re.MULTILINE)
    for path in (ROOT / "kiosk").rglob("*.py"):
        assert not imports_kivy.search(path.read_text()), path


def test_run_with_a_missing_bundle_fails_before_any_window(tmp_path: Path):
    result = kiosk("run", "--data-dir", str(tmp_path), "--bundle", str(tmp_path / "no-such-bundle"))
    assert result.returncode == 1
    assert "Cannot install the bundle" in result.stderr and "Traceback" not in result.stderr
