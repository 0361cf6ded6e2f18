"""``python -m workbook.hub.register COURSE_ROOT [--students NAME...]``: put the course's assignments, or these
students, in the course's own gradebook.

Run by ``hub setup`` and ``hub add-student`` as the grader account, so the gradebook is the grader's file from the
start, and a whole class joins it in one process (``nbgrader db student add`` costs a second or more each).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from workbook.core.layout import Course
from workbook.editions.release import generate_release
from workbook.grading.gradebook import make_private, write_record


def register_assignments(course: Course, db_url: str) -> None:
    with tempfile.TemporaryDirectory(prefix="wb-register-") as tmp:
        generate_release(course, Path(tmp), db_url=db_url)
    # as `python -m workbook build` does: every workbook command then knows this course's gradebook
    write_record(course.root, db_url)
    make_private(db_url)


def register_students(db_url: str, course_id: str, names: list[str]) -> None:
    """As ``nbgrader db student add`` does for each (no names, e-mail or LMS id: the account name is the id)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        for name in names:
            gradebook.update_or_create_student(name)


def main(argv: list[str]) -> int:
    course = Course(Path(argv[0]).resolve())
    config = course.nbgrader_config().CourseDirectory
    db_url = config.db_url
    if argv[1:2] == ["--students"]:
        register_students(db_url, config.course_id, argv[2:])
    else:
        register_assignments(course, db_url)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
