"""Quizzes for the workbook: multiple choice, matching, and the answer store nbgrader grades.

Typical notebook use (see docs/authoring.md, "Quizzes")::

    from workbook import quiz
    quiz.start("01_what_open_means")
    quiz.MultipleChoice(id="...", prompt="...", options={"a": "...", "b": "..."}).show()
    quiz.key("...", "a", explanations={...})      # practice; in a graded cell this line is a hidden test

This module stays light: ipywidgets is imported only when a widget is shown outside nbgrader.
"""

from workbook.core.answer_store import AnswerStore, CorruptStoreError
from workbook.quiz.questions import Matching, MultipleChoice
from workbook.quiz.session import key, saved_answer, start

__all__ = [
    "AnswerStore",
    "CorruptStoreError",
    "Matching",
    "MultipleChoice",
    "key",
    "saved_answer",
    "start",
]
