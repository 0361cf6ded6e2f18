"""Let JupyterLab's "Run All" carry on past exercises nobody has answered yet.

Run All stops at the first error. An exercise's stub (``raise NotImplementedError()``) and the tests under it fail
until the learner answers, so every cell below them, quizzes included, would never run. The standard cell tag
``raises-exception`` tells JupyterLab (and nbclient) that an error there is expected; the error still shows.
Only the generated editions get the tag: ``source/`` stays free of editor metadata.
"""

from __future__ import annotations

from nbformat import NotebookNode

RAISES_EXCEPTION = "raises-exception"


def fails_until_answered(cell: NotebookNode, nbgrader: dict) -> bool:
    """An exercise's answer cell, or a test cell of one (graded quiz cells show widgets and never fail)."""
    if cell.cell_type != "code":
        return False
    is_answer = bool(nbgrader.get("solution"))
    is_test = bool(nbgrader.get("grade")) and not is_answer and ".show()" not in cell.source
    return is_answer or is_test


def tag_as_expected_failure(cell: NotebookNode) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if RAISES_EXCEPTION not in tags:
        tags.append(RAISES_EXCEPTION)
