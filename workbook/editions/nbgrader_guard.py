"""Stop nbgrader's own ``generate_assignment`` in this course: ``python -m workbook build`` makes ``release/``.

Run by hand, or from formgrader's "Generate" button (which passes ``--force``), nbgrader's command would first
delete ``release/<assignment>``, then write notebooks without the quiz files students need, and register
quiz checks without their keys in the gradebook, which the sandboxed grader (no question bank in sight) scores as
0. The course's ``nbgrader_config.py`` names :class:`UseWorkbookBuild` as that command's exporter: nbgrader makes
its exporter before it touches ``release/`` or the gradebook, so the command stops there and names the right
one. The build itself sets nbgrader's own exporter back (:data:`NBGRADER_EXPORTER`).
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import NotebookExporter
from nbgrader.converters.base import NbGraderException

# GenerateAssignment's default exporter (nbgrader.converters.base.BaseConverter.exporter_class)
NBGRADER_EXPORTER = "nbconvert.exporters.NotebookExporter"

MESSAGE = (
    "this course's release/ is made by `python -m workbook build`, not by nbgrader's generate_assignment or "
    "formgrader's Generate button: the build adds the quiz files and the graded quiz keys that grading needs, "
    "and replaces release/ only after every notebook passes. Nothing was changed. Run `python -m workbook build` "
    "in the course folder, then release as usual."
)


class UseWorkbookBuild(NotebookExporter):
    """An exporter that refuses to be made, so ``nbgrader generate_assignment`` stops before it changes anything."""

    def __init__(self, *args: Any, parent: Any = None, **kwargs: Any) -> None:
        if parent is not None and getattr(parent, "log", None) is not None:
            parent.log.error(MESSAGE)  # nbgrader's command and formgrader show the converter's log
        raise NbGraderException(MESSAGE)
