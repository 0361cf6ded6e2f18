"""``python -m workbook.hub.register COURSE_ROOT``: register the course's assignments in its own gradebook.

Run by ``hub setup`` as the grader account, so the gradebook is the grader's file from the start.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from workbook.core.layout import Course
from workbook.editions.release import generate_release
from workbook.grading.gradebook import make_private, write_record


def main(root: str) -> int:
    course = Course(Path(root).resolve())
    db_url = course.nbgrader_config().CourseDirectory.db_url
    with tempfile.TemporaryDirectory(prefix="wb-register-") as tmp:
        generate_release(course, Path(tmp), db_url=db_url)
    # as `python -m workbook build` does: every workbook command then knows this course's gradebook
    write_record(course.root, db_url)
    make_private(db_url)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
