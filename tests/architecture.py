"""The import graph of the tree, read from the `ast` of every module (imports inside functions too).

Nodes are the layout's units: top-level packages (`venue`, `kiosk`, `screens`, `sync`, `server`)
and, inside the server, each Django app (`server.cases`…). The tests in test_architecture.py
check the arrows the layout promises (docs/architecture.md).
"""
from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("venue", "kiosk", "screens", "sync", "server")


@dataclass(frozen=True)
class Import:
    source: str
    """The importing module's dotted name."""
    target: str
    """The imported module's dotted name (for `from a import b`: `a.b` when that is a module)."""
    path: Path
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def imports_in(root: Path, path: Path) -> list[Import]:
    module = module_name(root, path)
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, path, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node.level, node.module) if node.level else (node.module or "")
            found.append(Import(module, base, path, node.lineno))
            found += [Import(module, f"{base}.{alias.name}", path, node.lineno) for alias in node.names
                      if (root / Path(*f"{base}.{alias.name}".split("."))).with_suffix(".py").is_file()
                      or (root / Path(*f"{base}.{alias.name}".split("."))).is_dir()]
    return found


def all_imports(root: Path, packages: tuple[str, ...] = PACKAGES) -> list[Import]:
    found: list[Import] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found += imports_in(root, path)
    return found


def unit_of(module: str, root: Path) -> str | None:
    """The layout unit a module belongs to: `server.<app>` for a Django app, else its top package."""
    parts = module.split(".")
    if parts[0] not in PACKAGES:
        return None
    if parts[0] == "server" and len(parts) > 1 and (root / "server" / parts[1] / "apps.py").is_file():
        return f"server.{parts[1]}"
    return parts[0]


def unit_graph(root: Path, imports: list[Import]) -> dict[str, dict[str, list[Import]]]:
    """unit → unit it imports → the imports that make the arrow (for the failure message)."""
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for item in imports:
        source, target = unit_of(item.source, root), unit_of(item.target, root)
        if source and target and source != target:
            graph[source][target].append(item)
    return graph


def cycles(graph: dict[str, dict[str, list[Import]]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in graph.get(node, {}):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe(graph: dict[str, dict[str, list[Import]]], component: list[str], root: Path) -> str:
    """Every arrow inside a cycle, with the first import that makes it."""
    lines = []
    for source in component:
        for target, items in sorted(graph[source].items()):
            if target in component:
                first = items[0]
                where = f"{first.path.relative_to(root)}:{first.line}"
                lines.append(f"{source} -> {target}: {where} ({len(items)} imports)")
    return "\n".join(lines)
