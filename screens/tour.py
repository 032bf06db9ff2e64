"""Render every screen in every language to PNG files, without a display (docs and review).

`render_tour(out_dir)` installs the demo mall (`assets/demo`) into a temporary store, starts
the real kiosk app offscreen at 1920×1080, walks it through every screen — filling in and
sending a complaint on the way, in the temporary store only — and writes
`<screen>-<language>.png` for each. The kiosk identity is TOUR DATA, not an enrolled kiosk:
kiosk code "DEM" and the public base URL http://127.0.0.1:8000, so the receipt's QR code
points at a local demo server.
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from screens.headless import prepare_headless_environment

REPOSITORY = Path(__file__).resolve().parent.parent
DEMO_BUNDLE = REPOSITORY / "assets" / "demo"
TOUR_LANGUAGES = ("zh_CN", "en", "zh_TW")
TOUR_SIZE = (1920, 1080)
TOUR_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
TOUR_KIOSK_CODE = "DEM"
"""Tour data: "DMO" cannot be used, O is not in the reference alphabet (Crockford base32)."""
TOUR_LOCATION = "lobby-1f"
TOUR_STORE = "cloud-coffee"
TOUR_LOCAL_TIME = time(15, 20)
"""The tour's wall clock: today at 15:20 in the mall, when the stores are open."""

SCREENS = (
    "attract", "home", "directory", "store-page", "map", "map-store", "promotions",
    "feedback-choice", "complaint-category", "complaint-form", "complaint-form-errors",
    "store-picker", "idle-warning", "receipt", "found-something", "no-content",
)


def tour_identity(mall_id: str, location_id: str | None):
    """An identity for rendering only (clearly not an enrolled kiosk)."""
    from kiosk.identity import KioskIdentity

    return KioskIdentity(
        kiosk_id="tour-kiosk-not-enrolled",
        kiosk_code=TOUR_KIOSK_CODE,
        device_key="tour-data-not-a-device-key",
        mall_id=mall_id,
        location_id=location_id,
        public_base_url=TOUR_PUBLIC_BASE_URL,
        server_url=TOUR_PUBLIC_BASE_URL,
    )


def render_tour(out_dir: Path, languages: tuple[str, ...] = TOUR_LANGUAGES,
                size: tuple[int, int] = TOUR_SIZE) -> list[Path]:
    """Write `<screen>-<lang>.png` for every screen and language into `out_dir`; returns them.

    `size` is the window in pixels: 1920×1080 landscape by default; (1080, 1920) renders the
    portrait panel that KioskConfig defaults to."""
    prepare_headless_environment()
    from kiosk.config import KioskConfig
    from kiosk.content import install_bundle
    from kiosk.store import LocalStore
    from screens.headless import HeadlessKiosk
    from sync.bundle import load_source_bundle

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="concierge-tour-"))
    try:
        store = LocalStore(work / "kiosk" / "kiosk.db")
        empty_store = LocalStore(work / "empty" / "kiosk.db")
        bundle = load_source_bundle(DEMO_BUNDLE)
        install_bundle(store, bundle)
        zone = ZoneInfo(bundle.content.mall.timezone)
        today = datetime.now(zone).date()
        moment = datetime.combine(today, TOUR_LOCAL_TIME, tzinfo=zone)
        started = datetime.now(zone)

        def wall_clock() -> datetime:
            return moment + (datetime.now(zone) - started)

        location = TOUR_LOCATION if any(k.id == TOUR_LOCATION for k in bundle.content.kiosks) else None
        config = KioskConfig(data_dir=work / "kiosk", fullscreen=False, window_width=size[0],
                             window_height=size[1], idle_timeout_s=3600, receipt_timeout_s=60)
        kiosk = HeadlessKiosk(config, store, identity=tour_identity(bundle.content.mall.id, location),
                              wall_clock=wall_clock).start()
        written: list[Path] = []
        for language in languages:
            written.extend(_render_language(kiosk, language, out_dir, store, empty_store))
        kiosk.stop()
        store.close()
        empty_store.close()
        expected = {out_dir / f"{screen}-{language}.png" for screen in SCREENS for language in languages}
        missing = sorted(str(path) for path in expected - set(written))
        if missing:
            raise RuntimeError(f"the tour did not render {', '.join(missing)}")
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render_language(kiosk, language: str, out_dir: Path, store, empty_store) -> list[Path]:
    app = kiosk.app
    written: list[Path] = []

    def shot(name: str) -> None:
        kiosk.settle()
        path = kiosk.capture(out_dir / f"{name}-{language}.png")
        written.append(path)
        print(f"{path}", flush=True)

    app.start_over()
    app.set_language(language)
    shot("attract")

    app.show("home")
    shot("home")

    app.show("directory")
    shot("directory")

    app.show("store", store_id=TOUR_STORE)
    shot("store-page")

    app.show("map", store_id=TOUR_STORE)
    shot("map-store")

    app.go_home()
    app.show("map")
    shot("map")

    app.show("promotions")
    shot("promotions")

    app.go_home()
    app.show("feedback")
    shot("feedback-choice")

    form = app.screen("case_form")
    form.reset()
    app.show("complaint_category")
    shot("complaint-category")

    app.show("case_form", kind="complaint", category="service_attitude")
    shot("complaint-form")

    form.focus("phone")
    for digit in "12345":
        form.ids.keyboard.type_text(digit)
    form.submit()
    shot("complaint-form-errors")

    app.show("store_picker", selected=form.store_id)
    picker = app.screen("store_picker")
    picker.ids.query.clear()
    shot("store-picker")
    picker.choose(TOUR_STORE)

    form.ids.phone.clear()
    form.focus("description")
    form.choose_slot("afternoon")
    for character in "The cashier at the coffee counter was very rude to my mother.":
        form.ids.keyboard.type_text(character)
    app.idle.last_activity = app.idle.monotonic() - (app.idle.timeout_s - 14)
    kiosk.wait(0.8)  # the app's own check notices the idle time and warns
    shot("idle-warning")
    app.idle.touched()
    kiosk.wait(0.8)
    form.submit()
    shot("receipt")
    app.finish_case()

    app.show("found")
    shot("found-something")

    app.store = empty_store
    app.reload_content(force=True)
    shot("no-content")
    app.store = store
    app.reload_content(force=True)
    return written
