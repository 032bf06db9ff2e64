"""The layout's arrows hold (docs/architecture.md): screens → kiosk → venue, sync; server apps →
venue, sync and toward `server.malls`; no cycle anywhere; the pure packages stay pure."""
from __future__ import annotations

from pathlib import Path

import pytest
from architecture import PACKAGES, all_imports, cycles, describe, unit_graph, unit_of

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = all_imports(ROOT)

PURE = ("venue", "kiosk", "sync")
"""Packages that run on the kiosk and the server alike, or before any UI exists: no Kivy, no Django."""
FORBIDDEN_IN_PURE = ("kivy", "django", "ninja")
APP_ENTRY_POINT = "kiosk.__main__"
"""The one module outside `screens` that may import it: `python -m kiosk run` starts the UI there."""
ALLOWED = {
    "venue": {"sync"},
    "sync": set(),
    "kiosk": {"venue", "sync", "screens"},  # screens: only from the entry point (checked below)
    "screens": {"kiosk", "venue", "sync"},
}
GRAPH = unit_graph(ROOT, [item for item in IMPORTS
                          if not (item.source == APP_ENTRY_POINT and item.target.split(".")[0] == "screens")])
"""The arrows between units; the entry point composes the app, so its arrow to screens is no arrow."""


def _where(items) -> str:
    return "\n".join(f"  {item.path.relative_to(ROOT)}:{item.line} imports {item.target}" for item in items)


def test_the_graph_was_read():
    assert len(IMPORTS) > 1000
    units = set(GRAPH) | {target for targets in GRAPH.values() for target in targets}
    assert {"venue", "kiosk", "screens", "sync", "server.malls", "server.cases"} <= units


def test_no_cycle_between_top_level_packages_or_server_apps():
    found = cycles(GRAPH)
    assert found == [], "\n\n".join(describe(GRAPH, component, ROOT) for component in found)


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_neither_kivy_nor_django(package):
    bad = [item for item in IMPORTS
           if unit_of(item.source, ROOT) == package and item.target.split(".")[0] in FORBIDDEN_IN_PURE]
    assert bad == [], _where(bad)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_what_the_layout_allows(package):
    bad = [item for item in IMPORTS if unit_of(item.source, ROOT) == package
           and (unit_of(item.target, ROOT) or "").split(".")[0] not in ALLOWED[package] | {package, ""}]
    assert bad == [], _where(bad)


def test_only_the_app_entry_point_imports_screens():
    bad = [item for item in IMPORTS if item.target.split(".")[0] == "screens"
           and unit_of(item.source, ROOT) != "screens" and item.source != APP_ENTRY_POINT]
    assert bad == [], _where(bad)


def test_the_malls_app_depends_on_no_other_app():
    above = {target for target in GRAPH.get("server.malls", {}) if target.startswith("server")}
    assert above == set(), describe(GRAPH, ["server.malls", *sorted(above)], ROOT)


def test_server_apps_do_not_import_the_kiosk_or_its_screens():
    bad = [item for item in IMPORTS if (unit_of(item.source, ROOT) or "").startswith("server.")
           and unit_of(item.target, ROOT) in {"kiosk", "screens"}]
    assert bad == [], _where(bad)


def test_a_cycle_is_found_and_named(tmp_path):
    """The checker itself can fail: a made-up tree with a cycle through a function-level import."""
    for package, body in {
        "venue": "from sync import protocol\n",
        "sync": "def later():\n    from kiosk import store\n",
        "kiosk": "from venue import index\n",
    }.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "store.py").write_text(body)
        (tmp_path / package / "index.py").write_text("")
        (tmp_path / package / "protocol.py").write_text("")
    graph = unit_graph(tmp_path, all_imports(tmp_path, ("venue", "sync", "kiosk")))
    found = cycles(graph)
    assert found == [["kiosk", "sync", "venue"]]
    assert "sync -> kiosk: sync/store.py:2" in describe(graph, found[0], tmp_path)


def test_every_package_of_the_layout_exists():
    assert all((ROOT / package / "__init__.py").is_file() for package in PACKAGES)
