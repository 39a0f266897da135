"""The map in docs/architecture.md, checked: which app may import which, and no import loops.

Every import counts, also the ones inside functions (a loop hidden in a function is still a loop).
Migrations are history and are not counted.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "notifications", "cms", "facilities", "safety", "health", "disclosure")

#: portal's shared base: what every app builds on. It imports no other app of ours.
PORTAL_BASE = {
    "portal.admin_views",
    "portal.audit",
    "portal.dashboard",
    "portal.db",
    "portal.errors",
    "portal.models",
    "portal.search_sources",
    "portal.staff",
    "portal.textsearch",
}
#: Who may import whom (the arrows of docs/architecture.md). "portal.base" is PORTAL_BASE.
ALLOWED = {
    "portal.base": set(),
    "notifications": {"portal.base"},
    "portal": {"portal.base", "notifications", "cms"},
    "cms": {"portal.base", "notifications"},
    "facilities": {"portal.base", "portal", "notifications"},
    "safety": {"portal.base", "portal", "notifications"},
    "health": {"portal.base", "portal", "notifications"},
    "disclosure": {"portal.base", "portal", "notifications"},
}
#: The outbox's services queue its delivery task and the task calls the services: the one loop allowed.
ALLOWED_LOOPS = [{"notifications.services", "notifications.tasks"}]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Each of our modules and the modules of ours it imports."""
    modules: dict[str, Path] = {}
    for app in APPS:
        if not (ROOT / app).is_dir():
            continue
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                    )
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # "from x import name" names no module: x is meant
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
        graph.setdefault(name, set())
    return graph


def _layer(module: str) -> str:
    return "portal.base" if module in PORTAL_BASE else module.split(".")[0]


def _loops(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_apps_import_only_what_the_map_allows():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in _imports().items()
        for target in targets
        if _layer(target) != _layer(module) and _layer(target) not in ALLOWED[_layer(module)]
    )
    assert wrong == []


def test_portals_shared_base_imports_no_other_app():
    graph = _imports()
    wrong = sorted(
        f"{module} imports {target}"
        for module in PORTAL_BASE
        for target in graph[module]
        if _layer(target) != "portal.base"
    )
    assert wrong == []


def test_no_import_loops_between_modules():
    loops = [sorted(loop) for loop in _loops(_imports()) if loop not in ALLOWED_LOOPS]
    assert loops == []


def test_the_map_finds_the_imports_it_checks():
    """Guard against a checker that sees nothing: known imports are found."""
    graph = _imports()
    assert "notifications.tasks" in graph["notifications.services"]
    assert "portal.models" in graph["portal.services"]
    assert "notifications.services" in graph["portal.services"]
