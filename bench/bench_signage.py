"""Signage: emergency latency across a fleet, the gap between slides, and a memory soak.

1. Emergency latency. One real server process (`python -m server serve`, SQLite, the demo mall)
   and 200 simulated kiosks in this process: each is the kiosk's real fast poll
   (sync/broadcasts.py BroadcastListener, its own kiosk store and HTTP session) whose
   callback acknowledges a new emergency at once, as the screen does after drawing it. An
   emergency is sent through the server's services; the latency of a kiosk is the server's
   receipt of its "shown at" minus the emergency's start (both on the server's clock). The
   reference is the poll interval the server tells the kiosks: ~interval/2 is the best a poll
   can do on average, ~interval at worst.
2. Gap between slides and 3. memory soak. The real kiosk app, offscreen, runs its attract loop
   over 50 distinct 1920×1080 pictures for 2,000 slide transitions, its wall clock moved on one
   slide at a time. The gap is the longest frame at each transition (the time the screen is
   not updated while the next picture is switched in), against the median frame of the same run.
   The soak reports resident-memory growth after warm-up, against a plain Kivy app showing one
   image for the same number of frames (measured in a process of its own, like the kiosk).
"""
from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
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
FRAMES_PER_SLIDE = 3


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
            listener.stop(timeout=5)
        server.stop()


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
    from kivy.base import EventLoop

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
    zone = ZoneInfo(content.mall.timezone)
    clock = {"now": datetime(2026, 6, 1, 15, 0, tzinfo=zone)}
    config = KioskConfig(data_dir=work, fullscreen=False, window_width=1920, window_height=1080,
                         idle_timeout_s=10**9)
    kiosk = HeadlessKiosk(config, store, wall_clock=lambda: clock["now"]).start()
    attract.FADE_SECONDS = 0.0  # the fade's own frames are not what is measured; the switch is
    kiosk.app.show("attract", remember=False)
    kiosk.settle()
    screen = kiosk.app.screen("attract")
    transition_frames, steady_frames, not_preloaded = [], [], 0
    samples = []
    for transition in range(TRANSITIONS + WARM_UP_TRANSITIONS):
        following = screen._promotions[(screen.slide_number + 1) % len(screen._promotions)]
        hidden = screen.ids["slide_b" if screen._front == "slide_a" else "slide_a"]
        if hidden.sha256 != following.image_sha256:
            not_preloaded += 1
        clock["now"] += timedelta(seconds=attract.SLIDE_SECONDS)
        started = time.perf_counter()
        screen._advance()  # what the screen's own 0.5 s check does when the slide is due
        EventLoop.idle()
        transition_frames.append(time.perf_counter() - started)
        for _ in range(FRAMES_PER_SLIDE):
            started = time.perf_counter()
            EventLoop.idle()
            steady_frames.append(time.perf_counter() - started)
        if transition == WARM_UP_TRANSITIONS:
            samples.append(rss_mb())
        if transition > WARM_UP_TRANSITIONS and transition % 200 == 0:
            samples.append(rss_mb())
    samples.append(rss_mb())
    transition_frames = transition_frames[WARM_UP_TRANSITIONS:]
    kiosk.stop()
    return {
        "transitions": TRANSITIONS, "images": len(pictures), "rss_start": samples[0], "rss_end": samples[-1],
        "rss_max": max(samples), "gap_p50": statistics.median(transition_frames),
        "gap_max": max(transition_frames), "gap_p99": percentile(transition_frames, 0.99),
        "steady_p50": statistics.median(steady_frames), "not_preloaded": not_preloaded,
        "frames": len(transition_frames) + len(steady_frames),
    }


def plain_kivy_reference(frames: int) -> dict:
    """A plain Kivy app showing one picture, the same number of frames."""
    from screens.headless import prepare_headless_environment

    prepare_headless_environment()
    from kivy.app import App
    from kivy.base import EventLoop
    from kivy.config import Config
    from kivy.uix.image import Image

    Config.set("graphics", "width", "1920")
    Config.set("graphics", "height", "1080")
    picture_path = Path(tempfile.mkdtemp(prefix="bench-plain-")) / "one.jpg"
    data, _ = next(iter(distinct_pictures(1).values()))
    picture_path.write_bytes(data)

    class OneImage(App):
        def build(self):
            return Image(source=str(picture_path), fit_mode="cover")

    app = OneImage()
    app._run_prepare()
    EventLoop.ensure_window()
    if EventLoop.status != "started":
        EventLoop.start()
    samples = []
    warm_up = frames * WARM_UP_TRANSITIONS // (TRANSITIONS + WARM_UP_TRANSITIONS)
    for frame in range(frames + warm_up):
        EventLoop.idle()
        if frame == warm_up:
            samples.append(rss_mb())
    samples.append(rss_mb())
    app.stop()
    return {"rss_start": samples[0], "rss_end": samples[-1]}


def in_subprocess(part: str, *args: str) -> dict:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    environment.setdefault("SDL_VIDEODRIVER", "offscreen")
    result = subprocess.run([sys.executable, __file__, part, *args], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"{part} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--attract-soak":
        print(json.dumps(attract_soak()))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--plain-kivy":
        print(json.dumps(plain_kivy_reference(int(sys.argv[2]))))
        return

    soak = in_subprocess("--attract-soak")
    plain = in_subprocess("--plain-kivy", str(soak["frames"]))
    growth, plain_growth = soak["rss_end"] - soak["rss_start"], plain["rss_end"] - plain["rss_start"]
    print(f"slide gap: longest frame at a transition p50 {soak['gap_p50'] * 1000:.1f} ms, "
          f"p99 {soak['gap_p99'] * 1000:.1f} ms, max {soak['gap_max'] * 1000:.1f} ms; "
          f"steady frame p50 {soak['steady_p50'] * 1000:.1f} ms "
          f"(ratio p50 {soak['gap_p50'] / soak['steady_p50']:.2f}); "
          f"next picture not preloaded at {soak['not_preloaded']} of {soak['transitions']} transitions")
    print(f"memory soak: {soak['transitions']} transitions over {soak['images']} distinct 1920x1080 pictures: "
          f"RSS {soak['rss_start']:.0f} -> {soak['rss_end']:.0f} MB (growth {growth:+.1f} MB, peak {soak['rss_max']:.0f}); "
          f"plain Kivy showing one picture for the same {soak['frames']} frames: "
          f"{plain['rss_start']:.0f} -> {plain['rss_end']:.0f} MB (growth {plain_growth:+.1f} MB); "
          f"growth difference {growth - plain_growth:+.1f} MB")

    latency = emergency_latency()
    print(f"emergency latency, trigger to acknowledgement, {KIOSKS} kiosks x {ROUNDS} emergencies "
          f"({latency['samples']} acknowledgements): p50 {latency['p50']:.2f} s, p99 {latency['p99']:.2f} s, "
          f"max {latency['max']:.2f} s; poll interval {POLL_SECONDS} s "
          f"(ratio p50/interval {latency['p50'] / POLL_SECONDS:.2f}, p99/interval {latency['p99'] / POLL_SECONDS:.2f}); "
          f"target p99 < 5 s: {'met' if latency['p99'] < 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
