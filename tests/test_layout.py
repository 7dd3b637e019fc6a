"""The package layout of DESIGN.md ("Layout"): shared foundations, modules that do not reach into
each other, and no import cycle between packages.

Foundations (``choices``, ``cli_options``, ``citations``, ``codes``, ``engine``, ``errors``, ``html``, ``i18n``,
``extract``, ``privacy``, ``progress``, ``stats``) may be imported by anyone. A module (``synth``, ``pathways``,
``coercion``, ``qi``, ``report``, ``survey``, ``outcomes``, ``server``) may use another module only through that
package's public names (``from forlop.qi import qic``), never through one of its files. Every import counts, also those
inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "forlop"
FOUNDATIONS = {
    "choices",
    "cli_options",
    "citations",
    "codes",
    "engine",
    "errors",
    "html",
    "i18n",
    "extract",
    "privacy",
    "progress",
    "stats",
}


def _imports() -> list[tuple[str, str, str]]:
    """(importing package, imported module path, file) for every ``forlop.*`` import under src/forlop."""
    found = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        package = rel.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [(package, n, str(rel)) for n in names if n.startswith("forlop.")]
    return found


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package, module, _ in _imports():
        target = module.split(".")[1]
        if package not in ("cli", "__init__") and target != package:
            graph.setdefault(package, set()).add(target)
    return graph


def test_no_import_cycle_between_packages() -> None:
    graph = _package_graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_modules_use_each_other_only_through_the_package() -> None:
    bad = []
    for package, module, file in _imports():
        parts = module.split(".")
        target = parts[1]
        if package in ("cli", "__init__") or target == package or target in FOUNDATIONS or target in ("cli",):
            continue
        if len(parts) > 2:
            bad.append(f"{file}: {module}")
    assert bad == []


def test_foundations_do_not_import_modules() -> None:
    modules = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - FOUNDATIONS
    bad = [
        f"{file}: {module}"
        for package, module, file in _imports()
        if package in FOUNDATIONS and module.split(".")[1] in modules
    ]
    assert bad == []
