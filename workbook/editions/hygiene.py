"""Source hygiene: the master notebooks carry no outputs, no editor metadata, and descriptive grade ids."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbook.core.hidden import HiddenRegionError, hidden_regions
from workbook.core.layout import ANSWER_STORE_PATTERN, IGNORED_NAMES, Course
from workbook.core.quiz_keys import quiz_keys
from workbook.writing.money import HINT as MONEY_HINT
from workbook.writing.money import dollar_spots

from .bank import check_notebook_bank
from .notebook_io import nbgrader_meta, read_notebook

GENERATED_ID = re.compile(r"cell-[0-9a-f]{6,}")
DESCRIPTIVE_ID = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|setup")
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
# Cell ids: lower-kebab-case words that say what the cell is ("osi-preferred-form-choice").
KEBAB_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
# Ids an editor or a numbering scheme made up: "md-07", "cell-6093d5", "code-3", a hex run.
MADE_UP_ID = re.compile(r"(md|markdown|code|cell|raw)(-.*)?|(.*-)?(?=[0-9a-f]*[0-9])[0-9a-f]{6,}(-.*)?")


@dataclass
class NotebookPoints:
    """Points a notebook awards, split by how they are graded."""

    notebook: str
    autograded: float = 0.0
    manual: float = 0.0

    @property
    def total(self) -> float:
        return self.autograded + self.manual


@dataclass
class HygieneReport:
    problems: list[str] = field(default_factory=list)
    points: list[NotebookPoints] = field(default_factory=list)

    def points_table(self) -> str:
        """A small text table of points per notebook, for the terminal."""
        width = max([len("all notebooks"), *(len(p.notebook) for p in self.points)])
        rows = [f"{'notebook':<{width}} {'auto':>6} {'manual':>7} {'total':>6}"]
        for p in self.points:
            rows.append(f"{p.notebook:<{width}} {p.autograded:>6g} {p.manual:>7g} {p.total:>6g}")
        total = sum(p.total for p in self.points)
        rows.append(
            f"{'all notebooks':<{width}} {sum(p.autograded for p in self.points):>6g} "
            f"{sum(p.manual for p in self.points):>7g} {total:>6g}"
        )
        return "\n".join(rows)


def _check_notebook(path: Path, label: str, report: HygieneReport) -> None:
    try:
        nb = read_notebook(path)
    except ValueError as error:
        report.problems.append(str(error))
        return
    extra = set(nb.metadata) - ALLOWED_NOTEBOOK_METADATA
    if extra:
        report.problems.append(f"{label}: notebook metadata {sorted(extra)} (editor state; remove it)")
    points = NotebookPoints(label)
    seen_ids: dict[str, int] = {}
    for number, cell in enumerate(nb.cells, start=1):
        where = f"{label}, cell {number}"
        _check_cell_id(cell.get("id", ""), where, report)
        if cell.cell_type == "markdown":
            report.problems.extend(money_problems(cell.source, f"{where} ({cell.get('id', '')})"))
        if cell.get("outputs"):
            report.problems.append(f"{where}: has outputs (clear them: python -m workbook clean)")
        if cell.get("execution_count") is not None:
            report.problems.append(f"{where}: has an execution count (python -m workbook clean)")
        extra = set(cell.get("metadata", {})) - {"nbgrader"}
        if extra:
            report.problems.append(f"{where}: editor metadata {sorted(extra)} (python -m workbook clean)")
        if cell.cell_type == "code":
            try:
                hidden_regions(cell.source)
            except HiddenRegionError as error:
                report.problems.append(f"{where}: hidden tests: {error}")
        meta = nbgrader_meta(cell)
        if not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
            continue
        grade_id = meta.get("grade_id", "")
        if not grade_id or GENERATED_ID.fullmatch(grade_id) or not DESCRIPTIVE_ID.fullmatch(grade_id):
            report.problems.append(
                f"{where}: grade_id {grade_id!r} is not descriptive (use snake_case words, e.g. "
                "'defense_contractor_choice')"
            )
        if grade_id in seen_ids:
            report.problems.append(f"{where}: grade_id {grade_id!r} repeats cell {seen_ids[grade_id]}")
        seen_ids[grade_id] = number
        if meta.get("grade"):
            cell_points = float(meta.get("points") or 0)
            if cell_points <= 0:
                report.problems.append(f"{where}: graded cell {grade_id!r} has no points")
            if meta.get("solution") or meta.get("task"):
                points.manual += cell_points
            else:
                points.autograded += cell_points
                _check_key_points(cell, cell_points, where, grade_id, report)
    report.points.append(points)
    report.problems.extend(check_notebook_bank(nb, path))


def _check_cell_id(cell_id: str, where: str, report: HygieneReport) -> None:
    """One cell-id style: lower-kebab-case words that describe the cell, never an editor's or a number."""
    if not KEBAB_ID.fullmatch(cell_id) or len(cell_id) > 64:
        report.problems.append(
            f"{where}: cell id {cell_id!r} is not lower-kebab-case (use words joined by '-', at most 64 "
            "characters, e.g. 'osi-preferred-form-choice')"
        )
    elif MADE_UP_ID.fullmatch(cell_id):
        report.problems.append(
            f"{where}: cell id {cell_id!r} does not say what the cell is (name it after its content, e.g. "
            "'hospital-example' or, for a graded cell, its grade_id with '-': 'osi-preferred-form-choice')"
        )


def _check_key_points(cell, cell_points: float, where: str, grade_id: str, report: HygieneReport) -> None:
    """A graded quiz cell's hidden ``quiz.key(points=...)`` must award exactly the cell's points."""
    from nbformat import v4

    try:
        keys = [k for k in quiz_keys(v4.new_notebook(cells=[cell]), where) if k.hidden]
    except ValueError as error:
        report.problems.append(str(error))
        return
    if keys and sum(k.points for k in keys) != cell_points:
        report.problems.append(
            f"{where}: {grade_id!r} is worth {cell_points:g} points but its quiz.key calls award "
            f"{sum(k.points for k in keys):g}"
        )


def money_problems(markdown: str, where: str) -> list[str]:
    """One problem per ``$`` that could render as maths in rendered prose (see workbook.writing.money)."""
    return [
        f"{where}: '$' in prose would render as maths near {spot!r}; {MONEY_HINT}" for spot in dollar_spots(markdown)
    ]


def _walk_texts(value: object, path: str):
    """(path, text) for every string inside nested JSON data."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_texts(item, f"{path}.{key}")
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _walk_texts(item, f"{path}[{number}]")


def rubric_money_problems(rubric_file: Path) -> list[str]:
    """The rubric is rendered as HTML beside the written exercise: the same rule as notebook prose."""
    import json

    if not rubric_file.exists():
        return []
    data = json.loads(rubric_file.read_text(encoding="utf-8"))
    problems = []
    for where, text in _walk_texts(data, rubric_file.name):
        problems.extend(money_problems(text, where))
    for number, line in enumerate(rubric_file.with_suffix(".md").read_text(encoding="utf-8").splitlines(), 1):
        problems.extend(money_problems(line, f"{rubric_file.with_suffix('.md').name}:{number}"))
    return problems


def check_source(course: Course) -> HygieneReport:
    """Check every source notebook and list stray files that nbgrader would copy to students."""
    report = HygieneReport()
    report.problems.extend(rubric_money_problems(Path(__file__).resolve().parents[1] / "data" / "rubric.json"))
    if not course.assignments():
        report.problems.append(f"{course.source}: no assignment folders with notebooks")
    for assignment in course.assignments():
        folder = course.source / assignment
        banks = course.root / "questions" / assignment
        stems = {notebook.stem for notebook in course.source_notebooks(assignment)}
        for bank in sorted(banks.glob("*.toml")) if banks.is_dir() else []:
            if bank.stem not in stems:
                report.problems.append(
                    f"questions/{assignment}/{bank.name}: no notebook source/{assignment}/"
                    f"{bank.stem}.ipynb to show these questions"
                )
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(course.source)
            if any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in IGNORED_NAMES):
                if fnmatch.fnmatch(path.name, ANSWER_STORE_PATTERN):
                    report.problems.append(
                        f"source/{relative}: an answer store in source/ would hand its answers to every "
                        "student; delete it"
                    )
                continue
            if path.is_file() and path.suffix != ".ipynb":
                report.problems.append(
                    f"source/{relative}: nbgrader copies extra files into release/ and over students' files "
                    "at autograde; move data into the workbook package"
                )
        for notebook in course.source_notebooks(assignment):
            _check_notebook(notebook, f"{assignment}/{notebook.name}", report)
    return report
