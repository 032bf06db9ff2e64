"""Route time on the kiosk against networkx's shortest path on the same graphs.

"Tap to route ready" is what a visitor waits for after tapping a store: the route from this
kiosk with its directions, not drawing it. The kiosk keeps one shortest-path tree per route
profile from its fixed point, built in the background as soon as a content version is active
(kiosk/warmup.py; timed apart, as "tree build": a tap waits for it only if it comes first), so
every tap walks back along the tree. The reference is `networkx.dijkstra_path` on a DiGraph with the
same costs (seconds), one call per route, as a server or an app without that tree would do.
Also timed: a route between two arbitrary places (the phone page's case: Dijkstra that stops at
the target), and the time to draw one frame of a route on the floor plan (Kivy, offscreen),
against the 16.7 ms a 60 Hz frame allows.

Graphs: the demo mall, the IMDF sample's path graph (../shared/data/imdf-polymap, skipped when
absent) and generated malls of 10,000 and 60,000 nodes.
"""
from __future__ import annotations

import math
import os
import random
import statistics
import sys
import time
from itertools import pairwise
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

import networkx as nx  # noqa: E402

from sync.bundle import load_source_bundle  # noqa: E402
from sync.protocol import (  # noqa: E402
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
from venue.routing.graph import PROFILES  # noqa: E402
from venue.routing.router import Router  # noqa: E402

IMDF_SAMPLE = REPOSITORY.parent / "shared" / "data" / "imdf-polymap"
ROUTES_PER_GRAPH = 60
FRAME_BUDGET_MS = 1000 / 60


def generated_mall(levels: int, columns: int, rows: int, seed: int = 7) -> MallContent:
    """A mall of `levels` floors, each a corridor grid of columns × rows nodes 3 m apart with
    a tenth of its cross links missing (shop walls), joined by two lifts, an up and a down
    escalator and two stairs per floor pair; 300 stores on random nodes."""
    rng = random.Random(seed)
    text = I18nText(zh_CN="层", en="Level")
    nodes: list[Node] = []
    edges: list[Edge] = []
    facilities: list[Facility] = []
    spacing = 3.0

    def node_id(level: int, column: int, row: int) -> str:
        return f"l{level}-{column}-{row}"

    for level in range(levels):
        for column in range(columns):
            for row in range(rows):
                nodes.append(Node(id=node_id(level, column, row), level_id=f"l{level}", x=column * spacing,
                                  y=row * spacing))
                if column + 1 < columns and (row % 4 == 0 or rng.random() > 0.1):
                    edges.append(Edge(a=node_id(level, column, row), b=node_id(level, column + 1, row),
                                      length_m=spacing))
                if row + 1 < rows and (column % 4 == 0 or rng.random() > 0.1):
                    edges.append(Edge(a=node_id(level, column, row), b=node_id(level, column, row + 1),
                                      length_m=spacing))
    lifts = [(1, 1), (columns - 2, rows - 2)]
    for number, (column, row) in enumerate(lifts):
        lift_id = f"lift-{number}"
        for level in range(levels):
            facilities.append(Facility(id=f"{lift_id}-{level}", kind="lift", name=text, level_id=f"l{level}",
                                       node_id=node_id(level, column, row)))
            for upper in range(level + 1, levels):
                edges.append(Edge(a=node_id(level, column, row), b=node_id(upper, column, row), kind="lift",
                                  length_m=4.5 * (upper - level), seconds=90 + 10 * (upper - level),
                                  connector_id=f"{lift_id}-0"))
    for level in range(levels - 1):
        middle = columns // 2
        edges.append(Edge(a=node_id(level, middle, 2), b=node_id(level + 1, middle, 5), kind="escalator",
                          length_m=20, seconds=45, directed=True))
        edges.append(Edge(a=node_id(level + 1, middle, 2), b=node_id(level, middle, 5), kind="escalator",
                          length_m=20, seconds=45, directed=True))
        for column in (0, columns - 1):
            edges.append(Edge(a=node_id(level, column, rows // 2), b=node_id(level + 1, column, rows // 2),
                              kind="stairs", length_m=12, seconds=60))
    stores = []
    for number in range(300):
        level = rng.randrange(levels)
        stores.append(Store(id=f"store-{number}", name=text, category_id="shop", level_id=f"l{level}",
                            unit=f"{level}-{number}",
                            node_id=node_id(level, rng.randrange(columns), rng.randrange(rows))))
    return MallContent(
        mall=Mall(id="generated", name=text, hours=[TimeRange(weekdays=[0], open="10:00", close="22:00")]),
        levels=[Level(id=f"l{level}", short_name=f"{level + 1}F", ordinal=level, name=text,
                      width_m=columns * spacing, height_m=rows * spacing) for level in range(levels)],
        categories=[Category(id="shop", name=text)],
        stores=stores,
        facilities=facilities,
        graph=PathGraph(nodes=nodes, edges=edges),
        kiosks=[KioskPoint(id="kiosk", name=text, level_id="l0", node_id=node_id(0, columns // 2, rows // 2))],
    )


def networkx_graph(content: MallContent, profile_id: str) -> nx.DiGraph:
    """The same graph and costs as the router's, as a networkx DiGraph."""
    profile = PROFILES[profile_id]
    graph = nx.DiGraph()
    graph.add_nodes_from(node.id for node in content.graph.nodes)
    for edge in content.graph.edges:
        if edge.kind not in profile.kinds or edge.a == edge.b:
            continue
        cost = edge.seconds if edge.seconds is not None else edge.length_m / profile.speed_mps
        for a, b in ((edge.a, edge.b),) if edge.directed else ((edge.a, edge.b), (edge.b, edge.a)):
            if not graph.has_edge(a, b) or graph[a][b]["cost"] > cost:
                graph.add_edge(a, b, cost=cost)
    return graph


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def bench_graph(name: str, content: MallContent, kiosk_id: str, places: list[str]) -> dict:
    rng = random.Random(11)
    nx_graph = networkx_graph(content, "standard")
    node_of = {place: Router(content).place(place).node_id for place in places}
    kiosk_node = next(k.node_id for k in content.kiosks if k.id == kiosk_id)
    targets = [rng.choice(places) for _ in range(ROUTES_PER_GRAPH)]

    # Reached by both, or by neither: the two must agree on every route's cost.
    nx_times, ours_times, pair_times = [], [], []
    build_ms, router = timed(Router, content)
    tree_ms, _ = timed(router.graph.tree, router.graph.index[kiosk_node], PROFILES["standard"])
    pair_router = Router(content)
    for target in targets:
        elapsed, expected = timed(_nx_route, nx_graph, kiosk_node, node_of[target])
        nx_times.append(elapsed)
        elapsed, route = timed(router.route, kiosk_id, target, "standard")
        ours_times.append(elapsed)
        if expected is None:
            assert not route.reachable, (name, target)
        else:
            assert route.reachable and math.isclose(route.seconds, expected, rel_tol=1e-9, abs_tol=1e-9), (name, target)
        origin = rng.choice(places)
        elapsed, _ = timed(pair_router.route, origin, target, "standard", False)
        pair_times.append(elapsed)
        pair_router.graph._trees.clear()
    nx_ms = statistics.median(nx_times)
    ours_ms = statistics.median(ours_times)
    pair_ms = statistics.median(pair_times)
    print(f"{name:<22} {len(content.graph.nodes):>7} nodes  networkx {nx_ms:8.3f} ms   "
          f"tap→route {ours_ms:7.3f} ms ({nx_ms / ours_ms:7.1f}× faster)   "
          f"place→place {pair_ms:7.3f} ms ({nx_ms / pair_ms:5.1f}×)   "
          f"ahead of the first tap: compile {build_ms:6.1f} ms + tree build {tree_ms:6.1f} ms "
          f"(= {(build_ms + tree_ms) / nx_ms:4.1f} networkx routes, once)",
          flush=True)
    return {"name": name, "networkx_ms": nx_ms, "ours_ms": ours_ms, "ratio": nx_ms / ours_ms}


def _nx_route(graph: nx.DiGraph, source: str, target: str) -> float | None:
    try:
        path = nx.dijkstra_path(graph, source, target, weight="cost")
    except nx.NetworkXNoPath:
        return None
    return sum(graph[a][b]["cost"] for a, b in pairwise(path))


def imdf_content() -> tuple[MallContent, str, list[str]] | None:
    if not IMDF_SAMPLE.is_dir():
        print(f"imdf sample             skipped: {IMDF_SAMPLE} is absent", flush=True)
        return None
    from server.wayfinding.imdf import import_imdf

    content = import_imdf(IMDF_SAMPLE).content
    # The archive has no kiosks: stand one at the first store's path node (a lobby's stand-in).
    first = content.stores[0]
    kiosk = KioskPoint(id="bench-kiosk", name=first.name, level_id=first.level_id, node_id=first.node_id)
    content = content.model_copy(update={"kiosks": [kiosk]})
    places = [store.id for store in content.stores] + [f.id for f in content.facilities]
    return content, kiosk.id, places


def frame_time(content: MallContent, kiosk_id: str, place: str) -> None:
    """Median time to draw one frame of a route on the floor plan, offscreen."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from screens.headless import prepare_headless_environment

    prepare_headless_environment()
    from kivy.core.window import Window

    from screens.widgets.floor_plan import FloorPlan

    route = Router(content).route(kiosk_id, place, "standard")
    level_id = route.legs[-1].level_id
    first = []
    for level in content.levels * 3:  # a floor drawn for the first time: its shapes are tessellated
        fresh = FloorPlan(size=(1400, 1000), pos=(0, 0), level=level,
                          route_legs=[leg.points for leg in route.legs if leg.level_id == level.id])
        elapsed, _ = timed(fresh.redraw)
        first.append(elapsed)
    plan = FloorPlan(size=(1400, 1000), pos=(0, 0))
    Window.add_widget(plan)
    ms = statistics.median(first)
    print(f"route frame (demo mall, a floor's first draw)    {ms:7.2f} ms  "
          f"against a 60 Hz frame of {FRAME_BUDGET_MS:.1f} ms: {FRAME_BUDGET_MS / ms:4.1f}× inside it", flush=True)
    plan.level = next(level for level in content.levels if level.id == level_id)
    plan.route_legs = [leg.points for leg in route.legs if leg.level_id == level_id]
    times = []
    for step in range(30):  # pan and pinch-zoom: the same floor at another scale
        plan.zoom = 1 + (step % 6) * 0.4
        elapsed, _ = timed(plan.redraw)
        times.append(elapsed)
    ms = statistics.median(times)
    print(f"route frame (demo mall, {level_id}, pan/zoom redraw) {ms:7.2f} ms  "
          f"against a 60 Hz frame of {FRAME_BUDGET_MS:.1f} ms: {FRAME_BUDGET_MS / ms:4.1f}× inside it", flush=True)
    animated = []
    for step in range(30):
        plan.route_progress = step / 30
        elapsed, _ = timed(plan.draw_route_progress)
        animated.append(elapsed)
    ms = statistics.median(animated)
    print(f"route frame (animation step, route layer only) {ms:7.3f} ms  "
          f"against {FRAME_BUDGET_MS:.1f} ms: {FRAME_BUDGET_MS / ms:6.1f}× inside it", flush=True)


def main() -> None:
    print("Route time: tap to route ready (route + directions; the kiosk's tree is built once per content version,")
    print("in the background as soon as the version is active, and timed apart as 'tree build'),")
    print("median of %d routes, against networkx.dijkstra_path on the same graph and costs.\n" % ROUTES_PER_GRAPH)
    demo = load_source_bundle(REPOSITORY / "assets" / "demo").content
    bench_graph("demo mall", demo, "lobby-1f", [store.id for store in demo.stores])
    sample = imdf_content()
    if sample is not None:
        bench_graph("imdf sample", *sample)
    ten_k = generated_mall(levels=4, columns=50, rows=50)
    result = bench_graph("generated 10k", ten_k, "kiosk", [store.id for store in ten_k.stores])
    sixty_k = generated_mall(levels=6, columns=100, rows=100)
    bench_graph("generated 60k", sixty_k, "kiosk", [store.id for store in sixty_k.stores])
    verdict = "met" if result["ratio"] >= 10 else "NOT met"
    print(f"\ntarget: ≥10× faster than networkx on the 10,000-node mall: {result['ratio']:.0f}× ({verdict})")
    print()
    frame_time(demo, "lobby-1f", "cloud-coffee")


if __name__ == "__main__":
    main()
