"""A TCP proxy between a kiosk and the real server that breaks connections on demand.

The faults of a flaky mall network, on real sockets: connections reset at once, connections
that stall (the server never answers), replies lost after the server has done the work (the
kiosk cannot know its case arrived), replies cut off half-way, and a 503 from a gateway in front
of the server. The mode applies to connections accepted after it is set; setting a mode closes
the connections still open, so a kiosk's kept-alive connection does not slip through. With a
path prefix, replies are lost or cut only for requests to such paths (the blob downloads, say),
read from each request line as it passes.
"""
from __future__ import annotations

import contextlib
import socket
import struct
import threading

from live_server import free_port

MODES = ("pass", "reset", "stall", "drop_reply", "truncate", "gateway_503")
GATEWAY_503 = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
               b"Content-Length: 11\r\nConnection: close\r\n\r\nunavailable")


class FaultProxy:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode = "pass"
        self.path_prefix = b""
        self.resumed_downloads = 0
        """Requests that asked for the rest of a blob (a Range header)."""
        self.accepted: dict[str, int] = {mode: 0 for mode in MODES}
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)
        self._thread.start()

    def set_mode(self, mode: str, path_prefix: str = "") -> None:
        assert mode in MODES, mode
        with self._lock:
            self.mode = mode
            self.path_prefix = path_prefix.encode()
            still_open, self._open = self._open, set()
        for sock in still_open:
            _close(sock)

    def close(self) -> None:
        self._stopping.set()
        self.set_mode("pass")
        self._thread.join(5)
        self._listener.close()

    # ---------------------------------------------------------------- connections
    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                mode = self.mode
                self.accepted[mode] += 1
                self._open.add(client)
            threading.Thread(target=self._serve, args=(client, mode), daemon=True).start()

    def _serve(self, client: socket.socket, mode: str) -> None:
        if mode == "reset":
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            _close(client)
            return
        if mode == "stall":
            with contextlib.suppress(OSError):
                while client.recv(65536):  # read the request, never answer, until the kiosk gives up
                    pass
            _close(client)
            return
        if mode == "gateway_503":
            with contextlib.suppress(OSError):
                client.recv(65536)
                client.sendall(GATEWAY_503)
            _close(client)
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:  # the server is down: the kiosk sees its connection closed
            _close(client)
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.add(upstream)
        armed = threading.Event()
        threading.Thread(target=self._forward_requests, args=(client, upstream, armed), daemon=True).start()
        self._reply(upstream, client, mode, armed)

    def _forward_requests(self, client: socket.socket, upstream: socket.socket, armed: threading.Event) -> None:
        """Client to server, noting whether the request now passing is one the fault is for."""
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                request_line = chunk.split(b"\r\n", 1)[0]
                if request_line.endswith(b"HTTP/1.1") and b" " in request_line:
                    path = request_line.split(b" ")[1]
                    if path.startswith(self.path_prefix):
                        armed.set()
                    else:
                        armed.clear()
                if b"\r\nRange: bytes=" in chunk:
                    self.resumed_downloads += 1
                upstream.sendall(chunk)
        _close(upstream)

    def _reply(self, upstream: socket.socket, client: socket.socket, mode: str, armed: threading.Event) -> None:
        received = b""
        try:
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                if armed.is_set() and mode == "drop_reply":  # the server did the work; no answer arrives
                    break
                if armed.is_set() and mode == "truncate":  # the headers whole, the body cut half-way
                    received += chunk
                    cut = _half_of_the_body(received)
                    if cut is not None:
                        client.sendall(received[:cut])
                        break
                    continue
                client.sendall(chunk)
        except OSError:
            pass
        _close(upstream)
        _close(client)


def _half_of_the_body(response: bytes) -> int | None:
    """Where to cut `response` (all received so far) so that half its body arrives, or None
    while the headers and that half have not all come in yet."""
    head_end = response.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    length = 0
    for line in response[:head_end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    cut = head_end + 4 + length // 2
    return cut if len(response) >= cut else None


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
