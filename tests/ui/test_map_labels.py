"""The mall map read at arm's length, on the real widget tree: on every floor of the demo mall
and of the shared IMDF sample, in both orientations, nine stores in ten carry a name at the
default zoom (the IMDF sample's dense classroom wings too), no two names overlap, none is under
a marker, a symbol or a control over the plan, Chinese names are at least 18 px and no name is
below the legibility floor of 14 px (on a 1080 px short side), and every facility has its
symbol."""
from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from venue.plan_labels import box_within, boxes_overlap
from venue.typesetting import has_cjk

pytestmark = pytest.mark.ui
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "imdf-polymap"
ORIENTATIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
LANGUAGES = ("zh_CN", "en")
NAMED_SHARE = 0.9
"""Stores named at the default zoom, on every floor."""
SMALLEST_NAME_PX = 14
"""The legibility floor (design pixels; screens.widgets.floor_plan.DENSE_LABEL_SIZES)."""


@pytest.fixture
def orientation(request):
    from kivy.core.window import Window

    before = Window.size
    Window.size = ORIENTATIONS[request.param]
    yield request.param
    Window.size = before


def drawn_textures(plan) -> list[tuple[float, float, float, float]]:
    """Boxes of the texts actually on the plan's canvas (textured rectangles, in the canvas or
    in its instruction groups)."""
    from kivy.graphics import InstructionGroup, Rectangle

    boxes = []
    pending = list(plan.canvas.children)
    while pending:
        item = pending.pop()
        if isinstance(item, Rectangle) and item.texture is not None:
            boxes.append((*item.pos, *item.size))
        elif isinstance(item, InstructionGroup):
            pending.extend(item.children)
    return boxes


def floor_report(kiosk, level) -> dict:
    """Open the map on `level` at its default zoom and read what the plan drew."""
    app = kiosk.app
    app.show("map", level_id=level.id)
    kiosk.settle()
    screen = kiosk.screen("map")
    plan = screen.ids.plan
    assert plan.level is level or plan.level.id == level.id
    assert plan.zoom == 1.0 and not plan.focus
    stores = {store.id for store in app.index.stores_on_level(level.id)} & {s.ref for s in level.plan if s.ref}
    labels = plan.placed_labels
    textures = drawn_textures(plan)
    problems = []
    for a, b in combinations(labels, 2):
        if boxes_overlap(a.box, b.box):
            problems.append(f"{a.text!r} overlaps {b.text!r}")
    blockers = [*plan.overlay_boxes(), *plan.marker_boxes, *plan.symbol_boxes.values()]
    for label in labels:
        if any(boxes_overlap(label.box, other) for other in blockers):
            problems.append(f"{label.text!r} is under a marker, a symbol or a control")
        if not box_within(label.box, (plan.x, plan.y, plan.width, plan.height)):
            problems.append(f"{label.text!r} runs off the plan")
        x, y, w, h = label.box
        if not any(abs(tx + tw / 2 - (x + w / 2)) <= 2 and abs(ty + th / 2 - (y + h / 2)) <= 2
                   for tx, ty, tw, th in textures):
            problems.append(f"{label.text!r} is placed but not drawn")
        if has_cjk(label.text) and label.font_size < 18 * app.u - 0.01:
            problems.append(f"{label.text!r} is {label.font_size:.1f} px")
        if label.font_size < SMALLEST_NAME_PX * app.u - 0.01:
            problems.append(f"{label.text!r} is {label.font_size:.1f} px, below the legibility floor")
    facilities = [f.id for f in app.content.facilities if f.level_id == level.id]
    missing_symbols = [f for f in facilities if f not in plan.symbol_boxes]
    named = stores & {label.key for label in labels}
    return {"stores": len(stores), "named": len(named), "problems": problems, "missing_symbols": missing_symbols,
            "unnamed": sorted(stores - named)}


def check_every_floor(kiosk, language: str) -> list[str]:
    """What falls short on any floor: fewer than NAMED_SHARE of its stores named, a problem
    with a name, a facility without its symbol."""
    kiosk.app.set_language(language)
    failures = []
    for level in kiosk.app.index.levels():
        report = floor_report(kiosk, level)
        if not report["stores"] and not report["missing_symbols"]:
            continue
        if report["stores"] and report["named"] < NAMED_SHARE * report["stores"]:
            failures.append(f"{level.short_name}: {report['named']} of {report['stores']} stores named")
        failures += [f"{level.short_name}: {problem}" for problem in report["problems"]]
        if report["missing_symbols"]:
            failures.append(f"{level.short_name}: no symbol for {report['missing_symbols']}")
    return failures


@pytest.mark.parametrize("orientation", list(ORIENTATIONS), indirect=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_floor_of_the_demo_mall_names_its_stores(kiosk, orientation, language):
    assert kiosk.app.landscape == (orientation == "landscape")
    assert check_every_floor(kiosk, language) == []


@pytest.fixture(scope="module")
def imdf_content():
    if not SAMPLE.is_dir():
        pytest.skip(f"the IMDF sample is absent ({SAMPLE})")
    from server.wayfinding.imdf import import_imdf

    return import_imdf(SAMPLE).content


@pytest.mark.imdf
@pytest.mark.parametrize("orientation", list(ORIENTATIONS), indirect=True)
def test_every_floor_of_the_imdf_sample_names_its_stores(kiosk, orientation, imdf_content):
    from kiosk.content import install_bundle

    try:
        install_bundle(kiosk.store, kiosk.bundle._replace(content=imdf_content))
        kiosk.app.reload_content(force=True)
        assert kiosk.app.content.mall.id == imdf_content.mall.id
        failures = check_every_floor(kiosk, "en")
        assert failures == [], "\n".join(failures)
    finally:
        install_bundle(kiosk.store, kiosk.bundle)
        kiosk.app.reload_content(force=True)


def test_the_chosen_store_is_named_and_the_route_is_not_under_its_name(kiosk):
    """With a route, its end marker names the store; no label of the same name covers the line."""
    kiosk.app.set_language("en")
    kiosk.app.show("map", store_id="cloud-coffee")
    kiosk.settle()
    plan = kiosk.screen("map").ids.plan
    assert [m.caption for m in plan.markers][-1] == "Cloud Coffee"
    assert "cloud-coffee" not in {label.key for label in plan.placed_labels}
    tags = plan.marker_boxes
    assert not any(boxes_overlap(a, b) for a, b in combinations(tags, 2) if a != b and a[2] > 40 and b[2] > 40)


def test_zoom_buttons_zoom_and_names_are_placed_again(kiosk):
    from screens.widgets.common import KButton

    kiosk.app.set_language("en")
    kiosk.app.show("map")
    kiosk.settle()
    screen = kiosk.screen("map")
    plan = screen.ids.plan
    before = len(plan.placed_labels)
    plus = next(w for w in screen.ids.zoom_buttons.children if isinstance(w, KButton) and w.text == "+")
    kiosk.tap(plus)
    kiosk.settle()
    assert plan.zoom == pytest.approx(1.5)
    assert all(box_within(label.box, (plan.x, plan.y, plan.width, plan.height)) for label in plan.placed_labels)
    minus = next(w for w in screen.ids.zoom_buttons.children if isinstance(w, KButton) and w.text == "−")
    kiosk.tap(minus)
    kiosk.settle()
    assert plan.zoom == 1.0 and len(plan.placed_labels) == before


def test_a_view_shown_again_is_not_placed_again_and_a_new_language_is(kiosk):
    """The placement is kept per floor, zoom and view: a redraw of the same view draws the same
    names from the kept placement; another language places the names anew."""
    kiosk.app.set_language("en")
    kiosk.app.show("map")
    kiosk.settle()
    plan = kiosk.screen("map").ids.plan
    english = plan.placed_labels
    assert english
    plan.redraw()
    assert plan.placed_labels is english
    kiosk.app.set_language("zh_CN")
    kiosk.settle()
    assert plan.placed_labels is not english
    assert any(has_cjk(label.text) for label in plan.placed_labels)
    kiosk.app.set_language("en")
    kiosk.settle()
    assert [label.text for label in plan.placed_labels] == [label.text for label in english]
