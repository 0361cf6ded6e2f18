"""The one answer to "is nbgrader running this notebook headless (autograde or validate)?"."""

from __future__ import annotations

import os

#: nbgrader sets this in the kernel's environment while it autogrades or validates a notebook.
GRADER_VARIABLE = "NBGRADER_EXECUTION"


def under_grader() -> bool:
    """True while nbgrader executes the notebook: show no widgets, import nothing heavy, write nothing."""
    return bool(os.environ.get(GRADER_VARIABLE))
