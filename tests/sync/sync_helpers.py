"""Helpers for the sync tests: real HTTP servers on free ports.

`scripted_server` is a small stdlib HTTP server whose answers a test chooses (500s, 422s,
slow replies, corrupted blobs): the faults a real server rarely produces on demand. The
happy paths also run against the real Django server in test_sync_against_server.py.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from live_server import free_port, wait_until  # noqa: F401 - re-exported for the sync tests

from kiosk.identity import KioskIdentity


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict | list | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


class ScriptedServer:
    """Answers each request with `routes[(method, path)](request) -> Reply`; records them all."""

    def __init__(self):
        self.routes: dict[tuple[str, str], Callable[[Request], Reply]] = {}
        self.requests: list[Request] = []
        self.ahead_s = 0.0
        """How far this server's clock (its Date headers) runs ahead of the machine's."""
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def date_time_string(self, timestamp=None):  # a test may set the server's clock
                if server.ahead_s:
                    return super().date_time_string(time.time() + server.ahead_s)
                return super().date_time_string(timestamp)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
                with server.lock:
                    server.requests.append(request)
                route = server.routes.get((self.command, self.path))
                if route is None and self.command == "GET" and self.path.startswith("/api/v1/blobs/"):
                    route = server.routes.get(("GET", "/api/v1/blobs/*"))
                reply = route(request) if route else Reply(404, {"error": {"code": "not_found", "message": self.path}})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                body = reply.body
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                    reply.headers.setdefault("Content-Type", "application/json")
                body = body or b""
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def calls(self, method: str, path_prefix: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def make_identity(server_url: str, mall_id: str = "mall-1") -> KioskIdentity:
    return KioskIdentity(
        kiosk_id="01JKIOSK0000000000000000AA", kiosk_code="C7K", device_key="test-device-key",
        mall_id=mall_id, location_id=None, public_base_url="https://track.example", server_url=server_url,
    )


