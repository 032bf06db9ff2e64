"""Write a MallContent as an IMDF 1.0.0 archive (a .zip), which `imdf.import_imdf` reads back
to the same content. Pure Python (no Django).

IMDF ids are UUIDs: each is derived from the mall and our id (uuid5), so the same version
always exports the same archive. Plans are in metres; they are placed at REFERENCE_LON/LAT
with the importer's own projection, and the venue is the rectangle that holds them, so the
importer's origin is the plan's. What IMDF has no place for travels in our vendor extension
(`concierge_path.geojson`): the path graph (nodes, edges with kind, direction, seconds and
connector), the links from places to their path nodes, our ids of the mall, levels, stores,
facilities and kiosk points, and the names of the categories. Connectors are also written as
IMDF relationships (elevator, escalator, stairs, ramp; directed where the edges are), each
stop a unit named after its facility, so other IMDF readers see them too.
"""
from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from server.wayfinding.imdf import (
    AMENITY_KINDS,
    EXTENSION,
    IMDF_VERSION,
    METRES_PER_DEGREE_LAT,
    _Projection,
)
from sync.protocol import I18nText, MallContent

REFERENCE_LON = 121.4737
REFERENCE_LAT = 31.2304
"""Where an exported plan is placed (its south-west corner): our plans have no geolocation."""
STOP_HALF_M = 1.0
"""Half the side of the square unit drawn for a facility or connector stop without a shape."""
RELATIONSHIP_CATEGORIES = {"lift": "elevator", "escalator": "escalator", "stairs": "stairs", "ramp": "ramp"}
UNIT_CATEGORIES = {"unit": "room", "corridor": "walkway", "atrium": "walkway", "void": "opentobelow",
                   "facility": "room", "landmark": "room"}
AMENITY_CATEGORIES = {kind: category for category, kind in reversed(AMENITY_KINDS.items())}
"""Facility kind → the first IMDF category that imports as it."""


def _language_map(text: I18nText | None) -> dict[str, str] | None:
    if text is None:
        return None
    found = {"zh-Hans": text.zh_CN, "en": text.en, "zh-Hant": text.zh_TW}
    return {tag: value for tag, value in found.items() if value} or None


class _Writer:
    def __init__(self, content: MallContent):
        self.content = content
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"concierge:{content.mall.id}")
        xs = [0.0] + [x for level in content.levels for shape in level.plan for x, _ in shape.polygon]
        ys = [0.0] + [y for level in content.levels for shape in level.plan for _, y in shape.polygon]
        xs += [node.x for node in content.graph.nodes] + [level.width_m for level in content.levels]
        ys += [node.y for node in content.graph.nodes] + [level.height_m for level in content.levels]
        self.width, self.height = max(xs), max(ys)
        self.project = _Projection(REFERENCE_LON, REFERENCE_LAT, REFERENCE_LAT + self.height / METRES_PER_DEGREE_LAT)
        self.files: dict[str, list[dict]] = defaultdict(list)
        self.nodes = {node.id: node for node in content.graph.nodes}

    def id(self, kind: str, our_id: str) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{our_id}"))

    def lonlat(self, x: float, y: float) -> list[float]:
        return list(self.project.inverse(x, y))

    def polygon(self, points) -> dict:
        ring = [self.lonlat(x, y) for x, y in points]
        return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}

    def square(self, x: float, y: float) -> dict:
        h = STOP_HALF_M
        return self.polygon([(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)])

    def point(self, x: float, y: float) -> dict:
        return {"type": "Point", "coordinates": self.lonlat(x, y)}

    def feature(self, name: str, feature_id: str, geometry: dict | None, properties: dict) -> str:
        self.files[name].append({"id": feature_id, "type": "Feature", "feature_type": name,
                                 "geometry": geometry, "properties": properties})
        return feature_id

    def link(self, place_id: str, node_id: str, our_id: str) -> None:
        """Which path node serves an IMDF feature, and our id for it."""
        self.feature(EXTENSION, self.id("link", place_id), None,
                     {"role": "link", "place_id": place_id, "node_id": node_id, "our_id": our_id})

    def write(self) -> dict[str, list[dict]]:
        content = self.content
        address = self.feature("address", self.id("address", "venue"), None, {
            "address": content.mall.name.get("en"), "unit": None, "locality": "", "province": None,
            "country": "CN", "postal_code": None, "postal_code_ext": None, "postal_code_vanity": None})
        venue_outline = [(0.0, 0.0), (self.width, 0.0), (self.width, self.height), (0.0, self.height)]
        self.feature("venue", self.id("venue", content.mall.id), self.polygon(venue_outline), {
            "category": "shoppingcenter", "restriction": None, "name": _language_map(content.mall.name),
            "alt_name": None, "hours": None, "phone": content.mall.phone or None, "website": None,
            "display_point": self.point(self.width / 2, self.height / 2), "address_id": address})
        building = self.feature("building", self.id("building", content.mall.id), None, {
            "name": _language_map(content.mall.name), "alt_name": None, "category": "unspecified",
            "restriction": None, "display_point": None, "address_id": address})
        levels = {}
        for level in content.levels:
            outline = next((shape.polygon for shape in level.plan if shape.kind == "outline"),
                           [(0.0, 0.0), (level.width_m, 0.0), (level.width_m, level.height_m), (0.0, level.height_m)])
            levels[level.id] = self.feature("level", self.id("level", level.id), self.polygon(outline), {
                "category": "unspecified", "restriction": None, "outdoor": False, "ordinal": level.ordinal,
                "name": _language_map(level.name), "short_name": {"en": level.short_name},
                "display_point": None, "address_id": None, "building_ids": [building]})
            if level.ordinal == 0:
                self.feature("footprint", self.id("footprint", level.id), self.polygon(outline), {
                    "category": "ground", "name": None, "building_ids": [building]})
        self.feature(EXTENSION, self.id("mall", content.mall.id), None, {"role": "mall", "our_id": content.mall.id})
        for level in content.levels:
            self.feature(EXTENSION, self.id("level-id", level.id), None,
                         {"role": "id", "place_id": levels[level.id], "our_id": level.id})
        for category in content.categories:
            self.feature(EXTENSION, self.id("category", category.id), None,
                         {"role": "category", "our_id": category.id, "name": _language_map(category.name),
                          "icon": category.icon})
        unit_of: dict[str, str] = {}
        for level in content.levels:
            for number, shape in enumerate(level.plan):
                if shape.kind == "outline" or len(shape.polygon) < 3:
                    continue
                unit = self.feature("unit", self.id("unit", f"{level.id}/{number}"), self.polygon(shape.polygon), {
                    "category": UNIT_CATEGORIES[shape.kind], "restriction": None, "accessibility": None,
                    "name": _language_map(shape.label), "alt_name": None, "display_point": None,
                    "level_id": levels[level.id]})
                if shape.ref:
                    unit_of.setdefault(f"{shape.ref}@{level.id}", unit)

        def unit_for(place_id: str, level_id: str, node_id: str, name: I18nText | None, category: str) -> str:
            key = f"{place_id}@{level_id}"
            if key in unit_of:
                return unit_of[key]
            node = self.nodes[node_id]
            unit_of[key] = self.feature("unit", self.id("unit", place_id), self.square(node.x, node.y), {
                "category": category, "restriction": None, "accessibility": None, "name": _language_map(name),
                "alt_name": None, "display_point": None, "level_id": levels[level_id]})
            return unit_of[key]

        for store in content.stores:
            node = self.nodes[store.node_id]
            unit = unit_for(store.id, store.level_id, store.node_id, store.name, "room")
            store_address = self.feature("address", self.id("address", store.id), None, {
                "address": content.mall.name.get("en"), "unit": store.unit or None, "locality": "",
                "province": None, "country": "CN", "postal_code": None, "postal_code_ext": None,
                "postal_code_vanity": None})
            anchor = self.feature("anchor", self.id("anchor", store.id), self.point(node.x, node.y),
                                  {"unit_id": unit, "address_id": store_address})
            occupant = self.feature("occupant", self.id("occupant", store.id), None, {
                "name": _language_map(store.name), "category": store.category_id, "anchor_id": anchor,
                "hours": None, "phone": store.phone or None, "website": None, "validity": None,
                "correlation_id": None})
            self.link(occupant, store.node_id, store.id)
        for facility in content.facilities:
            node = self.nodes[facility.node_id]
            category = AMENITY_CATEGORIES[facility.kind]
            unit = unit_for(facility.id, facility.level_id, facility.node_id, facility.name, category)
            amenity = self.feature("amenity", self.id("amenity", facility.id), self.point(node.x, node.y), {
                "category": category, "accessibility": None, "name": _language_map(facility.name), "alt_name": None,
                "hours": None, "phone": None, "website": None, "unit_ids": [unit], "address_id": None,
                "correlation_id": None})
            self.link(amenity, facility.node_id, facility.id)
            unit_of.setdefault(f"node:{facility.node_id}", unit)
        for kiosk in content.kiosks:
            node = self.nodes[kiosk.node_id]
            feature = self.feature("kiosk", self.id("kiosk", kiosk.id), self.square(node.x, node.y), {
                "name": _language_map(kiosk.name), "alt_name": None, "anchor_id": None,
                "level_id": levels[kiosk.level_id], "heading_deg": kiosk.heading_deg})
            self.link(feature, kiosk.node_id, kiosk.id)
        self._relationships(levels, unit_of)
        for node in content.graph.nodes:
            self.feature(EXTENSION, node.id, self.point(node.x, node.y), {
                "role": "node", "level_id": levels.get(node.level_id, node.level_id),
                "landmark": _language_map(node.landmark)})
        for number, edge in enumerate(content.graph.edges):
            a, b = self.nodes[edge.a], self.nodes[edge.b]
            self.feature(EXTENSION, self.id("edge", str(number)),
                         {"type": "LineString", "coordinates": [self.lonlat(a.x, a.y), self.lonlat(b.x, b.y)]},
                         {"role": "edge", "a": edge.a, "b": edge.b, "kind": edge.kind, "length_m": edge.length_m,
                          "seconds": edge.seconds, "directed": edge.directed, "connector_id": edge.connector_id})
        return self.files

    def _relationships(self, levels: dict[str, str], unit_of: dict[str, str]) -> None:
        """One relationship per connector: its stops in order of floor (for a directed one, in
        the direction it runs)."""
        by_connector: dict[str, list] = defaultdict(list)
        for edge in self.content.graph.edges:
            if edge.kind in RELATIONSHIP_CATEGORIES and edge.connector_id:
                by_connector[edge.connector_id].append(edge)
        ordinal = {level.id: level.ordinal for level in self.content.levels}
        for connector_id, edges in by_connector.items():
            directed = any(edge.directed for edge in edges)
            stops: list[str] = []
            for edge in edges:
                for node_id in (edge.a, edge.b):
                    if node_id not in stops:
                        stops.append(node_id)
            if not directed:
                stops.sort(key=lambda n: ordinal.get(self.nodes[n].level_id, 0))
            references = []
            for node_id in stops:
                node = self.nodes[node_id]
                unit = unit_of.get(f"node:{node_id}")
                if unit is None:
                    unit = self.feature("opening", self.id("opening", f"{connector_id}/{node_id}"), {
                        "type": "LineString", "coordinates": [self.lonlat(node.x - STOP_HALF_M, node.y),
                                                              self.lonlat(node.x + STOP_HALF_M, node.y)]}, {
                        "category": "pedestrian", "accessibility": None, "access_control": None, "door": None,
                        "name": None, "alt_name": None, "display_point": None,
                        "level_id": levels[node.level_id]})
                    references.append({"id": unit, "feature_type": "opening"})
                else:
                    references.append({"id": unit, "feature_type": "unit"})
            self.feature("relationship", self.id("relationship", connector_id), None, {
                "category": RELATIONSHIP_CATEGORIES[edges[0].kind],
                "direction": "directed" if directed else "undirected",
                "origin": references[0], "intermediary": references[1:-1] or None,
                "destination": references[-1], "hours": None})


def export_imdf(content: MallContent, out: Path | str | BinaryIO, generated_by: str = "Concierge") -> dict[str, int]:
    """Write `content` as an IMDF 1.0.0 .zip to `out` (a path or a binary file); returns the
    number of features written per file."""
    files = _Writer(content).write()
    manifest = {"version": IMDF_VERSION, "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "generated_by": generated_by, "language": "zh-Hans", "extensions": [EXTENSION]}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, features in sorted(files.items()):
            archive.writestr(f"{name}.geojson", json.dumps(
                {"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return {name: len(features) for name, features in sorted(files.items())}


def export_imdf_bytes(content: MallContent, generated_by: str = "Concierge") -> bytes:
    buffer = io.BytesIO()
    export_imdf(content, buffer, generated_by)
    return buffer.getvalue()
