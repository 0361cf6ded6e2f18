"""Written answers: the rubric, the structure check and the self-assessment (the instructors' summary table is
``python -m workbook writing-summary``, in :mod:`workbook.grading.writing_summary`).

In a notebook::

    from workbook import writing
    writing.show_rubric()                                   # the rubric, from workbook/data/rubric.json
    writing.show_mark_scheme("project_a_recommendation")    # one answer cell's points and bands
    writing.check_saved("07_decision_framework", "project_a")   # check the saved answers of Project A
    writing.check("I recommend ...")                        # or check any text

Light on purpose (standard library only at import): the rubric and mark schemes are displayed while nbgrader
autogrades too, so that they reach the feedback. Widgets (``self_assess``) are
imported on first use, and under ``NBGRADER_EXECUTION`` nothing is checked, read or built.
"""

from __future__ import annotations

from html import escape
from typing import Any

from workbook.core.grader import under_grader
from workbook.writing.check import TextCheck, check, check_project
from workbook.writing.rubric import FACTORS, Rubric, RubricError, load_rubric
from workbook.writing.saved import SavedAnswerError, locate, read_saved

__all__ = [
    "FACTORS",
    "Rubric",
    "RubricError",
    "SavedAnswerError",
    "TextCheck",
    "check",
    "check_project",
    "check_saved",
    "load_rubric",
    "self_assess",
    "show_mark_scheme",
    "show_rubric",
]


def _display(html: str, text: str) -> None:
    from IPython.display import display

    display({"text/html": html, "text/plain": text}, raw=True)


def show_rubric() -> None:
    """Display the rubric (also under autograde, so that it appears in the student's feedback)."""
    from workbook.writing.render import rubric_html, rubric_text

    _display(rubric_html(), rubric_text())


def show_mark_scheme(grade_id: str) -> None:
    """Display the mark scheme of one graded answer cell (also under autograde, for the feedback)."""
    from workbook.writing.render import mark_scheme_html, mark_scheme_text

    _display(mark_scheme_html(grade_id), mark_scheme_text(grade_id))


def check_saved(notebook: str, project: str) -> None:
    """Check a project's two answers as saved in ``notebook`` and display the result once (not graded).

    Reads ``<project>_recommendation`` and ``<project>_risk`` from the notebook file. Does nothing while
    nbgrader grades. Problems (no file, a deleted cell) are displayed as a message, never raised. Returns None,
    so the cell shows the result once (a returned check would be displayed a second time); use
    ``writing.check_project`` for the result as a value.
    """
    if under_grader():
        return None
    from workbook.writing.render import check_html, check_text

    try:
        saved = read_saved(locate(notebook))
        result = check_project(
            saved.answer(f"{project}_recommendation"), saved.answer(f"{project}_risk"), project=project
        )
    except SavedAnswerError as error:
        _display(f'<p class="wb-writing-problem">{escape(str(error))}</p>', str(error))
        return None
    note = (
        f"Checked {saved.path.name} as saved at {saved.saved_at:%H:%M:%S}. Changed your answer since? "
        "Save the notebook (Ctrl+S or Cmd+S) and run this cell again."
    )
    _display(f"<p><small>{escape(note)}</small></p>" + check_html(result), f"{note}\n{check_text(result)}")
    return None


def self_assess(grade_id: str, *, notebook: str, model_answer: str, strengths: str = "") -> Any:
    """Self-learner edition: check a real attempt, then a rubric self-assessment, then the model answer.

    The model answer stays hidden until the saved answer cell holds a real attempt and every criterion has
    been rated. Ratings are kept in the notebook's answer store. Returns the widget (None under nbgrader).
    """
    if under_grader():
        return None
    from IPython.display import display

    from workbook.writing.selfassess import SelfAssessment

    view = SelfAssessment(grade_id, notebook=notebook, model_answer=model_answer, strengths=strengths)
    display(view.widget)
    return view
