"""The IMDF importer on the real sample (../shared/data/imdf-polymap) and on broken archives,
and routing over what it imports."""
from __future__ import annotations

import json
import math
import shutil
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest

from server.wayfinding.imdf import ImdfRefused, import_imdf
from venue.routing.router import Router

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "imdf-polymap"
needs_sample = pytest.mark.skipif(
    not SAMPLE.is_dir(), reason=f"the IMDF sample is absent ({SAMPLE}); it sits beside the repository in CI")


@pytest.fixture(scope="module")
def sample():
    if not SAMPLE.is_dir():
        pytest.skip(f"the IMDF sample is absent ({SAMPLE})")
    return import_imdf(SAMPLE)


@needs_sample
@pytest.mark.imdf
def test_the_sample_imports_with_its_problems_named(sample):
    content, report = sample.content, sample.report
    assert content is not None
    assert len(content.stores) == 264 and len(content.graph.nodes) == 2726 - 52
    assert sorted(level.short_name for level in content.levels) == sorted(
        ["A1", "A2", "A3", "B1", "B2", "B3", "B4", "B5", "OUT"])
    assert report.path_pieces[0] == 2674 and len(report.path_pieces) == 19
    text = "\n".join(report.lines())
    assert "the path graph falls into 19 disconnected pieces" in text
    assert "1776 path nodes have no level" in text
    assert "52 path nodes in 18 pieces that serve no store, facility or kiosk point" in text
    assert all(store.node_id in {n.id for n in content.graph.nodes} for store in content.stores)
    kinds = {edge.kind for edge in content.graph.edges}
    assert {"walk", "stairs", "lift"} <= kinds


@needs_sample
@pytest.mark.imdf
def test_routes_between_levels_are_found_where_the_path_graph_joins_them(sample):
    content = sample.content
    router = Router(content)
    index = router.graph.index
    # The importer joins places to the largest piece where it can: walk that piece from a store.
    start = content.stores[0]
    tree = router.graph.tree(index[start.node_id], router.profile("standard"))
    main_piece = {node for node, seconds in zip(router.graph.node_ids, tree.seconds, strict=True)
                  if math.isfinite(seconds)}
    assert len(main_piece) >= 2600
    by_level: dict[str, list] = {}
    for store in content.stores:
        if store.node_id in main_piece:
            by_level.setdefault(store.level_id, []).append(store)
    assert len(by_level) >= 5
    levels = sorted(by_level)
    found = 0
    for a, b in pairwise(levels):
        route = router.route(by_level[a][0].id, by_level[b][-1].id, "standard")
        assert route.reachable
        assert route.levels()[0] == a and route.levels()[-1] == b
        assert [s for s in route.steps if s.kind == "connector"]
        found += 1
    assert found == len(levels) - 1


@needs_sample
@pytest.mark.imdf
def test_a_place_in_a_cut_off_piece_is_reported_unreachable_not_crashed(sample):
    from sync.protocol import Facility, I18nText, Node

    content = sample.content
    level_id = content.stores[0].level_id
    stranded = Node(id="island-node", level_id=level_id, x=1.0, y=1.0)
    island = Facility(id="island", kind="information", name=I18nText(zh_CN="孤岛"), level_id=level_id,
                      node_id=stranded.id)
    graph = content.graph.model_copy(update={"nodes": [*content.graph.nodes, stranded]})
    content = content.model_copy(update={"facilities": [*content.facilities, island], "graph": graph})
    route = Router(content).route(content.stores[0].id, "island", "standard")
    assert not route.reachable


@needs_sample
@pytest.mark.imdf
def test_a_zipped_archive_imports_the_same(tmp_path, sample):
    archive = tmp_path / "venue.imdf.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in [*SAMPLE.glob("*.geojson"), SAMPLE / "manifest.json"]:
            bundle.write(path, f"venue/{path.name}")
    zipped = import_imdf(archive)
    assert zipped.content.model_dump() == sample.content.model_dump()


# ---------------------------------------------------------------- broken archives
def test_an_empty_folder_is_refused_not_crashed(tmp_path):
    with pytest.raises(ImdfRefused) as refused:
        import_imdf(tmp_path)
    assert "level.geojson: is missing" in str(refused.value)


def test_a_file_that_is_not_an_archive_is_refused(tmp_path):
    path = tmp_path / "venue.zip"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ImdfRefused) as refused:
        import_imdf(path)
    assert "venue.zip: neither a folder nor a readable .zip" in str(refused.value)


def write(folder: Path, name: str, features) -> None:
    (folder / f"{name}.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def test_bad_features_are_skipped_and_named(tmp_path):
    level = {"id": "L0", "feature_type": "level", "geometry": {"type": "Polygon", "coordinates": [
        [[30.0, 60.0], [30.001, 60.0], [30.001, 60.001], [30.0, 60.001], [30.0, 60.0]]]},
        "properties": {"name": {"en": "Ground"}, "short_name": {"en": "G"}, "ordinal": 0}}
    write(tmp_path, "level", [level, {"id": "L-bad", "properties": {"ordinal": "first"}}, {"no": "id"}])
    write(tmp_path, "navPath", [
        {"id": "n1", "geometry": {"type": "Point", "coordinates": [30.0002, 60.0002]},
         "properties": {"level_id": "L0", "neighbours": ["n2", "ghost"]}},
        {"id": "n2", "geometry": {"type": "Point", "coordinates": [30.0004, 60.0002]},
         "properties": {"level_id": "L0", "neighbours": ["n1"]}},
        {"id": "n3", "geometry": None, "properties": {"level_id": "L0"}},
        {"id": "n4", "geometry": {"type": "Point", "coordinates": [30.0, 60.0]}, "properties": {"level_id": "L9"}},
    ])
    (tmp_path / "manifest.json").write_text('{"version": "1.0.0"}')
    write(tmp_path, "unit", [{"id": "u1", "geometry": level["geometry"], "properties": {"level_id": "L0",
                                                                                      "category": "room"}},
                             {"id": "u2", "geometry": None, "properties": {"level_id": "L0"}}])
    write(tmp_path, "anchor", [{"id": "a1", "geometry": {"type": "Point", "coordinates": [30.0003, 60.0002]},
                                "properties": {"unit_id": "u1"}}])
    write(tmp_path, "occupant", [{"id": "o1", "properties": {"name": {"en": "Shop"}, "anchor_id": "a1"}},
                                 {"id": "o2", "properties": {"name": {"en": "Lost"}, "anchor_id": "missing"}}])
    imported = import_imdf(tmp_path, mall_id="tiny")
    lines = "\n".join(imported.report.lines())
    content = imported.content
    assert [level.short_name for level in content.levels] == ["G"] and [s.id for s in content.stores] == ["o1"]
    assert {node.id for node in content.graph.nodes} == {"n1", "n2"}
    assert len(content.graph.edges) == 1 and content.graph.edges[0].length_m == pytest.approx(11.1, abs=0.3)
    for expected in ("level.geojson L-bad: no whole-number ordinal", "features without an id",
                     "navPath.geojson n3: no point", "navPath.geojson n4: unknown level L9",
                     "unit.geojson u2 (level G): no polygon or an unknown level",
                     "1 path links name a node that is not in the archive",
                     "occupant.geojson o2 (store Lost): its anchor 'missing' is not in anchor.geojson"):
        assert expected in lines


def test_a_copied_sample_without_links_imports_and_without_anchors_is_refused(tmp_path):
    if not SAMPLE.is_dir():
        pytest.skip(f"the IMDF sample is absent ({SAMPLE})")
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder)
    (folder / "navPathAssocieted.geojson").unlink()
    imported = import_imdf(folder)
    assert len(imported.content.stores) == 264
    assert "places are not linked to a path node" in "\n".join(imported.report.lines())
    (folder / "anchor.geojson").write_text('{"type": "FeatureCollection", "features": 7}')
    with pytest.raises(ImdfRefused) as refused:
        import_imdf(folder)
    text = str(refused.value)
    assert "anchor.geojson: has no feature list" in text
    assert "anchor.geojson: is missing or unreadable, so none of the 264 occupants can be placed" in text
