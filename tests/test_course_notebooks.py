"""Every notebook of the real course, in all three editions, run headless with the outcome each edition promises.

- source/: with its solutions and every quiz answered by its key, every graded test passes;
- release/: runs without crashing before any answer, and untouched earns no autograded point;
- notebooks/ (self-learner): a learner who pastes each model answer gets no error anywhere, and every quiz shows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO
from tests.kernels import execute
from workbook.core.layout import Course
from workbook.editions.hygiene import check_source
from workbook.editions.validate import validate_release, validate_source

pytestmark = pytest.mark.kernel

COURSE = Course(REPO)
SOURCES = COURSE.source_notebooks()
WIDGET = "application/vnd.jupyter.widget-view+json"


def test_source_is_clean_and_awards_points(capsys) -> None:
    report = check_source(COURSE)
    assert report.problems == []
    with capsys.disabled():
        print("\n" + report.points_table())
    assert all(p.total > 0 for p in report.points if not p.notebook.endswith("00_start.ipynb"))


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_source_passes_its_tests_with_solutions(path: Path) -> None:
    assert validate_source(path, COURSE.nbgrader_config()).problems == []


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_release_runs_and_gives_nothing_away(path: Path) -> None:
    release = COURSE.release / path.parent.name / path.name
    assert release.exists(), "run python -m workbook build"
    assert validate_release(release, path, COURSE.nbgrader_config()).problems == []


def _with_model_answers(nb) -> int:
    """Paste each model answer into the stub above it, as a learner who opened it would; return how many."""
    pasted = 0
    for index, cell in enumerate(nb.cells[:-1]):
        below = nb.cells[index + 1]
        if cell.cell_type == "code" and "raise NotImplementedError()" in cell.source and "<details>" in below.source:
            match = re.search(r"```python\n(.*?)\n```", below.source, re.S)
            assert match, f"the model answer below cell {index} has no code block"
            stub = re.search(r"^([ \t]*)# YOUR CODE HERE\n\1raise NotImplementedError\(\)", cell.source, re.M)
            answer = "\n".join(stub.group(1) + line for line in match.group(1).splitlines())
            cell.source = cell.source[: stub.start()] + answer + cell.source[stub.end() :]
            pasted += 1
    return pasted


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_self_learner_edition_runs_clean_with_model_answers(path: Path, tmp_path: Path) -> None:
    learner = COURSE.self_learner / path.name
    assert learner.exists(), "run python -m workbook build"
    shutil.copy2(learner, tmp_path / path.name)
    nb = nbformat.read(str(tmp_path / path.name), as_version=4)
    _with_model_answers(nb)
    execute(nb, tmp_path, allow_errors=True)
    errors = [
        (c.source.splitlines()[0] if c.source else "", o.get("ename"), o.get("evalue"))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
    stderr = [
        o.get("text")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "stream" and o.get("name") == "stderr"
    ]
    assert stderr == [], "warnings in a learner's notebook look like failures"
    for cell in nb.cells:
        if cell.cell_type == "code" and re.search(r"\.show\(\)", cell.source):
            shown = [o for o in cell.outputs if WIDGET in o.get("data", {})]
            assert shown, f"no widget displayed by: {cell.source.splitlines()[0]}"
