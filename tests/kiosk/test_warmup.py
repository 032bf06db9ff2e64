"""A new content version's search index and route trees are ready before a visitor asks."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from kiosk.ime import PinyinLexicon
from kiosk.warmup import prepare_in_background
from sync.bundle import load_source_bundle
from venue.index import ContentIndex
from venue.routing.graph import PROFILES
from venue.routing.router import router_for
from venue.search import search_for

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "assets" / "demo"


def test_the_search_index_and_the_trees_from_the_kiosk_are_built_ahead():
    content = load_source_bundle(DEMO).content
    index = ContentIndex(content)
    point = content.kiosks[0]

    prepare_in_background(content, index, point.id).join(timeout=60)

    router = router_for(content)
    source = router.graph.index[point.node_id]
    assert {profile_id for (built_from, profile_id) in router.graph._trees if built_from == source} == set(PROFILES)
    prepared = search_for(index)
    assert search_for(index) is prepared, "the keystroke reuses the prepared index"
    assert [hit.store.id for hit in prepared.search(content.stores[0].name.en)][:1] == [content.stores[0].id]


def test_the_deepest_points_of_the_floor_the_map_opens_on_are_found_ahead():
    """Where the names of the kiosk's floor go (most of a dense floor's first placing), turned
    the way the kiosk faces, is kept for the map's plan; other floors wait for their first view."""
    from venue.plan_labels import LABELLED_KINDS, shape_pole_kept

    content = load_source_bundle(DEMO).content
    index = ContentIndex(content)
    point = content.kiosks[0]

    prepare_in_background(content, index, point.id).join(timeout=60)

    def named(level_id: str) -> list:
        return [shape for shape in index.level(level_id).plan
                if shape.kind in LABELLED_KINDS and len(shape.polygon) >= 3]

    def kept(shape) -> bool:
        return shape_pole_kept(shape, point.heading_deg)

    assert named(point.level_id) and all(kept(shape) for shape in named(point.level_id))
    other = next(level.id for level in index.levels() if level.id != point.level_id)
    assert not any(kept(shape) for shape in named(other))


def test_a_kiosk_point_off_the_path_graph_still_gets_its_search_index():
    content = load_source_bundle(DEMO).content
    content.kiosks[0].node_id = "nowhere"
    index = ContentIndex(content)

    prepare_in_background(content, index, content.kiosks[0].id).join(timeout=60)

    assert router_for(content).graph._trees == {}
    assert search_for(index).index is index


def test_a_failure_ahead_is_logged_and_left_to_first_use(caplog):
    content = load_source_bundle(DEMO).content
    with caplog.at_level(logging.ERROR, logger="kiosk.warmup"):
        prepare_in_background(content, None, None).join(timeout=60)
    assert "preparing the search index and routes ahead failed" in caplog.text


def test_the_input_methods_dictionaries_are_loaded_ahead_too():
    content = load_source_bundle(DEMO).content
    index = ContentIndex(content)

    preparation = prepare_in_background(content, index, None)
    preparation.join(timeout=60)

    assert preparation.finished_at is not None
    assert PinyinLexicon._shared is not None, "the first pinyin keystroke reuses the loaded lexicon"
    assert "pypinyin" in sys.modules


def test_what_the_first_frame_imports_leaves_the_dictionaries_for_later():
    """The app module, the store and the input-method module stay clear of the heavy imports
    (pypinyin loads its phrase dictionaries at import, sqlite-utils pulls in plugins)."""
    script = (
        "import sys\n"
        "import kiosk.ime, kiosk.store, screens.app\n"
        "heavy = {'pypinyin', 'Pinyin2Hanzi', 'opencc', 'rapidfuzz', 'sqlite_utils', 'venue.search'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
