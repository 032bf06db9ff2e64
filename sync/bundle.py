"""Source bundles of mall content, and the checks content must pass before it is published.

A source bundle is a directory holding `mall.json` (a MallContent document) and the image files
it names: wherever the content model expects a SHA-256 (Promotion.image_sha256,
Store.logo_sha256) the source file holds a path relative to the directory
("images/promo-coffee.png"). `load_source_bundle` reads the document, replaces each path by the
SHA-256 of the file's bytes and returns the content with its blobs, ready to be published.

`validate_content` lists what is wrong with a MallContent in words a content editor can act on:
dangling references, duplicate ids, a level whose walkways fall apart, a store that a visitor in a
wheelchair cannot reach from a kiosk. Pure Python: the server and the kiosk both import it.
"""
from __future__ import annotations

import json
import math
import re
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar

from pydantic import ValidationError

from sync.protocol import Edge, MallContent, sha256_hex

MALL_FILE = "mall.json"
STEP_FREE_KINDS = frozenset({"walk", "ramp", "lift"})
"""Edge kinds a wheelchair or a pram can use."""
CONNECTOR_KINDS = {"lift": "lift", "escalator": "escalator", "stairs": "stairs", "ramp": "ramp"}
"""Edge kind -> the facility kind its connector_id must name."""
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
MAX_LISTED = 10


class BundleError(ValueError):
    """A source bundle that cannot be loaded; names the file and, where known, the field."""

    def __init__(self, file: Path | str, field: str | None, message: str) -> None:
        self.file = str(file)
        self.field = field
        self.message = message
        where = f"{self.file}: {field}" if field else self.file
        super().__init__(f"{where}: {message}")


class SourceBundle(NamedTuple):
    """A loaded bundle; unpacks as `content, blobs` too."""

    content: MallContent
    """The content with every image reference replaced by the SHA-256 of the image."""
    blobs: dict[str, tuple[bytes, str]]
    """sha256 -> (bytes, media type) of every image the content refers to."""


# ---------------------------------------------------------------- loading
def load_source_bundle(directory: Path) -> SourceBundle:
    """Read `directory`/mall.json and the images it names; raise BundleError on any problem."""
    directory = Path(directory)
    path = directory / MALL_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BundleError(path, None, "file not found") from None
    except OSError as error:
        raise BundleError(path, None, f"cannot be read: {error.strerror or error}") from None
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise BundleError(path, None, f"not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise BundleError(path, f"line {error.lineno} column {error.colno}",
                          f"invalid JSON: {error.msg}") from None
    try:
        content = MallContent.model_validate(document)
    except ValidationError as error:
        raise _validation_error(path, error) from None

    blobs: dict[str, tuple[bytes, str]] = {}
    resolved: dict[str, str] = {}

    def image_hash(reference: str, field: str) -> str:
        if reference not in resolved:
            data, media_type = _read_image(directory, path, reference, field)
            digest = sha256_hex(data)
            blobs[digest] = (data, media_type)
            resolved[reference] = digest
        return resolved[reference]

    for index, promotion in enumerate(content.promotions):
        promotion.image_sha256 = image_hash(promotion.image_sha256, f"promotions[{index}].image_sha256")
    for index, store in enumerate(content.stores):
        if store.logo_sha256:
            store.logo_sha256 = image_hash(store.logo_sha256, f"stores[{index}].logo_sha256")
    return SourceBundle(content=content, blobs=blobs)


def _validation_error(path: Path, error: ValidationError) -> BundleError:
    problems = error.errors()
    first = problems[0]
    field = _field_path(first["loc"])
    message = first["msg"]
    if len(problems) > 1:
        others = "; ".join(f"{_field_path(p['loc'])}: {p['msg']}" for p in problems[1:4])
        more = f" (and {len(problems) - 4} more)" if len(problems) > 4 else ""
        message = f"{message}; also {others}{more}"
    return BundleError(path, field, message)


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _read_image(directory: Path, document: Path, reference: str, field: str) -> tuple[bytes, str]:
    if not reference or Path(reference).is_absolute():
        raise BundleError(document, field, f"{reference!r} is not a file name relative to {directory}")
    base = directory.resolve()
    target = (base / reference).resolve()
    if not target.is_relative_to(base):
        raise BundleError(document, field, f"{reference!r} points outside {directory}")
    try:
        data = target.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise BundleError(document, field, f"image file {reference!r} not found in {directory}") from None
    except OSError as error:
        raise BundleError(document, field, f"image file {reference!r} cannot be read: {error}") from None
    media_type = sniff_media_type(data)
    if media_type is None:
        raise BundleError(document, field, f"{reference!r} is not a PNG, JPEG, WebP, GIF or SVG image")
    return data, media_type


def sniff_media_type(data: bytes) -> str | None:
    """The image media type from the file's first bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return None


# ---------------------------------------------------------------- validation
def validate_content(content: MallContent) -> list[str]:
    """Every problem found in `content`, as sentences; an empty list means it can be published.

    Checks: duplicate ids; references to unknown levels, categories, stores, facilities, kiosk
    points and nodes (including plan shapes, promotions, the service desk and closed
    connectors); nodes placed on another level than what stands on them; edges to unknown
    nodes, with bad lengths, walking between levels, or with a connector of the wrong kind;
    escalators that are not one-way; promotion dates, hours and weekdays; every level's
    walkways (walk and ramp edges) forming one connected piece; and every store and facility
    being reachable from every kiosk point step-free (walk, ramp and lift edges only). Closed
    connectors are not taken out for this: they are a passing state, not a content error.
    """
    problems: list[str] = []
    add = problems.append

    levels = _unique(content.levels, "level", add)
    categories = _unique(content.categories, "category", add)
    stores = _unique(content.stores, "store", add)
    facilities = _unique(content.facilities, "facility", add)
    _unique(content.promotions, "promotion", add)
    kiosks = _unique(content.kiosks, "kiosk point", add)
    nodes = _unique(content.graph.nodes, "node", add)
    for shared in sorted(stores.keys() & facilities.keys()):
        add(f"id {shared!r} is both a store and a facility; plan shapes could not tell them apart")

    level_name = {level.id: level.short_name or level.id for level in content.levels}

    for node in content.graph.nodes:
        if node.level_id not in levels:
            add(f"node {node.id}: unknown level {node.level_id!r}")

    def placed(what: str, item_id: str, level_id: str, node_id: str) -> None:
        if level_id not in levels:
            add(f"{what} {item_id}: unknown level {level_id!r}")
        node = nodes.get(node_id)
        if node is None:
            add(f"{what} {item_id}: unknown node {node_id!r}")
        elif node.level_id != level_id and level_id in levels:
            add(f"{what} {item_id} is on {level_name[level_id]} but its node {node_id} is on "
                f"{level_name.get(node.level_id, node.level_id)}")

    for store in content.stores:
        placed("store", store.id, store.level_id, store.node_id)
        if store.category_id not in categories:
            add(f"store {store.id}: unknown category {store.category_id!r}")
    for facility in content.facilities:
        placed("facility", facility.id, facility.level_id, facility.node_id)
    for kiosk in content.kiosks:
        placed("kiosk point", kiosk.id, kiosk.level_id, kiosk.node_id)

    desk = content.mall.service_desk_id
    if desk is not None:
        if desk not in facilities:
            add(f"mall service desk {desk!r} is not a facility")
        elif facilities[desk].kind != "service_desk":
            add(f"mall service desk {desk!r} is a {facilities[desk].kind}, not a service_desk")
    for connector in content.closed_connectors:
        if connector not in facilities:
            add(f"closed connector {connector!r} is not a facility")

    for level in content.levels:
        for index, shape in enumerate(level.plan):
            if shape.ref is not None and shape.ref not in stores and shape.ref not in facilities:
                add(f"level {level_name[level.id]} plan shape {index} ({shape.kind}): "
                    f"unknown store or facility {shape.ref!r}")
            if len(shape.polygon) < 3:
                add(f"level {level_name[level.id]} plan shape {index} ({shape.kind}): "
                    f"a polygon needs at least 3 points")

    for promotion in content.promotions:
        where = f"promotion {promotion.id}"
        if promotion.store_id is not None and promotion.store_id not in stores:
            add(f"{where}: unknown store {promotion.store_id!r}")
        if promotion.category_id is not None and promotion.category_id not in categories:
            add(f"{where}: unknown category {promotion.category_id!r}")
        for level_id in promotion.target.level_ids:
            if level_id not in levels:
                add(f"{where}: targets unknown level {level_id!r}")
        for kiosk_id in promotion.target.kiosk_ids:
            if kiosk_id not in kiosks:
                add(f"{where}: targets unknown kiosk point {kiosk_id!r}")
        if promotion.ends_on < promotion.starts_on:
            add(f"{where}: ends on {promotion.ends_on} before it starts on {promotion.starts_on}")
        if not promotion.weekdays:
            add(f"{where}: no weekdays, so it is never shown")
        for name in ("hours_from", "hours_to"):
            value = getattr(promotion, name)
            if not HHMM_RE.match(value):
                add(f"{where}: {name} {value!r} is not a time like 18:00")
        if (HHMM_RE.match(promotion.hours_from) and HHMM_RE.match(promotion.hours_to)
                and promotion.hours_from == promotion.hours_to):
            add(f"{where}: hours_from and hours_to are both {promotion.hours_from}, so it is never shown")

    usable_edges: list[Edge] = []
    for index, edge in enumerate(content.graph.edges):
        where = f"edge {index} ({edge.a} → {edge.b}, {edge.kind})"
        missing = [n for n in (edge.a, edge.b) if n not in nodes]
        for node_id in missing:
            add(f"{where}: unknown node {node_id!r}")
        if edge.a == edge.b:
            add(f"{where}: joins a node to itself")
        if not math.isfinite(edge.length_m) or edge.length_m < 0:
            add(f"{where}: length {edge.length_m} m is not a distance")
        if edge.seconds is not None and (not math.isfinite(edge.seconds) or edge.seconds < 0):
            add(f"{where}: {edge.seconds} seconds is not a duration")
        if edge.kind == "escalator" and not edge.directed:
            add(f"{where}: an escalator runs one way; mark it directed (a → b)")
        if edge.connector_id is not None:
            connector_facility = facilities.get(edge.connector_id)
            if connector_facility is None:
                add(f"{where}: unknown connector facility {edge.connector_id!r}")
            elif edge.kind in CONNECTOR_KINDS and connector_facility.kind != CONNECTOR_KINDS[edge.kind]:
                add(f"{where}: connector {edge.connector_id!r} is a {connector_facility.kind}, "
                    f"not a {CONNECTOR_KINDS[edge.kind]}")
        if missing:
            continue
        if edge.kind == "walk" and nodes[edge.a].level_id != nodes[edge.b].level_id:
            add(f"{where}: a walk edge joins two levels; use stairs, escalator, lift or ramp")
        usable_edges.append(edge)

    problems.extend(_walkway_problems(content, nodes, usable_edges, level_name))
    problems.extend(_step_free_problems(content, nodes, usable_edges, level_name))
    return problems


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_Identified)


def _unique(items: Sequence[_Item], what: str, add: Callable[[str], None]) -> dict[str, _Item]:
    """Index items by id, reporting duplicates (the first one wins)."""
    index: dict[str, _Item] = {}
    duplicates: dict[str, int] = defaultdict(int)
    for item in items:
        if item.id in index:
            duplicates[item.id] += 1
        else:
            index[item.id] = item
    for item_id, extra in duplicates.items():
        add(f"duplicate {what} id {item_id!r} ({extra + 1} times)")
    return index


def _listed(ids: list[str]) -> str:
    shown = ", ".join(ids[:MAX_LISTED])
    return shown + (f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else "")


def _walkway_problems(content: MallContent, nodes: dict, edges: list[Edge],
                      level_name: dict[str, str]) -> list[str]:
    """Every path node must belong to the mall's one walkable graph (any edge, either way): a
    piece that no path joins to the rest is a drawing error. A level may be split into pieces
    that only a staircase or a lift joins (a mezzanine, two wings): that is a real building, and
    whether a wheelchair reaches each place is the step-free check's question."""
    parent: dict[str, str] = {node_id: node_id for node_id in nodes}

    def find(node_id: str) -> str:
        root = node_id
        while parent[root] != root:
            root = parent[root]
        while parent[node_id] != root:
            parent[node_id], node_id = root, parent[node_id]
        return root

    for edge in edges:
        ra, rb = find(edge.a), find(edge.b)
        if ra != rb:
            parent[ra] = rb

    sizes: dict[str, int] = defaultdict(int)
    for node_id in nodes:
        sizes[find(node_id)] += 1
    main = max(sizes, key=lambda root: (sizes[root], root)) if sizes else None
    stranded: dict[str, list[str]] = defaultdict(list)
    on_level: set[str] = set()
    for node_id, node in nodes.items():
        on_level.add(node.level_id)
        if find(node_id) != main:
            stranded[node.level_id].append(node_id)
    problems = []
    for level in content.levels:
        name = level_name[level.id]
        if level.id not in on_level:
            problems.append(f"level {name} has no path nodes: nothing on it can be reached")
        elif stranded.get(level.id):
            cut_off = sorted(stranded[level.id])
            nodes_cut_off = "1 path node is" if len(cut_off) == 1 else f"{len(cut_off)} path nodes are"
            problems.append(f"level {name}: {nodes_cut_off} joined to no path of the rest of the mall: "
                            f"{_listed(cut_off)}")
    return problems


def _step_free_problems(content: MallContent, nodes: dict, edges: list[Edge],
                        level_name: dict[str, str]) -> list[str]:
    """Every store and facility must be reachable from every kiosk point without steps."""
    forward: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        if edge.kind in STEP_FREE_KINDS:
            forward[edge.a].append(edge.b)
            if not edge.directed:
                forward[edge.b].append(edge.a)

    origins = [(f"kiosk point {k.id}", k.node_id) for k in content.kiosks if k.node_id in nodes]
    if not origins and content.mall.service_desk_id:
        desk = next((f for f in content.facilities if f.id == content.mall.service_desk_id), None)
        if desk is not None and desk.node_id in nodes:
            origins = [(f"the service desk {desk.id}", desk.node_id)]

    targets = [("store", s.id, s.node_id, s.unit) for s in content.stores if s.node_id in nodes]
    targets += [("facility", f.id, f.node_id, "") for f in content.facilities if f.node_id in nodes]
    problems = []
    for origin_name, origin in origins:
        seen = {origin}
        queue = deque([origin])
        while queue:
            for neighbour in forward[queue.popleft()]:
                if neighbour not in seen:
                    seen.add(neighbour)
                    queue.append(neighbour)
        for what in ("store", "facility"):
            unreachable = [f"{item_id} ({unit or level_name.get(nodes[node_id].level_id, '?')})"
                           for kind, item_id, node_id, unit in targets
                           if kind == what and node_id not in seen]
            if unreachable:
                problems.append(f"{len(unreachable)} {what}{'s' if len(unreachable) > 1 else ''} "
                                f"cannot be reached step-free from {origin_name}: {_listed(unreachable)}")
    return problems
