"""The rubric of the written exercise, read from ``workbook/data/rubric.json`` (schema in ``rubric.md`` beside it).

One file feeds three places: the mark scheme shown in the notebook (and so in the instructor's feedback), the
hints of the structure check, and the self-learner's self-assessment. Standard library only: it is imported by
notebooks, also while nbgrader autogrades.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RUBRIC_PATH = Path(__file__).resolve().parent.parent / "data" / "rubric.json"
SCHEMA_VERSION = 1
LEVELS = ("full", "partial", "none")
FACTORS = ("capability", "data_sensitivity", "infrastructure", "cost", "sovereignty")


class RubricError(ValueError):
    """The rubric file breaks its schema; the message names the place."""


@dataclass(frozen=True)
class Criterion:
    """One row of the rubric: a factor or the structure, and what each level of credit looks like."""

    id: str
    kind: str
    name: str
    question: str
    levels: dict[str, str]
    hint: str


@dataclass(frozen=True)
class Band:
    """How many points an answer part earns when it looks like ``description``."""

    points: float
    description: str


@dataclass(frozen=True)
class Part:
    """One graded answer cell kind (the recommendation, or the risk and mitigation)."""

    id: str
    name: str
    points: float
    task: str
    words: tuple[int, int]
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Project:
    """A case of the exercise: its name and the factor hints specific to it."""

    id: str
    name: str
    hints: dict[str, str]


@dataclass(frozen=True)
class Rubric:
    """The whole rubric: criteria, answer parts with points, projects, and which grade id is which part."""

    title: str
    level_names: dict[str, str]
    criteria: tuple[Criterion, ...]
    parts: dict[str, Part]
    projects: dict[str, Project]
    questions: dict[str, tuple[str, str]]  # grade_id -> (project id, part id)

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(f"the rubric has no criterion {criterion_id!r}")

    def question(self, grade_id: str) -> tuple[Project, Part]:
        """The project and part of a graded answer cell; a KeyError naming the known ids otherwise."""
        if grade_id not in self.questions:
            raise KeyError(f"{grade_id!r} is not a written question of the rubric; known: {sorted(self.questions)}")
        project, part = self.questions[grade_id]
        return self.projects[project], self.parts[part]

    def hint(self, factor: str, project: str | None = None) -> str:
        """The most specific hint for a missing factor: the project's own if it has one."""
        if project in self.projects and factor in self.projects[project].hints:
            return self.projects[project].hints[factor]
        return self.criterion(factor).hint


def _require(data: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise RubricError(f"{where}: '{key}' is missing")
    value = data[key]
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RubricError(f"{where}: '{key}' must be a number, got {value!r}")
        return float(value)
    if not isinstance(value, kind):
        raise RubricError(f"{where}: '{key}' must be {kind.__name__}, got {type(value).__name__}")
    if kind is str and not value.strip():
        raise RubricError(f"{where}: '{key}' is empty")
    return value


def _criterion(raw: Any, where: str) -> Criterion:
    levels = {level: _require(raw, level, str, where) for level in LEVELS}
    kind = _require(raw, "kind", str, where)
    if kind not in ("factor", "structure"):
        raise RubricError(f"{where}: kind must be 'factor' or 'structure', got {kind!r}")
    return Criterion(
        id=_require(raw, "id", str, where),
        kind=kind,
        name=_require(raw, "name", str, where),
        question=_require(raw, "question", str, where),
        levels=levels,
        hint=_require(raw, "hint", str, where),
    )


def _part(part_id: str, raw: Any, where: str) -> Part:
    points = _require(raw, "points", float, where)
    words = _require(raw, "words", list, where)
    if len(words) != 2 or not all(isinstance(w, int) and w > 0 for w in words) or words[0] >= words[1]:
        raise RubricError(f"{where}: 'words' must be [fewest, most], two whole numbers, got {words!r}")
    bands = tuple(
        Band(
            _require(b, "points", float, f"{where}, band {i + 1}"),
            _require(b, "description", str, f"{where}, band {i + 1}"),
        )
        for i, b in enumerate(_require(raw, "bands", list, where))
    )
    if not bands or max(b.points for b in bands) != points or min(b.points for b in bands) != 0:
        raise RubricError(f"{where}: bands must run from {points:g} points (the part's points) down to 0")
    return Part(
        part_id,
        _require(raw, "name", str, where),
        points,
        _require(raw, "task", str, where),
        (words[0], words[1]),
        bands,
    )


def parse_rubric(data: Any) -> Rubric:
    """Check the rubric's JSON data against the schema and build a :class:`Rubric`; RubricError if it breaks it."""
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise RubricError(f"schema_version must be {SCHEMA_VERSION}")
    level_names = _require(data, "levels", dict, "levels")
    if set(level_names) != set(LEVELS):
        raise RubricError(f"levels must be exactly {list(LEVELS)}, got {sorted(level_names)}")
    criteria = tuple(
        _criterion(c, f"criterion {i + 1}") for i, c in enumerate(_require(data, "criteria", list, "rubric"))
    )
    factor_ids = [c.id for c in criteria if c.kind == "factor"]
    if tuple(factor_ids) != FACTORS:
        raise RubricError(f"the factor criteria must be {list(FACTORS)} in this order, got {factor_ids}")
    if [c.kind for c in criteria].count("structure") != 1:
        raise RubricError("the rubric needs exactly one 'structure' criterion")
    parts = {pid: _part(pid, raw, f"part {pid!r}") for pid, raw in _require(data, "parts", dict, "rubric").items()}
    projects = {}
    for pid, raw in _require(data, "projects", dict, "rubric").items():
        hints = _require(raw, "hints", dict, f"project {pid!r}")
        unknown = set(hints) - set(FACTORS)
        if unknown:
            raise RubricError(f"project {pid!r}: hints for unknown factors {sorted(unknown)}")
        projects[pid] = Project(
            pid,
            _require(raw, "name", str, f"project {pid!r}"),
            {k: _require(hints, k, str, f"project {pid!r} hints") for k in hints},
        )
    questions = {}
    for grade_id, raw in _require(data, "questions", dict, "rubric").items():
        project = _require(raw, "project", str, f"question {grade_id!r}")
        part = _require(raw, "part", str, f"question {grade_id!r}")
        if project not in projects or part not in parts:
            raise RubricError(f"question {grade_id!r}: unknown project {project!r} or part {part!r}")
        questions[grade_id] = (project, part)
    return Rubric(_require(data, "title", str, "rubric"), level_names, criteria, parts, projects, questions)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Read and check a rubric file (the course's own by default)."""
    if path is None:
        return _course_rubric()
    return _read(Path(path))


@cache
def _course_rubric() -> Rubric:
    return _read(RUBRIC_PATH)


def _read(path: Path) -> Rubric:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RubricError(f"{path}: not a readable rubric ({error})") from error
    try:
        return parse_rubric(data)
    except RubricError as error:
        raise RubricError(f"{path}: {error}") from error
