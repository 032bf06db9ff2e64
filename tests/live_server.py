"""The real central server in a subprocess, for tests and benchmarks that need one.

The server gets its own CONCIERGE_DATA_DIR, is seeded with `python -m server demo`, and kiosks
enroll with the code the demo prints: the path an operator takes.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from kiosk.identity import load_identity
from kiosk.store import LocalStore

ROOT = Path(__file__).resolve().parents[1]
CODE_RE = re.compile(r"python -m kiosk enroll .*--code\s+(\S+)")
"""The demo prints the enroll command line an operator would type."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, every: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def server_env(data_dir: Path, port: int) -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        CONCIERGE_DATA_DIR=str(data_dir),
        CONCIERGE_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        CONCIERGE_ENROLL_RATE="1000/m",
    )


def manage(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


class ServerProcess:
    def __init__(self, data_dir: Path, port: int):
        self.data_dir, self.port = data_dir, port
        self.env = server_env(data_dir, port)
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.log = data_dir / f"serve-{port}.log"

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
        )

        def healthy() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                return requests.get(self.url + "/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        if not wait_until(healthy, timeout=60, every=0.2):
            self.stop()
            raise RuntimeError(f"server did not become healthy:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def count_cases(self, case_id: str) -> int:
        result = manage(self.env, "shell", "-c",
                        f"from server.cases.models import Case; print(Case.objects.filter(pk={case_id!r}).count())")
        assert result.returncode == 0, result.stderr
        return int(result.stdout.strip().splitlines()[-1])


def new_enrollment_code(server: ServerProcess) -> str:
    """`demo` is idempotent and prints a fresh kiosk enrollment code each run."""
    result = manage(server.env, "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    match = CODE_RE.search(result.stdout)
    assert match, f"no enrollment code in the demo's output:\n{result.stdout}"
    return match.group(1)


def enroll(server: ServerProcess, data_dir: Path, code: str) -> LocalStore:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "enroll", "--server", server.url, "--code", code, "--data-dir", str(data_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    store = LocalStore.in_dir(data_dir)
    assert load_identity(store) is not None
    return store
