"""The fleet console's commands, run on the kiosk: reload content, restart the app, a screenshot,
the read-aloud volume, the backlight's brightness, a new device key, a new maintenance PIN hash.

The sync agent hands over each heartbeat reply's commands (`run_commands`, on the agent thread).
A command with an id is run once: its result is kept in the LocalStore before it is posted, and a
kept result is posted again (not the command run again) until the server has it. So a restart
answers before the app stops, and a reply lost on the way changes nothing. Work that needs the
screen (the screenshot, stopping the app, the orientation) goes through the `Screen` the running
app attaches (`attach_screen`; screens/fleet_screen.py does it on the Kivy main thread): without
an app in the process those commands say so.

`screen_report` is what the heartbeat says of the screen and sound.
"""
from __future__ import annotations

import base64
import io
import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

import requests
from PIL import Image

from kiosk.identity import save_identity
from kiosk.store import LocalStore
from sync.protocol import COMMAND_RESULT_PATH, MAX_SCREENSHOT_BYTES, Command, CommandResult

if TYPE_CHECKING:
    from kiosk.sync_agent import SyncAgent

log = logging.getLogger(__name__)

RESULTS_KEY = "fleet_command_results"
"""LocalStore setting: {command id: CommandResult as JSON} not yet acknowledged by the server."""
SPEECH_VOLUME_KEY = "speech_volume"
BACKLIGHT_ROOT = Path("/sys/class/backlight")
DRM_ROOT = Path("/sys/class/drm")
JPEG_QUALITIES = (80, 65, 50)


class CommandFailed(Exception):
    """The command could not be carried out; the message is the detail staff read. `unsupported`:
    this kiosk cannot do it at all (no backlight, no screen), so trying again will not help."""

    def __init__(self, message: str, unsupported: bool = False):
        super().__init__(message)
        self.unsupported = unsupported


class Screen(Protocol):
    """The running app's window, as the commands need it (called on the sync agent's thread)."""

    def orientation(self) -> str | None:
        """"landscape" or "portrait"; None before the window exists."""

    def capture(self) -> Image.Image:
        """What the window shows now, read on the UI thread; raises if that cannot be done."""

    def stop_app(self) -> None:
        """Ask the app to stop (its service restarts it)."""


_screen: Screen | None = None


def attach_screen(screen: Screen | None) -> None:
    """The app hands over its window when it starts (None when it stops)."""
    global _screen
    _screen = screen


# ---------------------------------------------------------------- what the heartbeat reports


def backlight(root: Path | None = None) -> Path | None:
    """The first backlight device the kernel offers (under BACKLIGHT_ROOT), or None."""
    root = root or BACKLIGHT_ROOT
    try:
        devices = sorted(path for path in root.iterdir() if (path / "max_brightness").exists())
    except OSError:
        return None
    return devices[0] if devices else None


def read_brightness(root: Path | None = None) -> int | None:
    device = backlight(root)
    if device is None:
        return None
    try:
        top = int((device / "max_brightness").read_text().strip())
        now = int((device / "brightness").read_text().strip())
    except (OSError, ValueError):
        return None
    return round(100 * now / top) if top > 0 else None


def read_screen_on(root: Path = DRM_ROOT) -> bool | None:
    """Whether a connected display is lit, from the DRM connectors' DPMS state; None when unknown."""
    try:
        connectors = sorted(root.glob("card*-*"))
    except OSError:
        return None
    states = []
    for connector in connectors:
        try:
            if (connector / "status").read_text().strip() != "connected":
                continue
            states.append((connector / "dpms").read_text().strip() == "On")
        except OSError:
            continue
    return any(states) if states else None


def screen_report(store: LocalStore) -> dict[str, Any]:
    """The heartbeat's screen fields: on/off, orientation, read-aloud volume, brightness."""
    orientation = _screen.orientation() if _screen is not None else None
    try:
        volume = int(store.get_setting(SPEECH_VOLUME_KEY))
    except (TypeError, ValueError):
        volume = None
    return {
        "screen_on": read_screen_on(), "orientation": orientation,
        "speech_volume": volume if volume is not None and 0 <= volume <= 100 else None,
        "brightness": read_brightness(),
    }


# ---------------------------------------------------------------- running commands
def run_commands(agent: SyncAgent, store: LocalStore, commands: list[Command]) -> None:
    """Run the console's commands of one heartbeat reply, then post every result not yet acknowledged."""
    kept = dict(store.get_setting(RESULTS_KEY, {}) or {})
    after_posting: list[Callable[[], None]] = []
    for command in commands:
        if command.id is None or command.id in kept:
            continue
        result, then = _run(agent, store, command)
        kept[command.id] = result.model_dump(mode="json")
        store.set_setting(RESULTS_KEY, kept)  # kept before it is posted: never run twice
        if then is not None:
            after_posting.append(then)
    post_results(agent, store)
    for action in after_posting:
        action()


def post_results(agent: SyncAgent, store: LocalStore) -> int:
    """Post the kept results; forget each one the server acknowledged (or no longer knows)."""
    kept = dict(store.get_setting(RESULTS_KEY, {}) or {})
    posted = 0
    for command_id, result in list(kept.items()):
        try:
            response = agent.session.post(
                agent.base_url + COMMAND_RESULT_PATH.format(command_id=command_id),
                data=CommandResult.model_validate(result).model_dump_json(),
                headers={"Content-Type": "application/json"}, timeout=agent.timeout)
        except requests.RequestException as exc:
            log.warning("command %s: result not posted yet: %s", command_id, exc)
            break
        if response.status_code in (200, 404):
            del kept[command_id]
            posted += 1
        else:
            log.warning("command %s: the server answered %s to its result", command_id, response.status_code)
            if response.status_code >= 500:
                break
            del kept[command_id]  # refused as sent: sending it again would be refused again
    store.set_setting(RESULTS_KEY, kept)
    return posted


def _run(agent: SyncAgent, store: LocalStore, command: Command) -> tuple[CommandResult, Callable[[], None] | None]:
    """The command's result, and what to do once the result is posted (stop the app for a restart)."""
    try:
        if command.kind == "reload":
            return CommandResult(ok=True, message=_reload(agent, store)), None
        if command.kind == "restart":
            stop = _app_stopper()
            return CommandResult(ok=True, message="restarting: the app stops and its service starts it again"), stop
        if command.kind == "screenshot":
            picture = capture_jpeg()
            return CommandResult(ok=True, message=f"screenshot, {len(picture)} bytes",
                                 screenshot_jpeg_b64=base64.b64encode(picture).decode()), None
        if command.kind == "set_volume":
            percent = _percent(command)
            store.set_setting(SPEECH_VOLUME_KEY, percent)
            return CommandResult(ok=True, message=f"read-aloud volume {percent} %"), None
        if command.kind == "set_brightness":
            return CommandResult(ok=True, message=set_brightness(_percent(command))), None
        if command.kind == "rotate_key":
            return CommandResult(ok=True, message=switch_key(agent, store, command)), None
        if command.kind == "set_maintenance_pin":
            return CommandResult(ok=True, message=set_maintenance_pin(store, command)), None
        raise CommandFailed(f"this kiosk does not know the command {command.kind!r}", unsupported=True)
    except CommandFailed as failed:
        return CommandResult(ok=False, unsupported=failed.unsupported, message=str(failed)[:500]), None
    except Exception as exc:  # a command must never take the sync agent down
        log.exception("command %s failed", command.kind)
        return CommandResult(ok=False, message=f"{type(exc).__name__}: {exc}"[:500]), None


def _percent(command: Command) -> int:
    value = command.payload.get("percent")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise CommandFailed(f"not a percentage: {value!r}")
    return value


def _reload(agent: SyncAgent, store: LocalStore) -> str:
    agent.pull_content(store)
    from kiosk.content import active_version

    version = active_version(store)
    return f"content checked: showing version {version.version}" if version else "content checked: none installed"


def set_brightness(percent: int, root: Path | None = None) -> str:
    device = backlight(root)
    if device is None:
        raise CommandFailed(f"no backlight under {root or BACKLIGHT_ROOT}", unsupported=True)
    try:
        top = int((device / "max_brightness").read_text().strip())
        (device / "brightness").write_text(str(round(top * percent / 100)))
    except (OSError, ValueError) as exc:
        raise CommandFailed(f"cannot set the backlight {device.name}: {exc}") from None
    return f"brightness {percent} % ({device.name})"


def switch_key(agent: SyncAgent, store: LocalStore, command: Command) -> str:
    """Store the new device key and use it from the next request on (this command's result is
    the first): the server then drops the old key."""
    key = command.payload.get("device_key")
    if not isinstance(key, str) or not 32 <= len(key) <= 256 or not key.isascii() or not key.isprintable():
        raise CommandFailed("the new device key is malformed")
    agent.identity = replace(agent.identity, device_key=key)
    save_identity(store, agent.identity)  # one SQLite transaction: the old key or the new, never half
    bearer = f"Bearer {key}"
    agent.session.headers["Authorization"] = bearer
    agent.broadcasts.session.headers["Authorization"] = bearer
    return "device key replaced"


def set_maintenance_pin(store: LocalStore, command: Command) -> str:
    """A new staff PIN for the maintenance screen, as its salted hash only (kiosk/maintenance.py)."""
    from kiosk.maintenance import save_pin_record
    from sync.maintenance_pin import pin_record_from_payload

    try:
        record = pin_record_from_payload(command.payload)
    except ValueError as exc:
        raise CommandFailed(f"the maintenance PIN hash is malformed: {exc}") from None
    save_pin_record(store, record)
    return "maintenance PIN replaced"


# ---------------------------------------------------------------- the screen's part
def capture_jpeg() -> bytes:
    """What the kiosk's window shows now (its real screen), as a JPEG small enough to upload."""
    if _screen is None:
        raise CommandFailed("no screen: the kiosk app is not running in this process", unsupported=True)
    try:
        image = _screen.capture().convert("RGB")
    except Exception as exc:
        raise CommandFailed(f"the screen could not be captured: {type(exc).__name__}: {exc}") from None
    while True:
        for quality in JPEG_QUALITIES:
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=quality)
            if buffer.tell() <= MAX_SCREENSHOT_BYTES:
                return buffer.getvalue()
        image = image.resize((max(1, image.width // 2), max(1, image.height // 2)))


def _app_stopper() -> Callable[[], None]:
    """What stops the running app once the restart is answered; refused where no app runs."""
    screen = _screen
    if screen is None:
        raise CommandFailed("no app to restart: the kiosk app is not running in this process", unsupported=True)
    return screen.stop_app
