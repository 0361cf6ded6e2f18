"""Exit codes and :class:`Problem`, the mistake a user can fix; shared by the command line and the modules it runs.

Kept apart from :mod:`workbook.cli` so that instructor modules can raise a Problem without importing the command
line that imports them (an import cycle). ``workbook.cli`` re-exports both.
"""

from __future__ import annotations

# Exit codes (also printed by --help).
OK = 0  # the command did what it says
PROBLEMS = 1  # it ran, but found problems (a student not graded, a failed validation, a stale edition)
REFUSED = 2  # it did not start: a mistake in the command or the course; nothing was changed
CRASHED = 3  # an unexpected error (a bug): run again with --debug and report the traceback
INTERRUPTED = 130  # Ctrl-C


class Problem(Exception):
    """A mistake the user can fix: printed as one line and a hint; the command stops with ``code``."""

    def __init__(self, message: str, hint: str | None = None, code: int = REFUSED):
        super().__init__(message)
        self.message, self.hint, self.code = message, hint, code
