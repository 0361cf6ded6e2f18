"""The package's layers, checked by parsing every import (docs/architecture.md draws them).

- ``workbook.core``: shared rules; imports neither side.
- Student side (what notebooks import): ``workbook.quiz``, ``workbook.costs``, ``workbook.writing``,
  ``workbook.session_files``, ``workbook.data`` and the top ``workbook`` package. It never imports the
  instructor side, directly or through another module.
- Instructor side: everything else (``editions``, ``grading``, ``hub``, the command line, ...).
- No import cycles, late imports (inside functions) included; imports under ``if TYPE_CHECKING:`` never run and
  are left out.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbook"
STUDENT = (
    "workbook.quiz",
    "workbook.costs",
    "workbook.writing",
    "workbook.session_files",
    "workbook.data",
    "workbook.friendly",
)
CORE = ("workbook.core",)


@dataclass(frozen=True)
class Edge:
    """One import statement: ``source`` imports ``target`` at ``line``."""

    source: str
    target: str
    line: int


def module_names(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package (``pkg/__init__.py`` is ``pkg``)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth (function bodies too), but not under TYPE_CHECKING."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_edges(package: Path) -> list[Edge]:
    """The package-internal imports of every module, resolved to module names of the package."""
    modules = module_names(package)
    edges = []
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from pkg import sub`` imports the submodule ``pkg.sub``; ``from pkg import name`` imports ``pkg``
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                while target and target not in modules:  # ``import a.b.c`` of a module inside the package
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.append(Edge(name, target, node.lineno))
    return edges


def layer(module: str) -> str:
    if any(module == p or module.startswith(p + ".") for p in CORE):
        return "core"
    if module == "workbook" or any(module == p or module.startswith(p + ".") for p in STUDENT):
        return "student"
    return "instructor"


def _parents(module: str) -> list[str]:
    """The packages Python runs before ``module`` (``workbook``, ``workbook.quiz`` for ``workbook.quiz.store``)."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _graph(edges: list[Edge], with_parents: bool) -> dict[str, list[Edge]]:
    graph: dict[str, list[Edge]] = {}
    for edge in edges:
        graph.setdefault(edge.source, []).append(edge)
        if with_parents:
            for parent in _parents(edge.target):
                if parent != edge.source and not edge.source.startswith(parent + "."):
                    graph[edge.source].append(Edge(edge.source, parent, edge.line))
    return graph


def layer_violations(edges: list[Edge]) -> list[str]:
    """Student modules that reach the instructor side, and core modules that reach either side, with the path."""
    graph = _graph(edges, with_parents=True)
    problems = []
    for start in sorted(graph):
        mine = layer(start)
        if mine == "instructor":
            continue
        forbidden = {"student": {"instructor"}, "core": {"student", "instructor"}}[mine]
        came_from: dict[str, Edge | None] = {start: None}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            for edge in graph.get(here, []):
                if edge.target in came_from:
                    continue
                came_from[edge.target] = edge
                if layer(edge.target) in forbidden and here == start:
                    problems.append(
                        f"{start} ({mine} side) imports {edge.target} ({layer(edge.target)} side), line {edge.line}"
                    )
                elif layer(edge.target) in forbidden:
                    chain, step = [], edge
                    while step is not None:
                        chain.append(f"{step.target} (line {step.line} of {step.source})")
                        step = came_from[step.source]
                    problems.append(f"{start} ({mine} side) reaches {layer(edge.target)} side: " + " <- ".join(chain))
                else:
                    queue.append(edge.target)
    return problems


def import_cycles(edges: list[Edge]) -> list[list[str]]:
    """Each import cycle once, as the modules around it (Tarjan's strongly connected components)."""
    graph = {source: sorted({e.target for e in out}) for source, out in _graph(edges, with_parents=False).items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, []):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


# -- the real package ----------------------------------------------------------------------------------------


def test_student_side_and_core_never_import_the_instructor_side() -> None:
    assert layer_violations(import_edges(PACKAGE)) == []


def test_the_package_has_no_import_cycles() -> None:
    assert import_cycles(import_edges(PACKAGE)) == []


def test_grading_does_not_import_the_edition_builder() -> None:
    """Grading needs the course layout and the hidden-region rules, which live in the core, not the builder."""
    edges = import_edges(PACKAGE)
    assert any(e.source.startswith("workbook.grading.") for e in edges)
    found = [e for e in edges if e.source.startswith("workbook.grading") and e.target.startswith("workbook.editions")]
    assert found == []


def test_every_student_package_exists() -> None:
    modules = module_names(PACKAGE)
    assert [p for p in (*STUDENT, *CORE) if p not in modules] == []


# -- the checker itself, on a made-up package, so the tests above can fail -----------------------------------


@pytest.fixture
def fake(tmp_path: Path):
    def make(files: dict[str, str]) -> list[Edge]:
        for name, text in {"__init__.py": "", **files}.items():
            path = tmp_path / "workbook" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return import_edges(tmp_path / "workbook")

    return make


def test_a_late_import_of_the_instructor_side_is_found_through_a_chain(fake) -> None:
    edges = fake(
        {
            "quiz/__init__.py": "from workbook.quiz import session\n",
            "quiz/session.py": "def f():\n    from . import helpers\n",
            "quiz/helpers.py": "import workbook.grading.record\n",
            "grading/__init__.py": "",
            "grading/record.py": "",
            "core/__init__.py": "",
            "core/ids.py": "from workbook.writing import text\n",
            "writing/__init__.py": "",
            "writing/text.py": "",
        }
    )
    problems = layer_violations(edges)
    assert "workbook.quiz.helpers (student side) imports workbook.grading.record (instructor side), line 1" in problems
    assert any(p.startswith("workbook.quiz.session (student side) reaches instructor side") for p in problems)
    assert "workbook.core.ids (core side) imports workbook.writing.text (student side), line 1" in problems


def test_type_checking_imports_are_not_edges(fake) -> None:
    edges = fake(
        {
            "quiz/__init__.py": "",
            "quiz/store.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workbook.grading import x\n"
            ),
            "grading/__init__.py": "",
            "grading/x.py": "",
        }
    )
    assert layer_violations(edges) == []


def test_a_cycle_hidden_by_a_late_import_is_found(fake) -> None:
    edges = fake(
        {
            "quiz/__init__.py": "",
            "quiz/questions.py": "def show():\n    from workbook.quiz import session\n",
            "quiz/session.py": "from workbook.quiz.questions import show\n",
        }
    )
    assert import_cycles(edges) == [["workbook.quiz.questions", "workbook.quiz.session"]]
