"""Kiosk cold start to first frame, against a plain Kivy app showing one label (the reference).

Each start is a fresh process, offscreen, in a 1080×1920 window for both. The kiosk is started the
way systemd starts it: `python -m kiosk run` (the database and disk checks, the log file, the app)
with a notify socket of the bench's own, and its time is when READY=1 arrives, which the kiosk
sends at its first frame (kiosk/watchdog.py); the resident memory is read then. The plain app
reports its first frame (the first window flip after on_start) itself. Both are timed from just
before the spawn. The kiosk starts on the demo mall, installed into a local store beforehand;
its font cache is warm (as on every start but the first after installation), and so is the
bytecode of every module either imports (compiled at installation, docs/deploy.md; here the
unreported first starts write it to a cache of the bench's own). Runs alternate between the two,
so machine noise hits both alike; medians are compared.

A first frame bought by pushing work onto the first visitor would be no gain, so the kiosk is
also started in the bench's own process (1920×1080), which waits until the background
preparation (search index, routes, input-method dictionaries) is done and reports how long after
the first frame that was, and what the first visitor still waits for: opening the directory,
the first pinyin keystroke, and opening the map (until the first frame that names the stores of
the floor it opens on).
"""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "5"))


def resident_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str, data_dir: str) -> None:
    """Runs in the spawned process: start the app, report the first frame, exit."""
    spawned_at = float(os.environ["BENCH_SPAWNED_AT"])
    from screens.headless import prepare_headless_environment

    prepare_headless_environment()
    from kiosk.config import KioskConfig

    config = KioskConfig(data_dir=Path(data_dir), fullscreen=False, window_width=1920, window_height=1080)
    if kind == "visitor":
        from kiosk.store import LocalStore
        from screens.app import KioskApp, configure_kivy

        configure_kivy(config)
        store = LocalStore(config.database_path)
        app = KioskApp(config, store, font_cache_dir=config.data_dir / "fonts")
    else:
        from kivy.config import Config

        Config.set("graphics", "width", "1080")  # the window of `python -m kiosk run --windowed`
        Config.set("graphics", "height", "1920")
        from kivy.app import App
        from kivy.uix.label import Label

        class PlainApp(App):
            def build(self):
                return Label(text="Hello", font_size=64)

        app = PlainApp()

    def started(*_):
        from kivy.clock import Clock
        from kivy.core.window import Window

        def first_frame(*_):
            Window.unbind(on_flip=first_frame)
            result = {"seconds": time.time() - spawned_at, "rss_mb": resident_mb(),
                      "screen": getattr(getattr(app, "manager", None), "current", "")}
            if kind == "plain":
                print(json.dumps(result), flush=True)
                app.stop()
                return
            drawn_at = time.monotonic()

            def when_warm(dt):
                warmup = app.warmup
                if warmup is None or warmup.is_alive():
                    if time.monotonic() - drawn_at > 120:
                        raise SystemExit("the kiosk did not finish preparing within 120 s")
                    return True  # keep polling, frames go on being drawn meanwhile
                result["warm_s"] = warmup.finished_at - drawn_at
                result.update(first_keystrokes(app))
                open_map(app, result)
                return False

            Clock.schedule_interval(when_warm, 0.02)

        Window.bind(on_flip=first_frame)

    app.bind(on_start=started)
    app.run()


def first_keystrokes(app) -> dict:
    """What the first visitor waits for once the kiosk is warm: opening the directory, and one
    pinyin key there (the keyboard's candidates and the store search for the letters)."""
    from kiosk.ime import PinyinInput
    from venue.search import search_for

    started = time.perf_counter()
    app.show("directory")
    opened = time.perf_counter()
    method = PinyinInput(context_words=[store.name.get("zh_CN") for store in app.index.stores])
    method.press("x")
    search_for(app.index).search(method.composition)
    typed = time.perf_counter()
    return {"directory_s": opened - started, "keystroke_s": typed - opened}


def open_map(app, result: dict) -> None:
    """Open the map, report how long until a frame shows its floor with the stores named, exit."""
    from kivy.core.window import Window

    started = time.perf_counter()
    app.show("map")
    plan = app.screen("map").ids.plan

    def drawn(*_):
        if not plan.placed_labels or plan.width < 200:
            return  # not laid out yet: the plan's first frames are drawn at the default size
        Window.unbind(on_flip=drawn)
        result["map_s"] = time.perf_counter() - started
        print(json.dumps(result), flush=True)
        app.stop()

    Window.bind(on_flip=drawn)


def child_environment(bytecode_dir: str) -> dict:
    """`bytecode_dir` holds every start's compiled modules (the checkout's own __pycache__ may
    not be written to)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=bytecode_dir,
               KIVY_HOME=tempfile.mkdtemp(prefix="bench-kivy-"), KIVY_NO_CONSOLELOG="1", KIVY_NO_ARGS="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("SDL_VIDEODRIVER", "offscreen")
    return env


def start_kiosk_service(data_dir: str, bytecode_dir: str) -> dict:
    """`python -m kiosk run` in a fresh process, timed until its READY=1 (its first frame)."""
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as scratch_dir:
        return _timed_kiosk_service(data_dir, bytecode_dir, Path(scratch_dir))


def _timed_kiosk_service(data_dir: str, bytecode_dir: str, scratch: Path) -> dict:
    env = child_environment(bytecode_dir)
    env.update(NOTIFY_SOCKET=str(scratch / "notify"), CONCIERGE_KIOSK_DIR=data_dir)
    env.pop("WATCHDOG_USEC", None)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver, (scratch / "stderr").open("wb") as errors:
        receiver.bind(str(scratch / "notify"))
        receiver.settimeout(120)
        spawned_at = time.time()
        kiosk = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--windowed"], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=errors)
        try:
            message = receiver.recv(256)
            seconds = time.time() - spawned_at
            rss_mb = resident_mb(kiosk.pid)
        except TimeoutError:
            message, seconds, rss_mb = b"", float("nan"), float("nan")
        finally:
            kiosk.terminate()
            exit_code = kiosk.wait(60)
    if not message.startswith(b"READY=1") or exit_code != 0:
        raise SystemExit(f"the kiosk did not start (exit {exit_code}, sent {message!r}):\n"
                         f"{(scratch / 'stderr').read_text(errors='replace')[-3000:]}")
    return {"seconds": seconds, "rss_mb": rss_mb}


def start_once(kind: str, data_dir: str, bytecode_dir: str) -> dict:
    """One start of the plain app or of the kiosk in the bench's own process (`child`)."""
    env = child_environment(bytecode_dir)
    env["BENCH_SPAWNED_AT"] = repr(time.time())  # last, just before the spawn
    result = subprocess.run([sys.executable, __file__, "--child", kind, data_dir], env=env,
                            capture_output=True, text=True, timeout=120)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"{kind} start failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> None:
    from kiosk.content import install_bundle
    from kiosk.store import LocalStore
    from sync.bundle import load_source_bundle

    data_dir = tempfile.mkdtemp(prefix="bench-kiosk-")
    store = LocalStore(Path(data_dir) / "kiosk.db")
    install_bundle(store, load_source_bundle(ROOT / "assets" / "demo"))
    store.close()
    bytecode_dir = tempfile.mkdtemp(prefix="bench-pycache-")
    first = start_kiosk_service(data_dir, bytecode_dir)  # fills the font and bytecode caches; not in the medians
    start_once("plain", data_dir, bytecode_dir)
    start_once("visitor", data_dir, bytecode_dir)
    kiosk, plain, visitor = [], [], []
    for _ in range(RUNS):
        kiosk.append(start_kiosk_service(data_dir, bytecode_dir))
        plain.append(start_once("plain", data_dir, bytecode_dir))
        visitor.append(start_once("visitor", data_dir, bytecode_dir))
    k_s = statistics.median(r["seconds"] for r in kiosk)
    p_s = statistics.median(r["seconds"] for r in plain)
    k_mb = statistics.median(r["rss_mb"] for r in kiosk)
    p_mb = statistics.median(r["rss_mb"] for r in plain)
    print(f"kiosk first start (font and bytecode caches empty): {first['seconds']:.2f} s, {first['rss_mb']:.0f} MB")
    print(f"kiosk cold start to first frame (`python -m kiosk run` to READY=1, {visitor[-1]['screen']} screen, "
          f"demo mall, median of {RUNS}): "
          f"{k_s:.2f} s, {k_mb:.0f} MB resident")
    print(f"plain Kivy app to first frame (reference, median of {RUNS}): {p_s:.2f} s, {p_mb:.0f} MB resident")
    print(f"ratio kiosk/plain: time {k_s / p_s:.2f}x, memory {k_mb / p_mb:.2f}x")
    warm = statistics.median(r["warm_s"] for r in visitor)
    directory = statistics.median(r["directory_s"] for r in visitor)
    keystroke = statistics.median(r["keystroke_s"] for r in visitor)
    print(f"first frame until the search index, routes and input methods are ready (background): {warm:.2f} s")
    map_open = statistics.median(r["map_s"] for r in visitor)
    print(f"then, the first visitor: directory opens in {directory * 1000:.0f} ms, "
          f"first pinyin keystroke (candidates + store search) {keystroke * 1000:.0f} ms")
    print(f"and the map: its first floor drawn with the stores named {map_open * 1000:.0f} ms after the tap")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.path.insert(0, str(ROOT))
        main()
