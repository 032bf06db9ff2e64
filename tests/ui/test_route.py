"""The route on the mall map, driven by touch: tap a store, read the steps, step through the
floors, choose a profile, follow a closure that a sync brought, take the route to a phone."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import zxingcpp

from kiosk.content import install_bundle
from screens.widgets.floor_plan import ROUTE_COLOUR
from venue.plan_geometry import polygon_centroid

pytestmark = pytest.mark.ui
MULTI_FLOOR_STORE = "gale-sports"  # 3F; the kiosk stands in the 1F lobby


def open_map(kiosk, **params):
    kiosk.app.show("map", **params)
    kiosk.settle()
    screen = kiosk.screen("map")
    finish_drawing(kiosk)
    return screen


def finish_drawing(kiosk) -> None:
    """The route draws itself in about a second; jump to the end of the animation."""
    from kivy.animation import Animation

    plan = kiosk.screen("map").ids.plan
    Animation.cancel_all(plan, "route_progress")
    plan.route_progress = 1.0
    kiosk.settle()


def shape_centre(plan, ref: str):
    shape = next(s for s in plan.level.plan if s.ref == ref)
    return plan.to_window(*plan.to_screen(*polygon_centroid(shape.polygon)))


def step_cards(screen):
    return list(reversed(screen.ids.steps.children))


def button_with_text(root, text: str):
    from screens.widgets.common import KButton

    return next(w for w in root.walk() if isinstance(w, KButton) and w.text.strip(" ‹›") == text and not w.disabled)


def is_route_colour(pixel) -> bool:
    return all(abs(channel - round(expected * 255)) <= 12
               for channel, expected in zip(pixel, ROUTE_COLOUR[:3], strict=True))


def test_tap_a_store_on_the_map_and_see_the_route(kiosk):
    kiosk.tap(next(t for t in kiosk.screen("home").ids.tiles.children if t.target == "map"))
    assert kiosk.current == "map"
    screen = kiosk.screen("map")
    assert not screen.has_route and screen.ids.nearest.children  # nothing chosen: the nearest-of shortcuts
    plan = screen.ids.plan
    kiosk.driver.tap_at(*shape_centre(plan, "cloud-coffee"))
    finish_drawing(kiosk)
    assert screen.destination_id == "cloud-coffee" and screen.has_route
    assert screen.route_title == "云朵咖啡"
    cards = step_cards(screen)
    assert len(cards) == 1 and cards[0].title.startswith("步行") and cards[0].title.endswith("到云朵咖啡")
    assert "分钟" in screen.route_summary
    # the route is drawn: its colour where its first walk runs
    image = kiosk.image()
    points = plan.route_legs[0]
    (ax, ay), (bx, by) = points[len(points) // 2 - 1], points[len(points) // 2]
    x, y = plan.to_window(*plan.to_screen((ax + bx) / 2, (ay + by) / 2))
    assert is_route_colour(image.getpixel((round(x), image.height - round(y))))


def test_a_multi_floor_route_steps_through_the_floors(kiosk):
    kiosk.app.set_language("en")
    screen = open_map(kiosk, store_id=MULTI_FLOOR_STORE)
    cards = step_cards(screen)
    assert [card.floor for card in cards] == ["1F", "2F", "3F"]
    assert cards[1].title.startswith("Take the escalator up to 2F")
    assert screen.ids.plan.level.id == "1f" and screen.level_title.startswith("1F")
    assert screen.ids.plan.markers[-1].caption == "Escalator → 2F"  # a tag, not the card's "the escalator"
    # one card at a time, the route's floors above it
    assert [card.height > 0 for card in cards] == [True, False, False]
    assert screen.step_trail == "Step 1 of 3  ·  [b][u]1F[/u][/b] › 2F › 3F"
    kiosk.tap(button_with_text(screen, "Next step"))
    finish_drawing(kiosk)
    assert screen.step_index == 1 and screen.ids.plan.level.id == "2f" and cards[1].active
    assert [card.height > 0 for card in cards] == [False, True, False]
    assert screen.step_trail.startswith("Step 2 of 3")
    kiosk.tap(button_with_text(screen, "Next step"))
    finish_drawing(kiosk)
    assert screen.ids.plan.level.id == "3f" and screen.here_text == "You are on 1F"
    assert screen.ids.plan.markers[-1].caption == "Gale Sports"
    floor_1f = next(b for b in screen.ids.levels.children if b.value == "1f")
    kiosk.tap(floor_1f)  # the floor switcher goes back too, to that floor's card
    assert screen.step_index == 0 and screen.ids.plan.level.id == "1f" and cards[0].active


def test_the_profile_is_chosen_on_the_route_screen(kiosk):
    kiosk.app.set_language("en")
    screen = open_map(kiosk, store_id=MULTI_FLOOR_STORE)
    kiosk.tap(button_with_text(screen.ids.profiles, "Step-free"))
    finish_drawing(kiosk)
    assert screen.profile == "step_free"
    kinds = {step.connector_kind for step in screen.route.steps if step.kind == "connector"}
    assert kinds == {"lift"}
    assert step_cards(screen)[1].title.startswith("Take Lift ")


def test_a_closure_brought_by_sync_reroutes_and_says_why(kiosk):
    screen = open_map(kiosk, store_id=MULTI_FLOOR_STORE, profile="step_free")
    used = next(step.connector_id for step in screen.route.steps if step.kind == "connector")
    closed = kiosk.bundle.content.model_copy(update={"closed_connectors": [used]})
    try:
        install_bundle(kiosk.store, kiosk.bundle._replace(content=closed))
        kiosk.agent.report_new_content(0)  # as the sync agent does after installing a version
        kiosk.settle()
        assert used not in {step.connector_id for step in screen.route.steps}
        lift = "A梯" if used == "lift-a-1f" else "B梯"
        assert screen.route_reason == f"{lift}暂停使用，本路线已绕行。"
        from kivy.uix.label import Label

        assert any(isinstance(w, Label) and w.text == screen.route_reason and w.height > 0
                   for w in screen.walk())
    finally:
        install_bundle(kiosk.store, kiosk.bundle)
        kiosk.app.reload_content(force=True)


def test_an_unreachable_place_says_so_and_offers_the_service_desk(kiosk):
    closed = kiosk.bundle.content.model_copy(update={"closed_connectors": ["lift-a-1f", "lift-b-1f"]})
    try:
        install_bundle(kiosk.store, kiosk.bundle._replace(content=closed))
        kiosk.app.reload_content(force=True)
        kiosk.app.set_language("en")
        screen = open_map(kiosk, store_id=MULTI_FLOOR_STORE, profile="pram")
        assert screen.route_problem == "There is no way to Gale Sports with a pram from here."
        assert screen.route_reason == "Lift A, Lift B are closed."
        assert screen.step_count == 0
        kiosk.tap(button_with_text(screen, "Show the way to Service desk"))
        finish_drawing(kiosk)
        assert screen.destination_id == "service-desk-1f" and screen.route.reachable
    finally:
        install_bundle(kiosk.store, kiosk.bundle)
        kiosk.app.reload_content(force=True)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_last_card_stays_whole_beside_a_closure(kiosk, language):
    """The tightest panel: a closure explained, two-line cards. The card being read is whole
    inside the list, and nothing is asked of the visitor while they are finding the way (the
    pulse waits for the end of the journey)."""
    closed = kiosk.bundle.content.model_copy(update={"closed_connectors": ["lift-a-1f"]})
    try:
        install_bundle(kiosk.store, kiosk.bundle._replace(content=closed))
        kiosk.app.reload_content(force=True)
        kiosk.app.set_language(language)
        screen = open_map(kiosk, store_id=MULTI_FLOOR_STORE, profile="step_free")
        assert screen.route_reason
        for _ in range(screen.step_count - 1):
            kiosk.tap(button_with_text(screen, kiosk.app.tr("Next step")))
            finish_drawing(kiosk)
        kiosk.driver.wait(0.3)  # the list scrolls to the active card once the cards are laid out
        scroll, card = screen.ids.step_scroll, step_cards(screen)[-1]
        assert card.active
        _left, list_bottom = scroll.to_window(*scroll.pos)
        _left, card_bottom = card.to_window(*card.pos)
        assert list_bottom - 1 <= card_bottom and card_bottom + card.height <= list_bottom + scroll.height + 1
        pulse = screen.ids.pulse
        assert pulse.height == 0 and pulse.disabled and pulse.opacity == 0
    finally:
        install_bundle(kiosk.store, kiosk.bundle)
        kiosk.app.reload_content(force=True)


def test_a_facility_is_a_destination_too(kiosk):
    screen = open_map(kiosk, facility_id="service-desk-1f")
    assert screen.route.destination.kind == "service_desk" and screen.route.reachable
    assert screen.store_id == ""  # no store page for a facility


def test_nearest_toilets_from_the_map(kiosk):
    kiosk.app.set_language("en")
    screen = open_map(kiosk)
    kiosk.tap(button_with_text(screen.ids.nearest, "Toilets"))
    finish_drawing(kiosk)
    assert screen.route.destination.kind in ("restroom", "accessible_restroom")
    assert screen.route.destination.level_id == "1f"


def test_nearest_of_a_kind_that_cannot_be_reached_says_so(kiosk):
    kiosk.app.set_language("en")
    closed = kiosk.bundle.content.model_copy(update={"facilities": [
        f for f in kiosk.bundle.content.facilities if f.kind != "atm"]})
    try:
        install_bundle(kiosk.store, kiosk.bundle._replace(content=closed))
        kiosk.app.reload_content(force=True)
        screen = open_map(kiosk)
        kiosk.tap(button_with_text(screen.ids.nearest, "ATM"))
        assert screen.route is None and screen.destination_id == ""
        assert screen.route_problem == "None can be reached from here; please ask at the service desk."
    finally:
        install_bundle(kiosk.store, kiosk.bundle)
        kiosk.app.reload_content(force=True)


def test_the_qr_code_opens_the_same_route_on_a_phone(kiosk):
    screen = open_map(kiosk, store_id=MULTI_FLOOR_STORE, profile="step_free")
    qr = screen.ids.qr
    assert qr.module_pixels >= 4  # big enough for a phone at arm's length
    image = kiosk.image()
    left, bottom = qr.to_window(*qr.pos)
    region = image.crop((int(left) - 20, image.height - int(bottom + qr.height) - 20,
                         int(left + qr.width) + 20, image.height - int(bottom) + 20))
    decoded = [result.text for result in zxingcpp.read_barcodes(region)]
    assert decoded == ["http://127.0.0.1:8000/r/galaxy-harbour/lobby-1f/gale-sports?profile=step_free&lang=zh-hans"]
    assert screen.route_url == decoded[0]


def test_drag_pans_and_pinch_zooms_without_choosing_a_store(kiosk):
    from kivy.tests.common import UnitTestTouch

    screen = open_map(kiosk)
    plan = screen.ids.plan
    x, y = plan.to_window(*plan.center)
    finger = UnitTestTouch(x, y)
    finger.touch_down()
    kiosk.pump(1)
    finger.touch_move(x + 150, y + 60)
    kiosk.pump(1)
    finger.touch_up()
    kiosk.pump(2)
    assert plan.pan == [150, 60] and screen.destination_id == ""
    one, two = UnitTestTouch(x - 100, y), UnitTestTouch(x + 100, y)
    one.touch_down()
    two.touch_down()
    kiosk.pump(1)
    two.touch_move(x + 300, y)
    kiosk.pump(1)
    one.touch_up()
    two.touch_up()
    kiosk.pump(2)
    assert plan.zoom == pytest.approx(2.0, rel=0.05)
    assert screen.destination_id == ""


def test_the_plan_is_drawn_where_taps_land_after_a_pinch(kiosk):
    """Panning and zooming move the drawn plan (kept in level metres under a transform) and
    `to_screen`, which taps use, together: the chosen store's fill is where its shape is."""
    from screens import theme

    screen = open_map(kiosk, store_id="cloud-coffee")
    plan = screen.ids.plan
    plan._zoom_about(plan.center, 2.5)
    plan.pan = plan._clamped_pan(plan.pan[0] - 40, plan.pan[1] + 30)
    kiosk.settle()
    shape = next(s for s in plan.level.plan if s.ref == "cloud-coffee")
    xs, ys = [x for x, _ in shape.polygon], [y for _, y in shape.polygon]
    inside = ((min(xs) + max(xs)) / 2, min(ys) + 0.12 * (max(ys) - min(ys)))  # below its name
    sx, sy = plan.to_screen(*inside)
    x, y = plan.to_window(sx, sy)
    image = kiosk.image()
    pixel = image.getpixel((round(x), image.height - round(y)))
    assert all(abs(c - round(e * 255)) <= 12 for c, e in zip(pixel, theme.MAP_HIGHLIGHT[:3], strict=True)), pixel
    assert plan.shape_at(sx, sy).ref == "cloud-coffee"


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_the_pulse_asks_once_the_route_is_handed_over_and_closed(kiosk, orientation):
    """Not on the map while the visitor steps through the route (not even at its last card):
    once the route has been handed over (read through, the QR code shown) and closed, the
    route panel asks how the kiosk did; one vote; a new route hides it; the next visitor gets
    their own vote."""
    import sqlite3

    from kivy.core.window import Window

    from screens import theme
    from screens.satisfaction_pulse import Face

    def route_votes():
        with sqlite3.connect(kiosk.store_path) as connection:
            return connection.execute(
                "SELECT value FROM events WHERE kind = 'satisfaction' AND subject_id = 'route'").fetchall()

    before_size = Window.size
    Window.size = (1920, 1080) if orientation == "landscape" else (1080, 1920)
    try:
        kiosk.app.set_language("en")
        screen = open_map(kiosk, store_id=MULTI_FLOOR_STORE)
        pulse, plan = screen.ids.pulse, screen.ids.plan
        assert pulse not in plan.overlays
        for _ in range(len(step_cards(screen))):
            assert pulse.height == 0 and pulse.disabled and pulse.opacity == 0
            if screen.step_index < screen.step_count - 1:
                kiosk.tap(button_with_text(screen, "Next step"))
                finish_drawing(kiosk)
        assert screen.route_url  # the hand-off was on screen
        kiosk.tap(button_with_text(screen, "Close"))
        kiosk.settle()
        assert screen.destination_id == "" and pulse.height > 0 and not pulse.disabled and pulse.opacity == 1
        faces = [face for face in pulse.walk() if isinstance(face, Face)]
        assert len(faces) == 4
        assert all(min(face.size) >= theme.TOUCH_MIN * kiosk.app.u - 1 for face in faces)
        # in the route panel, not over the plan; whole on the screen
        px, py = pulse.to_window(pulse.x, pulse.y)
        qx, qy = plan.to_window(plan.x, plan.y)
        assert px >= qx + plan.width or py + pulse.height <= qy
        assert 0 <= py and py + pulse.height <= Window.height
        folder = Path(os.environ.get("CONCIERGE_SCREENSHOTS") or kiosk.store_path.parent)
        kiosk.driver.capture(folder / f"pulse-route-en-{orientation}.png")
        before = route_votes()
        smile = next(face for face in faces if face.value == "4")
        kiosk.tap(smile)
        kiosk.tap(smile)
        assert route_votes() == before + [("4",)]
        kiosk.tap(button_with_text(screen, "Toilets"))
        finish_drawing(kiosk)
        assert screen.destination_id and pulse.height == 0  # a new route: asked again at its end
        kiosk.app.start_over()
        kiosk.settle()
        assert not pulse.voted and not screen.journey_done
    finally:
        Window.size = before_size
        kiosk.settle()


def test_a_route_left_without_a_way_found_asks_nothing(kiosk):
    screen = open_map(kiosk)
    screen.clear_route()
    kiosk.settle()
    assert screen.ids.pulse.height == 0 and not screen.journey_done


def test_a_name_tag_goes_where_it_hides_the_least_of_the_units_names(kiosk):
    """Above its marker, else below, right or left, clear of other tags: the first place that
    hides no unit's name, or the one that hides the least of them."""
    from screens.widgets.floor_plan import FloorPlan

    plan = FloorPlan(pos=(0, 0), size=(800, 600))
    tag = (120, 40)
    above, below, right, left = (340, 326), (340, 234), (426, 280), (254, 280)
    assert plan._caption_position(400, 300, 16, *tag) == above

    plan._label_boxes = [(350, 330, 100, 30)]  # a unit's name just above the marker
    assert plan._caption_position(400, 300, 16, *tag) == below
    plan._label_boxes.append((330, 250, 40, 20))  # and one below
    assert plan._caption_position(400, 300, 16, *tag) == right
    plan._caption_boxes = [(430, 276, 200, 60)]  # another tag on the right
    assert plan._caption_position(400, 300, 16, *tag) == left
    plan._label_boxes.append((240, 290, 20, 10))  # names everywhere: the least hidden
    assert plan._caption_position(400, 300, 16, *tag) == left
    plan._label_boxes.append((250, 280, 130, 40))
    assert plan._caption_position(400, 300, 16, *tag) == below
