"""Read an IMDF archive (Apple's Indoor Mapping Data Format) into a MallContent, reporting what
could not be used. Pure Python (no Django), so benchmarks and tests can use it directly.

Real archives are imperfect, so nothing here raises on bad data: a feature that cannot be used
is skipped and named in the report, and the rest is imported. What is read:

* levels (name, short name, ordinal); the short names of levels in different buildings that
  share a name get the building's letter (A1, B1) so the floor switcher tells them apart;
* units (drawn as plan shapes), occupants via their anchors (stores), amenities and facility
  units (restrooms, lifts, stairs: facilities);
* a path graph when the archive has one: the `navPath` extension (points with `neighbours`,
  `navPathAssocieted` linking places to path nodes). Path nodes without a level are outdoors:
  they go on an "Outdoors" level. Links between levels are lifts when a lift is within a few
  metres, else stairs; links from outdoors into a building are its entrances.

Coordinates (WGS84 longitude/latitude) are projected to metres around the archive's south-west
corner, so plans and the path graph share one frame with the origin at the bottom-left.
"""
from __future__ import annotations

import json
import math
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from sync.protocol import (
    Category,
    Edge,
    Facility,
    I18nText,
    Level,
    Mall,
    MallContent,
    Node,
    PathGraph,
    PlanShape,
    Store,
)

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0
LIFT_SNAP_M = 6.0
"""A link between levels this close to a lift is a lift ride; otherwise stairs."""
STOREY_M = 4.0
LIFT_SECONDS = 60.0
STAIRS_SECONDS_PER_STOREY = 25.0
OUTDOOR_LEVEL_ID = "outdoors"
MAX_EXAMPLES = 5

AMENITY_KINDS = {
    "elevator": "lift", "escalator": "escalator", "stairs": "stairs", "ramp": "ramp",
    "restroom": "restroom", "restroom.female": "restroom", "restroom.male": "restroom",
    "restroom.unisex": "restroom", "restroom.wheelchair": "accessible_restroom",
    "restroom.unisex.wheelchair": "accessible_restroom", "mothersroom": "nursing_room",
    "atm": "atm", "information": "information", "firstaid": "first_aid", "exit": "exit",
    "entry": "exit", "security": "information",
}
"""IMDF amenity (and unit) categories → facility kinds; others are not facilities."""
UNIT_SHAPE_KINDS = {"walkway": "corridor", "stairs": "facility", "elevator": "facility", "escalator": "facility",
                    "restroom": "facility", "restroom.female": "facility", "restroom.male": "facility",
                    "opentobelow": "void", "nonpublic": "void", "structure": "void"}


@dataclass
class ImportReport:
    """What was imported and what was not, in sentences for the operator."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    path_pieces: list[int] = field(default_factory=list)
    """Sizes of the path graph's connected pieces (ignoring direction), largest first."""

    def add(self, message: str) -> None:
        self.problems.append(message)

    def lines(self) -> list[str]:
        counts = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in self.counts.items())
        return [f"Imported {counts}."] + [f"- {problem}" for problem in self.problems]


@dataclass
class ImportedMap:
    content: MallContent | None
    report: ImportReport


class _Archive:
    """The feature files of a folder or a .zip, read leniently."""

    def __init__(self, path: Path, report: ImportReport):
        self.path = Path(path)
        self.report = report
        self._zip: zipfile.ZipFile | None = None
        if self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError) as error:
                report.add(f"{self.path.name} is neither a folder nor a readable .zip archive: {error}")

    def features(self, name: str) -> list[dict]:
        raw = self._read(f"{name}.geojson")
        if raw is None:
            return []
        try:
            document = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            self.report.add(f"{name}.geojson is not readable GeoJSON ({error}); skipped")
            return []
        features = document.get("features") if isinstance(document, dict) else None
        if not isinstance(features, list):
            self.report.add(f"{name}.geojson has no feature list; skipped")
            return []
        usable = [f for f in features if isinstance(f, dict) and isinstance(f.get("id"), str) and f["id"]]
        if len(usable) < len(features):
            self.report.add(f"{name}.geojson: {len(features) - len(usable)} features without an id skipped")
        return usable

    def _read(self, filename: str) -> bytes | None:
        try:
            if self._zip is not None:
                names = {Path(n).name: n for n in self._zip.namelist()}
                return self._zip.read(names[filename]) if filename in names else None
            if self.path.is_dir():
                target = self.path / filename
                return target.read_bytes() if target.is_file() else None
        except (OSError, KeyError, zipfile.BadZipFile) as error:
            self.report.add(f"{filename} cannot be read: {error}")
        return None


def _text(value, fallback: str = "") -> I18nText | None:
    """An IMDF language map ({"en": …, "zh-Hans": …}) as I18nText; None when empty."""
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        return I18nText(zh_CN=fallback, en=fallback) if fallback else None
    strings = {str(k).lower(): str(v).strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
    if not strings:
        return I18nText(zh_CN=fallback, en=fallback) if fallback else None
    english = strings.get("en") or next(iter(strings.values()))
    simplified = strings.get("zh-hans") or strings.get("zh-cn") or strings.get("zh") or english
    traditional = strings.get("zh-hant") or strings.get("zh-tw") or strings.get("zh-hk") or ""
    return I18nText(zh_CN=simplified, en=english, zh_TW=traditional)


def _points(geometry) -> list[tuple[float, float]]:
    """Every coordinate pair of a geometry (for bounds)."""
    found: list[tuple[float, float]] = []

    def walk(value):
        if (isinstance(value, (list, tuple)) and len(value) >= 2
                and all(isinstance(v, (int, float)) for v in value[:2])):
            if math.isfinite(value[0]) and math.isfinite(value[1]):
                found.append((float(value[0]), float(value[1])))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    if isinstance(geometry, dict):
        walk(geometry.get("coordinates"))
    return found


def _outer_ring(geometry) -> list[tuple[float, float]]:
    if not isinstance(geometry, dict):
        return []
    coordinates = geometry.get("coordinates")
    try:
        if geometry.get("type") == "Polygon":
            ring = coordinates[0]
        elif geometry.get("type") == "MultiPolygon":
            ring = max((polygon[0] for polygon in coordinates), key=len)
        else:
            return []
        return [(float(x), float(y)) for x, y, *_ in ring]
    except (TypeError, ValueError, IndexError):
        return []


class _Projection:
    """Longitude/latitude → metres east/north of a south-west origin (equirectangular: exact
    enough over a campus or a mall)."""

    def __init__(self, points: list[tuple[float, float]]):
        self.lon0 = min((p[0] for p in points), default=0.0)
        self.lat0 = min((p[1] for p in points), default=0.0)
        mid_lat = (self.lat0 + max((p[1] for p in points), default=0.0)) / 2
        self.kx = METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(mid_lat))

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (round((lon - self.lon0) * self.kx, 2), round((lat - self.lat0) * METRES_PER_DEGREE_LAT, 2))


def _point(feature) -> tuple[float, float] | None:
    geometry = feature.get("geometry")
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        points = _points(geometry)
        return points[0] if points else None
    display = (feature.get("properties") or {}).get("display_point")
    points = _points(display)
    if points:
        return points[0]
    ring = _outer_ring(geometry)
    if ring:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    return None


def import_imdf(path: Path | str, mall_id: str | None = None) -> ImportedMap:
    """Read the IMDF archive at `path` (a folder or a .zip). Never raises on bad data: the
    report lists everything skipped; `content` is None only when nothing usable was found."""
    report = ImportReport()
    archive = _Archive(Path(path), report)
    venues = archive.features("venue")
    levels_raw = archive.features("level")
    units = archive.features("unit")
    occupants = archive.features("occupant")
    anchors = archive.features("anchor")
    amenities = archive.features("amenity")
    buildings = archive.features("building")
    nav_nodes = archive.features("navPath")
    nav_links = archive.features("navPathAssocieted")
    openings = archive.features("opening")
    if not levels_raw:
        report.add("the archive has no levels: nothing to import")
        return ImportedMap(None, report)

    every_point = [p for feature in levels_raw + units + nav_nodes + amenities + anchors
                   for p in _points(feature.get("geometry"))]
    project = _Projection(every_point)

    # ---- levels
    building_letter = {b["id"]: chr(ord("A") + i % 26) for i, b in enumerate(
        [b for b in buildings if any(b["id"] in ((lv.get("properties") or {}).get("building_ids") or [])
                                     for lv in levels_raw)])}
    levels: dict[str, dict] = {}
    for feature in levels_raw:
        props = feature.get("properties") or {}
        ordinal = props.get("ordinal")
        if not isinstance(ordinal, int):
            report.add(f"level {feature['id']}: no whole-number ordinal; skipped")
            continue
        short = _text(props.get("short_name"))
        building = next(iter(props.get("building_ids") or []), None)
        levels[feature["id"]] = {
            "short": (short.en if short else str(ordinal)), "ordinal": ordinal,
            "name": _text(props.get("name"), fallback=f"Level {ordinal}"),
            "letter": building_letter.get(building, ""), "ring": _outer_ring(feature.get("geometry")),
        }
    shorts = Counter(level["short"] for level in levels.values())
    if any(count > 1 for count in shorts.values()):
        for level in levels.values():  # every level of a building gets its letter, not only the clashing ones
            level["short"] = f"{level['letter']}{level['short']}"

    # ---- path graph
    nodes: dict[str, Node] = {}
    neighbours: dict[str, set[str]] = defaultdict(set)
    outdoor = 0
    for feature in nav_nodes:
        props = feature.get("properties") or {}
        point = _point(feature)
        if point is None:
            report.add(f"path node {feature['id']}: no point; skipped")
            continue
        level_id = props.get("level_id")
        if level_id is None:
            level_id = OUTDOOR_LEVEL_ID
            outdoor += 1
        elif level_id not in levels:
            report.add(f"path node {feature['id']}: unknown level {level_id}; skipped")
            continue
        x, y = project(*point)
        nodes[feature["id"]] = Node(id=feature["id"], level_id=level_id, x=x, y=y)
        for other in props.get("neighbours") or []:
            if isinstance(other, str):
                neighbours[feature["id"]].add(other)
                neighbours[other].add(feature["id"])
    dangling = sorted({(a, b) for a, others in neighbours.items() for b in others
                       if a in nodes and b not in nodes})
    if dangling:
        report.add(f"{len(dangling)} path links name a node that is not in the archive; skipped")
    if outdoor:
        report.add(f"{outdoor} path nodes have no level: placed on an Outdoors level")

    lifts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    unit_by_id = {unit["id"]: unit for unit in units}
    for feature in amenities + units:
        category = str((feature.get("properties") or {}).get("category") or "")
        if AMENITY_KINDS.get(category) != "lift":
            continue
        point = _point(feature)
        level_ids = _levels_of(feature, unit_by_id)
        if point is not None:
            for level_id in level_ids or list(levels):
                lifts[level_id].append(project(*point))

    edges: list[Edge] = []
    entrance_links = 0
    for a in sorted(neighbours):
        for b in sorted(neighbours[a]):
            if a >= b or a not in nodes or b not in nodes:
                continue
            na, nb = nodes[a], nodes[b]
            flat = math.dist((na.x, na.y), (nb.x, nb.y))
            if na.level_id == nb.level_id:
                edges.append(Edge(a=a, b=b, kind="walk", length_m=round(flat, 2)))
            elif OUTDOOR_LEVEL_ID in (na.level_id, nb.level_id):
                entrance_links += 1
                edges.append(Edge(a=a, b=b, kind="ramp", length_m=round(flat, 2)))
            else:
                storeys = abs(levels[na.level_id]["ordinal"] - levels[nb.level_id]["ordinal"]) or 1
                near_lift = any(math.dist((n.x, n.y), p) <= LIFT_SNAP_M
                                for n in (na, nb) for p in lifts.get(n.level_id, []))
                edges.append(Edge(
                    a=a, b=b, kind="lift" if near_lift else "stairs",
                    length_m=round(flat + STOREY_M * storeys, 2),
                    seconds=LIFT_SECONDS if near_lift else STAIRS_SECONDS_PER_STOREY * storeys,
                ))
    if entrance_links:
        report.add(f"{entrance_links} links join the outdoor paths to a building level: imported as entrances "
                   f"(ramps); the archive does not say whether they have steps")
    if not nodes:
        report.add("the archive has no path graph (navPath): places are imported, but no routes can be found "
                   f"(its {len(openings)} openings, doors drawn as line segments, do not say how to walk "
                   "between them)")

    pieces = _pieces(nodes, edges)
    report.path_pieces = [len(piece) for piece in pieces]
    if len(pieces) > 1:
        small = sorted(report.path_pieces[1:], reverse=True)
        sample = ", ".join(str(size) for size in small[:8]) + (" …" if len(small) > 8 else "")
        report.add(f"the path graph falls into {len(pieces)} disconnected pieces: the largest has "
                   f"{report.path_pieces[0]} nodes; the other {len(small)} ({sample} nodes) cannot be "
                   f"reached from it")
    piece_of = {node_id: number for number, piece in enumerate(pieces) for node_id in piece}

    # ---- places: which path node serves each
    linked: dict[str, str] = {}
    for link in nav_links:
        props = link.get("properties") or {}
        node_id, place_id = props.get("pathNode_id"), props.get("associeted_id")
        if isinstance(node_id, str) and isinstance(place_id, str) and node_id in nodes:
            linked.setdefault(place_id, node_id)
    nodes_on_level: dict[str, list[Node]] = defaultdict(list)
    for node in nodes.values():
        nodes_on_level[node.level_id].append(node)
    nearest_used = 0

    def serving_node(place_id: str, level_id: str, point: tuple[float, float] | None) -> str | None:
        nonlocal nearest_used
        if place_id in linked and nodes[linked[place_id]].level_id == level_id:
            return linked[place_id]
        candidates = nodes_on_level.get(level_id)
        if not candidates or point is None:
            return None
        x, y = project(*point)
        nearest_used += 1
        # the nearest node of the level, preferring the main piece of the graph
        return min(candidates, key=lambda n: (piece_of.get(n.id, 0) != 0, math.dist((x, y), (n.x, n.y)))).id

    anchor_by_id = {anchor["id"]: anchor for anchor in anchors}
    categories: dict[str, Category] = {}
    stores: list[Store] = []
    unplaced: list[str] = []
    for occupant in occupants:
        props = occupant.get("properties") or {}
        name = _text(props.get("name"))
        anchor = anchor_by_id.get(props.get("anchor_id") or "")
        unit = unit_by_id.get(((anchor or {}).get("properties") or {}).get("unit_id") or "")
        level_ids = _levels_of(unit, unit_by_id) if unit else []
        if name is None or anchor is None or not level_ids:
            unplaced.append(occupant["id"])
            continue
        level_id = level_ids[0]
        node_id = serving_node(occupant["id"], level_id, _point(anchor))
        if node_id is None:
            unplaced.append(occupant["id"])
            continue
        category_id = str(props.get("category") or "unspecified")[:64]
        categories.setdefault(category_id, Category(id=category_id, name=I18nText(
            zh_CN=category_id.replace(".", " "), en=category_id.replace(".", " "))))
        short = _text(props.get("shortName") or props.get("short_name"))
        stores.append(Store(id=occupant["id"], name=name, category_id=category_id, level_id=level_id,
                            unit=(short.en if short else "")[:32], node_id=node_id))
    if unplaced:
        report.add(f"{len(unplaced)} occupants have no name, anchor, level or path node on their level; "
                   f"skipped (e.g. {', '.join(unplaced[:MAX_EXAMPLES])})")

    facilities: list[Facility] = []
    skipped_kinds: Counter = Counter()
    for feature in amenities:
        props = feature.get("properties") or {}
        category = str(props.get("category") or "")
        kind = AMENITY_KINDS.get(category)
        if kind is None:
            skipped_kinds[category or "(none)"] += 1
            continue
        point = _point(feature)
        for level_id in _levels_of(feature, unit_by_id)[:1]:
            node_id = serving_node(feature["id"], level_id, point)
            if node_id is None:
                skipped_kinds[f"{category} without a path node"] += 1
                continue
            facilities.append(Facility(id=feature["id"], kind=kind, level_id=level_id, node_id=node_id,
                                       name=_text(props.get("name"), fallback=category)))
    amenity_units = {uid for feature in amenities for uid in ((feature.get("properties") or {}).get("unit_ids") or [])}
    for unit in units:
        props = unit.get("properties") or {}
        kind = AMENITY_KINDS.get(str(props.get("category") or ""))
        if kind not in ("restroom", "accessible_restroom", "nursing_room") or unit["id"] in amenity_units:
            continue
        level_ids = _levels_of(unit, unit_by_id)
        node_id = serving_node(unit["id"], level_ids[0], _point(unit)) if level_ids else None
        if node_id is None:
            skipped_kinds[f"{props.get('category')} unit without a path node"] += 1
            continue
        name = _text(props.get("name"), fallback={"restroom": "Restroom"}.get(kind, kind))
        facilities.append(Facility(id=unit["id"], kind=kind, level_id=level_ids[0], node_id=node_id, name=name))
    if skipped_kinds:
        report.add("amenities not imported: " + ", ".join(f"{n} {k}" for k, n in skipped_kinds.most_common()))
    if nearest_used:
        report.add(f"{nearest_used} places are not linked to a path node: each was joined to the nearest "
                   f"node on its level")

    # ---- plans
    store_by_unit: dict[str, str] = {}
    for occupant in occupants:
        anchor = anchor_by_id.get((occupant.get("properties") or {}).get("anchor_id") or "")
        if anchor is not None:
            store_by_unit.setdefault((anchor.get("properties") or {}).get("unit_id"), occupant["id"])
    store_names = {store.id: store.name for store in stores}
    plans: dict[str, list[PlanShape]] = defaultdict(list)
    bad_shapes = 0
    for level_id, level in levels.items():
        if len(level["ring"]) >= 3:
            plans[level_id].append(PlanShape(kind="outline", polygon=[project(*p) for p in level["ring"]]))
    for unit in units:
        props = unit.get("properties") or {}
        ring = _outer_ring(unit.get("geometry"))
        level_id = props.get("level_id")
        if level_id not in levels or len(ring) < 3:
            bad_shapes += 1
            continue
        ref = store_by_unit.get(unit["id"])
        if ring[0] == ring[-1]:
            ring = ring[:-1]  # GeoJSON repeats the first point; plan polygons are implicitly closed
        plans[level_id].append(PlanShape(
            kind=UNIT_SHAPE_KINDS.get(str(props.get("category") or ""), "unit"),
            polygon=[project(*p) for p in ring],
            label=store_names.get(ref) or _text(props.get("name")),
            ref=ref if ref in store_names else None,
        ))
    if bad_shapes:
        report.add(f"{bad_shapes} units have no polygon or an unknown level; not drawn")

    # ---- assemble
    level_models = []
    for level_id, level in sorted(levels.items(), key=lambda item: (item[1]["ordinal"], item[1]["short"])):
        level_models.append(_level(level_id, level["short"], level["ordinal"], level["name"], plans[level_id],
                                   nodes_on_level.get(level_id, [])))
    if outdoor:
        level_models.append(_level(OUTDOOR_LEVEL_ID, "OUT", min(l["ordinal"] for l in levels.values()),
                                   I18nText(zh_CN="室外", en="Outdoors", zh_TW="室外"), [],
                                   nodes_on_level[OUTDOOR_LEVEL_ID]))
    venue = venues[0] if venues else {"id": "imdf-venue", "properties": {}}
    venue_name = _text((venue.get("properties") or {}).get("name"), fallback="IMDF venue")
    try:
        content = MallContent(
            mall=Mall(id=(mall_id or f"imdf-{venue['id'][:8]}").lower(), name=venue_name, hours=[]),
            levels=level_models, categories=sorted(categories.values(), key=lambda c: c.id), stores=stores,
            facilities=facilities, graph=PathGraph(nodes=list(nodes.values()), edges=edges),
        )
    except ValidationError as error:  # a bug here, not in the data: say so rather than crash
        report.add(f"the imported map does not form valid content: {error.errors()[:3]}")
        return ImportedMap(None, report)
    report.counts = {
        "levels": len(level_models), "units drawn": sum(len(p) for p in plans.values()), "stores": len(stores),
        "facilities": len(facilities), "path nodes": len(nodes), "path edges": len(edges),
        "level changes": sum(1 for e in edges if e.kind in ("lift", "stairs")),
        "openings read (doors; routes follow the path graph)": len(openings),
    }
    return ImportedMap(content, report)


def _levels_of(feature: dict | None, unit_by_id: dict[str, dict]) -> list[str]:
    """The level ids a feature stands on: its own level_id, else those of its units."""
    if feature is None:
        return []
    props = feature.get("properties") or {}
    if isinstance(props.get("level_id"), str):
        return [props["level_id"]]
    found = []
    for unit_id in props.get("unit_ids") or []:
        level_id = ((unit_by_id.get(unit_id) or {}).get("properties") or {}).get("level_id")
        if isinstance(level_id, str) and level_id not in found:
            found.append(level_id)
    return found


def _level(level_id: str, short: str, ordinal: int, name: I18nText, plan: list[PlanShape],
           nodes: list[Node]) -> Level:
    xs = [x for shape in plan for x, _ in shape.polygon] + [n.x for n in nodes] or [0.0]
    ys = [y for shape in plan for _, y in shape.polygon] + [n.y for n in nodes] or [0.0]
    return Level(id=level_id, short_name=short[:16], ordinal=ordinal, name=name, plan=plan,
                 width_m=max(1.0, max(xs)), height_m=max(1.0, max(ys)))


def _pieces(nodes: dict[str, Node], edges: list[Edge]) -> list[list[str]]:
    """Connected pieces of the graph (direction ignored), largest first."""
    parent = {node_id: node_id for node_id in nodes}

    def find(node_id: str) -> str:
        while parent[node_id] != node_id:
            parent[node_id] = parent[parent[node_id]]
            node_id = parent[node_id]
        return node_id

    for edge in edges:
        ra, rb = find(edge.a), find(edge.b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[str, list[str]] = defaultdict(list)
    for node_id in nodes:
        groups[find(node_id)].append(node_id)
    return sorted(groups.values(), key=len, reverse=True)
