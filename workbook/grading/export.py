"""Grades out: nbgrader's own CSV export, and a CSV that Canvas's gradebook import accepts.

Canvas matches rows by its own user ID or by "SIS Login ID"; nbgrader knows neither, so the Canvas file puts the
nbgrader student id in "SIS Login ID" (use your LMS logins as nbgrader ids) and leaves "ID" empty. Its second
row gives the points possible. Columns that Canvas does not know are ignored by it, so none are added.
"""

from __future__ import annotations

import csv
from pathlib import Path

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


NOT_GRADED_COLUMN = "not_graded_yet"


def export_grades(course_root: Path, assignment: str, folder: Path) -> tuple[list[Path], dict[str, int]]:
    """Write ``nbgrader_grades.csv`` (nbgrader's export, all assignments) and ``canvas_<assignment>.csv``.

    A total that still counts an ungraded written answer as 0 is left empty (Canvas then changes nothing), and
    nbgrader's file gets a ``not_graded_yet`` column. Returns the files and student -> answers not graded yet.
    """
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.plugins.export import CsvExportPlugin

    from workbook.cli import Problem
    from workbook.core.layout import Course

    from .ungraded import waiting_in

    config = Course(course_root).nbgrader_config()
    folder = folder if folder.is_absolute() else course_root / folder
    nbgrader_csv, canvas_csv = folder / "nbgrader_grades.csv", folder / f"canvas_{assignment}.csv"
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.get("course_id", "default_course")) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            known = ", ".join(sorted(a.name for a in gb.assignments)) or "none"
            raise Problem(
                f"the gradebook has no assignment {assignment!r} (it has: {known})",
                "check the name; an assignment enters the gradebook with `python -m workbook build`",
            ) from None
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder == course_root / "grades":
            folder.chmod(0o700)  # every student's grades: the instructor's only
        waiting = {a.name: waiting_in(gb, a.name) for a in gb.assignments}
        plugin = CsvExportPlugin(config=config)
        plugin.to = str(nbgrader_csv)
        plugin.export(gb)
        mark_ungraded(nbgrader_csv, waiting)
        write_canvas_csv(gb, assignment, canvas_csv, waiting[assignment])
    for path in (nbgrader_csv, canvas_csv):
        path.chmod(0o600)
    return [nbgrader_csv, canvas_csv], waiting[assignment]


def mark_ungraded(path: Path, waiting: dict[str, dict[str, int]]) -> None:
    """Empty the totals in nbgrader's CSV that still count ungraded answers, and say how many there are."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        header = list(rows[0].keys()) if rows else []
    if not header:
        return
    for row in rows:
        count = waiting.get(row["assignment"], {}).get(row["student_id"], 0)
        row[NOT_GRADED_COLUMN] = str(count)
        if count:
            row["raw_score"] = row["score"] = ""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*header, NOT_GRADED_COLUMN])
        writer.writeheader()
        writer.writerows(rows)


def canvas_rows(gradebook, assignment: str, waiting: dict[str, int] | None = None) -> list[list[str]]:
    """Header, points-possible row, then one row per student (unsubmitted students score 0).

    A student with answers still to grade by hand gets an empty cell: Canvas leaves that grade alone.
    """
    waiting = waiting or {}
    graded = gradebook.find_assignment(assignment)
    column = f"{assignment}"
    rows = [[*CANVAS_HEADER, column], ["Points Possible", "", "", "", "", f"{graded.max_score:g}"]]
    scores = {submission.student.id: submission.score for submission in graded.submissions}
    for student in sorted(gradebook.students, key=lambda s: ((s.last_name or "").lower(), s.id)):
        name = ", ".join(part for part in (student.last_name, student.first_name) if part) or student.id
        total = "" if waiting.get(student.id) else f"{scores.get(student.id, 0.0):g}"
        rows.append([name, "", "", student.id, "", total])
    return rows


def write_canvas_csv(gradebook, assignment: str, path: Path, waiting: dict[str, int] | None = None) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(canvas_rows(gradebook, assignment, waiting))
