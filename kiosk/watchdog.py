"""The systemd watchdog, fed from the UI clock: a frozen screen stops the feeding and systemd
restarts the kiosk (deploy/concierge-kiosk.service: Type=notify, WatchdogSec=, NotifyAccess=all).

The sd_notify protocol is one datagram to the Unix socket named in $NOTIFY_SOCKET ("@" starts an
abstract name). The first feed, at the kiosk's first frame, also says READY=1, so start-up (fonts,
first content) is bounded by TimeoutStartSec and the watchdog counts only once the UI runs;
bench/bench_startup.py times the start to that datagram, as systemd sees it. Outside systemd there is no
$NOTIFY_SOCKET and feeding does nothing.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

DEFAULT_FEED_INTERVAL_S = 1.0
"""How often to feed when systemd does not say its timeout ($WATCHDOG_USEC)."""


class Watchdog:
    """Sends READY=1 once, then WATCHDOG=1 at most every third of the watchdog timeout."""

    def __init__(self, environ: Mapping[str, str], clock: Callable[[], float] = time.monotonic) -> None:
        self.address = _socket_address(environ.get("NOTIFY_SOCKET", ""))
        timeout_us = environ.get("WATCHDOG_USEC", "")
        self.interval_s = int(timeout_us) / 3_000_000 if timeout_us.isdigit() else DEFAULT_FEED_INTERVAL_S
        self._clock = clock
        self._last_fed: float | None = None
        self._ready_sent = False
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def feed(self) -> None:
        """Called on every UI tick; never raises (a failing notify must not stop the screen)."""
        if self.address is None:
            return
        now = self._clock()
        if self._last_fed is not None and now - self._last_fed < self.interval_s:
            return
        message = b"WATCHDOG=1" if self._ready_sent else b"READY=1\nWATCHDOG=1"
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto(message, self.address)
        except OSError as exc:
            log.warning("could not notify systemd at %s: %s", self.address, exc)
            return
        self._ready_sent = True
        self._last_fed = now

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _socket_address(notify_socket: str) -> str | bytes | None:
    if notify_socket.startswith("@"):
        return b"\0" + notify_socket[1:].encode()
    if notify_socket.startswith("/"):
        return notify_socket
    return None


_process_watchdog: Watchdog | None = None


def feed() -> None:
    """Feed this process's watchdog (made from the environment on first use)."""
    global _process_watchdog
    if _process_watchdog is None:
        _process_watchdog = Watchdog(os.environ)
    _process_watchdog.feed()
