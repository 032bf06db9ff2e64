"""The mall map's frames: one with every name drawn, and one of a pan or pinch in progress,
each against a plain Kivy frame drawing the same number of labels; and, apart, what placing
the names costs the first time a floor is shown at a zoom (the plan keeps each placement for
its floor, zoom, view and language, so later frames of that view place nothing).

The real kiosk app runs offscreen (1920×1080 by default; BENCH_MAP_WINDOW=1080x1920 for a
portrait panel) on the demo mall's floors and, when it is beside the repository, on the shared
IMDF sample's densest floor. A map frame is the plan's full redraw (shapes, symbols, markers, the
placement of every name, the names) plus the frame that shows it; a pan/zoom frame is a pinch
step (the zoom moves, the names move with the plan and are placed afresh when the fingers
lift) plus its frame. The reference, measured in the same run and window, is a Kivy widget that
clears its canvas and draws as many label textures (the same texts, already rendered) as the
map drew, plus its frame. Figures are medians over BENCH_MAP_FRAMES frames.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

FRAMES = int(os.environ.get("BENCH_MAP_FRAMES", "30"))
WINDOW = tuple(int(side) for side in os.environ.get("BENCH_MAP_WINDOW", "1920x1080").split("x"))
SAMPLE = ROOT.parent / "shared" / "data" / "imdf-polymap"


class FakeTouch:
    """A finger on the plan (only its id matters while a pinch is in progress)."""

    uid = "bench-finger"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def drawn(kiosk) -> None:
    """One frame of the app loop, until the GL driver has drawn it (glFinish): Mesa's llvmpipe
    queues frames and draws them later, so a frame timed without it measures only its
    submission, and the queue's backlog lands on some later frame (or grows without end)."""
    from kivy.graphics.opengl import glFinish

    kiosk.pump(1)
    glFinish()


def map_frames(kiosk, plan) -> tuple[float, float, float, int]:
    """(first placement s, full frame s, pan/zoom frame s, labels drawn) on the floor the map
    shows. The first placement is a redraw with the plan's kept placements forgotten."""
    plan._placements.clear()
    started = time.perf_counter()
    plan.redraw()
    first = time.perf_counter() - started
    full = []
    for _ in range(FRAMES):
        started = time.perf_counter()
        plan.redraw()
        drawn(kiosk)
        full.append(time.perf_counter() - started)
    labels = len(plan.placed_labels)
    moving = []
    plan._touches[FakeTouch.uid] = (plan.center_x, plan.center_y)
    try:
        for frame in range(FRAMES):
            started = time.perf_counter()
            plan.zoom = 1.0 + 0.01 * (frame % 20)  # redrawn by the frame, as a finger's move is
            drawn(kiosk)
            moving.append(time.perf_counter() - started)
    finally:
        plan._touches.clear()
        plan.zoom = 1.0
        plan.redraw()
    return first, statistics.median(full), statistics.median(moving), labels


def plain_frame(kiosk, texts: list[str], font_name: str) -> float:
    """A plain Kivy widget drawing the same labels (textures made once), alone in the window."""
    from kivy.core.text import Label as CoreLabel
    from kivy.core.window import Window
    from kivy.graphics import Color, Rectangle
    from kivy.uix.widget import Widget

    textures = []
    for text in texts:
        label = CoreLabel(text=text, font_size=18, font_name=font_name)
        label.refresh()
        textures.append(label.texture)
    root = kiosk.app.root
    Window.remove_widget(root)
    plain = Widget(size=Window.size)
    Window.add_widget(plain)
    try:
        samples = []
        for _ in range(FRAMES):
            started = time.perf_counter()
            plain.canvas.clear()
            with plain.canvas:
                Color(1, 1, 1, 1)
                for index, texture in enumerate(textures):
                    Rectangle(texture=texture, pos=(20 + (index % 8) * 220, 20 + (index // 8) * 40),
                              size=texture.size)
            drawn(kiosk)
            samples.append(time.perf_counter() - started)
    finally:
        Window.remove_widget(plain)
        Window.add_widget(root)
    return statistics.median(samples)


def run_on(kiosk, name: str, levels) -> None:
    app = kiosk.app
    for level in levels:
        app.show("map", level_id=level.id)
        kiosk.settle()
        plan = app.screen("map").ids.plan
        first, full, moving, count = map_frames(kiosk, plan)
        texts = [label.text for label in plan.placed_labels] or ["—"]
        reference = plain_frame(kiosk, texts, plan.font_name)
        print(f"{name} {level.short_name}: {count} names, {len(plan.symbol_boxes)} symbols | "
              f"map frame {full * 1000:.1f} ms, pan/zoom frame {moving * 1000:.1f} ms | "
              f"plain Kivy frame with {len(texts)} labels {reference * 1000:.1f} ms | "
              f"ratios {full / reference:.1f}x, {moving / reference:.1f}x | "
              f"first placement of this view {first * 1000:.0f} ms", flush=True)


def main() -> None:
    from screens.headless import prepare_headless_environment

    prepare_headless_environment()
    from kiosk.config import KioskConfig
    from kiosk.content import install_bundle
    from kiosk.store import LocalStore
    from screens import tour
    from screens.headless import HeadlessKiosk
    from sync.bundle import load_source_bundle

    work = Path(tempfile.mkdtemp(prefix="bench-map-"))
    store = LocalStore(work / "kiosk" / "kiosk.db")
    bundle = load_source_bundle(tour.DEMO_BUNDLE)
    install_bundle(store, bundle)
    zone = tour.zone_named(bundle.content.mall.timezone)
    moment = datetime.combine(datetime.now(zone).date(), tour.TOUR_LOCAL_TIME, tzinfo=zone)
    config = KioskConfig(data_dir=work / "kiosk", fullscreen=False, window_width=WINDOW[0],
                         window_height=WINDOW[1], idle_timeout_s=3600, receipt_timeout_s=60)
    kiosk = HeadlessKiosk(config, store, identity=tour.tour_identity(bundle.content.mall.id, tour.TOUR_LOCATION),
                          wall_clock=lambda: moment).start()
    print(f"window {WINDOW[0]}x{WINDOW[1]}, median of {FRAMES} frames", flush=True)
    kiosk.app.set_language("en")
    run_on(kiosk, "demo", kiosk.app.index.levels())
    if SAMPLE.is_dir():
        from server.wayfinding.imdf import import_imdf

        install_bundle(store, bundle._replace(content=import_imdf(SAMPLE).content))
        kiosk.app.reload_content(force=True)
        densest = max(kiosk.app.index.levels(), key=lambda level: len(level.plan))
        run_on(kiosk, "imdf", [densest])
    else:
        print(f"the IMDF sample is absent ({SAMPLE}): demo floors only")
    kiosk.stop()
    store.close()


if __name__ == "__main__":
    main()
