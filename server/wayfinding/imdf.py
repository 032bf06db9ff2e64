"""Read an IMDF 1.0.0 archive (Apple's Indoor Mapping Data Format) into a MallContent, with a
report that names every problem by file, feature id and the store or level it concerns.
Pure Python (no Django), so benchmarks and tests can use it directly.

What is read, as the specification writes it:

* `manifest.json`: its `version` must be 1.0.0 (an archive of another version is refused);
* venue (its extent: features outside it are outliers), building (letters for levels that share
  a short name: A1, B1), level (name, short name, ordinal), unit (drawn as plan shapes; walkways
  are corridors), opening (doors), amenity (facilities), anchor → address (unit numbers),
  occupant (stores), kiosk (kiosk points);
* relationship: `category` elevator / escalator / movingwalkway / ramp / stairs / traversal with
  `direction` directed / undirected and origin → intermediary → destination feature references
  become connector edges: a directed escalator only from origin to destination; a lift or a
  staircase that spans several levels is ONE connector (every stop joined to every other, one
  `connector_id`), so a route rides it once ("Take Lift A to 3F");
* the walkable graph: our own vendor extension (`concierge_path.geojson`, written by the
  exporter) when present; else the `navPath` extension some vendors write (points with
  `neighbours`, `navPathAssocieted` linking places to path nodes); else one is built from units
  and openings: a node in each unit, one at each door, doors joined to the units they open
  into, touching walkways joined to each other.

The import is refused (ImdfRefused, its report naming each problem) when the archive is beyond
the reading bounds (more than MAX_ARCHIVE_MEMBERS files, a file larger than MAX_FILE_BYTES once
inflated, more than MAX_ARCHIVE_BYTES read in all, JSON nested deeper than MAX_JSON_DEPTH: all
checked while reading, whatever the zip's headers declare), when a required file
(level, unit) cannot be read, when a coordinate is not a finite longitude/latitude or sits at
(0, 0), when a polygon crosses itself, when occupants have no anchors to place them by, or when
no store could be placed: a published version is never missing its stores. A feature that is
merely unusable (an unknown level, a unit far outside the venue) is left out and named.

Coordinates (WGS84 longitude/latitude) are projected to metres around the archive's south-west
corner, so plans and the path graph share one frame with the origin at the bottom-left.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sync.bundle import CONNECTOR_KINDS
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
    PlanShape,
    Store,
)
from venue.routing.wording import GENERIC_CONNECTOR_NAMES

IMDF_VERSION = "1.0.0"
EXTENSION = "concierge_path"
"""Our vendor extension: the path graph (nodes, edges with kind/direction/connector) and the
links from places to path nodes, so an exported archive routes exactly as it did."""
MAX_ARCHIVE_MEMBERS = 200
"""An IMDF archive has about fifteen files."""
MAX_FILE_BYTES = 64 * 1024 * 1024
"""One file as read (inflated): a large mall's unit.geojson is a few MB; parsed, JSON takes ~10×."""
MAX_ARCHIVE_BYTES = 128 * 1024 * 1024
"""All the files read, together."""
MAX_JSON_DEPTH = 64
"""GeoJSON nests about seven deep (a MultiPolygon's coordinates in a feature in a collection)."""
MAX_FEATURES = 500_000
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = [1 if b in b"[{" else -1 for b in range(256)]
REQUIRED_FILES = ("level", "unit")

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0
LIFT_SNAP_M = 6.0
"""A navPath link between levels this close to a lift is a lift ride; otherwise stairs."""
DOOR_SNAP_M = 1.0
"""An opening this close to a unit's outline opens into that unit."""
TOUCH_M = 0.5
"""Walkways whose outlines come this close are one open floor."""
VENUE_MARGIN_M = 50.0
"""Features this far outside the venue's extent are outliers."""
NULL_ISLAND_DEG = 1e-6
STOREY_M = 4.0
LIFT_WAIT_SECONDS = 45.0
CONNECTOR_SECONDS_PER_STOREY = {"lift": 10.0, "stairs": 45.0, "escalator": 25.0, "ramp": 40.0}
"""A ride: the wait (lifts) plus this per storey; boarding once is always quicker than stopping
at every floor, so a route takes a lift or a staircase in one go."""
BOARDING_SECONDS = {"lift": LIFT_WAIT_SECONDS, "stairs": 10.0, "escalator": 15.0, "ramp": 10.0}
OUTDOOR_LEVEL_ID = "outdoors"
MAX_EXAMPLES = 5

RELATIONSHIP_KINDS = {
    "elevator": "lift", "escalator": "escalator", "movingwalkway": "ramp", "ramp": "ramp",
    "stairs": "stairs", "stairs.emergencyexit": "stairs", "traversal": "walk", "traversal.path": "walk",
}
"""IMDF relationship categories → path edge kinds (a moving walkway is step-free, as a ramp)."""
AMENITY_KINDS = {
    "elevator": "lift", "escalator": "escalator", "stairs": "stairs", "ramp": "ramp",
    "restroom": "restroom", "restroom.female": "restroom", "restroom.male": "restroom",
    "restroom.unisex": "restroom", "restroom.wheelchair": "accessible_restroom",
    "restroom.unisex.wheelchair": "accessible_restroom", "mothersroom": "nursing_room",
    "atm": "atm", "information": "information", "firstaid": "first_aid", "exit": "exit",
    "entry": "exit", "security": "information", "wheelchairrental": "wheelchair_lending",
    "strollerrental": "stroller_lending", "powerchargingstation": "charging",
    "parkingpaystation": "parking_pay", "guestservices": "service_desk",
}
"""IMDF amenity (and unit) categories → facility kinds; others are not facilities."""
FACILITY_WORDS = {
    **GENERIC_CONNECTOR_NAMES,
    "restroom": I18nText(zh_CN="洗手间", en="Toilets", zh_TW="洗手間"),
    "accessible_restroom": I18nText(zh_CN="无障碍洗手间", en="Accessible toilet", zh_TW="無障礙洗手間"),
    "nursing_room": I18nText(zh_CN="母婴室", en="Nursing room", zh_TW="育嬰室"),
    "service_desk": I18nText(zh_CN="服务台", en="Service desk", zh_TW="服務台"),
    "exit": I18nText(zh_CN="出口", en="Exit", zh_TW="出口"),
    "parking_pay": I18nText(zh_CN="停车缴费", en="Parking payment", zh_TW="停車繳費"),
    "atm": I18nText(zh_CN="自动取款机", en="ATM", zh_TW="自動櫃員機"),
    "charging": I18nText(zh_CN="充电站", en="Charging", zh_TW="充電站"),
    "wheelchair_lending": I18nText(zh_CN="轮椅借用", en="Wheelchairs", zh_TW="輪椅借用"),
    "stroller_lending": I18nText(zh_CN="婴儿车借用", en="Strollers", zh_TW="嬰兒車借用"),
    "first_aid": I18nText(zh_CN="急救站", en="First aid", zh_TW="急救站"),
    "information": I18nText(zh_CN="问讯处", en="Information", zh_TW="問訊處"),
}
"""Names of facilities the archive leaves unnamed, in every language: the connector words are
the router's own (`GENERIC_CONNECTOR_NAMES`), so a Chinese card never says "escalator"."""
UNIT_SHAPE_KINDS = {"walkway": "corridor", "stairs": "facility", "elevator": "facility", "escalator": "facility",
                    "restroom": "facility", "restroom.female": "facility", "restroom.male": "facility",
                    "opentobelow": "void", "nonpublic": "void", "structure": "void"}
UNIT_NUMBER_SOURCES = ("address.unit (anchor.address_id)", "occupant correlation_id", "unit alt_name",
                       "unit name", "occupant shortName (vendor)")


# ---------------------------------------------------------------- the report
def _english(template: str) -> str:
    return template


@dataclass(frozen=True)
class Said:
    """One sentence of the report: an English template with {named} fields, put into the
    reader's language only when shown (the console page's; English on the command line), so
    the report can be kept (in the session) and read in whichever language the page is in."""

    template: str
    fields: tuple[tuple[str, Any], ...] = ()

    def text(self, translate: Callable[[str], str] = _english) -> str:
        values = {}
        for name, value in self.fields:
            if isinstance(value, Said):
                value = value.text(translate)
            elif isinstance(value, list):
                value = translate(", ").join(item.text(translate) if isinstance(item, Said) else str(item)
                                             for item in value)
            values[name] = value
        return translate(self.template).format(**values)

    def __str__(self) -> str:
        return self.text()

    def as_json(self) -> dict:
        def plain(value):
            if isinstance(value, Said):
                return value.as_json()
            if isinstance(value, list):
                return [plain(item) for item in value]
            return value
        return {"said": self.template, "fields": {name: plain(value) for name, value in self.fields}}

    @classmethod
    def from_json(cls, document: dict) -> Said:
        def value_of(value):
            if isinstance(value, dict) and "said" in value:
                return cls.from_json(value)
            if isinstance(value, list):
                return [value_of(item) for item in value]
            return value
        return cls(str(document.get("said", "")),
                   tuple((str(name), value_of(value)) for name, value in (document.get("fields") or {}).items()))


def say(template: str, **fields) -> Said:
    """A report sentence; `template` is the catalog's msgid (see server/wayfinding/locale)."""
    return Said(template, tuple(fields.items()))


@dataclass(frozen=True)
class Problem:
    file: str
    feature_id: str
    message: Said
    about: Said | None = None
    """The store or level it concerns ("store Cloud Coffee", "level 2F")."""
    refuses: bool = False

    def said(self) -> Said:
        where = f"{self.file} {self.feature_id}".strip()
        if self.about is not None:
            return say("{where} ({about}): {message}", where=where, about=self.about, message=self.message)
        return say("{where}: {message}", where=where, message=self.message)

    def __str__(self) -> str:
        return self.said().text()


COUNTED = {
    "levels": "{count} levels", "units drawn": "{count} units drawn", "stores": "{count} stores",
    "facilities": "{count} facilities", "kiosk points": "{count} kiosk points", "path nodes": "{count} path nodes",
    "path edges": "{count} path edges", "level changes": "{count} level changes",
}
"""What the import summary counts, each as the report says it."""


@dataclass
class ImportReport:
    """What was imported and what was not, in sentences for the operator."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Said] = field(default_factory=list)
    unit_sources: Counter = field(default_factory=Counter)
    """How many stores took their unit number from each of UNIT_NUMBER_SOURCES (or "none")."""
    graph_source: Said | None = None
    path_pieces: list[int] = field(default_factory=list)
    """Sizes of the path graph's connected pieces (ignoring direction), largest first."""
    manifest: dict = field(default_factory=dict)

    def add(self, file: str, feature_id: str, message: Said, about: Said | None = None,
            refuses: bool = False) -> None:
        self.problems.append(Problem(file, feature_id, message, about, refuses))

    def note(self, message: Said) -> None:
        self.notes.append(message)

    @property
    def refusals(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.refuses]

    def sentences(self) -> list[Said]:
        """The report, a sentence a line, in no language yet."""
        lines: list[Said] = []
        refusals = self.refusals
        if len(refusals) == 1:  # a bomb, a bad manifest: one line says it all
            lines.append(say("! {problem} (refused: nothing was imported)", problem=refusals[0].said()))
        elif refusals:
            lines.append(say("Refused: {count} problems must be fixed in the archive first; nothing was imported.",
                             count=len(refusals)))
            lines += [say("! {problem}", problem=problem.said()) for problem in refusals]
        if self.counts:
            lines.append(say("Imported {counts}.", counts=[say(COUNTED[kind], count=count)
                                                           for kind, count in self.counts.items()]))
        if self.graph_source:
            lines.append(say("Path graph: {source}.", source=self.graph_source))
        if self.unit_sources:
            lines.append(say("Unit numbers: {sources}.", sources=[
                say("{count} from {source}", count=count, source=source)
                for source, count in self.unit_sources.most_common()]))
        lines += [say("- {note}", note=note) for note in self.notes]
        lines += [say("- {problem}", problem=problem.said()) for problem in self.problems if not problem.refuses]
        return lines

    def lines(self) -> list[str]:
        """The report in English (the command line's)."""
        return [sentence.text() for sentence in self.sentences()]


class ImdfRefused(ValueError):
    """The archive cannot be imported as it is; `report` names each problem (file, feature id,
    what). Its text is the report, so a command prints it without a traceback."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__("\n".join(report.lines()))


@dataclass
class ImportedMap:
    content: MallContent
    report: ImportReport

    def summary(self) -> list[str]:
        """One line per level: what a dry run shows before anything is written."""
        content = self.content
        lines = [f"Mall {content.mall.id} ({content.mall.name.get('en')}): {len(content.levels)} levels, "
                 f"{len(content.stores)} stores, {len(content.facilities)} facilities, "
                 f"{len(content.graph.nodes)} path nodes, {len(content.graph.edges)} path edges."]
        for level in content.levels:
            stores = sum(1 for s in content.stores if s.level_id == level.id)
            facilities = sum(1 for f in content.facilities if f.level_id == level.id)
            nodes = sum(1 for n in content.graph.nodes if n.level_id == level.id)
            lines.append(f"  {level.short_name}: {stores} stores, {facilities} facilities, {nodes} path nodes")
        return lines


# ---------------------------------------------------------------- reading the files
class _Archive:
    """The feature files of a folder or a .zip."""

    def __init__(self, path: Path, report: ImportReport):
        self.path = Path(path)
        self.report = report
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, zipfile.ZipInfo] = {}
        self._bytes_read = 0
        if self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
                members = self._zip.infolist()
            except (zipfile.BadZipFile, OSError) as error:
                report.add(self.path.name, "",
                    say("neither a folder nor a readable .zip archive ({error})", error=str(error)), refuses=True)
            else:
                if len(members) > MAX_ARCHIVE_MEMBERS:
                    report.add(self.path.name, "",
                        say("has {count} files, more than {limit}", count=len(members), limit=MAX_ARCHIVE_MEMBERS),
                               refuses=True)
                else:
                    self._names = {Path(info.filename).name: info for info in members}
        elif not self.path.is_dir():
            report.add(self.path.name, "", say("no such folder or file"), refuses=True)

    def has(self, filename: str) -> bool:
        if self._zip is not None:
            return filename in self._names
        return (self.path / filename).is_file()

    def document(self, filename: str, required: bool = False):
        """The parsed JSON of `filename`, or None (absent, or unreadable: reported)."""
        raw = self._read(filename, required)
        if raw is None:
            return None
        if _json_depth(raw) > MAX_JSON_DEPTH:
            self.report.add(filename, "",
                say("nests JSON deeper than {limit} levels", limit=MAX_JSON_DEPTH), refuses=True)
            return None
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            self.report.add(filename, "",
                say("is not UTF-8 (byte {byte}): GeoJSON is UTF-8, re-save it so", byte=error.start),
                            refuses=required)
        except ValueError as error:  # not JSON, or an integer of more digits than Python converts
            self.report.add(filename, "", say("is not readable JSON ({error})", error=str(error)), refuses=required)
        return None

    def features(self, name: str, required: bool = False) -> list[dict]:
        filename = f"{name}.geojson"
        if not self.has(filename):
            if required:
                self.report.add(filename, "", say("is missing: an IMDF archive must have it"), refuses=True)
            return []
        document = self.document(filename, required)
        if document is None:
            return []
        features = document.get("features") if isinstance(document, dict) else None
        if not isinstance(features, list):
            self.report.add(filename, "", say("has no feature list"), refuses=required)
            return []
        if len(features) > MAX_FEATURES:
            self.report.add(filename, "",
                say("has {count} features, more than {limit}", count=len(features), limit=MAX_FEATURES), refuses=True)
            return []
        usable = [f for f in features if isinstance(f, dict) and isinstance(f.get("id"), str) and f["id"]]
        if len(usable) < len(features):
            self.report.add(filename, "",
                say("{count} features without an id skipped", count=len(features) - len(usable)))
        if required and features and not usable:
            self.report.add(filename, "", say("has no usable feature"), refuses=True)
        return usable

    def _read(self, filename: str, required: bool) -> bytes | None:
        """The file's bytes, read through a stream that stops past the caps (a zip's declared sizes
        are not trusted); None when absent, unreadable or too large (reported)."""
        if self._bytes_read > MAX_ARCHIVE_BYTES:
            return None
        try:
            if self._zip is not None:
                info = self._names.get(filename)
                if info is None:
                    return None
                stream = self._zip.open(info)
            else:
                target = self.path / filename
                if not target.is_file():
                    return None
                stream = target.open("rb")
            with stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, EOFError, zlib.error) as error:
            self.report.add(filename, "", say("cannot be read ({error})", error=str(error)), refuses=required)
            return None
        self._bytes_read += len(data)
        if len(data) > MAX_FILE_BYTES:
            self.report.add(filename, "",
                say("is larger than {limit} MB once read", limit=MAX_FILE_BYTES // 2**20), refuses=True)
            return None
        if self._bytes_read > MAX_ARCHIVE_BYTES:
            self.report.add(filename, "",
                say("brings the files read to more than {limit} MB", limit=MAX_ARCHIVE_BYTES // 2**20),
                            refuses=True)
            return None
        return data


MAX_CONTENT_ID = 64
"""A draft row's content id column (server.content.models.MallRow.content_id)."""


def _compound_id(first: str, second: str) -> str:
    """One content id made of two feature ids ("relationship:unit"), within the 64 characters and
    the letters a content id may have; two UUIDs are longer, so then a stable digest stands in."""
    joined = re.sub(r"[^A-Za-z0-9_.:-]", "-", f"{first}:{second}")
    if len(joined) <= MAX_CONTENT_ID:
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()
    return f"{joined[:MAX_CONTENT_ID - 41]}:{digest[:40]}"


def _json_depth(raw: bytes) -> int:
    """How deep the JSON's arrays and objects nest, counted before parsing (brackets in strings aside)."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _text(value, fallback: I18nText | None = None) -> I18nText | None:
    """An IMDF language map ({"en": …, "zh-Hans": …}) as I18nText; `fallback` when empty."""
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        return fallback
    strings = {str(k).lower(): str(v).strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
    if not strings:
        return fallback
    english = strings.get("en", "")
    simplified = (strings.get("zh-hans") or strings.get("zh-cn") or strings.get("zh") or english
                  or next(iter(strings.values())))
    traditional = strings.get("zh-hant") or strings.get("zh-tw") or strings.get("zh-hk") or ""
    return I18nText(zh_CN=simplified, en=english, zh_TW=traditional)


def _facility_name(value, kind: str) -> I18nText | None:
    """A facility's own name, or None when it has none or only restates its category in a
    language other than Chinese ("Elevator", "Restroom female"): our catalogued words then
    name it in every language, so a Chinese card never says "Elevator"."""
    text = _text(value)
    if text is None:
        return None
    has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text.zh_CN + text.zh_TW)
    words = set((text.en or text.zh_CN).lower().replace(".", " ").replace("_", " ").split())
    category_words = {category_word for category, facility_kind in AMENITY_KINDS.items() if facility_kind == kind
                      for category_word in category.replace(".", " ").split()}
    category_words |= {"elevator", "lift", "stairs", "stair", "staircase", "escalator", "ramp", "toilet",
                       "toilets", "wc", "the", *FACILITY_WORDS[kind].en.lower().split()}
    if not has_chinese and words <= category_words | {"female", "male", "unisex", "wheelchair", "accessible"}:
        return None
    return text


def _plain(value) -> str:
    """A language map or string as one plain string (English first)."""
    text = _text(value)
    return (text.en or text.zh_CN) if text else ""


# ---------------------------------------------------------------- geometry
def _coordinate_problem(value) -> Said | None:
    """Why a coordinate pair is unusable, or None."""
    try:
        lon, lat = float(value[0]), float(value[1])
    except (TypeError, ValueError, IndexError):
        return say("coordinate {value} is not a number pair", value=repr(value)[:80])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return say("coordinate ({lon}, {lat}) is not finite", lon=str(lon), lat=str(lat))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return say("coordinate ({lon}, {lat}) is not a longitude/latitude", lon=f"{lon:g}", lat=f"{lat:g}")
    if abs(lon) < NULL_ISLAND_DEG and abs(lat) < NULL_ISLAND_DEG:
        return say("coordinate (0, 0): a placeholder, not a place")
    return None


def _rings(geometry) -> list[list]:
    if not isinstance(geometry, dict):
        return []
    coordinates = geometry.get("coordinates")
    kind = geometry.get("type")
    if not isinstance(coordinates, list):
        return []
    if kind == "Polygon":
        return [ring for ring in coordinates if isinstance(ring, list)]
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates if isinstance(polygon, list) for ring in polygon
                if isinstance(ring, list)]
    if kind == "LineString":
        return [coordinates]
    if kind == "Point":
        return [[coordinates]]
    return []


CROSSING_TOLERANCE_DEG = 2e-7
"""About 2 cm: ends closer than this to the other segment's line touch it rather than cross
(rounding a touching outline must not make it "cross itself")."""


def _segments_cross(p1, p2, p3, p4, tolerance: float) -> bool:
    """Do segments p1p2 and p3p4 cross properly: each one's ends clearly on either side of the
    other's line?"""
    def side(a, b, c) -> float:
        length = math.dist(a, b) or 1.0
        distance = ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) / length
        return 0.0 if abs(distance) <= tolerance else distance

    d1, d2 = side(p3, p4, p1), side(p3, p4, p2)
    d3, d4 = side(p1, p2, p3), side(p1, p2, p4)
    return d1 * d2 < 0 and d3 * d4 < 0


def self_crossing(ring: list[tuple[float, float]],
                  tolerance: float = CROSSING_TOLERANCE_DEG) -> tuple[int, int] | None:
    """The first two edges (by index) of a closed ring that cross each other, or None. Edges
    are bucketed on a grid, so a ring of thousands of points is checked quickly."""
    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    count = len(points)
    if count < 4:
        return None
    if count <= 16:  # most units: every pair, no grid
        for i in range(count):
            for j in range(i + 2, count - (i == 0)):
                if _segments_cross(points[i], points[i + 1], points[j], points[(j + 1) % count], tolerance):
                    return (i, j)
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    cell = max(max(xs) - min(xs), max(ys) - min(ys)) / max(1.0, math.sqrt(count)) or 1.0
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in range(count):
        a, b = points[i], points[(i + 1) % count]
        for gx in range(int(min(a[0], b[0]) // cell), int(max(a[0], b[0]) // cell) + 1):
            for gy in range(int(min(a[1], b[1]) // cell), int(max(a[1], b[1]) // cell) + 1):
                grid[(gx, gy)].append(i)
    for members in grid.values():
        for position, i in enumerate(members):
            for j in members[position + 1:]:
                if abs(i - j) in (0, 1, count - 1):
                    continue  # neighbours share a point
                if _segments_cross(points[i], points[(i + 1) % count], points[j], points[(j + 1) % count],
                                   tolerance):
                    return (min(i, j), max(i, j))
    return None


class _Projection:
    """Longitude/latitude → metres east/north of a south-west origin (equirectangular: exact
    enough over a campus or a mall). The exporter uses `inverse` with the same formula."""

    def __init__(self, lon0: float, lat0: float, lat1: float):
        self.lon0 = lon0
        self.lat0 = lat0
        self.kx = METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians((lat0 + lat1) / 2))

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (round((lon - self.lon0) * self.kx, 2), round((lat - self.lat0) * METRES_PER_DEGREE_LAT, 2))

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        return (self.lon0 + x / self.kx, self.lat0 + y / METRES_PER_DEGREE_LAT)


def _distance_to_segment(p, a, b) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def _distance_to_ring(p, ring) -> float:
    return min(_distance_to_segment(p, ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring)))


def _inside(p, ring) -> bool:
    inside = False
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % len(ring)]
        if (y1 > p[1]) != (y2 > p[1]) and p[0] < (x2 - x1) * (p[1] - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _centroid(ring) -> tuple[float, float]:
    area = cx = cy = 0.0
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % len(ring)]
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-9:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    centre = (cx / (3 * area), cy / (3 * area))
    if _inside(centre, ring):
        return centre
    return min(ring, key=lambda p: math.dist(p, centre))  # an L or a U: a corner of the unit itself


class _Grid:
    """Boxes bucketed on a square grid, for "which units are near this point"."""

    def __init__(self, cell: float):
        self.cell = cell
        self.cells: dict[tuple[int, int], list[str]] = defaultdict(list)

    def add(self, key: str, box: tuple[float, float, float, float]) -> None:
        for gx in range(int(box[0] // self.cell), int(box[2] // self.cell) + 1):
            for gy in range(int(box[1] // self.cell), int(box[3] // self.cell) + 1):
                self.cells[(gx, gy)].append(key)

    def near(self, p: tuple[float, float]) -> list[str]:
        return self.cells.get((int(p[0] // self.cell), int(p[1] // self.cell)), [])


def _box(ring, margin: float = 0.0) -> tuple[float, float, float, float]:
    return (min(p[0] for p in ring) - margin, min(p[1] for p in ring) - margin,
            max(p[0] for p in ring) + margin, max(p[1] for p in ring) + margin)


# ---------------------------------------------------------------- the import
@dataclass
class _Unit:
    id: str
    level_id: str
    category: str
    ring: list[tuple[float, float]]
    centre: tuple[float, float]
    props: dict


class _Importer:
    def __init__(self, path: Path, mall_id: str | None):
        self.report = ImportReport()
        self.archive = _Archive(path, self.report)
        self.mall_id = mall_id

    # -- reading and checking
    def read(self) -> bool:
        archive, report = self.archive, self.report
        if report.refusals:
            return False
        manifest = archive.document("manifest.json") if archive.has("manifest.json") else None
        if manifest is None and not archive.has("manifest.json"):
            report.add("manifest.json", "", say("is missing: an IMDF archive must say its version"), refuses=True)
        elif not isinstance(manifest, dict):
            report.add("manifest.json", "", say("is not a JSON object"), refuses=True)
        else:
            report.manifest = manifest
            if manifest.get("version") != IMDF_VERSION:
                report.add("manifest.json", "",
                    say("version {version!r}: only IMDF {supported} can be imported; export the archive as "
                               "IMDF 1.0.0", version=manifest.get("version"), supported=IMDF_VERSION), refuses=True)
        self.raw = {name: archive.features(name, required=name in REQUIRED_FILES) for name in (
            "venue", "building", "level", "unit", "opening", "amenity", "anchor", "address", "occupant",
            "relationship", "kiosk", "navPath", "navPathAssocieted", EXTENSION)}
        if not self.raw["level"] and not report.refusals:
            report.add("level.geojson", "", say("has no levels: nothing to import"), refuses=True)
        if self.raw["occupant"] and not self.raw["anchor"]:
            report.add("anchor.geojson", "",
                say("is missing or unreadable, so none of the {count} occupants can be placed (e.g. {example})",
                           count=len(self.raw["occupant"]), example=self._occupant_label(self.raw["occupant"][0])),
                       refuses=True)
        self._check_geometry()
        return not report.refusals

    def _occupant_label(self, occupant: dict) -> str:
        name = _plain((occupant.get("properties") or {}).get("name"))
        return f"occupant {occupant['id']}" + (f" {name}" if name else "")

    def _about(self, name: str, feature: dict) -> Said | None:
        """The place a problem concerns, as an operator knows it ("unit Cloud Coffee, level 2F")."""
        props = feature.get("properties") or {}
        if name == "level":
            label = _plain(props.get("short_name")) or _plain(props.get("name"))
            return say("level {level}", level=label) if label else None
        label = _plain(props.get("name"))
        level = props.get("level_id")
        level_name = next((_plain((lv.get("properties") or {}).get("short_name")) for lv in self.raw["level"]
                           if lv["id"] == level), "") if isinstance(level, str) else ""
        if label and level_name:
            return say("{feature} {name}, level {level}", feature=name, name=label, level=level_name)
        if label:
            return say("{feature} {name}", feature=name, name=label)
        return say("level {level}", level=level_name) if level_name else None

    def _check_geometry(self) -> None:
        """Every coordinate finite and a real place, no polygon crossing itself; features
        outside the venue's extent are outliers, left out."""
        report = self.report
        checked = ("venue", "level", "unit", "opening", "amenity", "anchor", "kiosk", "navPath", EXTENSION)
        for name in checked:
            kept = []
            for feature in self.raw[name]:
                geometry = feature.get("geometry")
                rings = _rings(geometry)
                bad = next((problem for ring in rings for value in ring
                            if (problem := _coordinate_problem(value)) is not None), None)
                if bad is not None:
                    report.add(f"{name}.geojson", feature["id"], bad, self._about(name, feature), refuses=True)
                    continue
                crossed = False
                if isinstance(geometry, dict) and geometry.get("type") in ("Polygon", "MultiPolygon"):
                    for ring in rings:
                        crossing = self_crossing([(float(p[0]), float(p[1])) for p in ring])
                        if crossing:
                            report.add(f"{name}.geojson", feature["id"],
                                       say("the polygon crosses itself (edges {first} and {second})", first=crossing[0],
                                           second=crossing[1]),
                                       self._about(name, feature), refuses=True)
                            crossed = True
                            break
                if not crossed:
                    kept.append(feature)
            self.raw[name] = kept
        extent = self._extent()
        for name in ("unit", "opening", "amenity", "anchor", "kiosk", "navPath", EXTENSION):
            kept = []
            for feature in self.raw[name]:
                points = [p for ring in _rings(feature.get("geometry")) for p in ring]
                if extent and any(not (extent[0] <= p[0] <= extent[2] and extent[1] <= p[1] <= extent[3])
                                  for p in points):
                    report.add(f"{name}.geojson", feature["id"],
                               say("lies outside the venue's extent: an outlier, left out"), self._about(name, feature))
                    continue
                kept.append(feature)
            self.raw[name] = kept

    def _extent(self) -> tuple[float, float, float, float] | None:
        """The venue's extent (its polygon, else its levels') with a margin, in degrees."""
        for name in ("venue", "level"):
            points = [p for f in self.raw[name] for ring in _rings(f.get("geometry")) for p in ring]
            if points:
                break
        else:
            centres = sorted((float(p[0]), float(p[1])) for f in self.raw["unit"]
                             for ring in _rings(f.get("geometry"))[:1] for p in ring[:1])
            if not centres:
                return None
            lon = centres[len(centres) // 2][0]
            lat = sorted(c[1] for c in centres)[len(centres) // 2]
            points = [(lon - 0.02, lat - 0.02), (lon + 0.02, lat + 0.02)]
        lons = [float(p[0]) for p in points]
        lats = [float(p[1]) for p in points]
        margin_lat = VENUE_MARGIN_M / METRES_PER_DEGREE_LAT
        margin_lon = margin_lat / max(0.01, math.cos(math.radians(sum(lats) / len(lats))))
        return (min(lons) - margin_lon, min(lats) - margin_lat, max(lons) + margin_lon, max(lats) + margin_lat)

    # -- building the content
    def build(self) -> MallContent | None:
        raw, report = self.raw, self.report
        points = [(float(p[0]), float(p[1])) for name in ("venue", "level", "unit", "navPath", EXTENSION, "amenity",
                                                          "anchor", "opening")
                  for f in raw[name] for ring in _rings(f.get("geometry")) for p in ring]
        self.project = _Projection(min(p[0] for p in points), min(p[1] for p in points),
                                   max(p[1] for p in points)) if points else _Projection(0.0, 0.0, 0.0)
        self._levels()
        if not self.levels:
            report.add("level.geojson", "", say("no level could be used"), refuses=True)
            return None
        self._units()
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.linked: dict[str, str] = {}
        self.our_ids: dict[str, str] = {}
        """IMDF id → our id (store, facility, kiosk point, level), from our own extension."""
        self.categories: dict[str, Category] = {}
        """Categories as our extension names them."""
        self.extension_mall_id: str | None = None
        self.place_node: dict[str, str] = {}
        """IMDF feature id (unit, opening) → its node in a built graph, for relationships."""
        if raw[EXTENSION]:
            self._extension_graph()
        elif raw["navPath"]:
            self._navpath_graph()
        else:
            self._built_graph()
        self.nodes_on_level: dict[str, list[Node]] = defaultdict(list)
        for node in self.nodes.values():
            self.nodes_on_level[node.level_id].append(node)
        self.facilities: list[Facility] = []
        self.facility_units: set[str] = set()
        if not raw[EXTENSION]:
            self._relationships()
        self._pieces()
        stores, categories = self._stores()
        self._amenities()
        self._connector_facilities()
        kiosks = self._kiosks()
        self._drop_stray_pieces({place.node_id for place in [*stores, *self.facilities, *kiosks]})
        if not stores:
            report.add("occupant.geojson", "",
                say("no store could be placed (each needs a name, an anchor and a unit on a level): a "
                           "version without stores is not imported"), refuses=True)
            return None
        levels = self._level_models()
        if self.our_ids:
            levels, stores, kiosks = self._restore_ids(levels, stores, kiosks)
        venue = raw["venue"][0] if raw["venue"] else {"id": "imdf-venue", "properties": {}}
        venue_name = _text((venue.get("properties") or {}).get("name"),
                           fallback=I18nText(zh_CN="IMDF 场馆", en="IMDF venue", zh_TW="IMDF 場館"))
        assert venue_name is not None
        try:
            content = MallContent(
                mall=Mall(id=(self.mall_id or self.extension_mall_id or f"imdf-{venue['id'][:8]}").lower(),
                          name=venue_name, hours=[]),
                levels=levels, categories=sorted(categories.values(), key=lambda c: c.id), stores=stores,
                facilities=self.facilities, graph=PathGraph(nodes=list(self.nodes.values()), edges=self.edges),
                kiosks=kiosks,
            )
        except ValidationError as error:  # a bug here, not in the data: say so rather than crash
            report.add("", "",
                say("the imported map does not form valid content: {errors}",
                    errors=str(error.errors()[:3])), refuses=True)
            return None
        report.counts = {
            "levels": len(levels), "units drawn": sum(len(level.plan) for level in levels), "stores": len(stores),
            "facilities": len(self.facilities), "kiosk points": len(kiosks), "path nodes": len(self.nodes),
            "path edges": len(self.edges),
            "level changes": sum(1 for e in self.edges if e.kind in ("lift", "stairs", "escalator")
                                 and self.nodes[e.a].level_id != self.nodes[e.b].level_id),
        }
        return content

    def _restore_ids(self, levels: list[Level], stores: list[Store],
                     kiosks: list[KioskPoint]) -> tuple[list[Level], list[Store], list[KioskPoint]]:
        """Our own ids back, where our extension names them (IMDF ids are UUIDs): an archive
        this server exported imports as the same stores, levels, facilities and kiosk points."""
        ours = self.our_ids

        def level(level_id: str) -> str:
            return ours.get(level_id, level_id)

        levels = [lv.model_copy(update={"id": level(lv.id), "plan": [
            shape.model_copy(update={"ref": ours.get(shape.ref, shape.ref)}) if shape.ref else shape
            for shape in lv.plan]}) for lv in levels]
        stores = [s.model_copy(update={"id": ours.get(s.id, s.id), "level_id": level(s.level_id)}) for s in stores]
        kiosks = [k.model_copy(update={"id": ours.get(k.id, k.id), "level_id": level(k.level_id)}) for k in kiosks]
        self.facilities = [f.model_copy(update={"id": ours.get(f.id, f.id), "level_id": level(f.level_id)})
                           for f in self.facilities]
        self.nodes = {node_id: node.model_copy(update={"level_id": level(node.level_id)})
                      for node_id, node in self.nodes.items()}
        return levels, stores, kiosks

    def _levels(self) -> None:
        raw = self.raw
        used_buildings = [b for b in raw["building"] if any(
            b["id"] in ((lv.get("properties") or {}).get("building_ids") or []) for lv in raw["level"])]
        letter = {b["id"]: chr(ord("A") + i % 26) for i, b in enumerate(used_buildings)}
        self.levels: dict[str, dict] = {}
        for feature in raw["level"]:
            props = feature.get("properties") or {}
            ordinal = props.get("ordinal")
            if not isinstance(ordinal, int) or isinstance(ordinal, bool):
                self.report.add("level.geojson", feature["id"], say("no whole-number ordinal; skipped"),
                                self._about("level", feature))
                continue
            short = _plain(props.get("short_name")) or str(ordinal)
            building = next(iter(props.get("building_ids") or []), None)
            rings = _rings(feature.get("geometry"))
            self.levels[feature["id"]] = {
                "short": short, "ordinal": ordinal,
                "name": _text(props.get("name"), fallback=I18nText(zh_CN=short, en=short)),
                "letter": letter.get(building, ""),
                "ring": [self.project(float(p[0]), float(p[1])) for p in rings[0]] if rings else [],
            }
        shorts = Counter(level["short"] for level in self.levels.values())
        if any(count > 1 for count in shorts.values()):
            for level in self.levels.values():  # every level of a building gets its letter, not only the clashing ones
                level["short"] = f"{level['letter']}{level['short']}"

    def _units(self) -> None:
        self.units: dict[str, _Unit] = {}
        for feature in self.raw["unit"]:
            props = feature.get("properties") or {}
            level_id = props.get("level_id")
            rings = _rings(feature.get("geometry"))
            if level_id not in self.levels or not rings or len(rings[0]) < 3:
                self.report.add("unit.geojson", feature["id"], say("no polygon or an unknown level; left out"),
                                self._about("unit", feature))
                continue
            ring = [self.project(float(p[0]), float(p[1])) for p in rings[0]]
            if ring[0] == ring[-1]:
                ring = ring[:-1]  # GeoJSON repeats the first point; plan polygons are implicitly closed
            display = _rings(props.get("display_point"))
            centre = (self.project(float(display[0][0][0]), float(display[0][0][1])) if display
                      else _centroid(ring))
            self.units[feature["id"]] = _Unit(feature["id"], level_id, str(props.get("category") or ""),
                                              ring, centre, props)

    def _point(self, feature: dict) -> tuple[float, float] | None:
        geometry = feature.get("geometry")
        rings = _rings(geometry)
        if isinstance(geometry, dict) and geometry.get("type") == "Point" and rings:
            return self.project(float(rings[0][0][0]), float(rings[0][0][1]))
        display = _rings((feature.get("properties") or {}).get("display_point"))
        if display:
            return self.project(float(display[0][0][0]), float(display[0][0][1]))
        if rings and rings[0]:
            ring = [self.project(float(p[0]), float(p[1])) for p in rings[0]]
            if isinstance(geometry, dict) and geometry.get("type") == "LineString":
                return ((ring[0][0] + ring[-1][0]) / 2, (ring[0][1] + ring[-1][1]) / 2)
            return _centroid(ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring)
        return None

    def _levels_of(self, feature: dict | None) -> list[str]:
        """The level ids a feature stands on: its own level_id, else those of its units."""
        if feature is None:
            return []
        props = feature.get("properties") or {}
        if isinstance(props.get("level_id"), str):
            return [props["level_id"]] if props["level_id"] in self.levels else []
        found = []
        for unit_id in props.get("unit_ids") or []:
            unit = self.units.get(unit_id) if isinstance(unit_id, str) else None
            if unit is not None and unit.level_id not in found:
                found.append(unit.level_id)
        return found

    # -- graphs
    def _extension_graph(self) -> None:
        self.report.graph_source = say("the {extension} extension (an archive this server exported)",
                                       extension=EXTENSION)
        for feature in self.raw[EXTENSION]:
            props = feature.get("properties") or {}
            role = props.get("role")
            if role == "node":
                point = self._point(feature)
                level_id = props.get("level_id")
                if point is None or level_id not in self.levels:
                    self.report.add(f"{EXTENSION}.geojson", feature["id"], say("a path node without a point or level"))
                    continue
                self.nodes[feature["id"]] = Node(id=feature["id"], level_id=level_id, x=point[0], y=point[1],
                                                 landmark=_text(props.get("landmark")))
            elif role == "link" and isinstance(props.get("node_id"), str) and isinstance(props.get("place_id"), str):
                self.linked.setdefault(props["place_id"], props["node_id"])
            elif role == "category" and isinstance(props.get("our_id"), str) and _text(props.get("name")):
                icon = props.get("icon") if isinstance(props.get("icon"), str) else ""
                self.categories[props["our_id"]] = Category(id=props["our_id"], name=_text(props.get("name")),
                                                            icon=icon[:64])
            elif role == "mall" and isinstance(props.get("our_id"), str):
                self.extension_mall_id = props["our_id"]
            our_id, place_id = props.get("our_id"), props.get("place_id")
            if role in ("link", "id") and isinstance(our_id, str) and isinstance(place_id, str):
                self.our_ids[place_id] = our_id
        for feature in self.raw[EXTENSION]:
            props = feature.get("properties") or {}
            if props.get("role") != "edge":
                continue
            try:
                edge = Edge(a=props["a"], b=props["b"], kind=props.get("kind", "walk"),
                            length_m=props["length_m"], seconds=props.get("seconds"),
                            directed=bool(props.get("directed")), connector_id=props.get("connector_id"))
            except (KeyError, ValidationError):
                self.report.add(f"{EXTENSION}.geojson", feature["id"], say("an unreadable path edge; left out"))
                continue
            if edge.a in self.nodes and edge.b in self.nodes:
                self.edges.append(edge)
            else:
                self.report.add(f"{EXTENSION}.geojson", feature["id"], say("a path edge to an unknown node; left out"))

    def _navpath_graph(self) -> None:
        report = self.report
        report.graph_source = say("the navPath extension")
        neighbours: dict[str, set[str]] = defaultdict(set)
        outdoor = 0
        for feature in self.raw["navPath"]:
            props = feature.get("properties") or {}
            point = self._point(feature)
            if point is None:
                report.add("navPath.geojson", feature["id"], say("no point; skipped"))
                continue
            level_id = props.get("level_id")
            if level_id is None:
                level_id = OUTDOOR_LEVEL_ID
                outdoor += 1
            elif level_id not in self.levels:
                report.add("navPath.geojson", feature["id"], say("unknown level {level}; skipped", level=str(level_id)))
                continue
            self.nodes[feature["id"]] = Node(id=feature["id"], level_id=level_id, x=point[0], y=point[1])
            for other in props.get("neighbours") or []:
                if isinstance(other, str):
                    neighbours[feature["id"]].add(other)
                    neighbours[other].add(feature["id"])
        self.outdoor = outdoor
        dangling = sorted({(a, b) for a, others in neighbours.items() for b in others
                           if a in self.nodes and b not in self.nodes})
        if dangling:
            report.note(say("{count} path links name a node that is not in the archive; skipped", count=len(dangling)))
        if outdoor:
            report.note(say("{count} path nodes have no level: placed on an Outdoors level", count=outdoor))
        places: dict[str, dict[str, list[tuple[str, tuple[float, float]]]]] = {
            "lift": defaultdict(list), "stairs": defaultdict(list)}
        """Lift and stairs amenities and units: kind → level → [(feature id, point)]."""
        for feature in self.raw["amenity"] + self.raw["unit"]:
            kind = AMENITY_KINDS.get(str((feature.get("properties") or {}).get("category") or ""))
            point = self._point(feature)
            if kind in places and point is not None:
                for level_id in self._levels_of(feature) or list(self.levels):
                    places[kind][level_id].append((feature["id"], point))
        lifts = {level_id: [point for _, point in found] for level_id, found in places["lift"].items()}
        entrance_links = 0
        for a in sorted(neighbours):
            for b in sorted(neighbours[a]):
                if a >= b or a not in self.nodes or b not in self.nodes:
                    continue
                na, nb = self.nodes[a], self.nodes[b]
                flat = math.dist((na.x, na.y), (nb.x, nb.y))
                if na.level_id == nb.level_id:
                    self.edges.append(Edge(a=a, b=b, kind="walk", length_m=round(flat, 2)))
                elif OUTDOOR_LEVEL_ID in (na.level_id, nb.level_id):
                    entrance_links += 1
                    self.edges.append(Edge(a=a, b=b, kind="ramp", length_m=round(flat, 2)))
                else:
                    storeys = abs(self.levels[na.level_id]["ordinal"] - self.levels[nb.level_id]["ordinal"]) or 1
                    near_lift = any(math.dist((n.x, n.y), p) <= LIFT_SNAP_M
                                    for n in (na, nb) for p in lifts.get(n.level_id, []))
                    kind = "lift" if near_lift else "stairs"
                    self.edges.append(Edge(
                        a=a, b=b, kind=kind, length_m=round(flat + STOREY_M * storeys, 2),
                        seconds=BOARDING_SECONDS[kind] + CONNECTOR_SECONDS_PER_STOREY[kind] * storeys,
                    ))
        if entrance_links:
            report.note(say("{count} links join the outdoor paths to a building level: imported as entrances "
                            "(ramps); the archive does not say whether they have steps", count=entrance_links))
        self._shafts(places)
        for link in self.raw["navPathAssocieted"]:
            props = link.get("properties") or {}
            node_id, place_id = props.get("pathNode_id"), props.get("associeted_id")
            if isinstance(node_id, str) and isinstance(place_id, str) and node_id in self.nodes:
                self.linked.setdefault(place_id, node_id)

    def _shafts(self, places: dict[str, dict[str, list[tuple[str, tuple[float, float]]]]]) -> None:
        """navPath joins a lift's (or a staircase's) floors one to the next: each chain of such
        links (sharing a node, or stops a few metres apart on a floor) is one connector with every
        stop joined to every other, so a route
        rides it once ("Take the lift to B5") rather than floor by floor. Its id is that of a
        lift or stairs amenity at one of its stops, when there is one."""
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def find(key: tuple[str, str]) -> tuple[str, str]:
            parent.setdefault(key, key)
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        changes = [i for i, e in enumerate(self.edges) if e.kind in ("lift", "stairs")]
        ends: dict[tuple[str, str], set[str]] = defaultdict(set)
        for i in changes:
            edge = self.edges[i]
            parent[find((edge.kind, edge.a))] = find((edge.kind, edge.b))
            for node_id in (edge.a, edge.b):
                ends[(edge.kind, self.nodes[node_id].level_id)].add(node_id)
        for (kind, _), found in ends.items():  # a shaft's stops on one floor are a few metres apart at most
            found_list = sorted(found)
            for n, a in enumerate(found_list):
                for b in found_list[n + 1:]:
                    if math.dist((self.nodes[a].x, self.nodes[a].y), (self.nodes[b].x, self.nodes[b].y)) <= LIFT_SNAP_M:
                        parent[find((kind, a))] = find((kind, b))
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i in changes:
            groups[find((self.edges[i].kind, self.edges[i].a))].append(i)
        joined = 0
        for (kind, _), members in groups.items():
            stops = sorted({node_id for i in members for node_id in (self.edges[i].a, self.edges[i].b)})
            connector_id = next((feature_id for stop in stops for feature_id, point in sorted(
                places[kind].get(self.nodes[stop].level_id, []))
                if math.dist((self.nodes[stop].x, self.nodes[stop].y), point) <= LIFT_SNAP_M),
                _compound_id(kind, stops[0]))
            present = {frozenset((self.edges[i].a, self.edges[i].b)) for i in members}
            pairs = [(a, b) for n, a in enumerate(stops) for b in stops[n + 1:]
                     if self.nodes[a].level_id != self.nodes[b].level_id]
            for a, b in pairs:
                na, nb = self.nodes[a], self.nodes[b]
                storeys = abs(self.levels[na.level_id]["ordinal"] - self.levels[nb.level_id]["ordinal"]) or 1
                edge = Edge(a=a, b=b, kind=kind, connector_id=connector_id,
                            length_m=round(math.dist((na.x, na.y), (nb.x, nb.y)) + STOREY_M * storeys, 2),
                            seconds=BOARDING_SECONDS[kind] + CONNECTOR_SECONDS_PER_STOREY[kind] * storeys)
                if frozenset((a, b)) in present:
                    for i in members:
                        if frozenset((self.edges[i].a, self.edges[i].b)) == frozenset((a, b)):
                            self.edges[i] = edge
                else:
                    self.edges.append(edge)
                    joined += 1
        if joined:
            self.report.note(say("{count} lifts and staircases joined floor to floor in navPath are each one connector "
                                 "({rides} rides past a floor added)", count=len(groups), rides=joined))

    def _built_graph(self) -> None:
        """No walkable graph in the archive: a node in each unit, one at each door, doors
        joined to the units they open into, touching walkways joined to each other."""
        report = self.report
        report.graph_source = say("built from units and openings (the archive has no path graph)")
        grids: dict[str, _Grid] = defaultdict(lambda: _Grid(20.0))
        boxes = {unit.id: _box(unit.ring, DOOR_SNAP_M) for unit in self.units.values()}
        for unit in self.units.values():
            grids[unit.level_id].add(unit.id, boxes[unit.id])
            if unit.category not in ("opentobelow", "structure", "nonpublic"):
                self.nodes[unit.id] = Node(id=unit.id, level_id=unit.level_id, x=round(unit.centre[0], 2),
                                           y=round(unit.centre[1], 2))
                self.place_node[unit.id] = unit.id

        def join(a: str, b: str) -> None:
            na, nb = self.nodes[a], self.nodes[b]
            self.edges.append(Edge(a=a, b=b, length_m=round(math.dist((na.x, na.y), (nb.x, nb.y)), 2)))

        doors_of: dict[str, list[str]] = defaultdict(list)
        for opening in self.raw["opening"]:
            level_id = (opening.get("properties") or {}).get("level_id")
            point = self._point(opening)
            if level_id not in self.levels or point is None:
                report.add("opening.geojson", opening["id"], say("no line or an unknown level; left out"),
                           self._about("opening", opening))
                continue
            into = [unit_id for unit_id in grids[level_id].near(point) if unit_id in self.nodes
                    and boxes[unit_id][0] <= point[0] <= boxes[unit_id][2]
                    and boxes[unit_id][1] <= point[1] <= boxes[unit_id][3]
                    and _distance_to_ring(point, self.units[unit_id].ring) <= DOOR_SNAP_M]
            if not into:
                report.add("opening.geojson", opening["id"], say("opens into no unit; left out"),
                           self._about("opening", opening))
                continue
            self.nodes[opening["id"]] = Node(id=opening["id"], level_id=level_id, x=round(point[0], 2),
                                             y=round(point[1], 2))
            self.place_node[opening["id"]] = opening["id"]
            for unit_id in dict.fromkeys(into):
                join(opening["id"], unit_id)
                doors_of[unit_id].append(opening["id"])
        walkways = [unit for unit in self.units.values() if unit.category == "walkway"]
        walk_grids: dict[str, _Grid] = defaultdict(lambda: _Grid(20.0))
        for unit in walkways:
            walk_grids[unit.level_id].add(unit.id, _box(unit.ring, TOUCH_M))
        joined: set[tuple[str, str]] = set()
        for unit in walkways:
            for point in unit.ring:
                for other in walk_grids[unit.level_id].near(point):
                    pair = (min(unit.id, other), max(unit.id, other))
                    if other == unit.id or pair in joined:
                        continue
                    if _distance_to_ring(point, self.units[other].ring) <= TOUCH_M:
                        joined.add(pair)
                        join(*pair)
        doorless = []
        by_level: dict[str, list[_Unit]] = defaultdict(list)
        for unit in walkways:
            by_level[unit.level_id].append(unit)
        for unit in self.units.values():
            if unit.id in self.nodes and unit.category != "walkway" and not doors_of.get(unit.id):
                nearest = min(by_level.get(unit.level_id, []), default=None,
                              key=lambda w: _distance_to_ring(unit.centre, w.ring))
                if nearest is not None:
                    join(unit.id, nearest.id)
                    doorless.append(unit.id)
        if doorless:
            report.note(say("{count} units have no opening: each was joined to the nearest walkway (e.g. {examples})",
                            count=len(doorless), examples=doorless[:MAX_EXAMPLES]))
        self.doors_of = doors_of

    def _stop_node(self, reference, relationship_id: str) -> tuple[str, str, str] | None:
        """(node id, level id, referenced feature id) of a relationship's stop, making a node
        joined to the nearest path node when the graph has none there."""
        if not isinstance(reference, dict) or not isinstance(reference.get("id"), str):
            return None
        feature_id = reference["id"]
        if feature_id in self.place_node:
            node = self.nodes[self.place_node[feature_id]]
            return node.id, node.level_id, feature_id
        feature = next((f for name in ("unit", "opening", "amenity") for f in self.raw[name]
                        if f["id"] == feature_id), None) if feature_id not in self.units else None
        if feature_id in self.units:
            unit = self.units[feature_id]
            level_id, point = unit.level_id, unit.centre
        elif feature is not None:
            levels = self._levels_of(feature)
            point = self._point(feature)
            if not levels or point is None:
                return None
            level_id = levels[0]
        else:
            return None
        node_id = f"{relationship_id}@{feature_id}"
        on_level = [n for n in self.nodes.values() if n.level_id == level_id]
        self.nodes[node_id] = Node(id=node_id, level_id=level_id, x=round(point[0], 2), y=round(point[1], 2))
        if on_level:
            nearest = min(on_level, key=lambda n: math.dist((n.x, n.y), point))
            length = round(math.dist((nearest.x, nearest.y), point), 2)
            self.edges.append(Edge(a=node_id, b=nearest.id, length_m=length))
        self.place_node[feature_id] = node_id
        return node_id, level_id, feature_id

    def _relationships(self) -> None:
        """Connector edges from relationship.geojson: each relationship one connector."""
        report = self.report
        amenity_of_unit: dict[str, dict] = {}
        for amenity in self.raw["amenity"]:
            for unit_id in (amenity.get("properties") or {}).get("unit_ids") or []:
                if isinstance(unit_id, str):
                    amenity_of_unit.setdefault(unit_id, amenity)
        connectors = 0
        for relationship in self.raw["relationship"]:
            props = relationship.get("properties") or {}
            category = str(props.get("category") or "")
            kind = RELATIONSHIP_KINDS.get(category)
            if kind is None:
                report.add("relationship.geojson", relationship["id"],
                    say("category {category!r} is not a way between places; left out", category=category))
                continue
            references = [props.get("origin"), *(props.get("intermediary") or []), props.get("destination")]
            stops = []
            for reference in references:
                stop = self._stop_node(reference, relationship["id"])
                if stop is None:
                    report.add("relationship.geojson", relationship["id"],
                               say("{category}: refers to {reference!r}, which is not a usable unit, opening or "
                                   "amenity; "
                                   "that stop is left out", category=category, reference=reference))
                    continue
                stops.append(stop)
            if len(stops) < 2:
                report.add("relationship.geojson", relationship["id"],
                    say("{category}: fewer than two usable stops; left out", category=category))
                continue
            directed = props.get("direction") == "directed"
            connectors += 1
            if kind == "walk":
                pairs = list(zip(stops, stops[1:], strict=False))
            elif kind in ("lift", "stairs"):
                pairs = [(a, b) for i, a in enumerate(stops) for b in stops[i + 1:]]
            else:
                pairs = list(zip(stops, stops[1:], strict=False))
            for (a, level_a, _), (b, level_b, _) in pairs:
                na, nb = self.nodes[a], self.nodes[b]
                flat = math.dist((na.x, na.y), (nb.x, nb.y))
                storeys = abs(self.levels[level_a]["ordinal"] - self.levels[level_b]["ordinal"])
                if kind == "walk":
                    self.edges.append(Edge(a=a, b=b, kind="walk", length_m=round(flat, 2), directed=directed,
                                           connector_id=relationship["id"]))
                    continue
                self.edges.append(Edge(
                    a=a, b=b, kind=kind, length_m=round(flat + STOREY_M * storeys, 2),
                    seconds=BOARDING_SECONDS[kind] + CONNECTOR_SECONDS_PER_STOREY[kind] * max(1, storeys),
                    directed=directed, connector_id=relationship["id"]))
            if kind == "walk":
                continue
            for node_id, level_id, feature_id in stops:
                if feature_id not in self.units:
                    continue
                unit = self.units[feature_id]
                amenity = amenity_of_unit.get(feature_id)
                name = _facility_name((amenity or {}).get("properties", {}).get("name") if amenity else None, kind) \
                    or _facility_name(unit.props.get("name"), kind) or FACILITY_WORDS[kind]
                self.facility_units.add(feature_id)
                if amenity is not None:
                    self.facility_units.add(amenity["id"])
                self.facilities.append(Facility(id=_compound_id(relationship["id"], feature_id), kind=kind, name=name,
                                                level_id=level_id, node_id=node_id))
        if connectors:
            report.note(
                say("{count} connectors (lifts, escalators, stairs, ramps) from relationship.geojson",
                    count=connectors))

    def _pieces(self) -> None:
        parent = {node_id: node_id for node_id in self.nodes}

        def find(node_id: str) -> str:
            while parent[node_id] != node_id:
                parent[node_id] = parent[parent[node_id]]
                node_id = parent[node_id]
            return node_id

        for edge in self.edges:
            ra, rb = find(edge.a), find(edge.b)
            if ra != rb:
                parent[ra] = rb
        groups: dict[str, list[str]] = defaultdict(list)
        for node_id in self.nodes:
            groups[find(node_id)].append(node_id)
        pieces = sorted(groups.values(), key=len, reverse=True)
        self.report.path_pieces = [len(piece) for piece in pieces]
        self.piece_of = {node_id: number for number, piece in enumerate(pieces) for node_id in piece}
        if len(pieces) > 1:
            small = self.report.path_pieces[1:]
            sample = ", ".join(str(size) for size in small[:8]) + (" …" if len(small) > 8 else "")
            self.report.note(
                say("the path graph falls into {count} disconnected pieces: the largest has {largest} nodes; "
                                 "the other {others} ({sizes} nodes) cannot be reached from it", count=len(pieces),
                                 largest=self.report.path_pieces[0], others=len(small), sizes=sample))
        if not self.nodes:
            self.report.note(
                say("the archive has no path graph and no units to build one from: no routes can be found"))

    def _drop_stray_pieces(self, serving: set[str]) -> None:
        """Path pieces that cannot be reached from the main one and serve no store, facility or
        kiosk point are survey leftovers (a stub of corridor, a lone node): left out, and said so.
        A piece that serves a place stays, so the content checks name what cannot be reached."""
        used = {self.piece_of[node_id] for node_id in serving if node_id in self.piece_of}
        stray = {node_id for node_id, piece in self.piece_of.items() if piece != 0 and piece not in used}
        if not stray:
            return
        pieces = len({self.piece_of[node_id] for node_id in stray})
        self.nodes = {node_id: node for node_id, node in self.nodes.items() if node_id not in stray}
        self.edges = [edge for edge in self.edges if edge.a not in stray and edge.b not in stray]
        for level_id, nodes in self.nodes_on_level.items():
            self.nodes_on_level[level_id] = [node for node in nodes if node.id not in stray]
        self.report.note(say("{count} path nodes in {pieces} pieces that serve no store, facility or kiosk point and "
                             "cannot be reached from the main one were left out", count=len(stray), pieces=pieces))

    def _serving_node(self, place_ids: list[str], level_id: str, point: tuple[float, float] | None) -> str | None:
        """The path node of a place: linked by the archive, its door or unit in a built graph,
        else the nearest node on its level (preferring the main piece of the graph)."""
        for place_id in place_ids:
            node_id = self.linked.get(place_id)
            if node_id in self.nodes and self.nodes[node_id].level_id == level_id:
                return node_id
        for place_id in place_ids:
            doors = getattr(self, "doors_of", {}).get(place_id)
            if doors:
                return min(doors, key=lambda d: math.dist((self.nodes[d].x, self.nodes[d].y), point)
                           if point else 0.0)
            if place_id in self.place_node and self.nodes[self.place_node[place_id]].level_id == level_id:
                return self.place_node[place_id]
        candidates = self.nodes_on_level.get(level_id)
        if not candidates or point is None:
            return None
        self.nearest_used += 1
        return min(candidates, key=lambda n: (self.piece_of.get(n.id, 0) != 0, math.dist(point, (n.x, n.y)))).id

    def _stores(self) -> tuple[list[Store], dict[str, Category]]:
        raw, report = self.raw, self.report
        self.nearest_used = 0
        anchors = {anchor["id"]: anchor for anchor in raw["anchor"]}
        addresses = {address["id"]: address for address in raw["address"]}
        categories: dict[str, Category] = {}
        stores: list[Store] = []
        self.store_of_unit: dict[str, str] = {}
        for occupant in raw["occupant"]:
            props = occupant.get("properties") or {}
            name = _text(props.get("name"))
            anchor = anchors.get(props.get("anchor_id") or "")
            anchor_props = (anchor or {}).get("properties") or {}
            unit = self.units.get(anchor_props.get("unit_id") or "")
            if name is None:
                report.add("occupant.geojson", occupant["id"], say("has no name; left out"))
                continue
            if anchor is None:
                report.add("occupant.geojson", occupant["id"],
                    say("its anchor {anchor!r} is not in anchor.geojson; left out",
                               anchor=props.get("anchor_id")), say("store {name}", name=name.get("en")))
                continue
            if unit is None:
                report.add("anchor.geojson", anchor["id"],
                    say("its unit {unit!r} is not a usable unit; the store is left out",
                               unit=anchor_props.get("unit_id")), say("store {name}", name=name.get("en")))
                continue
            level_id = unit.level_id
            point = self._point(anchor) or unit.centre
            node_id = self._serving_node([occupant["id"], anchor["id"], unit.id], level_id, point)
            if node_id is None:
                report.add("occupant.geojson", occupant["id"], say("no path node on its level; left out"),
                           say("store {name}, level {level}",
                               name=name.get("en"), level=self.levels[level_id]["short"]))
                continue
            number, source = self._unit_number(occupant, anchor_props, addresses, unit)
            report.unit_sources[source] += 1
            category_id = str(props.get("category") or "unspecified")[:64]
            categories.setdefault(category_id, self.categories.get(category_id) or Category(
                id=category_id, name=I18nText(zh_CN=category_id.replace(".", " "), en=category_id.replace(".", " "))))
            phone = props.get("phone") if isinstance(props.get("phone"), str) else ""
            stores.append(Store(id=occupant["id"], name=name, category_id=category_id, level_id=level_id,
                                unit=number[:32], node_id=node_id, phone=phone[:32]))
            self.store_of_unit.setdefault(unit.id, occupant["id"])
        return stores, categories

    def _unit_number(self, occupant: dict, anchor_props: dict, addresses: dict, unit: _Unit) -> tuple[str, str]:
        """The number on the door, and where it was found."""
        address = addresses.get(anchor_props.get("address_id") or "")
        candidates = [
            ((address or {}).get("properties") or {}).get("unit"),
            (occupant.get("properties") or {}).get("correlation_id"),
            _plain(unit.props.get("alt_name")),
            _plain(unit.props.get("name")),
            _plain((occupant.get("properties") or {}).get("shortName")),
        ]
        for position, (value, source) in enumerate(zip(candidates, UNIT_NUMBER_SOURCES, strict=True)):
            if not isinstance(value, str) or not value.strip():
                continue
            value = value.strip()
            if position in (2, 3) and not (len(value) <= 16 and any(ch.isdigit() for ch in value)):
                continue  # a unit's name is its number only when it looks like one
            if position == 1 and len(value) > 16:
                continue
            return value, source
        return "", "none"

    def _amenities(self) -> None:
        report = self.report
        skipped: Counter = Counter()
        for feature in self.raw["amenity"]:
            if feature["id"] in self.facility_units:
                continue  # named a connector stop already
            props = feature.get("properties") or {}
            category = str(props.get("category") or "")
            kind = AMENITY_KINDS.get(category)
            if kind is None:
                skipped[category or "(none)"] += 1
                continue
            levels = self._levels_of(feature)
            if not levels:
                report.add("amenity.geojson", feature["id"], say("no level (level_id or unit_ids); left out"),
                           self._about("amenity", feature))
                continue
            level_id = levels[0]
            node_id = self._serving_node([feature["id"], *(props.get("unit_ids") or [])], level_id,
                                         self._point(feature))
            if node_id is None:
                report.add("amenity.geojson", feature["id"], say("no path node on its level; left out"),
                           self._about("amenity", feature))
                continue
            self.facilities.append(Facility(id=feature["id"], kind=kind, level_id=level_id, node_id=node_id,
                                            name=_facility_name(props.get("name"), kind) or FACILITY_WORDS[kind]))
        named_units = {uid for f in self.raw["amenity"] for uid in ((f.get("properties") or {}).get("unit_ids") or [])}
        for unit in self.units.values():
            kind = AMENITY_KINDS.get(unit.category)
            if kind not in ("restroom", "accessible_restroom", "nursing_room") or unit.id in named_units \
                    or unit.id in self.facility_units:
                continue
            node_id = self._serving_node([unit.id], unit.level_id, unit.centre)
            if node_id is None:
                skipped[f"{unit.category} unit without a path node"] += 1
                continue
            self.facilities.append(Facility(id=unit.id, kind=kind, level_id=unit.level_id, node_id=node_id,
                                            name=_facility_name(unit.props.get("name"), kind) or FACILITY_WORDS[kind]))
        if skipped:
            report.note(say("amenities not imported: {kinds}", kinds=[
                say("{count} {category}", count=n, category=k) for k, n in skipped.most_common()]))
        if self.nearest_used:
            report.note(say("{count} places are not linked to a path node: each was joined to the nearest node on "
                            "its level", count=self.nearest_used))

    def _connector_facilities(self) -> None:
        """Every lift, escalator, staircase and ramp a path edge rides is a facility the kiosk can
        name and a closure can shut: one is made for each connector the archive left without an
        amenity (a stairs unit, or a shaft of navPath links), named from its unit or amenity,
        else with our catalogued word, and placed at its lowest stop."""
        known = {self.our_ids.get(facility.id, facility.id) for facility in self.facilities}
        known |= {facility.id for facility in self.facilities}
        features = {feature["id"]: feature for feature in self.raw["amenity"] + self.raw["unit"]}
        stops: dict[str, tuple[str, set[str]]] = {}
        for edge in self.edges:
            kind = CONNECTOR_KINDS.get(edge.kind)
            if kind is None or edge.connector_id is None or edge.connector_id in known:
                continue
            stops.setdefault(edge.connector_id, (kind, set()))[1].update((edge.a, edge.b))
        stop_names = {(facility.kind, facility.node_id): facility.name for facility in self.facilities}
        for connector_id, (kind, node_ids) in sorted(stops.items()):
            lowest = min(node_ids, key=lambda n: (self.levels[self.nodes[n].level_id]["ordinal"]
                                                  if self.nodes[n].level_id in self.levels else 0, n))
            props = (features.get(connector_id) or {}).get("properties") or {}
            named_stop = next((stop_names[(kind, node_id)] for node_id in sorted(node_ids)
                               if (kind, node_id) in stop_names), None)
            self.facilities.append(Facility(
                id=connector_id, kind=kind, level_id=self.nodes[lowest].level_id, node_id=lowest,
                name=_facility_name(props.get("name"), kind) or named_stop or FACILITY_WORDS[kind]))
        if stops:
            self.report.note(
                say("{count} lifts, escalators, stairs and ramps are listed as facilities of their own, named "
                                 "from their units (or with our word for them), so route cards name them and "
                                 "closures can shut them", count=len(stops)))

    def _kiosks(self) -> list[KioskPoint]:
        kiosks = []
        for feature in self.raw["kiosk"]:
            props = feature.get("properties") or {}
            levels = self._levels_of(feature)
            name = _text(props.get("name"))
            node_id = self._serving_node([feature["id"]], levels[0], self._point(feature)) if levels else None
            if name is None or node_id is None:
                self.report.add("kiosk.geojson", feature["id"], say("no name, level or path node; left out"))
                continue
            heading = props.get("heading_deg") if isinstance(props.get("heading_deg"), (int, float)) else 0.0
            kiosks.append(KioskPoint(id=feature["id"], name=name, level_id=levels[0], node_id=node_id,
                                     heading_deg=float(heading)))
        return kiosks

    def _level_models(self) -> list[Level]:
        plans: dict[str, list[PlanShape]] = defaultdict(list)
        for level_id, level in self.levels.items():
            if len(level["ring"]) >= 3:
                ring = level["ring"][:-1] if level["ring"][0] == level["ring"][-1] else level["ring"]
                plans[level_id].append(PlanShape(kind="outline", polygon=ring))
        for unit in self.units.values():
            ref = self.store_of_unit.get(unit.id)
            plans[unit.level_id].append(PlanShape(
                kind=UNIT_SHAPE_KINDS.get(unit.category, "unit"), polygon=unit.ring,
                label=_text(unit.props.get("name")), ref=ref))
        models = []
        for level_id, level in sorted(self.levels.items(), key=lambda item: (item[1]["ordinal"], item[1]["short"])):
            models.append(_level(level_id, level["short"], level["ordinal"], level["name"], plans[level_id],
                                 self.nodes_on_level.get(level_id, [])))
        if self.nodes_on_level.get(OUTDOOR_LEVEL_ID):
            models.append(_level(OUTDOOR_LEVEL_ID, "OUT", min(lv["ordinal"] for lv in self.levels.values()),
                                 I18nText(zh_CN="室外", en="Outdoors", zh_TW="室外"), [],
                                 self.nodes_on_level[OUTDOOR_LEVEL_ID]))
        return models


def import_imdf(path: Path | str, mall_id: str | None = None) -> ImportedMap:
    """Read the IMDF archive at `path` (a folder or a .zip). Raises ImdfRefused, whose report
    says why (file, feature, what), when the archive cannot be imported; otherwise the content
    and a report of what was left out."""
    importer = _Importer(Path(path), mall_id)
    content = importer.build() if importer.read() else None
    if content is None or importer.report.refusals:
        raise ImdfRefused(importer.report)
    return ImportedMap(content, importer.report)


def _level(level_id: str, short: str, ordinal: int, name: I18nText, plan: list[PlanShape],
           nodes: list[Node]) -> Level:
    xs = [x for shape in plan for x, _ in shape.polygon] + [n.x for n in nodes] or [0.0]
    ys = [y for shape in plan for _, y in shape.polygon] + [n.y for n in nodes] or [0.0]
    return Level(id=level_id, short_name=short[:16], ordinal=ordinal, name=name, plan=plan,
                 width_m=max(1.0, max(xs)), height_m=max(1.0, max(ys)))
