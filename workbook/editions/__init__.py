"""Instructor tooling: turn ``source/`` into ``release/`` and ``notebooks/``, and check both.

Never imported by notebooks or by the student-side modules (quiz, costs, writing, data).
"""

from .pipeline import BuildError, build

__all__ = ["BuildError", "build"]
