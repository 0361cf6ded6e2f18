"""Grades out: nbgrader's own CSV export, and a CSV that Canvas's gradebook import accepts.

Canvas matches rows by its own user ID or by "SIS Login ID"; nbgrader knows neither, so the Canvas file puts the
nbgrader student id in "SIS Login ID" (use your LMS logins as nbgrader ids) and leaves "ID" empty. Its second
row gives the points possible. Columns that Canvas does not know are ignored by it, so none are added.
"""

from __future__ import annotations

import csv
from pathlib import Path

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def export_grades(course_root: Path, assignment: str, folder: Path) -> list[Path]:
    """Write ``nbgrader_grades.csv`` (nbgrader's export, all assignments) and ``canvas_<assignment>.csv``."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    from workbook.core.layout import Course

    config = Course(course_root).nbgrader_config()
    folder = folder if folder.is_absolute() else course_root / folder
    folder.mkdir(parents=True, exist_ok=True)
    nbgrader_csv, canvas_csv = folder / "nbgrader_grades.csv", folder / f"canvas_{assignment}.csv"
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.get("course_id", "default_course")) as gb:
        plugin = CsvExportPlugin(config=config)
        plugin.to = str(nbgrader_csv)
        plugin.export(gb)
        write_canvas_csv(gb, assignment, canvas_csv)
    return [nbgrader_csv, canvas_csv]


def canvas_rows(gradebook, assignment: str) -> list[list[str]]:
    """Header, points-possible row, then one row per student (unsubmitted students score 0)."""
    graded = gradebook.find_assignment(assignment)
    column = f"{assignment}"
    rows = [[*CANVAS_HEADER, column], ["Points Possible", "", "", "", "", f"{graded.max_score:g}"]]
    scores = {submission.student.id: submission.score for submission in graded.submissions}
    for student in sorted(gradebook.students, key=lambda s: ((s.last_name or "").lower(), s.id)):
        name = ", ".join(part for part in (student.last_name, student.first_name) if part) or student.id
        rows.append([name, "", "", student.id, "", f"{scores.get(student.id, 0.0):g}"])
    return rows


def write_canvas_csv(gradebook, assignment: str, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(canvas_rows(gradebook, assignment))
