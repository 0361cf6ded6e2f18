"""nbgrader settings for "Open vs. Closed AI, in Depth".

Run nbgrader from this folder (the course root). Everything not set here keeps nbgrader's default.
"""

import os
from pathlib import Path

from workbook.grading.gradebook import course_gradebook_url

c = get_config()  # noqa: F821  (nbgrader injects get_config)

course_root = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "open-vs-closed-ai"
c.CourseDirectory.root = str(course_root)

# Gradebook: WORKBOOK_DB_URL when set (e.g. postgresql+psycopg2://grader@host:5432/gradebook, password in
# ~/.pgpass), else the one `python -m workbook build` recorded in gradebook.url, else SQLite gradebook.db here.
# Recording it means sudo (which drops WORKBOOK_DB_URL) and formgrader reach the same gradebook (see README).
c.CourseDirectory.db_url = course_gradebook_url(course_root)

# No cell in this course needs more than a few seconds; an endless loop costs a student's run 30 s, not hours.
c.Execute.timeout = 30

# A student who deletes a test cell must not end up "needs manual grading": put the missing cell back.
c.OverwriteCells.add_missing_cells = True

# Quiz answers live in "<notebook>.answers.json" beside each notebook. Autograde copies non-notebook files from
# source/ over the student's: never let that replace a student's answers (python -m workbook build also keeps
# answer stores out of source copies, so they never reach release/).
c.Autograde.exclude_overwriting = {
    folder.name: [f"{nb.stem}.answers.json" for nb in sorted(folder.glob("*.ipynb"))]
    for folder in sorted((course_root / "source").glob("*"))
    if folder.is_dir()
}

# release/ is made by `python -m workbook build` only, and students' code is graded by `python -m workbook grade`
# only, in a sandbox. nbgrader's own generate_assignment would delete release/<assignment> and leave out the quiz
# files and keys; its autograde would run students' code as you, unsandboxed. These exporters stop both, and the
# formgrader buttons that run them, before they change anything (workbook/nbgrader_guard.py says more).
c.GenerateAssignment.exporter_class = "workbook.nbgrader_guard.UseWorkbookBuild"
# WORKBOOK_UNSANDBOXED_AUTOGRADE=yes lets autograde run, only to compare the graders on trusted submissions (the
# tests do). The name is written here, not imported: reading this file must not import nbgrader's converters.
if os.environ.get("WORKBOOK_UNSANDBOXED_AUTOGRADE") != "yes":
    c.Autograde.exporter_class = "workbook.nbgrader_guard.UseWorkbookGrade"

# Feedback, however it is made (formgrader's "Generate Feedback" button, `nbgrader generate_feedback` or
# `python -m workbook feedback`), drops hidden tests, graded quiz keys with their explanations, and the
# tracebacks of test cells, and says "not graded yet" beside answers still to grade by hand. nbgrader's default
# shows hidden tests and keys, and counts an ungraded answer as 0 without a word.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "workbook.grading.feedback.HideHiddenTests",
    "workbook.grading.feedback.MarkUngraded",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
