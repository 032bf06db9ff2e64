"""Signage: emergency latency across a fleet, the gap between slides, and a memory soak.

1. Emergency latency. One real server process (`python -m server serve`, SQLite, the demo mall)
   and 200 simulated kiosks in this process: each is the kiosk's real broadcast poll
   (sync/broadcasts.py BroadcastListener, its own kiosk store and HTTP session), which long-polls
   (the server holds each poll up to 25 s until the list changes), and whose callback
   acknowledges a new emergency at once, as the screen does after drawing it. A staff member
   sends the emergency with the console's form; the latency of a kiosk is the server's receipt
   of its "shown at" minus the emergency's start (both on the server's clock), and the kiosk's
   "shown at" alone is reported too. The reference is the poll interval the kiosks would poll
   at against a server that does not hold polls: ~interval/2 is the best such a poll does on
   average, ~interval at worst. The kiosks' stores are in memory (tmpfs): 200 real kiosks have
   200 disks, not this machine's one.
2. Gap between slides and 3. memory soak. The real kiosk app, offscreen, runs its attract loop
   over 50 distinct 1920×1080 pictures for 2,000 slide transitions (in a 640×360 window by
   default, to keep the run short on a shared software renderer), its wall clock moved on one
   slide at a time and its frames driven as fast as they go. The gap is the frame that switches
   the picture, against the same frame of a plain Kivy app swapping two preloaded pictures; the
   next picture's decoding, which happens in the following (still) frame, is reported apart.
   The soak reports resident-memory growth after warm-up and its trend, against a plain Kivy
   app showing one picture over the same number of frames (each in a process of its own); the
   target is no growth beyond the noise of such samples.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

KIOSKS = int(os.environ.get("BENCH_SIGNAGE_KIOSKS", "200"))
ROUNDS = int(os.environ.get("BENCH_SIGNAGE_ROUNDS", "3"))
POLL_SECONDS = int(os.environ.get("BENCH_SIGNAGE_POLL_SECONDS", "2"))
TRANSITIONS = int(os.environ.get("BENCH_SIGNAGE_TRANSITIONS", "2000"))
IMAGES = int(os.environ.get("BENCH_SIGNAGE_IMAGES", "50"))
WARM_UP_TRANSITIONS = 200
WINDOW = tuple(int(side) for side in os.environ.get("BENCH_SIGNAGE_WINDOW", "640x360").split("x"))
"""A third of 1920×1080 each way, to keep the soak short on a shared software renderer (the full
panel costs about 1 s a transition there): each slide is still a fitted, window-sized texture
drawn from a 1920×1080 picture. BENCH_SIGNAGE_WINDOW=1920x1080 soaks the full panel."""
NOISE_FLOOR_MB = 3.0
"""Resident memory moves by a few MB between samples with nothing leaking (allocator pools)."""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ---------------------------------------------------------------- 1. emergency latency
def shell(server, code: str) -> str:
    from live_server import manage

    result = manage(server.env, "shell", "-c", code)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return result.stdout.strip().splitlines()[-1]


def enrollment_codes(server, count: int) -> list[str]:
    code = (
        "import json; from server.malls.models import Mall; from server.fleet.services import create_enrollment_code;"
        f"mall = Mall.objects.get(); print(json.dumps([create_enrollment_code(mall).code for _ in range({count})]))"
    )
    return json.loads(shell(server, code))


class ConsoleSender:
    """A staff member sending emergencies from the console's form, as in the product: the
    emergency starts when the server has the form (its `starts_at`), and nothing else runs on
    this machine meanwhile (no management command starting up beside the server)."""

    USER, PASSWORD = "bench-desk", "bench-Desk-password-1"

    def __init__(self, server):
        import re

        import requests
        from live_server import manage

        made = manage(server.env, "create-user", self.USER, "--role", "manager", "--password", self.PASSWORD)
        if made.returncode != 0:
            raise RuntimeError(made.stdout + made.stderr)
        self.url = server.url
        self.session = requests.Session()
        self._token = lambda html: re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        login = self.session.get(f"{self.url}/accounts/login/", timeout=30)
        self.session.post(login.url, data={"username": self.USER, "password": self.PASSWORD,
                                           "csrfmiddlewaretoken": self._token(login.text)},
                          headers={"Referer": login.url}, timeout=30).raise_for_status()
        self.form = self.session.get(f"{self.url}/console/broadcasts/", timeout=30)
        self.mall = re.search(r'name="mall" value="([^"]+)"', self.form.text).group(1)

    def send_emergency(self) -> str:
        sent = self.session.post(f"{self.url}/console/broadcasts/", timeout=30, headers={"Referer": self.form.url},
                                 data={"csrfmiddlewaretoken": self._token(self.form.text), "mall": self.mall,
                                       "kind": "emergency", "reason": "evacuation", "duration_minutes": "15"})
        sent.raise_for_status()
        return sent.url.rstrip("/").rsplit("/", 1)[-1]

    def end(self, broadcast_id: str) -> None:
        page = self.session.get(f"{self.url}/console/broadcasts/{broadcast_id}/", timeout=30)
        self.session.post(f"{self.url}/console/broadcasts/{broadcast_id}/end", timeout=30,
                          headers={"Referer": page.url},
                          data={"csrfmiddlewaretoken": self._token(page.text)}).raise_for_status()


class ReceiptReader:
    """The server's "shown at" receipts, read straight from its SQLite file (read-only, WAL: the
    server is not disturbed)."""

    def __init__(self, database: Path):
        import sqlite3

        self.connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)

    def count(self, broadcast_id: str) -> int:
        return self.connection.execute(
            "SELECT COUNT(*) FROM broadcasts_shownreceipt WHERE broadcast_id = ?", (broadcast_id,)).fetchone()[0]

    def delays(self, broadcast_id: str) -> list[tuple[float, float]]:
        """(shown, received) seconds after the emergency started, one per kiosk."""
        from datetime import datetime

        rows = self.connection.execute(
            "SELECT b.starts_at, r.shown_at, r.received_at FROM broadcasts_shownreceipt r "
            "JOIN broadcasts_broadcast b ON b.id = r.broadcast_id WHERE r.broadcast_id = ?", (broadcast_id,))
        parse = datetime.fromisoformat
        return [((parse(shown) - parse(start)).total_seconds(), (parse(received) - parse(start)).total_seconds())
                for start, shown, received in rows]

    def close(self) -> None:
        self.connection.close()


def emergency_latency() -> dict:
    import requests
    from live_server import ServerProcess, free_port, manage, new_enrollment_code

    from kiosk import broadcasts
    from kiosk.broadcast_listener import BroadcastListener
    from kiosk.store import LocalStore
    from kiosk.sync_agent import enroll_kiosk

    work = Path(tempfile.mkdtemp(prefix="bench-signage-"))
    # 200 real kiosks each write to a disk of their own; simulated in one process, their stores
    # share this machine's disk, whose fsyncs would then be timed rather than the server. In
    # memory (tmpfs) when there is one, so what is measured is the network path and the server.
    shared_memory = Path("/dev/shm")
    kiosk_stores = Path(tempfile.mkdtemp(prefix="bench-kiosks-", dir=shared_memory if shared_memory.is_dir() else None))
    server = ServerProcess(work / "server", free_port())
    server.data_dir.mkdir()
    server.env["CONCIERGE_BROADCAST_POLL_SECONDS"] = str(POLL_SECONDS)
    server.env["CONCIERGE_ENROLL_RATE"] = "100000/m"
    assert manage(server.env, "migrate", "--noinput").returncode == 0
    new_enrollment_code(server)  # seeds and publishes the demo mall
    server.start()
    listeners = []
    try:
        for number, code in enumerate(enrollment_codes(server, KIOSKS)):
            identity = enroll_kiosk(server.url, code, app_version="bench", hostname=f"bench-{number}")
            store = LocalStore(kiosk_stores / f"k{number}" / "kiosk.db")
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {identity.device_key}"
            listener = BroadcastListener(store.path, server.url, session, poll_s=POLL_SECONDS)

            # The screen's store, open for as long as the kiosk runs (opened on the thread that
            # uses it, as SQLite wants).
            opened: dict[str, LocalStore] = {}

            def acknowledge(received, store_path=store.path, listener=listener, opened=opened):
                if "store" not in opened:
                    opened["store"] = LocalStore(store_path)
                for item in received:
                    if broadcasts.record_shown(opened["store"], item.id, item.starts_at.now(item.starts_at.tzinfo)):
                        listener.wake()

            listener.on_broadcasts = acknowledge
            store.close()
            listeners.append(listener)
        for listener in listeners:
            listener.start()
            time.sleep(POLL_SECONDS / KIOSKS)  # kiosks do not start in step
        time.sleep(POLL_SECONDS * 2)
        latencies: list[float] = []
        shown_delays: list[float] = []
        """Trigger to the kiosk's "shown at" (same machine, same clock): delivery alone."""
        staff = ConsoleSender(server)
        receipts = ReceiptReader(server.data_dir / "server.sqlite3")
        for round_number in range(ROUNDS + 1):  # the first one warms up (not counted)
            sent = staff.send_emergency()
            deadline = time.monotonic() + 60
            while receipts.count(sent) < KIOSKS and time.monotonic() < deadline:
                time.sleep(0.5)
            delays = receipts.delays(sent)
            if len(delays) < KIOSKS:
                raise RuntimeError(f"only {len(delays)} of {KIOSKS} kiosks acknowledged within 60 s")
            if round_number:
                shown_delays.extend(shown for shown, _received in delays)
                latencies.extend(received for _shown, received in delays)
            staff.end(sent)
            time.sleep(POLL_SECONDS * 2)
        receipts.close()
        return {"p50": statistics.median(latencies), "p99": percentile(latencies, 0.99), "max": max(latencies),
                "samples": len(latencies), "shown_p50": statistics.median(shown_delays),
                "shown_p99": percentile(shown_delays, 0.99)}
    finally:
        for listener in listeners:
            listener.stop(timeout=0)
        server.stop()  # ends the held polls
        for listener in listeners:
            listener.stop(timeout=5)
        shutil.rmtree(kiosk_stores, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- 2 and 3. attract loop (subprocesses)
def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def distinct_pictures(count: int) -> dict[str, tuple[bytes, str]]:
    from PIL import Image, ImageDraw

    from sync.protocol import sha256_hex

    pictures = {}
    for number in range(count):
        picture = Image.new("RGB", (1920, 1080), ((number * 53) % 256, (number * 97) % 256, (number * 31) % 256))
        draw = ImageDraw.Draw(picture)
        for band in range(0, 1920, 64):
            draw.rectangle([band, 0, band + 32, 1080], fill=((band + number * 7) % 256, 90, (255 - band) % 256))
        draw.ellipse([300 + number * 20, 200, 900 + number * 20, 800], fill=(250, 250, 250))
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=85)
        data = buffer.getvalue()
        pictures[sha256_hex(data)] = (data, "image/jpeg")
    return pictures


def attract_soak() -> dict:
    """Runs in its own process (one Kivy window per process)."""
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from screens.headless import HeadlessKiosk, prepare_headless_environment

    prepare_headless_environment()

    import screens.attract as attract
    from kiosk.config import KioskConfig
    from kiosk.content import install_bundle
    from kiosk.store import LocalStore
    from sync.bundle import SourceBundle, load_source_bundle
    from sync.protocol import I18nText, Promotion

    demo = load_source_bundle(ROOT / "assets" / "demo")
    pictures = distinct_pictures(IMAGES)
    promotions = [
        Promotion(id=f"soak-{number:02d}", title=I18nText(zh_CN=f"促销 {number}"), text=I18nText(zh_CN="测试"),
                  image_sha256=sha, starts_on=date(2020, 1, 1), ends_on=date(2099, 12, 31))
        for number, sha in enumerate(pictures)
    ]
    content = demo.content.model_copy(update={"promotions": promotions})
    work = Path(tempfile.mkdtemp(prefix="bench-attract-"))
    store = LocalStore(work / "kiosk.db")
    install_bundle(store, SourceBundle(content, {**demo.blobs, **pictures}))
    del pictures
    zone = ZoneInfo(content.mall.timezone)
    clock = {"now": datetime(2026, 6, 1, 15, 0, tzinfo=zone)}
    config = KioskConfig(data_dir=work, fullscreen=False, window_width=WINDOW[0], window_height=WINDOW[1],
                         idle_timeout_s=10**9)
    kiosk = HeadlessKiosk(config, store, wall_clock=lambda: clock["now"]).start()
    attract.FADE_SECONDS = 0.0  # the switch is measured, not the fade's own frames
    kiosk.app.show("attract", remember=False)
    kiosk.settle()
    screen = kiosk.app.screen("attract")
    from kivy.core.window import Window

    switch_frames, preload_frames, still_frames, not_preloaded, samples = [], [], [], 0, []
    for transition in range(TRANSITIONS + WARM_UP_TRANSITIONS):
        following = screen._promotions[(screen.slide_number + 1) % len(screen._promotions)]
        hidden = screen.ids["slide_b" if screen._front == "slide_a" else "slide_a"]
        if hidden.sha256 != following.image_sha256:
            not_preloaded += 1
        clock["now"] += timedelta(seconds=attract.SLIDE_SECONDS)
        started = time.perf_counter()
        screen._advance()  # what the screen's own 0.5 s check does when the slide is due
        drawn_frame()  # the frame that shows the new picture
        switched = time.perf_counter()
        drawn_frame()  # the next frame: the impression is written, the hidden slide decodes the next picture
        done = time.perf_counter()
        if transition >= WARM_UP_TRANSITIONS:
            switch_frames.append(switched - started)
            preload_frames.append(done - switched)
            if transition % 5 == 0:  # the same screen redrawn with nothing changed: what any frame costs
                Window.canvas.ask_update()
                before = time.perf_counter()
                drawn_frame()
                still_frames.append(time.perf_counter() - before)
        if transition == WARM_UP_TRANSITIONS or (transition > WARM_UP_TRANSITIONS and transition % 200 == 0):
            samples.append(rss_mb())
    samples.append(rss_mb())
    kiosk.stop()
    return {
        "transitions": TRANSITIONS, "images": IMAGES, "rss_start": samples[0], "rss_end": samples[-1],
        "rss_max": max(samples), "rss_samples": samples, **frame_figures("switch", switch_frames),
        **frame_figures("preload", preload_frames), **frame_figures("still", still_frames),
        "not_preloaded": not_preloaded,
    }


def drawn_frame() -> None:
    """One frame of the app loop, waited for until it is drawn: a software renderer
    (llvmpipe) rasterises lazily, so without glFinish a frame's cost lands on whichever later
    call touches a texture."""
    from kivy.base import EventLoop
    from kivy.graphics.opengl import glFinish

    EventLoop.idle()
    glFinish()


def frame_figures(name: str, frames: list[float]) -> dict:
    return {f"{name}_p50": statistics.median(frames), f"{name}_p99": percentile(frames, 0.99),
            f"{name}_max": max(frames)}


def plain_kivy_reference(pictures: int) -> dict:
    """A plain Kivy app, two frames per transition like the kiosk's loop, in the same window.
    With two pictures it swaps them (both preloaded, one shown at a time): its switch frame is
    the best a slide change can do on this renderer. With one it shows that one picture and
    redraws it every frame: its memory is the growth of Kivy itself over as many frames."""
    from screens.headless import prepare_headless_environment

    prepare_headless_environment()
    from kivy.app import App
    from kivy.base import EventLoop
    from kivy.config import Config
    from kivy.core.window import Window
    from kivy.uix.floatlayout import FloatLayout
    from kivy.uix.image import Image

    Config.set("graphics", "width", str(WINDOW[0]))
    Config.set("graphics", "height", str(WINDOW[1]))
    folder = Path(tempfile.mkdtemp(prefix="bench-plain-"))
    paths = []
    for number, (data, _) in enumerate(distinct_pictures(pictures).values()):
        paths.append(folder / f"{number}.jpg")
        paths[-1].write_bytes(data)

    class Pictures(App):
        def build(self):
            root = FloatLayout()
            self.pictures = [Image(source=str(path), fit_mode="cover", opacity=1 if number == 0 else 0)
                             for number, path in enumerate(paths)]
            for picture in self.pictures:
                root.add_widget(picture)
            return root

    app = Pictures()
    app._run_prepare()
    EventLoop.ensure_window()
    if EventLoop.status != "started":
        EventLoop.start()
    for _ in range(5):
        EventLoop.idle()
    switch_frames, samples = [], []
    for transition in range(TRANSITIONS + WARM_UP_TRANSITIONS):
        started = time.perf_counter()
        if len(app.pictures) > 1:
            shown, hidden = app.pictures if app.pictures[0].opacity else app.pictures[::-1]
            shown.opacity, hidden.opacity = 0, 1
        else:
            Window.canvas.ask_update()  # the same picture, drawn again
        drawn_frame()
        if transition >= WARM_UP_TRANSITIONS:
            switch_frames.append(time.perf_counter() - started)
        Window.canvas.ask_update()
        drawn_frame()
        if transition == WARM_UP_TRANSITIONS or (transition > WARM_UP_TRANSITIONS and transition % 200 == 0):
            samples.append(rss_mb())
    samples.append(rss_mb())
    app.stop()
    shutil.rmtree(folder, ignore_errors=True)
    return {"rss_start": samples[0], "rss_end": samples[-1], "rss_max": max(samples), "rss_samples": samples,
            **frame_figures("switch", switch_frames)}


def growth_per_thousand(samples: list[float]) -> float:
    """Least-squares slope of the RSS samples (taken every 200 transitions), MB per 1,000 transitions."""
    xs = [index * 200 for index in range(len(samples))]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(samples)
    spread = sum((x - mean_x) ** 2 for x in xs) or 1.0
    return 1000 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, samples, strict=True)) / spread


def in_subprocess(part: str, *args: str) -> dict:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    environment.setdefault("SDL_VIDEODRIVER", "offscreen")
    result = subprocess.run([sys.executable, __file__, part, *args], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=1500)
    if result.returncode != 0:
        raise RuntimeError(f"{part} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--attract-soak":
        print(json.dumps(attract_soak()))
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--plain-kivy":
        print(json.dumps(plain_kivy_reference(int(sys.argv[2]))))
        return

    soak = in_subprocess("--attract-soak")
    swapping = in_subprocess("--plain-kivy", "2")
    still = in_subprocess("--plain-kivy", "1")
    growth, plain_growth = soak["rss_end"] - soak["rss_start"], still["rss_end"] - still["rss_start"]
    slope, plain_slope = growth_per_thousand(soak["rss_samples"]), growth_per_thousand(still["rss_samples"])
    noise = max(NOISE_FLOOR_MB, max(still["rss_samples"]) - min(still["rss_samples"]))
    ms = 1000
    print(f"slide gap ({soak['transitions']} transitions, {WINDOW[0]}x{WINDOW[1]} window): frame that switches the "
          f"picture p50 {soak['switch_p50'] * ms:.1f} ms, p99 {soak['switch_p99'] * ms:.1f} ms, "
          f"max {soak['switch_max'] * ms:.1f} ms; plain Kivy swapping two preloaded pictures p50 "
          f"{swapping['switch_p50'] * ms:.1f} ms, p99 {swapping['switch_p99'] * ms:.1f} ms "
          f"(ratio p50 {soak['switch_p50'] / swapping['switch_p50']:.2f}, "
          f"p99 {soak['switch_p99'] / swapping['switch_p99']:.2f}); the kiosk's own screen redrawn unchanged "
          f"p50 {soak['still_p50'] * ms:.1f} ms (switch/still {soak['switch_p50'] / soak['still_p50']:.2f}); "
          f"impression written and next picture decoded mid-slide in a still frame of p50 "
          f"{soak['preload_p50'] * ms:.1f} ms, max {soak['preload_max'] * ms:.1f} ms; "
          f"not preloaded at {soak['not_preloaded']} transitions")
    print(f"memory soak: {soak['transitions']} transitions over {soak['images']} distinct 1920x1080 pictures "
          f"({WINDOW[0]}x{WINDOW[1]} window): RSS {soak['rss_start']:.0f} -> {soak['rss_end']:.0f} MB "
          f"(growth {growth:+.1f} MB, trend {slope:+.2f} MB per 1,000 transitions, peak {soak['rss_max']:.0f}); "
          f"plain Kivy showing one picture over the same frames: {still['rss_start']:.0f} -> {still['rss_end']:.0f} MB "
          f"(growth {plain_growth:+.1f} MB, trend {plain_slope:+.2f} MB per 1,000); growth difference "
          f"{growth - plain_growth:+.1f} MB against a noise band of {noise:.1f} MB: "
          f"{'no growth beyond noise' if growth - plain_growth <= noise else 'GROWTH beyond noise'}; "
          f"kiosk samples every 200 transitions: {' '.join(f'{value:.0f}' for value in soak['rss_samples'])}")

    latency = emergency_latency()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"emergency latency, trigger in the console to acknowledgement on the server, {KIOSKS} kiosks x {ROUNDS} "
          f"emergencies ({latency['samples']} acknowledgements): p50 {latency['p50']:.2f} s, "
          f"p99 {latency['p99']:.2f} s, max {latency['max']:.2f} s "
          f"(shown on the kiosks: p50 {latency['shown_p50']:.2f} s, "
          f"p99 {latency['shown_p99']:.2f} s); long poll held up to 25 s, fast-poll interval {POLL_SECONDS} s "
          f"(ratio p50/interval {latency['p50'] / POLL_SECONDS:.2f}, "
          f"p99/interval {latency['p99'] / POLL_SECONDS:.2f}); "
          f"target p99 < 5 s: {'met' if latency['p99'] < 5 else 'NOT met'}; server and all {KIOSKS} kiosks on this "
          f"machine ({os.cpu_count()} CPUs, load average {load:.1f})")


if __name__ == "__main__":
    main()
