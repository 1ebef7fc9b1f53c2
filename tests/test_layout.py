"""The house as drawn from its imports: every import arrow of cursor_spend/ and dlt_sources/ (read with ast, lazy
imports inside functions included) points down the floors the README's "Development" section describes, no
circle between modules or packages, and no Python file outside the tests over 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("cursor_spend", "dlt_sources")
# Floors, from the bottom: a module imports only from its own floor or the floors below (a prefix names a package)
FLOORS = (
    ("dlt_sources",),  # the dlt source of the Cursor Admin API: knows nothing of cursor-spend
    (
        "cursor_spend.__init__",
        "cursor_spend.errors",
        "cursor_spend.postgres_url",
        "cursor_spend.postgres_dlt",
        "cursor_spend.warehouse",
        "cursor_spend.api_keys",
        "cursor_spend.config",
        "cursor_spend.files",
        "cursor_spend.printable",
    ),  # settings, the files a command writes, text made printable
    ("cursor_spend.marts",),  # the read side
    (
        "cursor_spend.locking",
        "cursor_spend.raw_keys",
        "cursor_spend.load",
        "cursor_spend.warehouse_state",
        "cursor_spend.transform",
        "cursor_spend.export",
        "cursor_spend.alerts",
    ),  # the steps
    ("cursor_spend.summary", "cursor_spend.report", "cursor_spend.progress"),  # what a person reads
    (
        "cursor_spend.cli",
        "cursor_spend.runtime",
        "cursor_spend.dlt_plugin",
        "cursor_spend.demo",
        "cursor_spend.airflow",
    ),  # the entry points
)
SUBPACKAGES = ("cursor_spend.marts", "cursor_spend.alerts", "cursor_spend.airflow", "dlt_sources.cursor")
LIMITED = ("cursor_spend", "dlt_sources", "cursor_simulator", "dags", "benchmarks", "docs")
MAX_LINES = 300


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of PACKAGES (a package by its own name)."""
    found = {}
    for top in PACKAGES:
        for path in (REPO / top).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of PACKAGES that module ``name`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets += [f"{base}.{alias.name}" for alias in node.names]  # a submodule, or a name in base
    found = set()
    for target in targets:
        while target and target not in modules:  # a name in a module: the module
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(name, path, modules) for name, path in modules.items()}


def _circle(graph: dict[str, set[str]]) -> list[str]:
    """A circle of the graph as the path that closes it, or [] when there is none."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, path + [nxt])):
                return found
        state[node] = "done"
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return []


def _package_of(module: str) -> str:
    return next((p for p in SUBPACKAGES if module == p or module.startswith(p + ".")), module)


def _floor(module: str) -> int | None:
    name = "cursor_spend.__init__" if module == "cursor_spend" else module
    for floor, prefixes in enumerate(FLOORS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return floor
    return None


def test_the_import_graph_has_no_circle_between_modules_or_packages():
    graph = _graph()
    assert len(graph) > 30 and graph["cursor_spend.cli"], "the graph was not drawn"
    assert _circle(graph) == [], " -> ".join(_circle(graph))
    packages: dict[str, set[str]] = {}
    for module, imported in graph.items():
        packages.setdefault(_package_of(module), set()).update(_package_of(m) for m in imported)
    packages = {package: imported - {package} for package, imported in packages.items()}
    assert _circle(packages) == [], " -> ".join(_circle(packages))


def test_every_module_has_a_floor_and_imports_only_from_its_floor_or_below():
    graph = _graph()
    assert [module for module in graph if _floor(module) is None] == [], "give each module a floor in FLOORS"
    upward = [f"{m} -> {i}" for m, imported in graph.items() for i in imported if _floor(i) > _floor(m)]
    assert upward == []


def test_no_python_file_outside_the_tests_is_over_300_lines():
    long = {}
    for top in LIMITED:
        for path in (REPO / top).rglob("*.py"):
            if (lines := len(path.read_text().splitlines())) > MAX_LINES:
                long[str(path.relative_to(REPO))] = lines
    assert long == {}
