"""Quizzes for the workbook: multiple choice, matching, and the answer store nbgrader grades.

Typical notebook use (see docs/authoring.md, "Quizzes")::

    from workbook import quiz
    quiz.start("01_what_open_means")
    quiz.show("osi_preferred_form_choice")   # the question, its options and (for feedback) key come from data

This module stays light: ipywidgets is imported only when a widget is shown outside nbgrader.
"""

from workbook.core.answer_store import AnswerStore, CorruptStoreError
from workbook.quiz.questions import Matching, MultipleChoice
from workbook.quiz.session import grade, key, saved_answer, show, start

__all__ = [
    "AnswerStore",
    "CorruptStoreError",
    "Matching",
    "MultipleChoice",
    "grade",
    "key",
    "saved_answer",
    "show",
    "start",
]
