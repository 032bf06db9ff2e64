"""The IMDF importer on archives built here (imdf_builder): directed escalators, one-step lifts,
unit numbers, Chinese connector names, a graph built from units and openings, damaged archives
refused with the file and feature named; and export → import round trips (the demo mall, the
shared sample)."""
from __future__ import annotations

import json
import math
import zipfile
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imdf_builder import mall_archive, rectangle

from server.content import services as content_services
from server.wayfinding.exports import ExportError, export_version
from server.wayfinding.imdf import ImdfRefused, _segments_cross, import_imdf, self_crossing
from server.wayfinding.imdf_export import export_imdf
from sync.bundle import load_source_bundle
from sync.protocol import MallContent
from venue.index import ContentIndex
from venue.routing.router import Router
from venue.routing.wording import describe_step
from venue.search import search_for

REPOSITORY = Path(__file__).resolve().parents[2]
DEMO = REPOSITORY / "assets" / "demo"
SAMPLE = REPOSITORY.parent / "shared" / "data" / "imdf-polymap"
CATEGORY_WORDS = ("escalator", "elevator", "lift", "stairs", "ramp", "walkway", "movingwalkway", "restroom")


@pytest.fixture(scope="module")
def plain_mall(tmp_path_factory) -> MallContent:
    folder = mall_archive(levels=3).write(tmp_path_factory.mktemp("imdf") / "mall")
    return import_imdf(folder).content


@pytest.fixture(scope="module")
def mall_without_lift(tmp_path_factory) -> MallContent:
    """The same mall with its lift and staircase gone: floors change by escalator only."""
    builder = mall_archive(levels=3, seed="no-lift")
    builder.files["relationship"] = [r for r in builder.files["relationship"]
                                     if r["properties"]["category"] == "escalator"]
    return import_imdf(builder.write(tmp_path_factory.mktemp("imdf") / "escalators")).content


def wrong_way_rides(content: MallContent, node_ids: list[str]) -> list[tuple[str, str]]:
    """Steps of a route that ride an escalator against its direction."""
    forward = {(e.a, e.b) for e in content.graph.edges if e.kind == "escalator" and e.directed}
    escalator_pairs = {frozenset((e.a, e.b)) for e in content.graph.edges if e.kind == "escalator"}
    return [(a, b) for a, b in zip(node_ids, node_ids[1:], strict=False)
            if frozenset((a, b)) in escalator_pairs and (a, b) not in forward]


# ---------------------------------------------------------------- routes over an imported archive
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_directed_escalators_are_never_ridden_backwards(data, plain_mall, mall_without_lift):
    content = data.draw(st.sampled_from([plain_mall, mall_without_lift]))
    router = Router(content)
    origin, destination = data.draw(st.lists(st.sampled_from(content.stores), min_size=2, max_size=2,
                                                   unique_by=lambda store: store.id))
    profile = data.draw(st.sampled_from(["standard", "emergency"]))
    route = router.route(origin.id, destination.id, profile)
    assert route.reachable
    assert wrong_way_rides(content, route.node_ids) == []


def test_escalators_keep_their_direction_on_every_route(mall_without_lift):
    """All pairs, counted: down routes take the down escalators, none rides one backwards."""
    router = Router(mall_without_lift)
    ordinal = {level.id: level.ordinal for level in mall_without_lift.levels}
    rides = Counter()
    for origin in mall_without_lift.stores:
        for destination in mall_without_lift.stores:
            if ordinal[origin.level_id] == ordinal[destination.level_id]:
                continue
            route = router.route(origin.id, destination.id, "standard")
            assert route.reachable and not wrong_way_rides(mall_without_lift, route.node_ids)
            rides.update(step.going for step in route.steps if step.connector_kind == "escalator")
    assert rides["up"] == rides["down"] > 0


def test_a_lift_over_several_levels_is_one_step(plain_mall):
    router = Router(plain_mall)
    first = next(s for s in plain_mall.stores if s.level_id == plain_mall.levels[0].id)
    last = next(s for s in plain_mall.stores if s.level_id == plain_mall.levels[-1].id)
    route = router.route(first.id, last.id, "step_free")
    connectors = [step for step in route.steps if step.kind == "connector"]
    assert len(connectors) == 1 and connectors[0].connector_kind == "lift"
    assert describe_step(connectors[0], "en")[0] == "Take Lift A to 3F"
    assert describe_step(connectors[0], "zh_CN")[0] == "乘A梯到3F"
    lift_ids = {e.connector_id for e in plain_mall.graph.edges if e.kind == "lift"}
    assert len(lift_ids) == 1  # one connector across the three levels


def test_unit_numbers_are_found_wherever_the_archive_holds_them_and_searchable(tmp_path):
    imported = import_imdf(mall_archive(levels=2).write(tmp_path / "mall"))
    content, report = imported.content, imported.report
    assert report.unit_sources == Counter({"address.unit (anchor.address_id)": 4, "occupant correlation_id": 6,
                                           "unit alt_name": 6})
    assert "Unit numbers: 6 from occupant correlation_id" in "\n".join(report.lines())
    search = search_for(ContentIndex(content))
    for store in content.stores:
        assert store.unit
        assert store.id in [hit.store.id for hit in search.search(store.unit)][:3], store.unit


def test_chinese_cards_name_connectors_in_chinese(plain_mall, mall_without_lift):
    for content in (plain_mall, mall_without_lift):
        router = Router(content)
        stores = content.stores
        for origin, destination in ((stores[0], stores[-1]), (stores[-1], stores[0]), (stores[3], stores[12])):
            for profile in ("standard", "emergency", "step_free"):
                route = router.route(origin.id, destination.id, profile)
                for step in route.steps:
                    title, detail = describe_step(step, "zh_CN")
                    text = f"{title} {detail}".lower()
                    assert not [word for word in CATEGORY_WORDS if word in text], text
    names = [f.name.zh_CN for f in mall_without_lift.facilities]
    assert "扶梯" in names and all(name.isascii() is False for name in names)


@pytest.mark.imdf
@pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"the IMDF sample is absent ({SAMPLE}); it sits beside the "
                                                "repository in CI, not in a clone")
def test_the_samples_navpath_lift_is_ridden_once_and_named_in_chinese():
    """navPath joins the lift floor to floor; imported, it is one connector over B1 to B5."""
    imported = import_imdf(SAMPLE)
    content = imported.content
    assert "lifts and staircases joined floor to floor in navPath are each one connector" in "\n".join(
        imported.report.lines())
    level = {lv.short_name: lv.id for lv in content.levels}
    b1 = next(s for s in content.stores if s.level_id == level["B1"])
    b5 = next(s for s in content.stores if s.level_id == level["B5"])
    route = Router(content).route(b1.id, b5.id, "step_free")
    assert [describe_step(step, "zh_CN")[0] for step in route.steps][1:] == ["乘电梯到B5"]
    assert [describe_step(step, "en")[0] for step in route.steps][1:] == ["Take the lift to B5"]
    assert not [f for f in content.facilities if f.name.zh_CN in ("Elevator", "Stairs", "Restroom female")]


def test_a_plain_archive_routes_between_any_two_stores_on_different_levels(plain_mall):
    router = Router(plain_mall)
    for origin in plain_mall.stores:
        for destination in plain_mall.stores:
            if origin.level_id != destination.level_id:
                route = router.route(origin.id, destination.id, "standard")
                assert route.reachable and route.levels()[0] == origin.level_id
                assert route.levels()[-1] == destination.level_id


def test_dry_run_prints_the_report_and_a_summary_and_writes_nothing(tmp_path, db):
    folder = mall_archive(levels=2).write(tmp_path / "mall")
    out = StringIO()
    call_command("import_imdf", str(folder), "--mall", "dry", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "16 stores" in text and "Path graph: built from units and openings" in text
    assert "  2F: 8 stores" in text and "Dry run: nothing was written." in text
    from server.malls.models import Mall
    assert not Mall.objects.filter(pk="dry").exists()


# ---------------------------------------------------------------- damaged archives
def refused(folder: Path) -> str:
    with pytest.raises(ImdfRefused) as caught:
        import_imdf(folder)
    assert caught.value.report.refusals
    return str(caught.value)


def first(builder, file: str, category: str | None = None) -> dict:
    return next(f for f in builder.files[file] if category is None or f["properties"].get("category") == category)


def test_an_unreadable_required_file_refuses_the_import(tmp_path):
    builder = mall_archive(levels=2)
    folder = builder.write(tmp_path / "gbk")
    (folder / "unit.geojson").write_bytes((folder / "unit.geojson").read_text(encoding="utf-8").replace(
        '"room"', '"房间"').encode("gbk"))
    text = refused(folder)
    assert "unit.geojson: is not UTF-8" in text
    (folder / "unit.geojson").write_text("{ junk")
    assert "unit.geojson: is not readable JSON" in refused(folder)
    (folder / "level.geojson").unlink()
    assert "level.geojson: is missing" in refused(folder)


@pytest.mark.parametrize(("bad", "expected"), [
    ([float("nan"), 31.23], "is not finite"),
    ([1e308, 31.23], "is not a longitude/latitude"),
    ([0.0, 0.0], "coordinate (0, 0)"),
])
def test_bad_coordinates_refuse_the_import_naming_the_unit(tmp_path, bad, expected):
    builder = mall_archive(levels=2)
    unit = first(builder, "unit", "room")
    unit["geometry"]["coordinates"][0][2] = bad
    text = refused(builder.write(tmp_path / "bad"))
    assert f"unit.geojson {unit['id']} (level 1F)" in text and expected in text


def test_a_self_crossing_polygon_refuses_the_import(tmp_path):
    builder = mall_archive(levels=2)
    unit = first(builder, "unit", "room")
    ring = unit["geometry"]["coordinates"][0]
    ring[1], ring[2] = ring[2], ring[1]  # a bow tie
    text = refused(builder.write(tmp_path / "bow"))
    assert f"unit.geojson {unit['id']} (level 1F): the polygon crosses itself" in text


def test_self_crossing_finds_a_bow_tie_and_passes_an_l_shape():
    assert self_crossing([(0, 0), (1, 1), (1, 0), (0, 1)]) is not None
    assert self_crossing([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2), (0, 0)]) is None
    assert self_crossing([(0, 0), (1, 0), (1, 1), (0.5, 0), (0, 1)], tolerance=1e-9) is None  # touching


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=4, max_size=40))
def test_self_crossing_agrees_with_checking_every_pair_of_edges(points):
    """The grid (for long rings) finds what checking every pair finds."""
    ring = [(float(x), float(y)) for x, y in points]
    count = len(ring)
    expected = any(_segments_cross(ring[i], ring[(i + 1) % count], ring[j], ring[(j + 1) % count], 1e-9)
                   for i in range(count) for j in range(i + 2, count) if not (i == 0 and j == count - 1))
    assert (self_crossing(ring, tolerance=1e-9) is not None) == expected


def test_a_lone_unit_far_away_is_left_out_not_stretching_the_level(tmp_path):
    builder = mall_archive(levels=2)
    far = builder.add("unit", rectangle(40_000, 40_000, 40_010, 40_010), category="room",
                      level_id=first(builder, "level")["id"])
    imported = import_imdf(builder.write(tmp_path / "far"))
    assert f"unit.geojson {far} (level 1F): lies outside the venue's extent" in "\n".join(imported.report.lines())
    assert max(level.width_m for level in imported.content.levels) < 200


def test_missing_anchors_refuse_the_import(tmp_path):
    builder = mall_archive(levels=2)
    del builder.files["anchor"]
    text = refused(builder.write(tmp_path / "anchorless"))
    assert "anchor.geojson: is missing or unreadable, so none of the 16 occupants can be placed" in text
    occupant = first(builder, "occupant")
    assert f"occupant {occupant['id']} Shop 1F-1" in text


def test_anchors_that_place_no_store_refuse_rather_than_publish_no_stores(tmp_path):
    builder = mall_archive(levels=2)
    for anchor in builder.files["anchor"]:
        anchor["properties"]["unit_id"] = "00000000-0000-0000-0000-000000000000"
    text = refused(builder.write(tmp_path / "unplaced"))
    anchor = first(builder, "anchor")
    assert f"anchor.geojson {anchor['id']} (store Shop 1F-1): its unit" in text
    assert "no store could be placed" in text


@pytest.mark.parametrize("version", ["2.0.0", None])
def test_a_manifest_of_another_version_is_refused(tmp_path, version):
    builder = mall_archive(levels=2)
    builder.manifest["version"] = version
    text = refused(builder.write(tmp_path / "v2"))
    assert f"manifest.json: version {version!r}: only IMDF 1.0.0 can be imported" in text


def test_the_import_command_refuses_with_the_report(tmp_path, db):
    builder = mall_archive(levels=2)
    builder.manifest["version"] = "0.9"
    with pytest.raises(CommandError, match="only IMDF 1.0.0"):
        call_command("import_imdf", str(builder.write(tmp_path / "old")), "--dry-run", stdout=StringIO())


# ---------------------------------------------------------------- export → import
def comparable(content: MallContent) -> dict:
    """The content without its ids (IMDF ids are UUIDs): levels, stores, facilities, kiosk
    points, the path graph's edges and a route between every pair of levels."""
    short = {level.id: level.short_name for level in content.levels}
    router = Router(content)
    nodes = {node.id: node for node in content.graph.nodes}
    by_level: dict[str, list] = {}
    for store in sorted(content.stores, key=lambda s: (s.unit, s.name.zh_CN)):
        by_level.setdefault(short[store.level_id], []).append(store)
    routes = []
    for a in sorted(by_level):
        for b in sorted(by_level):
            route = router.route(by_level[a][0].id, by_level[b][-1].id, "standard")
            routes.append((a, b, route.reachable, round(route.seconds, 1),
                           [(s.connector_kind, s.connector_name.zh_CN if s.connector_name else "", s.to_floor)
                            for s in route.steps]))
    return {
        "levels": sorted((lv.short_name, lv.ordinal, lv.name) for lv in content.levels),
        "stores": sorted((s.name.zh_CN, s.name.en, s.unit, short[s.level_id], s.category_id, s.phone)
                         for s in content.stores),
        "facilities": sorted((f.kind, f.name.zh_CN, f.name.en, short[f.level_id]) for f in content.facilities),
        "kiosks": sorted((k.name.zh_CN, short[k.level_id], k.heading_deg) for k in content.kiosks),
        "edges": Counter((e.kind, e.directed, e.seconds, round(e.length_m, 1),
                          short[nodes[e.a].level_id], short[nodes[e.b].level_id]) for e in content.graph.edges),
        "routes": routes,
    }


def assert_same_places(again: MallContent, content: MallContent) -> None:
    """Our extension carries our ids: the same stores, facilities, kiosk points, levels,
    categories and path graph, id for id."""
    def by_id(items) -> list:
        return sorted(items, key=lambda item: item.id)

    def store(s) -> tuple:
        return (s.id, s.name, s.unit, s.level_id, s.category_id, s.node_id, s.phone)

    assert sorted(map(store, again.stores)) == sorted(map(store, content.stores))
    assert by_id(again.facilities) == by_id(content.facilities)
    assert by_id(again.kiosks) == by_id(content.kiosks)
    assert by_id(again.categories) == by_id(content.categories)
    assert sorted((lv.id, lv.short_name, lv.ordinal, lv.name.model_dump()) for lv in again.levels) == sorted(
        (lv.id, lv.short_name, lv.ordinal, lv.name.model_dump()) for lv in content.levels)
    assert again.graph == content.graph and again.mall.id == content.mall.id


def round_trip(content: MallContent, tmp_path: Path) -> MallContent:
    archive = tmp_path / "export.zip"
    counts = export_imdf(content, archive)
    assert {"manifest.json", "venue.geojson", "level.geojson", "unit.geojson", "occupant.geojson",
            "anchor.geojson", "address.geojson", "concierge_path.geojson"} <= set(
        zipfile.ZipFile(archive).namelist())
    assert counts["occupant"] == len(content.stores)
    return import_imdf(archive, mall_id=content.mall.id).content


def test_the_demo_mall_survives_export_and_import(tmp_path):
    content = load_source_bundle(DEMO).content
    again = round_trip(content, tmp_path)
    assert comparable(again) == comparable(content)
    assert_same_places(again, content)
    relationships = json.loads(zipfile.ZipFile(tmp_path / "export.zip").read("relationship.geojson"))["features"]
    directions = Counter((r["properties"]["category"], r["properties"]["direction"]) for r in relationships)
    assert directions[("escalator", "directed")] == 8 and directions[("elevator", "undirected")] == 2


@pytest.mark.imdf
@pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"the IMDF sample is absent ({SAMPLE}); it sits beside the "
                                                "repository in CI, not in a clone")
def test_the_shared_sample_survives_export_and_import(tmp_path):
    content = import_imdf(SAMPLE).content
    again = round_trip(content, tmp_path)
    assert comparable(again) == comparable(content)
    assert_same_places(again, content)
    assert len(again.stores) == 264


def test_a_plain_archive_survives_export_and_import(tmp_path, plain_mall):
    again = round_trip(plain_mall, tmp_path)
    assert comparable(again) == comparable(plain_mall)
    assert_same_places(again, plain_mall)


def test_export_command_writes_a_published_version(tmp_path, db):
    bundle = load_source_bundle(DEMO)
    mall = content_services.import_mall_content(bundle.content, bundle.blobs).mall
    content_services.publish(mall)
    out = StringIO()
    call_command("export_imdf", str(tmp_path / "demo.zip"), "--mall", mall.id, stdout=out)
    assert "version 1" in out.getvalue()
    imported = import_imdf(tmp_path / "demo.zip", mall_id=mall.id)
    assert comparable(imported.content) == comparable(bundle.content)
    with pytest.raises(ExportError, match="no published version 7"):
        export_version(mall.id, 7)
    with pytest.raises(CommandError, match="no published version"):
        call_command("export_imdf", str(tmp_path / "x.zip"), "--mall", "nowhere", stdout=StringIO())


def test_coordinates_are_longitude_latitude_around_the_reference(tmp_path, plain_mall):
    export_imdf(plain_mall, tmp_path / "plain.zip")
    venue = json.loads(zipfile.ZipFile(tmp_path / "plain.zip").read("venue.geojson"))["features"][0]
    lon, lat = venue["geometry"]["coordinates"][0][0]
    assert math.isclose(lon, 121.4737) and math.isclose(lat, 31.2304)
