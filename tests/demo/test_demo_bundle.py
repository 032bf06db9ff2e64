"""sync/bundle.py: loading source bundles (and their errors) and validate_content's checks, on
small hand-made malls."""
from __future__ import annotations

import copy
import io
import json
import time

import pytest
from PIL import Image

from sync.bundle import BundleError, SourceBundle, load_source_bundle, sniff_media_type, validate_content
from sync.protocol import MallContent, sha256_hex


def text(zh: str, en: str = "") -> dict:
    return {"zh_CN": zh, "en": en or zh, "zh_TW": zh}


def tiny_mall() -> dict:
    """Two levels joined by a lift and an up escalator; a kiosk on 1F; one store per level.

    1F: kiosk - c1 - door-a, c1 - lift1, c1 - esc1          2F: c2 - door-b, c2 - lift2, c2 - esc2
    """
    nodes = [
        ("kiosk", "1f", 0, 0), ("c1", "1f", 5, 0), ("door-a", "1f", 5, 3), ("lift1", "1f", 10, 0),
        ("esc1", "1f", 5, -3), ("c2", "2f", 5, 0), ("door-b", "2f", 5, 3), ("lift2", "2f", 10, 0),
        ("esc2", "2f", 5, -8),
    ]
    walk = [("kiosk", "c1"), ("c1", "door-a"), ("c1", "lift1"), ("c1", "esc1"),
            ("c2", "door-b"), ("c2", "lift2"), ("c2", "esc2")]
    edges = [{"a": a, "b": b, "kind": "walk", "length_m": 3.0} for a, b in walk]
    edges.append({"a": "lift1", "b": "lift2", "kind": "lift", "length_m": 5.0, "seconds": 120,
                  "connector_id": "lift-1f"})
    edges.append({"a": "esc1", "b": "esc2", "kind": "escalator", "length_m": 12.0, "seconds": 45,
                  "directed": True, "connector_id": "esc-up"})
    return {
        "mall": {"id": "tiny", "name": text("小小广场", "Tiny Plaza"),
                 "hours": [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "open": "10:00", "close": "22:00"}],
                 "service_desk_id": "desk"},
        "levels": [
            {"id": "1f", "short_name": "1F", "ordinal": 0, "name": text("一层"), "width_m": 20, "height_m": 20,
             "plan": [{"kind": "unit", "polygon": [[0, 3], [10, 3], [10, 8]], "ref": "shop-a"}]},
            {"id": "2f", "short_name": "2F", "ordinal": 1, "name": text("二层"), "width_m": 20, "height_m": 20},
        ],
        "categories": [{"id": "food", "name": text("餐饮", "Food")}],
        "stores": [
            {"id": "shop-a", "name": text("甲店"), "category_id": "food", "level_id": "1f", "unit": "1F-01",
             "node_id": "door-a"},
            {"id": "shop-b", "name": text("乙店"), "category_id": "food", "level_id": "2f", "unit": "2F-01",
             "node_id": "door-b"},
        ],
        "facilities": [
            {"id": "desk", "kind": "service_desk", "name": text("服务台"), "level_id": "1f", "node_id": "c1"},
            {"id": "lift-1f", "kind": "lift", "name": text("电梯"), "level_id": "1f", "node_id": "lift1"},
            {"id": "lift-2f", "kind": "lift", "name": text("电梯"), "level_id": "2f", "node_id": "lift2"},
            {"id": "esc-up", "kind": "escalator", "name": text("扶梯"), "level_id": "1f", "node_id": "esc1"},
        ],
        "promotions": [
            {"id": "p1", "title": text("促销"), "text": text("内容"), "image_sha256": "a" * 64,
             "store_id": "shop-a", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
             "target": {"level_ids": ["1f"], "kiosk_ids": ["k1"]}},
        ],
        "graph": {"nodes": [{"id": i, "level_id": lv, "x": x, "y": y} for i, lv, x, y in nodes], "edges": edges},
        "kiosks": [{"id": "k1", "name": text("一层"), "level_id": "1f", "node_id": "kiosk"}],
    }


def problems_of(document: dict) -> list[str]:
    return validate_content(MallContent.model_validate(document))


def test_tiny_mall_is_valid():
    assert problems_of(tiny_mall()) == []


def _edge(doc, a, b):
    return next(e for e in doc["graph"]["edges"] if (e["a"], e["b"]) == (a, b))


def _drop_edge(doc, a, b):
    doc["graph"]["edges"].remove(_edge(doc, a, b))


BROKEN = {
    "store on an unknown level": (lambda d: d["stores"][0].update(level_id="9f"), "store shop-a: unknown level '9f'"),
    "facility on an unknown level": (lambda d: d["facilities"][0].update(level_id="9f"),
                                     "facility desk: unknown level '9f'"),
    "node on an unknown level": (lambda d: d["graph"]["nodes"].append({"id": "x", "level_id": "9f", "x": 0, "y": 0}),
                                 "node x: unknown level '9f'"),
    "store with an unknown node": (lambda d: d["stores"][1].update(node_id="ghost"),
                                   "store shop-b: unknown node 'ghost'"),
    "kiosk with an unknown node": (lambda d: d["kiosks"][0].update(node_id="ghost"),
                                   "kiosk point k1: unknown node 'ghost'"),
    "store whose node is on another level": (lambda d: d["stores"][1].update(node_id="door-a"),
                                             "store shop-b is on 2F but its node door-a is on 1F"),
    "store with an unknown category": (lambda d: d["stores"][0].update(category_id="toys"), "unknown category 'toys'"),
    "edge to an unknown node": (lambda d: _edge(d, "c2", "door-b").update(b="ghost"), "unknown node 'ghost'"),
    "duplicate store id": (lambda d: d["stores"].append(copy.deepcopy(d["stores"][0])), "duplicate store id 'shop-a'"),
    "duplicate node id": (lambda d: d["graph"]["nodes"].append(dict(d["graph"]["nodes"][0])),
                          "duplicate node id 'kiosk'"),
    "duplicate level id": (lambda d: d["levels"].append(dict(d["levels"][1], plan=[])), "duplicate level id '2f'"),
    "store and facility sharing an id": (lambda d: d["facilities"][0].update(id="shop-a"),
                                         "both a store and a facility"),
    "door joined to no path": (lambda d: _drop_edge(d, "c2", "door-b"),
                               "level 2F: 1 path node is joined to no path of the rest of the mall: door-b"),
    "store reachable only by escalator": (lambda d: _drop_edge(d, "lift1", "lift2"),
                                          "cannot be reached step-free from kiosk point k1: shop-b (2F-01)"),
    "store reachable only by stairs": (lambda d: _edge(d, "lift1", "lift2").update(kind="stairs", connector_id=None),
                                       "cannot be reached step-free from kiosk point k1: shop-b"),
    "one-way lift pointing away": (lambda d: _edge(d, "lift1", "lift2").update(a="lift2", b="lift1", directed=True),
                                   "cannot be reached step-free from kiosk point k1: shop-b"),
    "escalator that is not one-way": (lambda d: _edge(d, "esc1", "esc2").update(directed=False),
                                      "an escalator runs one way"),
    "walk edge between levels": (lambda d: d["graph"]["edges"].append(
        {"a": "c1", "b": "c2", "kind": "walk", "length_m": 4}), "a walk edge joins two levels"),
    "negative length": (lambda d: _edge(d, "kiosk", "c1").update(length_m=-1), "is not a distance"),
    "connector that is not a facility": (lambda d: _edge(d, "lift1", "lift2").update(connector_id="lift-z"),
                                         "unknown connector facility 'lift-z'"),
    "connector of the wrong kind": (lambda d: _edge(d, "lift1", "lift2").update(connector_id="esc-up"),
                                    "connector 'esc-up' is a escalator, not a lift"),
    "unknown service desk": (lambda d: d["mall"].update(service_desk_id="nowhere"), "mall service desk 'nowhere'"),
    "service desk that is a lift": (lambda d: d["mall"].update(service_desk_id="lift-1f"),
                                    "is a lift, not a service_desk"),
    "unknown closed connector": (lambda d: d.update(closed_connectors=["lift-z"]), "closed connector 'lift-z'"),
    "plan shape for an unknown store": (lambda d: d["levels"][0]["plan"][0].update(ref="shop-z"),
                                        "unknown store or facility 'shop-z'"),
    "promotion for an unknown store": (lambda d: d["promotions"][0].update(store_id="shop-z"),
                                       "promotion p1: unknown store 'shop-z'"),
    "promotion ending before it starts": (lambda d: d["promotions"][0].update(ends_on="2025-01-01"),
                                          "ends on 2025-01-01 before it starts"),
    "promotion for an unknown kiosk": (lambda d: d["promotions"][0]["target"].update(kiosk_ids=["k9"]),
                                       "targets unknown kiosk point 'k9'"),
    "promotion with a bad hour": (lambda d: d["promotions"][0].update(hours_from="6pm"), "hours_from '6pm'"),
    "promotion on no weekday": (lambda d: d["promotions"][0].update(weekdays=[]), "never shown"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_validate_content_catches(case):
    document = tiny_mall()
    breaks, expected = BROKEN[case]
    breaks(document)
    problems = problems_of(document)
    assert any(expected in problem for problem in problems), problems


def test_a_level_split_into_wings_joined_by_a_lift_is_one_walkable_mall():
    """2F's store wing is reached only by its own lift from 1F (as a mezzanine is): no path
    problem, and a wheelchair still reaches the store."""
    document = tiny_mall()
    _drop_edge(document, "c2", "door-b")
    document["graph"]["nodes"].append({"id": "lift-wing", "level_id": "1f", "x": 0, "y": 3})
    document["graph"]["edges"] += [
        {"a": "c1", "b": "lift-wing", "kind": "walk", "length_m": 5.0},
        {"a": "lift-wing", "b": "door-b", "kind": "lift", "length_m": 5.0, "seconds": 60, "connector_id": "lift-1f"}]
    assert problems_of(document) == []


def test_reachability_falls_back_to_the_service_desk_without_kiosks():
    document = tiny_mall()
    document["kiosks"] = []
    document["promotions"][0]["target"]["kiosk_ids"] = []
    _drop_edge(document, "lift1", "lift2")
    problems = problems_of(document)
    assert any("from the service desk desk" in problem for problem in problems), problems


def test_validation_is_fast_on_a_large_graph():
    """A 300 x 200 grid (60,000 nodes, ~120,000 edges) on one level, every node a store door."""
    document = tiny_mall()
    width, height = 300, 200
    nodes = [{"id": f"g{x}-{y}", "level_id": "1f", "x": x * 0.05, "y": y * 0.05}
             for x in range(width) for y in range(height)]
    edges = [{"a": f"g{x}-{y}", "b": f"g{x + 1}-{y}", "length_m": 0.05}
             for x in range(width - 1) for y in range(height)]
    edges += [{"a": f"g{x}-{y}", "b": f"g{x}-{y + 1}", "length_m": 0.05}
              for x in range(width) for y in range(height - 1)]
    edges.append({"a": "g0-0", "b": "kiosk", "length_m": 1})
    document["graph"]["nodes"] += nodes
    document["graph"]["edges"] += edges
    document["stores"] += [{"id": f"s{k}", "name": text("店"), "category_id": "food", "level_id": "1f",
                            "unit": f"1F-{k}", "node_id": node["id"]} for k, node in enumerate(nodes[::10])]
    content = MallContent.model_validate(document)
    started = time.perf_counter()
    problems = validate_content(content)
    elapsed = time.perf_counter() - started
    assert problems == []
    assert elapsed < 5, f"validate_content took {elapsed:.2f} s"


# ---------------------------------------------------------------- loading bundles
def png_bytes(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(out, "PNG")
    return out.getvalue()


def write_bundle(directory, document: dict, files: dict[str, bytes] | None = None):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "mall.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    for name, data in (files or {}).items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(data)
    return directory


def test_load_replaces_image_names_by_their_hashes(tmp_path):
    document = tiny_mall()
    document["promotions"][0]["image_sha256"] = "images/promo.png"
    document["promotions"].append(dict(document["promotions"][0], id="p2"))
    document["stores"][0]["logo_sha256"] = "images/logo.png"
    promo, logo = png_bytes(), png_bytes((0, 90, 200))
    write_bundle(tmp_path, document, {"images/promo.png": promo, "images/logo.png": logo})

    bundle = load_source_bundle(tmp_path)
    assert isinstance(bundle, SourceBundle)
    content, blobs = bundle
    assert content.promotions[0].image_sha256 == content.promotions[1].image_sha256 == sha256_hex(promo)
    assert content.stores[0].logo_sha256 == sha256_hex(logo)
    assert blobs == {sha256_hex(promo): (promo, "image/png"), sha256_hex(logo): (logo, "image/png")}
    assert validate_content(content) == []
    assert MallContent.model_validate_json(content.model_dump_json()) == content


def test_missing_mall_json(tmp_path):
    with pytest.raises(BundleError) as raised:
        load_source_bundle(tmp_path)
    assert raised.value.file.endswith("mall.json") and "not found" in str(raised.value)


def test_invalid_json_names_the_line(tmp_path):
    (tmp_path / "mall.json").write_text('{"mall": {"id": "x",\n  oops}', encoding="utf-8")
    with pytest.raises(BundleError) as raised:
        load_source_bundle(tmp_path)
    assert raised.value.field == "line 2 column 3"
    assert "mall.json" in str(raised.value) and "invalid JSON" in str(raised.value)


def test_model_validation_failure_names_the_field(tmp_path):
    document = tiny_mall()
    del document["stores"][1]["name"]
    write_bundle(tmp_path, document)
    with pytest.raises(BundleError) as raised:
        load_source_bundle(tmp_path)
    assert raised.value.field == "stores[1].name"
    assert "mall.json: stores[1].name: Field required" in str(raised.value)


def test_missing_image_names_the_field_and_file(tmp_path):
    document = tiny_mall()
    document["promotions"][0]["image_sha256"] = "images/nowhere.png"
    write_bundle(tmp_path, document)
    with pytest.raises(BundleError) as raised:
        load_source_bundle(tmp_path)
    assert raised.value.field == "promotions[0].image_sha256"
    assert "images/nowhere.png" in raised.value.message and "not found" in raised.value.message


def test_image_outside_the_bundle_is_refused(tmp_path):
    (tmp_path / "secret.png").write_bytes(png_bytes())
    document = tiny_mall()
    document["promotions"] = []
    document["stores"][0]["logo_sha256"] = "../secret.png"
    write_bundle(tmp_path / "bundle", document)
    with pytest.raises(BundleError) as raised:
        load_source_bundle(tmp_path / "bundle")
    assert raised.value.field == "stores[0].logo_sha256" and "outside" in raised.value.message


def test_a_file_that_is_not_an_image_is_refused(tmp_path):
    document = tiny_mall()
    document["promotions"][0]["image_sha256"] = "images/promo.png"
    write_bundle(tmp_path, document, {"images/promo.png": b"hello, I am text"})
    with pytest.raises(BundleError) as raised:
        load_source_bundle(tmp_path)
    assert "not a PNG, JPEG, WebP, GIF or SVG image" in raised.value.message


@pytest.mark.parametrize("data, media_type", [
    (b"\x89PNG\r\n\x1a\n....", "image/png"), (b"\xff\xd8\xff\xe0....", "image/jpeg"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"), (b"GIF89a....", "image/gif"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
    (b"%PDF-1.7", None),
])
def test_sniff_media_type(data, media_type):
    assert sniff_media_type(data) == media_type
