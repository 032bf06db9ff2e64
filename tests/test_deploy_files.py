"""deploy/ checked by the tools a technician's machine has, and followed where this machine can.

Units: `systemd-analyze verify` (on copies whose /opt/concierge paths point at this checkout) and
`systemd-analyze security --offline`. nginx: `nginx -t` on the site with certificates made here,
then a real nginx in front of a real server: HTTP→HTTPS, the proxy headers the server trusts,
gzip, the blob cache, the live stream passed through unbuffered. Compose: `docker compose config`
(or docker-compose). Shell scripts: `bash -n`, and run. Backups: the SQLite script against a real
database being written, and restored; the pg_dump script against the test PostgreSQL when
CONCIERGE_TEST_POSTGRES_URL names one. The kiosk's watchdog against a real datagram socket, and
the real kiosk app feeding it. A server worker inside bubblewrap with its unit's limits and a
seccomp program made from the unit's SystemCallFilter.
Each tool that is missing here skips only its own test.
"""
from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.watchdog import Watchdog
from tests.live_server import free_port, manage, wait_until

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
HOST = "concierge.example-mall.cn"
UNIT_FILES = sorted(
    path for pattern in ("*.service", "*.timer", "*.target") for path in DEPLOY.rglob(pattern)
)
SHELL_SCRIPTS = [
    DEPLOY / "kiosk" / "concierge-kiosk-session",
    DEPLOY / "backup" / "concierge-pg-backup",
    DEPLOY / "postgresql" / "include-concierge-conf.sh",
]
BLOB = b"[" + b",".join([b'{"floor": "L1", "name": "North atrium"}'] * 100) + b"]"
"""A content-addressed blob big enough for nginx to compress (gzip_min_length)."""
SQLITE_BACKUP = DEPLOY / "backup" / "concierge_sqlite_backup.py"
EXPOSURE_LIMITS = {
    # systemd-analyze security's exposure, ×10 (its --threshold scale): lower is tighter.
    "concierge-server@.service": 20,
    "concierge-jobs.service": 20,
    "concierge-migrate.service": 25,
    "concierge-pg-backup.service": 40,
    "concierge-sqlite-backup.service": 40,
    # The kiosk keeps the GPU, input devices and a logind session: it cannot be as tight.
    "concierge-kiosk.service": 65,
}


def _require(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not installed here")
    return found


def _units_pointing_here(into: Path) -> list[Path]:
    """Copies of the units whose executables exist on this machine: /opt/concierge is this
    checkout, its venv is the running Python, and a program only a kiosk has (cage) is a stub."""
    stubs = into / "bin"
    stubs.mkdir()
    copies = []
    for unit in UNIT_FILES:
        text = unit.read_text()
        text = text.replace("/opt/concierge/.venv/bin/python", sys.executable).replace("/opt/concierge", str(ROOT))
        for program in sorted(set(re.findall(r"^Exec\w+=[-+!@:]*(/\S+)", text, re.MULTILINE))):
            if not Path(program).exists():
                stub = stubs / Path(program).name
                stub.write_text("#!/bin/sh\n")
                stub.chmod(0o755)
                text = text.replace(program, str(stub))
        copy = into / unit.name
        copy.write_text(text)
        copies.append(copy)
    return copies


def test_every_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = _require("systemd-analyze")
    copies = _units_pointing_here(tmp_path)
    names = [copy.name for copy in copies] + ["concierge-server@8001.service"]
    result = subprocess.run([analyze, "verify", "--man=no", *names], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    ours = [line for line in (result.stdout + result.stderr).splitlines()
            if "concierge" in line or str(tmp_path) in line]
    assert result.returncode == 0 and not ours, result.stdout + result.stderr
    assert {"concierge-kiosk.service", "concierge-server@.service", "concierge-jobs.timer",
            "concierge-pg-backup.timer", "concierge-sqlite-backup.timer"} <= set(names)


def test_verify_would_catch_a_broken_unit(tmp_path):
    """The check above can fail: a misspelt option and a missing program are reported."""
    analyze = _require("systemd-analyze")
    broken = tmp_path / "broken.service"
    broken.write_text((DEPLOY / "concierge-jobs.service").read_text().replace("NoNewPrivileges", "NoNewPrivilege")
                      .replace("/opt/concierge/.venv/bin/python", str(tmp_path / "no-such-python")))
    result = subprocess.run([analyze, "verify", "--man=no", broken.name], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert "NoNewPrivilege" in output and "is not executable" in output


@pytest.mark.parametrize("unit_name", sorted(EXPOSURE_LIMITS))
def test_units_are_hardened(tmp_path, unit_name):
    analyze = _require("systemd-analyze")
    _units_pointing_here(tmp_path)
    result = subprocess.run(
        [analyze, "security", "--offline=true", "--no-pager", f"--threshold={EXPOSURE_LIMITS[unit_name]}", unit_name],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout[-800:] + result.stderr


def test_kiosk_unit_restarts_always_and_is_watched():
    unit = (DEPLOY / "concierge-kiosk.service").read_text()
    for line in ("Type=notify", "NotifyAccess=all", "WatchdogSec=30", "Restart=always", "User=kiosk",
                 "PAMName=concierge-kiosk", "TTYPath=/dev/tty1", "StartLimitIntervalSec=0"):
        assert re.search(rf"^{re.escape(line)}$", unit, re.MULTILINE), line
    assert "/usr/bin/cage" in unit and "deploy/kiosk/concierge-kiosk-session" in unit
    # Each of these closes the device policy: cage would lose the GPU and the touch screen.
    for closing in ("PrivateDevices=", "ProtectClock=", "DevicePolicy=", "DeviceAllow="):
        assert not re.search(rf"^{closing}", unit, re.MULTILINE), closing


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda path: path.name)
def test_shell_scripts_parse(script):
    assert os.access(script, os.X_OK), f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


@pytest.mark.parametrize("rotation, turned", [("90", True), ("normal", False)])
def test_kiosk_session_turns_the_panel_then_becomes_the_app(tmp_path, rotation, turned):
    """The session script inside cage: wlr-randr names the connector, the panel is turned,
    and the script execs the kiosk (wlr-randr and Python are stand-ins that record their args)."""
    calls = tmp_path / "calls"
    _stub(tmp_path, "wlr-randr", f'if [ $# -eq 0 ]; then printf \'%s\\n\' "DSI-1 \\"Raspberry Pi 7in\\"" '
                                 f'"  Enabled: yes" "HDMI-A-1 \\"Other\\""; '
                                 f'else echo "wlr-randr $*" >> {calls}; fi\n')
    _stub(tmp_path, "python", f'echo "python $*" >> {calls}\n')
    env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}", CONCIERGE_KIOSK_ROTATION=rotation,
               CONCIERGE_KIOSK_OUTPUT="", CONCIERGE_KIOSK_PYTHON=str(tmp_path / "python"))
    result = subprocess.run([str(DEPLOY / "kiosk" / "concierge-kiosk-session")], env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    expected = (["wlr-randr --output DSI-1 --transform 90"] if turned else []) + ["python -m kiosk run"]
    assert calls.read_text().splitlines() == expected


def test_touch_rule_turns_touches_90_degrees_clockwise():
    rule = (DEPLOY / "kiosk" / "99-concierge-touch.rules").read_text()
    active = [line for line in rule.splitlines() if line and not line.startswith("#")]
    assert len(active) == 1
    assert 'ENV{ID_INPUT_TOUCHSCREEN}=="1"' in active[0]
    matrix = re.search(r'LIBINPUT_CALIBRATION_MATRIX}="([^"]+)"', active[0]).group(1)
    a, b, c, d, e, f = (float(value) for value in matrix.split())
    # The panel's top-left corner (0, 0) ends top-right, its top-right (1, 0) bottom-right.
    assert (a * 0 + b * 0 + c, d * 0 + e * 0 + f) == (1, 0)
    assert (a * 1 + b * 0 + c, d * 1 + e * 0 + f) == (1, 1)


# --- nginx ---------------------------------------------------------------------------------

def _certificate(directory: Path) -> tuple[Path, Path]:
    openssl = _require("openssl")
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


def _nginx_config(directory: Path, site: Path, replacements: dict[str, str]) -> Path:
    """A main nginx.conf around `site`, as Debian's includes a site, with paths moved here."""
    cert, key = _certificate(directory)
    (directory / "cache").mkdir()
    text = site.read_text()
    for old, new in {
        "/etc/ssl/concierge/fullchain.pem": str(cert), "/etc/ssl/concierge/privkey.pem": str(key),
        "/etc/nginx/certs/fullchain.pem": str(cert), "/etc/nginx/certs/privkey.pem": str(key),
        "/etc/nginx/snippets/concierge-proxy.conf": str(DEPLOY / "nginx" / "concierge-proxy.conf"),
        "/var/cache/nginx/": f"{directory}/cache/",
        "/var/lib/nginx/": f"{directory}/cache/",
        **replacements,
    }.items():
        text = text.replace(old, new)
    (directory / "site.conf").write_text(text)
    main = directory / "nginx.conf"
    # Started as root, nginx's workers would run as nobody, who cannot enter pytest's 0700 folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(f"{user}pid {directory}/nginx.pid;\nerror_log {directory}/error.log;\nevents {{}}\n"
                    f"http {{\n    include /etc/nginx/mime.types;\n    access_log off;\n"
                    f"    include {directory}/site.conf;\n}}\n")
    return main


@pytest.mark.parametrize("site, replacements", [
    (DEPLOY / "nginx.conf", {}),
    # The compose site names its upstream by service name, which only compose's DNS resolves.
    (DEPLOY / "nginx" / "compose.conf", {"server:8000": "127.0.0.1:8000"}),
], ids=["host", "compose"])
def test_nginx_accepts_the_site(tmp_path, site, replacements):
    nginx = _require("nginx")
    main = _nginx_config(tmp_path, site, replacements)
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def _request(port: int, path: str, *, tls: ssl.SSLContext | None = None, headers: dict | None = None,
             read: bool = True) -> tuple[http.client.HTTPResponse, bytes]:
    connection = (http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=20) if tls
                  else http.client.HTTPConnection("127.0.0.1", port, timeout=20))
    connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
    response = connection.getresponse()
    return response, (response.read() if read else b"")


@pytest.fixture
def server_behind_nginx(tmp_path):
    """The real server (one worker, SQLite) and the real nginx site in front of it, on free
    ports, with a blob stored and a signed-in administrator's session cookie."""
    nginx = _require("nginx")
    data_dir, nginx_dir = tmp_path / "server", tmp_path / "nginx"
    data_dir.mkdir()
    nginx_dir.mkdir()
    worker, http_port, https_port = free_port(), free_port(), free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), CONCIERGE_DATA_DIR=str(data_dir), CONCIERGE_ENV="production",
               CONCIERGE_PUBLIC_BASE_URL=f"https://{HOST}", CONCIERGE_ALLOWED_HOSTS=HOST,
               CONCIERGE_BEHIND_PROXY="1", CONCIERGE_LIVE_CHECK_SECONDS="0.2")
    env.pop("CONCIERGE_DATABASE_URL", None)
    migrated = manage(env, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    seeded = manage(env, "shell", "-c", (
        "from django.contrib.auth import get_user_model; from django.test import Client;"
        "from server.content.services import store_blob;"
        f"blob = store_blob({BLOB!r}, 'application/json');"
        "user = get_user_model().objects.create_superuser('tech', 'tech@example.com', 'x-Long-pass-9');"
        f"client = Client(HTTP_HOST='{HOST}'); client.force_login(user);"
        "print(blob.sha256, client.cookies['sessionid'].value)"))
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    sha256, session = seeded.stdout.split()[-2:]
    log = (data_dir / "serve.log").open("ab")
    server = subprocess.Popen([sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(worker),
                               "--no-migrate", "--no-jobs"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    main = _nginx_config(nginx_dir, DEPLOY / "nginx.conf", {
        "server 127.0.0.1:8001;\n    server 127.0.0.1:8002;": f"server 127.0.0.1:{worker};",
        "listen 80;": f"listen 127.0.0.1:{http_port};", "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;", "listen [::]:443 ssl http2;": "",
    })
    proxy = subprocess.Popen([nginx, "-p", str(nginx_dir), "-c", str(main), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tls = ssl.create_default_context(cafile=str(nginx_dir / "fullchain.pem"))
    tls.check_hostname = False

    def ready() -> bool:
        assert server.poll() is None, (data_dir / "serve.log").read_text()[-3000:]
        assert proxy.poll() is None, proxy.stderr.read().decode() if proxy.stderr else ""
        try:
            return _request(https_port, "/healthz", tls=tls)[0].status == 200
        except OSError:
            return False

    try:
        assert wait_until(ready, timeout=60, every=0.2), "server behind nginx did not answer /healthz"
        yield {"http": http_port, "https": https_port, "worker": worker, "tls": tls,
               "sha256": sha256, "session": session, "log": data_dir / "serve.log"}
    finally:
        for process in (proxy, server):
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        log.close()


def test_nginx_in_front_of_the_real_server(server_behind_nginx):
    ports, tls = server_behind_nginx, server_behind_nginx["tls"]

    # Plain HTTP to nginx: sent to HTTPS, same host and path.
    response, _ = _request(ports["http"], "/console/?x=1")
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/console/?x=1"

    # Through nginx the server knows the request came over HTTPS (X-Forwarded-Proto): the
    # console sends a visitor to sign in instead of redirecting to HTTPS again.
    response, _ = _request(ports["https"], "/console/", tls=tls)
    assert response.status == 302 and "/accounts/login/" in response.getheader("Location")
    # Straight to the worker, without the proxy's headers, the same request is plain HTTP.
    response, _ = _request(ports["worker"], "/console/")
    assert response.status == 301 and response.getheader("Location").startswith(f"https://{HOST}/console/")

    # Content-addressed blobs: immutable, compressed, and cached by nginx after the first fetch.
    blob_path = f"/api/v1/blobs/{ports['sha256']}"
    first, body = _request(ports["https"], blob_path, tls=tls, headers={"Accept-Encoding": "gzip"})
    assert first.status == 200, ports["log"].read_text()[-3000:]
    assert first.getheader("X-Cache-Status") == "MISS"
    assert "immutable" in first.getheader("Cache-Control")
    assert first.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == BLOB
    again, _ = _request(ports["https"], blob_path, tls=tls)
    assert again.status == 200 and again.getheader("X-Cache-Status") == "HIT"
    unknown, _ = _request(ports["https"], "/api/v1/blobs/" + "0" * 64, tls=tls)
    assert unknown.status == 404


def test_console_live_stream_passes_nginx_at_once(server_behind_nginx):
    """The first event of the console's server-sent event stream arrives long before the stream
    ends (55 s): nginx does not buffer it."""
    ports = server_behind_nginx
    started = time.monotonic()
    response, _ = _request(ports["https"], "/live/console", tls=ports["tls"], read=False,
                           headers={"Cookie": f"sessionid={ports['session']}", "Accept": "text/event-stream"})
    assert response.status == 200, response.read()[:500]
    assert response.getheader("Content-Type").startswith("text/event-stream")
    first_lines = b""
    while b"\n\n" not in first_lines and time.monotonic() - started < 10:
        first_lines += response.read1(4096)
    assert b"\n\n" in first_lines, first_lines
    assert time.monotonic() - started < 10
    response.close()


# --- compose ---------------------------------------------------------------------------------

def _compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30).returncode == 0:
        return [docker, "compose"]
    if shutil.which("docker-compose"):
        return [shutil.which("docker-compose") or "docker-compose"]
    pytest.skip("neither `docker compose` nor docker-compose is installed here")


def test_compose_file_is_valid():
    compose = _compose_command()
    env = dict(os.environ, POSTGRES_PASSWORD="s3cret-for-the-test")
    result = subprocess.run([*compose, "-f", str(DEPLOY / "compose.yaml"), "--profile", "proxy", "config"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    for service in ("db:", "redis:", "server:", "nginx:"):
        assert f"\n  {service}" in result.stdout
    assert "postgresql://concierge:s3cret-for-the-test@db:5432/concierge" in result.stdout
    assert "redis://redis:6379/0" in result.stdout


def test_compose_refuses_to_run_without_a_database_password():
    compose = _compose_command()
    env = {key: value for key, value in os.environ.items() if key != "POSTGRES_PASSWORD"}
    result = subprocess.run([*compose, "-f", str(DEPLOY / "compose.yaml"), "config"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD" in result.stderr


# --- backups -------------------------------------------------------------------------------

def _run_sqlite_backup(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SQLITE_BACKUP), *args], capture_output=True, text=True,
                          timeout=120, env=env or dict(os.environ))


def test_sqlite_backup_while_written_then_restore(tmp_path):
    database, backups = tmp_path / "server.sqlite3", tmp_path / "backups"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, body TEXT)")
        connection.executemany("INSERT INTO cases (body) VALUES (?)", [("x" * 500,)] * 2000)
    connection.close()

    stop = threading.Event()

    def keep_writing() -> None:  # the server, filing cases while the backup runs
        with sqlite3.connect(database, timeout=30) as writer:
            while not stop.is_set():
                writer.execute("INSERT INTO cases (body) VALUES ('during')")
                writer.commit()
        writer.close()

    writer_thread = threading.Thread(target=keep_writing)
    writer_thread.start()
    try:
        made = [_run_sqlite_backup("backup", "--database", str(database), "--into", str(backups), "--keep", "2")
                for _ in range(3)]
    finally:
        stop.set()
        writer_thread.join()
    assert all(result.returncode == 0 for result in made), [result.stderr for result in made]
    kept = sorted(backups.glob("concierge-*.sqlite3"))
    assert len(kept) == 2, kept  # the oldest of three was rotated out
    assert "removed old backup" in made[-1].stdout
    assert not list(backups.glob("*.partial"))
    newest = kept[-1]
    with sqlite3.connect(newest) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        saved = copy.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
    copy.close()
    assert saved >= 2000

    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM cases")  # the accident
    connection.close()
    restored = _run_sqlite_backup("restore", "--database", str(database), str(newest))
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == saved
    connection.close()


def test_sqlite_restore_refuses_a_damaged_backup(tmp_path):
    database = tmp_path / "server.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY)")
        connection.execute("INSERT INTO cases VALUES (1)")
    connection.close()
    damaged = tmp_path / "concierge-damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\0" + b"\xff" * 4000)
    result = _run_sqlite_backup("restore", "--database", str(database), str(damaged))
    assert result.returncode == 1 and "nothing restored" in result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1
    connection.close()
    missing = _run_sqlite_backup("backup", "--database", str(tmp_path / "nope.sqlite3"), "--into", str(tmp_path))
    assert missing.returncode == 1 and "no database at" in missing.stderr


def test_pg_backup_script_dumps_and_rotates(tmp_path):
    url = os.environ.get("CONCIERGE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CONCIERGE_TEST_POSTGRES_URL names no PostgreSQL to dump")
    _require("pg_dump")
    pg_restore = _require("pg_restore")
    env = dict(os.environ, CONCIERGE_DATABASE_URL=url, CONCIERGE_BACKUP_DIR=str(tmp_path), CONCIERGE_BACKUP_KEEP="2")
    for _ in range(3):
        result = subprocess.run([str(DEPLOY / "backup" / "concierge-pg-backup")], env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        time.sleep(1.1)  # names carry the second
    dumps = sorted(tmp_path.glob("concierge-*.dump"))
    assert len(dumps) == 2 and "removed old backup" in result.stdout
    listing = subprocess.run([pg_restore, "--list", str(dumps[-1])], capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0 and "TOC" in listing.stdout

    bad = subprocess.run([str(DEPLOY / "backup" / "concierge-pg-backup")], capture_output=True, text=True,
                         env=dict(env, CONCIERGE_BACKUP_KEEP="none"), timeout=60)
    assert bad.returncode == 2 and "CONCIERGE_BACKUP_KEEP" in bad.stderr


# --- the kiosk's watchdog ------------------------------------------------------------------

@pytest.fixture
def notify_socket(tmp_path):
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    receiver.bind(str(path))
    receiver.settimeout(2)
    yield receiver, str(path)
    receiver.close()


def test_watchdog_says_ready_then_feeds_at_a_third_of_the_timeout(notify_socket):
    receiver, path = notify_socket
    now = [100.0]
    watchdog = Watchdog({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"}, clock=lambda: now[0])
    watchdog.feed()
    assert receiver.recv(256) == b"READY=1\nWATCHDOG=1"
    now[0] += 5  # ticks within 10 s (30 s / 3) send nothing
    watchdog.feed()
    now[0] += 5.5
    watchdog.feed()
    assert receiver.recv(256) == b"WATCHDOG=1"
    receiver.setblocking(False)
    with pytest.raises(BlockingIOError):
        receiver.recv(256)  # exactly two datagrams: the 5 s tick sent none
    watchdog.close()


def test_watchdog_abstract_socket_and_outside_systemd():
    name = f"concierge-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver:
        receiver.bind(b"\0" + name.encode())
        receiver.settimeout(2)
        watchdog = Watchdog({"NOTIFY_SOCKET": "@" + name})
        watchdog.feed()
        assert receiver.recv(256).startswith(b"READY=1")
        watchdog.close()
    outside = Watchdog({})
    assert not outside.enabled
    outside.feed()  # nothing to send to, nothing raised


def test_watchdog_survives_a_vanished_socket(tmp_path, caplog):
    watchdog = Watchdog({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    watchdog.feed()  # logged, never raised: the UI tick goes on
    assert "could not notify systemd" in caplog.text
    watchdog.close()


def test_compose_server_env_matches_the_settings():
    """Every CONCIERGE_ variable the deploy files set is one the server reads."""
    settings_text = (ROOT / "server" / "settings.py").read_text()
    set_here = set(re.findall(r"\b(CONCIERGE_[A-Z_]+)\b", (DEPLOY / "server.env").read_text()
                              + (DEPLOY / "compose.yaml").read_text()))
    not_settings = {"CONCIERGE_BACKUP_DIR", "CONCIERGE_BACKUP_KEEP", "CONCIERGE_HOST", "CONCIERGE_WORKERS"}
    unknown = {name for name in set_here - not_settings if name not in settings_text}
    assert not unknown, unknown


def test_the_kiosk_app_feeds_the_watchdog_from_its_ui_clock(tmp_path, notify_socket):
    """The real kiosk (headless, not enrolled) under a stand-in for systemd's notify socket: READY=1
    once its UI runs, then WATCHDOG=1 from the UI tick; a frozen process (SIGSTOP) sends nothing,
    which is what makes systemd restart it."""
    receiver, path = notify_socket
    receiver.settimeout(90)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1500000", SDL_VIDEODRIVER="offscreen",
               KIVY_NO_ARGS="1", KIVY_HOME=str(tmp_path / "kivy"), CONCIERGE_KIOSK_DIR=str(tmp_path / "kiosk"),
               PYTHONPATH=str(ROOT))
    kiosk = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--windowed"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=(tmp_path / "kiosk.log").open("wb"))
    try:
        assert receiver.recv(256) == b"READY=1\nWATCHDOG=1"
        receiver.settimeout(10)
        assert receiver.recv(256) == b"WATCHDOG=1"
        kiosk.send_signal(signal.SIGSTOP)
        receiver.settimeout(3)
        with pytest.raises(TimeoutError):
            for _queued_before_the_stop in range(3):
                receiver.recv(256)
        kiosk.send_signal(signal.SIGCONT)
        receiver.settimeout(10)
        assert receiver.recv(256) == b"WATCHDOG=1"
    finally:
        kiosk.send_signal(signal.SIGCONT)
        kiosk.terminate()
        exit_code = kiosk.wait(30)
    assert exit_code == 0, (tmp_path / "kiosk.log").read_text()[-3000:]


# --- the server under its unit's restrictions ------------------------------------------------

SECCOMP_FROM_SYSTEMD = """
import subprocess, sys
import seccomp

def members(group, seen):
    listing = subprocess.run(["systemd-analyze", "syscall-filter", group], capture_output=True, text=True,
                             check=True).stdout.splitlines()[1:]
    names = set()
    for item in (line.strip() for line in listing):
        if item.startswith("@") and item not in seen:
            seen.add(item)
            names |= members(item, seen)
        elif item and not item.startswith(("#", "@")):
            names.add(item)
    return names

program = seccomp.SyscallFilter(defaction=seccomp.KILL_PROCESS)
for name in sorted(members(sys.argv[1], set())):
    try:
        program.add_rule(seccomp.ALLOW, name)
    except (RuntimeError, ValueError):
        pass  # not a system call on this architecture
with open(sys.argv[2], "wb") as out:
    program.export_bpf(out)
"""
"""Run by Debian's python3 (python3-seccomp): systemd's named group compiled to a seccomp program."""


def _unit_options(unit: Path) -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            options.setdefault(key, []).append(value)
    return options


def _sandbox_like(unit: Path, state_dir: Path, tmp_path: Path) -> list[str]:
    """bubblewrap arguments that imitate the unit's file-system and system-call limits."""
    bwrap = _require("bwrap")
    options = _unit_options(unit)
    assert options["ProtectSystem"] == ["strict"] and options["PrivateTmp"] == ["yes"]
    assert options["ProtectHome"] == ["yes"] and options["PrivateDevices"] == ["yes"]
    assert options["NoNewPrivileges"] == ["yes"]  # bubblewrap always sets no_new_privs
    # In order: the state dir (here under /tmp) is bound after the private /tmp is mounted.
    command = [bwrap, "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--bind", str(state_dir), str(state_dir),
               "--dev", "/dev", "--proc", "/proc", "--unshare-ipc", "--unshare-pid", "--die-with-parent",
               "--tmpfs", "/home"]
    if not os.path.realpath(sys.executable).startswith("/root/"):  # a venv on a pyenv in root's home
        command += ["--tmpfs", "/root"]
    (filter_group,) = options["SystemCallFilter"]
    bpf = tmp_path / "filter.bpf"
    compiled = subprocess.run(["/usr/bin/python3", "-c", SECCOMP_FROM_SYSTEMD, filter_group, str(bpf)],
                              capture_output=True, text=True, timeout=120)
    if compiled.returncode == 0:
        command += ["--seccomp", "{filter_fd}"]
    return command


def test_server_works_within_its_units_limits(tmp_path):
    """A worker, as concierge-server@.service confines it: read-only system, writable state dir
    only, private /tmp, no home, minimal /dev, and (where python3-seccomp is installed) only the
    system calls of @system-service. It answers /readyz, stores and serves a blob, signs staff in."""
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    sandbox = _sandbox_like(DEPLOY / "concierge-server@.service", state_dir, tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT), CONCIERGE_DATA_DIR=str(state_dir), CONCIERGE_ALLOWED_HOSTS=HOST,
               CONCIERGE_PUBLIC_BASE_URL=f"https://{HOST}", CONCIERGE_BEHIND_PROXY="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("CONCIERGE_DATABASE_URL", None)

    def confined(*args: str, **popen) -> subprocess.Popen:
        """Python with `args` in the sandbox; bubblewrap reads the filter from an inherited fd."""
        if "{filter_fd}" not in sandbox:
            return subprocess.Popen([*sandbox, sys.executable, *args], cwd=ROOT, env=env, **popen)
        filter_fd = os.open(tmp_path / "filter.bpf", os.O_RDONLY)
        try:
            command = [str(filter_fd) if part == "{filter_fd}" else part for part in sandbox]
            return subprocess.Popen([*command, sys.executable, *args], cwd=ROOT, env=env,
                                    pass_fds=(filter_fd,), **popen)
        finally:
            os.close(filter_fd)

    def run_confined(*args: str) -> str:
        process = confined("-m", "server", *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output, _ = process.communicate(timeout=180)
        assert process.returncode == 0, output[-3000:]
        return output

    if "{filter_fd}" in sandbox:  # the filter bites: chroot is outside @system-service (SIGSYS)
        outside = confined("-c", "import os; os.chroot('/')", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert outside.wait(60) == 128 + signal.SIGSYS
    run_confined("migrate", "--no-input")
    sha256 = run_confined("shell", "-c", f"from server.content.services import store_blob;"
                                         f"print(store_blob({BLOB!r}, 'application/json').sha256)").split()[-1]
    run_confined("create-user", "tech", "--role", "administrator", "--password", "Long-enough-pass-93")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    worker = confined("-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate", "--no-jobs",
                      stdout=log, stderr=subprocess.STDOUT)
    headers = {"Host": HOST, "X-Forwarded-Proto": "https"}

    def ready() -> bool:
        assert worker.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
        try:
            return _request(port, "/readyz", headers=headers)[0].status == 200
        except OSError:
            return False

    try:
        assert wait_until(ready, timeout=60, every=0.2)
        response, body = _request(port, f"/api/v1/blobs/{sha256}", headers=headers)
        assert response.status == 200 and body == BLOB
        login, page = _request(port, "/accounts/login/", headers=headers)
        csrf_cookie = re.search(r"csrftoken=([^;]+)", login.getheader("Set-Cookie")).group(1)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/accounts/login/",
                           body=f"csrfmiddlewaretoken={token}&username=tech&password=Long-enough-pass-93",
                           headers={**headers, "Cookie": f"csrftoken={csrf_cookie}", "Referer": f"https://{HOST}/",
                                    "Content-Type": "application/x-www-form-urlencoded"})
        signed_in = connection.getresponse()
        signed_in.read()
        assert signed_in.status == 302 and "sessionid=" in (signed_in.getheader("Set-Cookie") or "")
    finally:
        worker.terminate()
        worker.wait(15)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
