"""IMDF archives built in the tests: a small builder writing the geojson files the way the
specification lays them out, in metres around a reference point.

`mall_archive` builds a plain mall (no path graph of its own): on each level a corridor of two
touching walkway units, stores above and below it with a door each, an up and a down escalator
(directed relationships between neighbouring levels), one lift and one staircase serving every
level (one relationship each, origin → intermediary → destination).
"""
from __future__ import annotations

import json
import math
import uuid
from pathlib import Path

LON0, LAT0 = 121.47, 31.23
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON = 111_320.0 * math.cos(math.radians(LAT0))
STORE_WIDTH_M = 10.0
LEVEL_SHORT = ("1F", "2F", "3F", "4F", "5F", "6F")
LEVEL_CHINESE = ("一层", "二层", "三层", "四层", "五层", "六层")


def lonlat(x: float, y: float) -> list[float]:
    return [LON0 + x / METRES_PER_DEGREE_LON, LAT0 + y / METRES_PER_DEGREE_LAT]


def rectangle(x0: float, y0: float, x1: float, y1: float) -> dict:
    ring = [lonlat(x0, y0), lonlat(x1, y0), lonlat(x1, y1), lonlat(x0, y1), lonlat(x0, y0)]
    return {"type": "Polygon", "coordinates": [ring]}


def line(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "LineString", "coordinates": [lonlat(x0, y0), lonlat(x1, y1)]}


def point(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": lonlat(x, y)}


class ArchiveBuilder:
    """Features by file; `write(folder)` writes manifest.json and one .geojson per file."""

    def __init__(self, seed: str = "test"):
        self.files: dict[str, list[dict]] = {}
        self.seed = seed
        self.count = 0
        self.manifest = {"version": "1.0.0", "created": "2026-01-01T00:00:00Z", "generated_by": "tests",
                         "language": "zh-Hans"}

    def new_id(self) -> str:
        self.count += 1
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.seed}/{self.count}"))

    def add(self, file: str, geometry: dict | None, **properties) -> str:
        feature_id = self.new_id()
        self.files.setdefault(file, []).append({"id": feature_id, "type": "Feature", "feature_type": file,
                                                "geometry": geometry, "properties": properties})
        return feature_id

    def feature(self, file: str, feature_id: str) -> dict:
        return next(f for f in self.files[file] if f["id"] == feature_id)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifest.json").write_text(json.dumps(self.manifest))
        for file, features in self.files.items():
            (folder / f"{file}.geojson").write_text(json.dumps(
                {"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
        return folder


def mall_archive(levels: int = 3, stores_per_side: int = 4, seed: str = "mall") -> ArchiveBuilder:
    """A plain mall (see the module docstring). Store names "店{level}{n}" / "Shop {level}-{n}"; unit
    numbers "{short}-{n:02}", held by an address (n % 3 == 0), the occupant's correlation_id
    (n % 3 == 1) or the unit's alt_name (n % 3 == 2)."""
    b = ArchiveBuilder(seed)
    length = stores_per_side * STORE_WIDTH_M
    width = length + 40.0
    address = b.add("address", None, address="1 Test Road", unit=None, locality="Shanghai", country="CN")
    b.add("venue", rectangle(0, 0, width, 50), category="shoppingcenter",
          name={"zh-Hans": "测试广场", "en": "Test Plaza"}, address_id=address, display_point=point(width / 2, 25))
    building = b.add("building", None, name=None, category="unspecified", address_id=address)
    escalators: list[tuple[str, str]] = []  # per level: (up unit, down unit)
    lift_units: list[str] = []
    stairs_units: list[str] = []
    for level in range(levels):
        short = LEVEL_SHORT[level]
        level_id = b.add("level", rectangle(0, 0, width, 50), ordinal=level, outdoor=False, category="unspecified",
                         name={"zh-Hans": LEVEL_CHINESE[level], "en": f"Level {level + 1}"},
                         short_name={"en": short}, building_ids=[building])
        # the corridor: two walkway units that touch at x = length / 2
        b.add("unit", rectangle(0, 20, length / 2, 30), category="walkway", level_id=level_id, name=None)
        b.add("unit", rectangle(length / 2, 20, width, 30), category="walkway", level_id=level_id, name=None)
        number = 0
        for y0, y1, door_y in ((30, 45, 30), (5, 20, 20)):
            for n in range(stores_per_side):
                number += 1
                x0 = n * STORE_WIDTH_M
                code = f"{short}-{number:02}"
                unit_props = {"category": "room", "level_id": level_id, "name": None}
                if number % 3 == 2:
                    unit_props["alt_name"] = {"en": code}
                unit = b.add("unit", rectangle(x0, y0, x0 + STORE_WIDTH_M, y1), **unit_props)
                b.add("opening", line(x0 + 4, door_y, x0 + 6, door_y), category="pedestrian", level_id=level_id)
                store_address = b.add("address", None, address="1 Test Road", unit=code if number % 3 == 0 else None,
                                      locality="Shanghai", country="CN")
                anchor = b.add("anchor", point(x0 + 5, (y0 + y1) / 2), unit_id=unit, address_id=store_address)
                b.add("occupant", None, name={"zh-Hans": f"店{short}{number}", "en": f"Shop {short}-{number}"},
                      category="retail", anchor_id=anchor, correlation_id=code if number % 3 == 1 else None)
        # connectors at the east end, each a unit with a door onto the corridor
        up = b.add("unit", rectangle(length + 2, 30, length + 10, 40), category="escalator", level_id=level_id)
        b.add("opening", line(length + 4, 30, length + 8, 30), category="pedestrian", level_id=level_id)
        down = b.add("unit", rectangle(length + 2, 10, length + 10, 20), category="escalator", level_id=level_id)
        b.add("opening", line(length + 4, 20, length + 8, 20), category="pedestrian", level_id=level_id)
        lift = b.add("unit", rectangle(length + 20, 30, length + 26, 36), category="elevator", level_id=level_id,
                     name={"zh-Hans": "A梯", "en": "Lift A"})
        b.add("opening", line(length + 22, 30, length + 24, 30), category="pedestrian", level_id=level_id)
        stairs = b.add("unit", rectangle(length + 28, 10, length + 36, 20), category="stairs", level_id=level_id)
        b.add("opening", line(length + 30, 20, length + 34, 20), category="pedestrian", level_id=level_id)
        b.add("amenity", point(length + 32, 15), category="stairs", unit_ids=[stairs], name=None)
        escalators.append((up, down))
        lift_units.append(lift)
        stairs_units.append(stairs)

    def ref(unit_id: str) -> dict:
        return {"id": unit_id, "feature_type": "unit"}

    for level in range(levels - 1):
        b.add("relationship", None, category="escalator", direction="directed",
              origin=ref(escalators[level][0]), destination=ref(escalators[level + 1][0]))
        b.add("relationship", None, category="escalator", direction="directed",
              origin=ref(escalators[level + 1][1]), destination=ref(escalators[level][1]))
    for units in (lift_units, stairs_units):
        b.add("relationship", None, category="elevator" if units is lift_units else "stairs", direction="undirected",
              origin=ref(units[0]), intermediary=[ref(u) for u in units[1:-1]], destination=ref(units[-1]))
    return b
