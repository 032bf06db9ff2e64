"""Routing on the demo mall (assets/demo) and on small malls made here for one rule each."""
from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.bundle import load_source_bundle
from sync.protocol import (
    Category,
    Edge,
    Facility,
    I18nText,
    KioskPoint,
    Level,
    Mall,
    MallContent,
    Node,
    PathGraph,
    Store,
    TimeRange,
)
from venue.routing.router import (
    Router,
    route_from_kiosk,
    route_to_nearest_exit,
    router_for,
    walking_distances_from,
)
from venue.routing.wording import closure_reason, describe_step, walking_time_text

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"
STAIRS_AND_ESCALATORS = {"stairs", "escalator"}


@pytest.fixture(scope="module")
def demo() -> MallContent:
    return load_source_bundle(DEMO).content


def closed(content: MallContent, *connectors: str) -> MallContent:
    return content.model_copy(update={"closed_connectors": list(connectors)})


def store_on(content: MallContent, level_id: str) -> str:
    return next(store.id for store in content.stores if store.level_id == level_id)


def walked_edges(router: Router, route) -> list[Edge]:
    index = router.graph.index
    return [router.edge_between(index[a], index[b], route.profile) for a, b in pairwise(route.node_ids)]


# ---------------------------------------------------------------- the demo mall
def test_same_floor_route_walks_only_and_says_where_to(demo):
    route = route_from_kiosk(demo, "lobby-1f", "cloud-coffee")
    assert route.reachable
    assert route.levels() == ["1f"]
    assert {edge.kind for edge in walked_edges(router_for(demo), route)} == {"walk"}
    assert len(route.steps) == 1
    title, detail = describe_step(route.steps[0], "en")
    assert title == f"Walk {round(route.metres)} m to Cloud Coffee"
    assert detail.startswith("Start off")
    assert describe_step(route.steps[0], "zh_CN")[0] == f"步行{round(route.metres)}米到云朵咖啡"
    assert route.node_ids[0] == "kiosk-lobby-1f"
    assert route.node_ids[-1] == next(s.node_id for s in demo.stores if s.id == "cloud-coffee")
    # metres are the sum of the drawn legs
    drawn = sum(math.dist(a, b) for leg in route.legs for a, b in pairwise(leg.points))
    assert route.metres == pytest.approx(drawn, rel=1e-6)


def test_route_across_three_floors_has_one_card_per_floor_change(demo):
    route = route_from_kiosk(demo, "parking-b1", store_on(demo, "2f"))
    assert route.reachable
    assert route.levels() == ["b1", "1f", "2f"] or route.levels() == ["b1", "2f"]
    route = route_from_kiosk(demo, "parking-b1", store_on(demo, "2f"), "standard")
    changes = [step for step in route.steps if step.kind == "connector"]
    assert len(changes) == len(route.legs) - 1
    # across three floors via escalators: B1 → 1F → 2F from the car park with lifts closed
    no_lifts = closed(demo, "lift-a-1f", "lift-b-1f")
    route = route_from_kiosk(no_lifts, "parking-b1", store_on(demo, "2f"))
    assert route.levels() == ["b1", "1f", "2f"]
    cards = [describe_step(step, "en")[0] for step in route.steps]
    assert cards[1].startswith("Take ") and "to 1F" in cards[1]
    assert cards[2].startswith("Take ") and "to 2F" in cards[2]
    assert [step.level_id for step in route.steps] == ["b1", "1f", "2f"]
    # and with everything open: from the 1F lobby to 3F by the atrium escalators, floor by floor
    route = route_from_kiosk(demo, "lobby-1f", "gale-sports")
    assert route.levels() == ["1f", "2f", "3f"]
    assert [describe_step(step, "en")[0] for step in route.steps[1:]] == [
        "Take the escalator up to 2F", "Take the escalator up to 3F"]
    assert all(step.kind == "connector" and step.connector_kind == "escalator" for step in route.steps[1:])


def test_lift_card_names_the_lift_the_floor_and_a_landmark(demo):
    route = route_from_kiosk(demo, "lobby-1f", store_on(demo, "4f"), "step_free")
    card = next(step for step in route.steps if step.kind == "connector")
    title, detail = describe_step(card, "en")
    assert title.startswith("Take Lift ") and " to 4F" in title
    assert card.landmark is not None and card.landmark.en in title
    assert detail.startswith("Walk ")
    assert "A梯" in describe_step(card, "zh_CN")[0] or "B梯" in describe_step(card, "zh_CN")[0]
    assert describe_step(card, "zh_TW")[0].startswith("搭") and "4F" in describe_step(card, "zh_TW")[0]


@pytest.mark.parametrize("profile", ["step_free", "pram"])
def test_step_free_and_pram_routes_use_no_stairs_or_escalators(demo, profile):
    router = router_for(demo)
    for kiosk in ("lobby-1f", "parking-b1", "atrium-3f"):
        for store in demo.stores[::7]:
            route = router.route(kiosk, store.id, profile)
            assert route.reachable, (kiosk, store.id)
            assert not {edge.kind for edge in walked_edges(router, route)} & STAIRS_AND_ESCALATORS


def test_standard_route_may_take_the_escalator_and_is_never_slower(demo):
    router = router_for(demo)
    store = store_on(demo, "2f")
    standard = router.route("lobby-1f", store, "standard")
    step_free = router.route("lobby-1f", store, "step_free")
    assert standard.seconds <= step_free.seconds
    assert "escalator" in {edge.kind for edge in walked_edges(router, standard)}


def test_escalators_are_only_ridden_the_way_they_run(demo):
    router = router_for(demo)
    for kiosk in ("lobby-1f", "parking-b1", "atrium-3f"):
        for store in demo.stores[::5]:
            route = router.route(kiosk, store.id, "standard")
            for a, b in pairwise(route.node_ids):
                edge = router.edge_between(router.graph.index[a], router.graph.index[b], "standard")
                if edge.kind == "escalator":
                    assert (edge.a, edge.b) == (a, b)


def test_a_closed_lift_is_avoided_and_the_reason_given(demo):
    store = store_on(demo, "4f")
    before = route_from_kiosk(demo, "lobby-1f", store, "step_free")
    used = {step.connector_id for step in before.steps if step.kind == "connector"}
    assert len(used) == 1
    lift = used.pop()
    after_content = closed(demo, lift)
    after = route_from_kiosk(after_content, "lobby-1f", store, "step_free")
    assert after.reachable
    assert lift not in {step.connector_id for step in after.steps}
    assert after.avoids_closed == [lift]
    lift_name = "Lift A" if lift == "lift-a-1f" else "Lift B"
    assert closure_reason(after, after_content, "en") == f"{lift_name} is closed: this route goes another way."
    assert lift_name[-1] + "梯" in closure_reason(after, after_content, "zh_CN")
    assert closure_reason(before, demo, "en") == ""


def test_closing_one_stop_closes_the_lift_at_that_floor_only(demo):
    content = closed(demo, "lift-a-4f", "lift-b-4f")
    route = route_from_kiosk(content, "lobby-1f", store_on(demo, "3f"), "step_free")
    assert route.reachable and "3f" in route.levels()
    assert not route_from_kiosk(content, "lobby-1f", store_on(demo, "4f"), "step_free").reachable


def test_an_unreachable_place_is_explained_and_the_service_desk_offered(demo):
    content = closed(demo, "lift-a-1f", "lift-b-1f")
    store = store_on(demo, "4f")
    route = route_from_kiosk(content, "lobby-1f", store, "step_free")
    assert not route.reachable
    assert set(route.blocked_by_closed) == {"lift-a-1f", "lift-b-1f"}
    assert closure_reason(route, content, "en") == "Lift A, Lift B are closed."
    assert route.alternative is not None and route.alternative.destination.id == "service-desk-1f"
    assert route.alternative.reachable
    # the same place on foot is still fine
    assert route_from_kiosk(content, "lobby-1f", store, "standard").reachable


def test_an_unreachable_facility_offers_the_nearest_of_its_kind(demo):
    content = closed(demo, "lift-a-1f", "lift-b-1f")
    route = route_from_kiosk(content, "lobby-1f", "accessible-w-4f", "step_free")
    assert not route.reachable
    assert route.alternative.destination.kind == "accessible_restroom"
    assert route.alternative.destination.level_id == "1f"


def test_nearest_of_kind_by_walking_time_under_the_profile(demo):
    router = router_for(demo)
    restroom = router.nearest_of_kind("atrium-3f", "restroom", "standard")
    assert restroom.destination.kind in ("restroom", "accessible_restroom")
    assert restroom.destination.level_id == "3f"
    step_free = router.nearest_of_kind("atrium-3f", "restroom", "step_free")
    assert step_free.destination.kind == "accessible_restroom"
    for kind in ("nursing_room", "exit", "atm"):
        route = router.nearest_of_kind("lobby-1f", kind, "pram")
        assert route is not None and route.destination.kind == kind
        others = [f for f in demo.facilities if f.kind == kind]
        assert all(router.route("lobby-1f", f.id, "pram").seconds >= route.seconds - 1e-9 for f in others)


def test_emergency_exit_route_never_uses_a_lift(demo):
    router = router_for(demo)
    for kiosk in demo.kiosks:
        route = route_to_nearest_exit(demo, kiosk.id)
        assert route is not None and route.reachable
        assert route.destination.kind == "exit"
        assert "lift" not in {edge.kind for edge in walked_edges(router, route)}
    assert route_to_nearest_exit(demo, "no-such-kiosk") is None


def test_walking_distances_order_facilities_nearest_first(demo):
    kiosk = next(k for k in demo.kiosks if k.id == "lobby-1f")
    distances = walking_distances_from(demo, kiosk.node_id, "step_free")
    assert distances[kiosk.node_id] == 0
    assert len(distances) == len(demo.graph.nodes)  # the demo mall is connected step-free
    route = route_from_kiosk(demo, "lobby-1f", "cloud-coffee", "step_free")
    assert distances[route.node_ids[-1]] == pytest.approx(route.metres)


def test_walking_time_is_shown_in_each_language(demo):
    route = route_from_kiosk(demo, "lobby-1f", store_on(demo, "4f"))
    assert walking_time_text(route, "en") == f"About {route.minutes} min · {round(route.metres)} m"
    assert f"{route.minutes}分钟" in walking_time_text(route, "zh_CN")
    assert f"{route.minutes}分鐘" in walking_time_text(route, "zh_TW")


def test_unknown_places_and_profiles_are_refused(demo):
    from venue.routing.router import RoutingError

    with pytest.raises(RoutingError):
        route_from_kiosk(demo, "lobby-1f", "no-such-store")
    with pytest.raises(RoutingError):
        route_from_kiosk(demo, "lobby-1f", "cloud-coffee", "hovercraft")


# ---------------------------------------------------------------- small malls
def tiny_mall(edges: list[Edge], nodes: list[Node], stores: list[Store], closed_connectors=()) -> MallContent:
    text = I18nText(zh_CN="x", en="x")
    return MallContent(
        mall=Mall(id="tiny", name=text, hours=[TimeRange(weekdays=[0], open="10:00", close="22:00")]),
        levels=[Level(id=level_id, short_name=level_id.upper(), ordinal=o, name=text, width_m=10, height_m=10)
                for level_id, o in (("1f", 0), ("2f", 1))],
        categories=[Category(id="c", name=text)],
        stores=stores,
        facilities=[Facility(id="esc", kind="escalator", name=text, level_id="1f", node_id="e1")],
        graph=PathGraph(nodes=nodes, edges=edges),
        kiosks=[KioskPoint(id="k1", name=text, level_id="1f", node_id="k1"),
                KioskPoint(id="k2", name=text, level_id="2f", node_id="k2")],
        closed_connectors=list(closed_connectors),
    )


def escalator_mall(with_stairs: bool) -> MallContent:
    nodes = [Node(id="k1", level_id="1f", x=0, y=0), Node(id="e1", level_id="1f", x=5, y=0),
             Node(id="k2", level_id="2f", x=0, y=0), Node(id="e2", level_id="2f", x=5, y=0),
             Node(id="s1", level_id="1f", x=0, y=9), Node(id="s2", level_id="2f", x=0, y=9)]
    edges = [Edge(a="k1", b="e1", length_m=5), Edge(a="k2", b="e2", length_m=5),
             Edge(a="e1", b="e2", kind="escalator", length_m=10, seconds=20, directed=True, connector_id="esc"),
             Edge(a="k1", b="s1", length_m=9), Edge(a="k2", b="s2", length_m=9)]
    if with_stairs:
        edges.append(Edge(a="s1", b="s2", kind="stairs", length_m=8, seconds=60))
    text = I18nText(zh_CN="店", en="Shop")
    stores = [Store(id="up", name=text, category_id="c", level_id="2f", unit="2F-1", node_id="k2"),
              Store(id="down", name=text, category_id="c", level_id="1f", unit="1F-1", node_id="k1")]
    return tiny_mall(edges, nodes, stores)


def test_escalator_direction_decides_the_way_down():
    content = escalator_mall(with_stairs=True)
    router = Router(content)
    up = router.route("k1", "up", "standard")
    assert [step.connector_kind for step in up.steps if step.kind == "connector"] == ["escalator"]
    down = router.route("k2", "down", "standard")
    assert [step.connector_kind for step in down.steps if step.kind == "connector"] == ["stairs"]
    assert describe_step(down.steps[1], "en")[0].startswith("Take the stairs down to 1F")
    without_stairs = Router(escalator_mall(with_stairs=False))
    assert without_stairs.route("k1", "up", "standard").reachable
    stuck = without_stairs.route("k2", "down", "standard")
    assert not stuck.reachable and stuck.alternative is None and stuck.blocked_by_closed == []


@st.composite
def random_graphs(draw):
    count = draw(st.integers(2, 9))
    nodes = [Node(id=f"n{i}", level_id="1f" if i % 2 else "2f", x=draw(st.floats(0, 50)), y=draw(st.floats(0, 50)))
             for i in range(count)]
    edges = []
    for _ in range(draw(st.integers(0, 20))):
        a, b = draw(st.integers(0, count - 1)), draw(st.integers(0, count - 1))
        kind = draw(st.sampled_from(["walk", "stairs", "lift", "escalator", "ramp"]))
        edges.append(Edge(a=f"n{a}", b=f"n{b}", kind=kind, length_m=draw(st.floats(0, 40)),
                          seconds=draw(st.none() | st.floats(0, 200)), directed=kind == "escalator"))
    return nodes, edges


def bellman_ford(nodes, edges, source, kinds, speed):
    best = {node.id: math.inf for node in nodes}
    best[source] = 0.0
    arcs = []
    for edge in edges:
        if edge.kind not in kinds or edge.a == edge.b:
            continue
        cost = edge.seconds if edge.seconds is not None else edge.length_m / speed
        arcs.append((edge.a, edge.b, cost))
        if not edge.directed:
            arcs.append((edge.b, edge.a, cost))
    for _ in nodes:
        for a, b, cost in arcs:
            if best[a] + cost < best[b]:
                best[b] = best[a] + cost
    return best


@settings(max_examples=150, deadline=None)
@given(random_graphs(), st.sampled_from(["standard", "step_free"]))
def test_routes_are_as_fast_as_any_path(graph, profile_id):
    from venue.routing.graph import PROFILES

    nodes, edges = graph
    text = I18nText(zh_CN="店")
    stores = [Store(id=f"s{i}", name=text, category_id="c", level_id=node.level_id, unit="", node_id=node.id)
              for i, node in enumerate(nodes)]
    content = tiny_mall(edges, nodes, stores)
    content = content.model_copy(update={"kiosks": [KioskPoint(id="k", name=text, level_id=nodes[0].level_id,
                                                               node_id="n0")], "facilities": []})
    profile = PROFILES[profile_id]
    expected = bellman_ford(nodes, edges, "n0", profile.kinds, profile.speed_mps)
    router = Router(content)
    for i, node in enumerate(nodes):
        route = router.route("k", f"s{i}", profile_id, offer_alternative=False)
        if math.isinf(expected[node.id]):
            assert not route.reachable
        else:
            assert route.reachable
            assert route.seconds == pytest.approx(expected[node.id], abs=1e-6)
            assert route.node_ids[0] == "n0" and route.node_ids[-1] == node.id


@pytest.mark.parametrize("language", ["zh_CN", "zh_TW"])
def test_every_wayfinding_message_is_translated(language):
    """Directions and the phone page's words come from venue/routing/wording.py and the route page view,
    outside screens/: check them against the wayfinding catalog here."""
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    from venue.routing.wording import PROFILE_LABELS, UNREACHABLE_MESSAGES

    root = Path(__file__).resolve().parents[2]
    messages = set(PROFILE_LABELS.values()) | set(UNREACHABLE_MESSAGES.values())
    # wording.py's `_` is venue's catalog; in the phone page's view only `tr` is (its `_` is
    # Django's, for the console, checked with the wayfinding app's catalogs)
    for source, keyword in (("venue/routing/wording.py", "_"), ("server/wayfinding/views.py", "tr")):
        for _lineno, message, _comments, _context in extract_from_file(
                "python", str(root / source), keywords={keyword: None}):
            if isinstance(message, str):
                messages.add(message)
    translated: set[str] = set()
    for po_file in (root / "venue" / "locale" / language / "LC_MESSAGES").glob("*.po"):  # what both sides read
        with po_file.open("rb") as handle:
            translated |= {m.id for m in read_po(handle, locale=language) if m.id and m.string}
    assert len(messages) > 25
    assert sorted(messages - translated) == []
