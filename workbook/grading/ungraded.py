"""Answers that still wait for hand grading, so no total is shown as final while some are missing.

nbgrader counts an ungraded written answer as 0 in every total. Feedback, exports and the grading summary ask
here how many answers each student still waits for, and say so.
"""

from __future__ import annotations


def ungraded_answers(db_url: str, assignment: str, course_id: str) -> dict[str, int]:
    """student id -> number of answers of ``assignment`` nbgrader marks "needs manual grade" (only those > 0)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        return waiting_in(gradebook, assignment)


def waiting_in(gradebook, assignment: str) -> dict[str, int]:
    """:func:`ungraded_answers` on an open nbgrader gradebook."""
    from nbgrader.api import Assignment, Grade, SubmittedAssignment, SubmittedNotebook

    rows = (
        gradebook.db.query(SubmittedAssignment.student_id)
        .join(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
        .join(Grade, Grade.notebook_id == SubmittedNotebook.id)
        .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
        .filter(Assignment.name == assignment, Grade.needs_manual_grade.is_(True))
        .all()
    )
    counts: dict[str, int] = {}
    for (student,) in rows:
        counts[student] = counts.get(student, 0) + 1
    return counts
