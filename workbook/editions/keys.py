"""Moved to :mod:`workbook.core.quiz_keys`; re-exported here only for tests/hostile until it imports the core."""

from workbook.core.quiz_keys import QuizKey, quiz_keys

__all__ = ["QuizKey", "quiz_keys"]
