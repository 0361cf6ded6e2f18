"""nbgrader settings for "Open vs. Closed AI, in Depth".

Run nbgrader from this folder (the course root). Everything not set here keeps nbgrader's default.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821  (nbgrader injects get_config)

course_root = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "open-vs-closed-ai"
c.CourseDirectory.root = str(course_root)

# Gradebook: SQLite beside this file for one instructor. For several graders or a JupyterHub, point
# WORKBOOK_DB_URL at PostgreSQL, e.g. postgresql+psycopg2://user:pass@host:5432/gradebook (see README).
c.CourseDirectory.db_url = os.environ.get("WORKBOOK_DB_URL", f"sqlite:///{course_root / 'gradebook.db'}")

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
