"""Signage: emergency latency across a fleet, the gap between slides, and a memory soak.

1. Emergency latency. One real server process (`python -m server serve`, SQLite, the demo mall)
   and 200 simulated kiosks in this process: each is the kiosk's real fast poll
   (sync/broadcasts.py BroadcastListener, its own kiosk store and HTTP session), which long-polls
   (the server holds each poll up to 25 s until the list changes), and whose callback
   acknowledges a new emergency at once, as the screen does after drawing it. An emergency is
   sent through the server's services by another process (as the console would); the latency
   of a kiosk is the server's receipt of its "shown at" minus the emergency's start (both on the
   server's clock). The reference is the poll interval the kiosks would poll at against a
   server that does not hold polls: ~interval/2 is the best such a poll does on average,
   ~interval at worst.
2. Gap between slides and 3. memory soak. The real kiosk app, offscreen, runs its attract loop
   over 50 distinct 1920×1080 pictures for 2,000 slide transitions (in a 320×180 window, to
   keep the run short on a shared software renderer), its wall clock moved on one slide at a
   time and its frames driven as fast as they go. The gap is the frame that switches the
   picture, against the same frame of a plain Kivy app swapping two preloaded pictures; the
   next picture's decoding, which happens in the following (still) frame, is reported apart.
   The soak reports resident-memory growth after warm-up, against that plain Kivy app over
   the same number of frames (each in a process of its own).
"""
from __future__ import annotations

import io
import json
import os
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
WINDOW = (320, 180)
"""Small, to keep the soak short on a shared software renderer; the pictures stay 1920×1080."""


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
        "import json; from server.content.models import Mall; from server.fleet.services import create_enrollment_code;"
        f"mall = Mall.objects.get(); print(json.dumps([create_enrollment_code(mall).code for _ in range({count})]))"
    )
    return json.loads(shell(server, code))


def emergency_latency() -> dict:
    import requests

    from kiosk import broadcasts
    from kiosk.store import LocalStore
    from live_server import ServerProcess, free_port, manage, new_enrollment_code
    from sync.agent import enroll_kiosk
    from sync.broadcasts import BroadcastListener

    work = Path(tempfile.mkdtemp(prefix="bench-signage-"))
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
            store = LocalStore(work / "kiosks" / f"k{number}" / "kiosk.db")
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {identity.device_key}"
            listener = BroadcastListener(store.path, server.url, session, poll_s=POLL_SECONDS)

            def acknowledge(received, store_path=store.path, listener=listener):
                shown_store = LocalStore(store_path)
                try:
                    for item in received:
                        if broadcasts.record_shown(shown_store, item.id, item.starts_at.now(item.starts_at.tzinfo)):
                            listener.wake()
                finally:
                    shown_store.close()

            listener.on_broadcasts = acknowledge
            store.close()
            listeners.append(listener)
        for listener in listeners:
            listener.start()
            time.sleep(POLL_SECONDS / KIOSKS)  # kiosks do not start in step
        time.sleep(POLL_SECONDS * 2)
        latencies: list[float] = []
        for _ in range(ROUNDS):
            sent = shell(server, (
                "from datetime import timedelta; from server.content.models import Mall;"
                "from server.broadcasts.services import send_broadcast; from sync.protocol import I18nText;"
                "t = I18nText(zh_CN='演练', en='Drill', zh_TW='演練');"
                "print(send_broadcast(Mall.objects.get(), kind='emergency', reason='other', title=t, text=t,"
                " duration=timedelta(minutes=5)).id)"
            ))
            deadline = time.monotonic() + 60
            count_code = f"from server.broadcasts.models import ShownReceipt; print(ShownReceipt.objects.filter(broadcast_id='{sent}').count())"
            while int(shell(server, count_code)) < KIOSKS and time.monotonic() < deadline:
                time.sleep(1)
            delays = json.loads(shell(server, (
                "import json; from server.broadcasts.models import ShownReceipt;"
                f"print(json.dumps([(r.received_at - r.broadcast.starts_at).total_seconds() for r in "
                f"ShownReceipt.objects.filter(broadcast_id='{sent}').select_related('broadcast')]))"
            )))
            if len(delays) < KIOSKS:
                raise RuntimeError(f"only {len(delays)} of {KIOSKS} kiosks acknowledged within 60 s")
            latencies.extend(delays)
            shell(server, f"from server.broadcasts.models import Broadcast; from server.broadcasts.services import end_broadcast; end_broadcast(Broadcast.objects.get(pk='{sent}')); print('ended')")
            time.sleep(POLL_SECONDS * 2)
        return {"p50": statistics.median(latencies), "p99": percentile(latencies, 0.99), "max": max(latencies),
                "samples": len(latencies)}
    finally:
        for listener in listeners:
            listener.stop(timeout=0)
        server.stop()  # ends the held polls
        for listener in listeners:
            listener.stop(timeout=5)


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
    switch_frames, preload_frames, not_preloaded, samples = [], [], 0, []
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
        drawn_frame()  # the next frame: the hidden slide decodes the picture after it
        done = time.perf_counter()
        if transition >= WARM_UP_TRANSITIONS:
            switch_frames.append(switched - started)
            preload_frames.append(done - switched)
        if transition == WARM_UP_TRANSITIONS or (transition > WARM_UP_TRANSITIONS and transition % 200 == 0):
            samples.append(rss_mb())
    samples.append(rss_mb())
    kiosk.stop()
    return {
        "transitions": TRANSITIONS, "images": IMAGES, "rss_start": samples[0], "rss_end": samples[-1],
        "rss_max": max(samples), "rss_samples": samples, **frame_figures("switch", switch_frames),
        **frame_figures("preload", preload_frames), "not_preloaded": not_preloaded,
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


def plain_kivy_reference() -> dict:
    """A plain Kivy app swapping two preloaded pictures (one shown at a time), two frames
    per transition like the kiosk's loop: its switch frame is the best a slide change can
    do on this renderer, and its memory the growth of Kivy itself over as many frames."""
    from screens.headless import prepare_headless_environment

    prepare_headless_environment()
    from kivy.app import App
    from kivy.base import EventLoop
    from kivy.config import Config
    from kivy.uix.floatlayout import FloatLayout
    from kivy.uix.image import Image

    Config.set("graphics", "width", str(WINDOW[0]))
    Config.set("graphics", "height", str(WINDOW[1]))
    folder = Path(tempfile.mkdtemp(prefix="bench-plain-"))
    paths = []
    for number, (data, _) in enumerate(distinct_pictures(2).values()):
        paths.append(folder / f"{number}.jpg")
        paths[-1].write_bytes(data)

    class TwoPictures(App):
        def build(self):
            root = FloatLayout()
            self.pictures = [Image(source=str(path), fit_mode="cover", opacity=1 if number == 0 else 0)
                             for number, path in enumerate(paths)]
            for picture in self.pictures:
                root.add_widget(picture)
            return root

    app = TwoPictures()
    app._run_prepare()
    EventLoop.ensure_window()
    if EventLoop.status != "started":
        EventLoop.start()
    for _ in range(5):
        EventLoop.idle()
    switch_frames, samples = [], []
    for transition in range(TRANSITIONS + WARM_UP_TRANSITIONS):
        started = time.perf_counter()
        shown, hidden = app.pictures if app.pictures[0].opacity else app.pictures[::-1]
        shown.opacity, hidden.opacity = 0, 1
        drawn_frame()
        if transition >= WARM_UP_TRANSITIONS:
            switch_frames.append(time.perf_counter() - started)
        drawn_frame()
        if transition == WARM_UP_TRANSITIONS or (transition > WARM_UP_TRANSITIONS and transition % 200 == 0):
            samples.append(rss_mb())
    samples.append(rss_mb())
    app.stop()
    return {"rss_start": samples[0], "rss_end": samples[-1], "rss_max": max(samples),
            **frame_figures("switch", switch_frames)}


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
    if len(sys.argv) > 1 and sys.argv[1] == "--plain-kivy":
        print(json.dumps(plain_kivy_reference()))
        return

    soak = in_subprocess("--attract-soak")
    plain = in_subprocess("--plain-kivy")
    growth, plain_growth = soak["rss_end"] - soak["rss_start"], plain["rss_end"] - plain["rss_start"]
    ms = 1000
    print(f"slide gap ({soak['transitions']} transitions, {WINDOW[0]}x{WINDOW[1]} window): frame that switches the "
          f"picture p50 {soak['switch_p50'] * ms:.1f} ms, p99 {soak['switch_p99'] * ms:.1f} ms, "
          f"max {soak['switch_max'] * ms:.1f} ms; plain Kivy swapping two preloaded pictures p50 "
          f"{plain['switch_p50'] * ms:.1f} ms, p99 {plain['switch_p99'] * ms:.1f} ms "
          f"(ratio p50 {soak['switch_p50'] / plain['switch_p50']:.2f}, p99 {soak['switch_p99'] / plain['switch_p99']:.2f}); "
          f"next picture decoded mid-slide in a still frame of p50 {soak['preload_p50'] * ms:.1f} ms, "
          f"max {soak['preload_max'] * ms:.1f} ms; not preloaded at {soak['not_preloaded']} transitions")
    print(f"memory soak: {soak['transitions']} transitions over {soak['images']} distinct 1920x1080 pictures: "
          f"RSS {soak['rss_start']:.0f} -> {soak['rss_end']:.0f} MB (growth {growth:+.1f} MB, peak {soak['rss_max']:.0f}); "
          f"plain Kivy swapping two pictures over the same frames: {plain['rss_start']:.0f} -> {plain['rss_end']:.0f} MB "
          f"(growth {plain_growth:+.1f} MB); growth difference {growth - plain_growth:+.1f} MB; "
          f"kiosk samples every 200 transitions: {' '.join(f'{value:.0f}' for value in soak['rss_samples'])}")

    latency = emergency_latency()
    print(f"emergency latency, trigger to acknowledgement, {KIOSKS} kiosks x {ROUNDS} emergencies "
          f"({latency['samples']} acknowledgements): p50 {latency['p50']:.2f} s, p99 {latency['p99']:.2f} s, "
          f"max {latency['max']:.2f} s; long poll held up to 25 s, fast-poll interval {POLL_SECONDS} s "
          f"(ratio p50/interval {latency['p50'] / POLL_SECONDS:.2f}, p99/interval {latency['p99'] / POLL_SECONDS:.2f}); "
          f"target p99 < 5 s: {'met' if latency['p99'] < 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
