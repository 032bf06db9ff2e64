"""Render every screen in every language to PNG files, without a display (docs and review).

`render_tour(out_dir)` installs the demo mall (`assets/demo`) into a temporary store, starts
the real kiosk app offscreen at 1920×1080, walks it through every screen — filling in and
sending a complaint on the way, in the temporary store only — and writes
`<screen>-<language>.png` for each, and `overflow.txt`: every label on every screen shown
whose text does not fit (screens.overflow), one line each. The kiosk identity is TOUR DATA,
not an enrolled kiosk: kiosk code "DEM" and the public base URL http://127.0.0.1:8000, so the
receipt's QR code points at a local demo server.
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, time
from pathlib import Path

from screens.headless import prepare_headless_environment
from venue.timezones import zone_named

REPOSITORY = Path(__file__).resolve().parent.parent
DEMO_BUNDLE = REPOSITORY / "assets" / "demo"
TOUR_LANGUAGES = ("zh_CN", "en", "zh_TW")
TOUR_SIZE = (1920, 1080)
TOUR_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
TOUR_KIOSK_CODE = "DEM"
"""Tour data: "DMO" cannot be used, O is not in the reference alphabet (Crockford base32)."""
TOUR_LOCATION = "lobby-1f"
TOUR_STORE = "cloud-coffee"
TOUR_ROUTE_STORE = "gale-sports"
"""A 3F store: from the 1F lobby the route changes floors."""
OVERFLOW_REPORT = "overflow.txt"
"""Written next to the PNGs: one line per label whose text does not fit (empty when all fit)."""
TOUR_LOCAL_TIME = time(15, 20)
"""The tour's wall clock: today at 15:20 in the mall, when the stores are open."""

SCREENS = (
    "attract", "home", "directory", "directory-search", "directory-no-match", "directory-a-z", "facilities",
    "store-page", "map", "map-store", "route-start", "route-floor-change",
    "route-step-free-closed", "promotions",
    "feedback-choice", "complaint-category", "complaint-form", "complaint-form-errors",
    "store-picker", "store-picker-search", "idle-warning", "receipt", "satisfaction-pulse", "found-something",
    "emergency", "notice",
    "no-content", "found-item-spot", "found-item-form", "found-item-details", "found-item-receipt", "lost-item-form",
    "lost-item-errors",
    "lost-item-details", "lost-item-receipt",
)


def screen_overflows() -> list[str]:
    """What does not fit on the window as it is now: the screen shown, its header and footer,
    and every overlay (broadcasts, idle warning, popups)."""
    from kivy.core.window import Window

    from screens.overflow import find_overflows

    return [str(overflow) for overflow in find_overflows(Window.children, Window.size)]


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
                size: tuple[int, int] = TOUR_SIZE, pictures: bool = True, accessible: bool = False) -> list[Path]:
    """Write `<screen>-<lang>.png` for every screen and language into `out_dir`; returns them.

    `size` is the window in pixels: 1920×1080 landscape by default; (1080, 1920) renders the
    portrait panel that KioskConfig defaults to. Without `pictures` the walk only checks that
    the text fits (`overflow.txt`), and is quicker for it. With `accessible`, every screen is
    shown in the accessibility mode (docs/accessibility.md)."""
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
        zone = zone_named(bundle.content.mall.timezone)
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
        if not pictures:
            _stop_drawing()
        written: list[Path] = []
        overflows: list[str] = []
        driver = AccessibleTour(kiosk) if accessible else kiosk
        for language in languages:
            written.extend(_render_language(driver, language, out_dir, store, empty_store, bundle, overflows,
                                            pictures))
        kiosk.stop()
        orientation = "portrait" if size[1] > size[0] else "landscape"
        report = "".join(f"{orientation} {line}\n" for line in overflows)
        (out_dir / OVERFLOW_REPORT).write_text(report, encoding="utf-8")
        if overflows:
            print(f"Text that does not fit ({len(overflows)}, also in {out_dir / OVERFLOW_REPORT}):\n{report}",
                  end="", flush=True)
        store.close()
        empty_store.close()
        expected = {out_dir / f"{screen}-{language}.png" for screen in SCREENS for language in languages
                    if pictures}
        missing = sorted(str(path) for path in expected - set(written))
        if missing:
            raise RuntimeError(f"the tour did not render {', '.join(missing)}")
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stop_drawing() -> None:
    """Skip painting the window: layout, label textures and animations run on Kivy's clock, not
    in the painting, so the text can be checked without the cost of drawing each frame."""
    from kivy.core.window import Window

    Window.fbind("on_draw", lambda *_: True)  # handled: the window's own painting is skipped


class AccessibleTour:
    """The tour's kiosk with the accessibility mode on at every shot: the walk starts over (the
    visitor leaves, which turns the mode off) before its first shot."""

    def __init__(self, kiosk) -> None:
        self.kiosk = kiosk
        self.app = kiosk.app

    def __getattr__(self, name: str):
        return getattr(self.kiosk, name)

    def settle(self) -> None:
        if not self.app.accessible:
            self.app.accessible = True
        self.kiosk.settle()
        self.app.update_reading()  # the reading panel shows this screen's words
        self.kiosk.settle()


def _between_slides(kiosk, app) -> None:
    """Let a slide change that is due within a few seconds happen and its cross-fade end, then
    hold that slide, so the attract shot shows one picture whatever the frame rate."""
    import time as time_module

    from screens import attract

    screen = app.screen("attract")
    into_slide = app.now().timestamp() % attract.SLIDE_SECONDS
    if into_slide > attract.SLIDE_SECONDS - 3:
        kiosk.wait(attract.SLIDE_SECONDS - into_slide + 0.6)  # the loop looks every 0.5 s
    deadline = time_module.monotonic() + 30
    while screen.fade < 1 and time_module.monotonic() < deadline:
        kiosk.pump(1)
    screen.hold()


TOUR_QUERIES = {"zh_CN": "yund", "en": "cof", "zh_TW": "yund"}
"""Typed on the directory's keyboard: pinyin composes (candidates show), English searches."""


def _render_directory(kiosk, app, shot, language: str) -> None:
    """Search results while typing, a search that finds nothing, A–Z, and the facilities."""
    directory = app.screen("directory")
    keyboard = directory.ids.keyboard
    directory.start_typing()  # the visitor taps the field (in the reach band the keyboard comes up)
    for key in TOUR_QUERIES[language]:
        keyboard.type_text(key)
    shot("directory-search")
    directory.reset()
    directory.start_typing()
    for key in "zzqq":
        keyboard.type_text(key)
    shot("directory-no-match")
    directory.reset()
    directory.prepare()
    directory.mode = "letter"
    directory.refresh()
    shot("directory-a-z")
    directory.reset()
    app.show("facilities")
    shot("facilities")
    app.go_back()


def _render_language(kiosk, language: str, out_dir: Path, store, empty_store, bundle,
                     overflows: list[str] | None = None, pictures: bool = True) -> list[Path]:
    """Walk every screen in `language`, saving a picture of each unless told not to; with
    `overflows`, also check each screen's labels for text that does not fit (screens.overflow)
    and append what it finds."""
    app = kiosk.app
    written: list[Path] = []

    def shot(name: str) -> None:
        kiosk.settle()
        if pictures:
            path = kiosk.capture(out_dir / f"{name}-{language}.png")
            written.append(path)
            print(f"{path}", flush=True)
        if overflows is not None:
            overflows.extend(f"{name}-{language}: {problem}" for problem in screen_overflows())

    app.start_over()
    app.set_language(language)
    _between_slides(kiosk, app)
    shot("attract")

    app.show("home")
    shot("home")

    app.show("directory")
    shot("directory")

    _render_directory(kiosk, app, shot, language)

    app.show("store", store_id=TOUR_STORE)
    shot("store-page")

    app.show("map", store_id=TOUR_STORE)
    shot("map-store")

    app.go_home()
    app.show("map")
    shot("map")

    app.show("map", store_id=TOUR_ROUTE_STORE, profile="standard")
    kiosk.wait(1.5)  # the route draws itself in about a second
    shot("route-start")
    route_screen = app.screen("map")
    route_screen.show_step(route_screen.step_count - 1)
    kiosk.wait(1.5)
    shot("route-floor-change")

    # Lift A out of service (a new content version, as a sync brings it): the step-free route
    # takes the other lift and says why.
    from kiosk.content import install_bundle

    closed = bundle.content.model_copy(update={"closed_connectors": ["lift-a-1f"]})
    install_bundle(store, bundle._replace(content=closed))
    app.reload_content(force=True)
    app.show("map", store_id=TOUR_ROUTE_STORE, profile="step_free")
    kiosk.wait(1.5)
    shot("route-step-free-closed")
    install_bundle(store, bundle)
    app.reload_content(force=True)
    app.screen("map").reset()

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
    picker.start_typing()
    for key in TOUR_QUERIES[language]:
        picker.ids.keyboard.type_text(key)
    shot("store-picker-search")
    picker.choose(TOUR_STORE)

    form.ids.phone.clear()
    form.focus("description")
    form.choose_slot("afternoon")
    form.ids.keyboard.input_mode = "direct"  # an English sentence: the visitor taps EN first
    for character in "The cashier at the coffee counter was very rude to my mother.":
        form.ids.keyboard.type_text(character)
    # The idle clock stands still while the warning is drawn: on a slow or busy machine the
    # screenshot can take longer than the 14 s left, and the kiosk would start over meanwhile.
    running_clock = app.idle.monotonic
    frozen = running_clock()
    app.idle.monotonic = lambda: frozen
    app.idle.last_activity = frozen - (app.idle.timeout_s - 14)
    kiosk.wait(0.8)  # the app's own check notices the idle time and warns
    shot("idle-warning")
    app.idle.monotonic = running_clock
    app.idle.touched()
    kiosk.wait(0.8)
    form.submit()
    shot("receipt")
    # The satisfaction pulse on the receipt, once the visitor has tapped a face: the chosen
    # face ringed, the thanks in place of the question, further taps ignored.
    receipt_pulse = app.screen("receipt").ids.pulse
    receipt_pulse.choose("3")
    receipt_pulse.choose("1")  # a second press: filtered
    shot("satisfaction-pulse")
    app.finish_case()

    app.show("found")
    shot("found-something")
    _render_lost_property(kiosk, shot)

    _show_broadcasts(app, [_tour_broadcast(app, "emergency")])
    shot("emergency")
    app.show("home", remember=False)
    _show_broadcasts(app, [_tour_broadcast(app, "notice")])
    shot("notice")
    _show_broadcasts(app, [])

    app.store = empty_store
    app.reload_content(force=True)
    shot("no-content")
    app.store = store
    app.reload_content(force=True)
    return written


TOUR_BROADCASTS = {
    "emergency": ("evacuation", ("紧急疏散", "Evacuate the building", "緊急疏散"),
                  ("请保持冷静，听从工作人员指挥，沿疏散指示走到最近的出口。不要使用电梯。",
                   "Stay calm, follow the staff and the exit signs to the nearest exit. Do not use the lifts.",
                   "請保持冷靜，聽從工作人員指揮，沿疏散指示走到最近的出口。不要使用電梯。")),
    "notice": ("lost_child", ("寻找走失儿童：5岁男孩，穿红色外套", "Lost child: a boy of 5 in a red coat",
                              "尋找走失兒童：5歲男孩，穿紅色外套"),
               ("如见到请带到一楼服务台。", "If you see him, please bring him to the service desk on 1F.",
                "如見到請帶到一樓服務臺。")),
}
"""Tour data: what staff would send (not real alerts)."""


def _tour_broadcast(app, kind: str):
    from datetime import timedelta

    from ulid import ULID

    from sync.protocol import Broadcast, I18nText

    reason, title, text = TOUR_BROADCASTS[kind]
    now = app.now()
    return Broadcast(id=str(ULID()), kind=kind, reason=reason,
                     title=I18nText(zh_CN=title[0], en=title[1], zh_TW=title[2]),
                     text=I18nText(zh_CN=text[0], en=text[1], zh_TW=text[2]),
                     starts_at=now, expires_at=now + timedelta(hours=1))


def _show_broadcasts(app, broadcasts) -> None:
    """As if the broadcast poll had just brought this list."""
    app.broadcast_overlay.update(broadcasts)


TOUR_ITEM_TEXTS = {
    "zh_CN": ("棕色真皮钱包，有拉链", "长柄伞，彩色条纹"),
    "en": ("Brown leather wallet, zip around", "Long umbrella with stripes"),
    "zh_TW": ("棕色真皮錢包，有拉鍊", "長柄傘，彩色條紋"),
}
"""What a visitor writes about the found wallet and the lost umbrella, in their language."""


def _render_lost_property(kiosk, shot) -> None:
    """The item form both ways, filled in by touch and keyboard, and both receipts."""
    from venue.plan_geometry import polygon_centroid

    app = kiosk.app
    app.go_home()
    app.show("item_form", kind="found_item")
    form = app.screen("item_form")
    form.choose_category("wallet")
    form.choose_colour("brown")
    form.choose_level(app.index.content.levels[0].id)
    form.choose_when("just_now")
    form.choose_point()
    place = app.screen("item_place")
    shape = next(shape for shape in place.ids.plan.level.plan if shape.kind == "unit" and shape.ref)
    place.mark(*polygon_centroid(shape.polygon), shape=shape)
    shot("found-item-spot")
    place.use()
    shot("found-item-form")
    form.next_step()
    form.focus("brand")
    form.ids.keyboard.input_mode = "direct"  # a Latin brand name
    for character in "Coach":
        form.ids.keyboard.type_text(character)
    form.focus("features")
    form.ids.features.insert(TOUR_ITEM_TEXTS[app.language][0])
    shot("found-item-details")
    form.submit()
    shot("found-item-receipt")
    app.finish_case()

    app.show("item_form", kind="lost_report")
    form.next_step()
    shot("lost-item-errors")
    form.choose_category("umbrella")
    form.choose_colour("multi")
    shot("lost-item-form")
    form.next_step()
    form.ids.features.insert(TOUR_ITEM_TEXTS[app.language][1])
    form.focus("phone")
    for digit in "13812345678":
        form.ids.keyboard.type_text(digit)
    form.stop_typing()  # Done: in the reach band the whole form is back (the found item showed typing)
    form.ids.consent.checked = True
    shot("lost-item-details")
    form.submit()
    shot("lost-item-receipt")
    app.finish_case()
