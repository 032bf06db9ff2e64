"""The committed demo mall (assets/demo): it loads, validates, has what the product needs to
show, and is exactly what assets/demo/generate.py writes."""
from __future__ import annotations

import importlib.util
import io
import json
import math
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from PIL import Image

from sync.bundle import load_source_bundle, validate_content

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "assets" / "demo"
GENERATOR = DEMO / "generate.py"
LEVEL_IDS = ["b1", "1f", "2f", "3f", "4f"]


def _load_module(name: str):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMO / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundle():
    return load_source_bundle(DEMO)


@pytest.fixture(scope="module")
def content(bundle):
    return bundle.content


@pytest.fixture(scope="module")
def committed_year() -> int:
    document = json.loads((DEMO / "mall.json").read_text(encoding="utf-8"))
    return min(int(p["starts_on"][:4]) for p in document["promotions"])


@pytest.fixture(scope="module")
def generated_twice(tmp_path_factory, committed_year):
    """Run the generator into two fresh directories, with the committed file's base year."""
    outs = []
    for run in ("first", "second"):
        out = tmp_path_factory.mktemp(f"demo-{run}")
        subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--year", str(committed_year)],
                       check=True, capture_output=True, cwd=str(REPO), timeout=240)
        outs.append(out)
    return outs


# ---------------------------------------------------------------- loads and validates
def test_committed_mall_loads_and_validates_without_problems(content):
    assert validate_content(content) == []


def test_counts(content):
    assert len(content.levels) >= 5
    assert len(content.stores) >= 120
    assert len(content.promotions) >= 6
    assert len(content.categories) >= 10
    assert len(content.kiosks) >= 3
    assert 800 <= len(content.graph.nodes) <= 3000


def test_levels_have_local_names_and_ordinals(content):
    levels = {level.id: level for level in content.levels}
    assert [levels[i].short_name for i in LEVEL_IDS] == ["B1", "1F", "2F", "3F", "4F"]
    assert [levels[i].ordinal for i in LEVEL_IDS] == [-1, 0, 1, 2, 3]
    for level in content.levels:
        assert level.name.zh_CN and level.name.en and level.name.zh_TW
        assert level.width_m > 0 and level.height_m > 0


def test_stores_spread_over_every_level(content):
    per_level = Counter(store.level_id for store in content.stores)
    assert set(per_level) == set(LEVEL_IDS)
    assert min(per_level.values()) >= 15


def test_every_store_has_three_languages_and_details(content):
    units = Counter()
    levels = {level.id: level.short_name for level in content.levels}
    categories = {category.id for category in content.categories}
    for store in content.stores:
        for field in (store.name, store.description):
            assert field.zh_CN.strip() and field.en.strip() and field.zh_TW.strip(), store.id
        assert store.category_id in categories
        assert re.fullmatch(rf"{levels[store.level_id]}-F?\d{{2}}", store.unit), store.unit
        assert re.fullmatch(r"021-\d{8}", store.phone), store.phone
        assert store.keywords
        units[store.unit] += 1
    assert max(units.values()) == 1


def test_categories_have_three_languages_and_icons(content):
    ids = {category.id for category in content.categories}
    assert {"fashion", "shoes_bags", "beauty", "jewellery", "sports", "kids", "digital", "home",
            "restaurants", "cafes", "supermarket", "services", "entertainment"} <= ids
    for category in content.categories:
        assert category.name.zh_CN and category.name.en and category.name.zh_TW and category.icon


def test_traditional_chinese_differs_where_characters_differ(content):
    hanzi = _load_module("hanzi_traditional")
    simplified_only = set(hanzi.CHARS)
    changed = 0
    for store in content.stores:
        zh, tw = store.name.zh_CN, store.name.zh_TW
        assert tw == hanzi.to_traditional(zh)
        needs_change = any(ch in simplified_only for ch in zh) or any(p in zh for p in hanzi.PHRASES)
        if needs_change:
            assert tw != zh, store.id
            changed += 1
        assert not (set(tw) & simplified_only), (store.id, tw)
        assert len(tw) == len(zh)
    assert changed >= 60
    names = {store.id: store.name.zh_TW for store in content.stores}
    assert content.mall.name.zh_TW == "星河匯購物中心"
    assert names["old-street-noodles"] == "老街牛肉麵"
    assert names["evertime-watches"] == "恆時鐘錶"
    assert names["clean-press"] == "潔淨乾洗"
    assert names["silk-strand"] == "青絲美髮沙龍"
    assert names["rice-ball-co"] == "米粒飯糰"


def test_opening_hours_vary(content):
    by_id = {store.id: store for store in content.stores}
    assert [(r.open, r.close) for r in content.mall.hours] == [("10:00", "22:00")]
    assert by_id["harvest-joy-market"].hours[0].open == "09:00"
    cinema_closes = {r.close for r in by_id["galaxy-cinemas"].hours}
    assert "24:00" in cinema_closes and any(c < "06:00" for c in cinema_closes)
    closed_one_day = [s.id for s in content.stores
                      if s.hours and len({d for r in s.hours for d in r.weekdays}) < 7]
    assert closed_one_day


# ---------------------------------------------------------------- facilities
BRIEF_KINDS = {"restroom", "accessible_restroom", "nursing_room", "service_desk", "lift", "escalator",
               "stairs", "exit", "parking_pay", "atm", "charging", "wheelchair_lending",
               "stroller_lending", "first_aid"}


def test_every_facility_kind_is_present(content):
    kinds = {facility.kind for facility in content.facilities}
    assert BRIEF_KINDS <= kinds


def test_facilities_per_level(content):
    kinds_on = defaultdict(Counter)
    for facility in content.facilities:
        kinds_on[facility.level_id][facility.kind] += 1
    for level in LEVEL_IDS:
        assert kinds_on[level]["restroom"] >= 1
        assert kinds_on[level]["accessible_restroom"] >= 1
        assert kinds_on[level]["lift"] >= 2
        assert kinds_on[level]["stairs"] >= 1
    assert kinds_on["1f"]["exit"] >= 3
    assert kinds_on["b1"]["exit"] >= 1 and kinds_on["b1"]["parking_pay"] >= 1


def test_service_desk_lends_wheelchairs_and_strollers(content):
    facilities = {facility.id: facility for facility in content.facilities}
    desk = facilities[content.mall.service_desk_id]
    assert desk.kind == "service_desk" and desk.level_id == "1f"
    lending = [f for f in content.facilities if f.kind in ("wheelchair_lending", "stroller_lending")]
    assert {f.kind for f in lending} == {"wheelchair_lending", "stroller_lending"}
    assert all(f.node_id == desk.node_id for f in lending)


def test_two_lift_shafts_serve_every_level(content):
    nodes = {node.id: node for node in content.graph.nodes}
    served = defaultdict(set)
    for edge in content.graph.edges:
        if edge.kind == "lift":
            served[edge.connector_id] |= {nodes[edge.a].level_id, nodes[edge.b].level_id}
            assert 100 <= edge.seconds <= 200
    assert len(served) >= 2
    assert all(levels == set(LEVEL_IDS) for levels in served.values())
    names = {f.name.en for f in content.facilities if f.kind == "lift"}
    assert any("Lift A" in n for n in names) and any("car park" in n for n in names)


def test_escalators_are_directed_pairs_between_consecutive_levels(content):
    nodes = {node.id: node for node in content.graph.nodes}
    facilities = {facility.id: facility for facility in content.facilities}
    ordinal = {level.id: level.ordinal for level in content.levels}
    pairs = Counter()
    for edge in content.graph.edges:
        if edge.kind != "escalator":
            continue
        assert edge.directed
        assert 30 <= edge.seconds <= 60
        escalator = facilities[edge.connector_id]
        assert escalator.kind == "escalator" and escalator.node_id == edge.a
        start, end = ordinal[nodes[edge.a].level_id], ordinal[nodes[edge.b].level_id]
        assert abs(start - end) == 1
        pairs[(min(start, end), "up" if end > start else "down")] += 1
    for low in range(-1, 3):
        assert pairs[(low, "up")] == 1 and pairs[(low, "down")] == 1


# ---------------------------------------------------------------- graph and plan
def test_walk_edge_lengths_come_from_coordinates(content):
    nodes = {node.id: node for node in content.graph.nodes}
    for edge in content.graph.edges:
        if edge.kind == "walk":
            a, b = nodes[edge.a], nodes[edge.b]
            assert a.level_id == b.level_id
            assert edge.length_m == pytest.approx(math.hypot(a.x - b.x, a.y - b.y), abs=0.02)
            assert 0.3 <= edge.length_m <= 10


def test_nodes_lie_on_their_level(content):
    size = {level.id: (level.width_m, level.height_m) for level in content.levels}
    for node in content.graph.nodes:
        width, height = size[node.level_id]
        assert 0 <= node.x <= width and 0 <= node.y <= height


def test_landmarks_near_connectors(content):
    nodes = {node.id: node for node in content.graph.nodes}
    landmarks = [node for node in content.graph.nodes if node.landmark]
    assert {"the fountain", "the atrium escalators"} <= {node.landmark.en for node in landmarks}
    for facility in content.facilities:
        if facility.kind in ("lift", "escalator"):
            here = nodes[facility.node_id]
            nearest = min(math.hypot(n.x - here.x, n.y - here.y) for n in landmarks
                          if n.level_id == here.level_id)
            assert nearest <= 15, facility.id


def test_plans_draw_every_store_and_the_landmarks(content):
    store_ids = {store.id for store in content.stores}
    drawn = set()
    for level in content.levels:
        kinds = Counter(shape.kind for shape in level.plan)
        assert kinds["outline"] == 1 and kinds["corridor"] >= 2 and kinds["unit"] >= 15
        assert kinds["atrium"] + kinds["void"] >= 1
        drawn |= {shape.ref for shape in level.plan if shape.kind == "unit"}
    assert drawn == store_ids
    landmark_labels = {shape.label.en for level in content.levels for shape in level.plan
                       if shape.kind == "landmark"}
    assert "Fountain" in landmark_labels and any("sculpture" in label for label in landmark_labels)


def test_kiosk_points(content):
    kiosks = {kiosk.id: kiosk for kiosk in content.kiosks}
    assert kiosks["lobby-1f"].level_id == "1f"
    assert {kiosk.level_id for kiosk in content.kiosks} >= {"b1", "1f", "3f"}
    for kiosk in content.kiosks:
        assert 0 <= kiosk.heading_deg < 360 and kiosk.name.zh_TW


# ---------------------------------------------------------------- promotions and images
def test_promotions_vary_in_schedule_and_target(content):
    promotions = content.promotions
    assert any(p.weekdays == [5, 6] for p in promotions)
    assert any((p.hours_from, p.hours_to) == ("18:00", "22:00") for p in promotions)
    assert any(p.target.level_ids == ["b1"] for p in promotions)
    assert len({(p.starts_on, p.ends_on) for p in promotions}) >= 2
    assert len({p.priority for p in promotions}) >= 3
    for p in promotions:
        assert p.title.zh_CN and p.title.en and p.title.zh_TW and p.text.zh_CN and p.text.en and p.text.zh_TW
        assert p.store_id or p.category_id or p.priority <= 3  # mall-wide ones rank low


def test_promotion_images_are_full_hd_and_small(bundle):
    total = 0
    for promotion in bundle.content.promotions:
        data, media_type = bundle.blobs[promotion.image_sha256]
        assert media_type in ("image/png", "image/jpeg")
        assert Image.open(io.BytesIO(data)).size == (1920, 1080)
    for data, _media_type in bundle.blobs.values():
        total += len(data)
    assert total < 3_000_000


def test_logos_are_images(bundle):
    logos = [store.logo_sha256 for store in bundle.content.stores if store.logo_sha256]
    assert logos
    for sha in logos:
        data, media_type = bundle.blobs[sha]
        assert media_type == "image/png" and Image.open(io.BytesIO(data)).size == (256, 256)


# ---------------------------------------------------------------- the generator
def test_generator_is_deterministic(generated_twice):
    first, second = generated_twice
    assert (first / "mall.json").read_bytes() == (second / "mall.json").read_bytes()
    first_images = sorted(p.name for p in (first / "images").iterdir())
    assert first_images == sorted(p.name for p in (second / "images").iterdir())
    for name in first_images:
        assert (first / "images" / name).read_bytes() == (second / "images" / name).read_bytes(), name


def test_committed_output_is_what_the_generator_writes(generated_twice):
    generated = generated_twice[0]
    assert (generated / "mall.json").read_text(encoding="utf-8") == (DEMO / "mall.json").read_text(encoding="utf-8"), \
        "assets/demo/mall.json is stale: run python assets/demo/generate.py --year <its year>"
    assert sorted(p.name for p in (generated / "images").iterdir()) == \
        sorted(p.name for p in (DEMO / "images").iterdir())


def test_promotion_dates_follow_the_base_year(tmp_path):
    generate = _load_module("generate")
    builder = generate.MallBuilder(2031)
    wide = next(spec for spec in generate.PROMOTIONS if spec.window == "wide")
    assert builder.promotion_dates(wide) == ("2031-01-01", "2032-12-31")
