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
    shows_quiz = ".show()" in cell.source or "quiz.show(" in cell.source
    is_test = bool(nbgrader.get("grade")) and not is_answer and not shows_quiz
    return is_answer or is_test


STUB_NOTE_ID = "how-to-answer-code-exercises"
STUB_NOTE = (
    "**How to answer a code exercise:** in the cell below, replace the lines `# YOUR CODE HERE` and "
    "`raise NotImplementedError()` with your code, run the cell, then run the check cell under it. Until you do, "
    "that cell shows a `NotImplementedError`: this is expected, not a fault."
)


def add_stub_note(nb: NotebookNode) -> None:
    """Put the note above the notebook's first code exercise (once; nothing if it has none)."""
    from nbformat import v4

    if any(cell.get("id") == STUB_NOTE_ID for cell in nb.cells):
        return
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "raise NotImplementedError()" in cell.source:
            note = v4.new_markdown_cell(STUB_NOTE)
            note.id = STUB_NOTE_ID
            nb.cells.insert(index, note)
            return


def tag_as_expected_failure(cell: NotebookNode) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if RAISES_EXCEPTION not in tags:
        tags.append(RAISES_EXCEPTION)
