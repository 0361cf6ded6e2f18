"""Stop the nbgrader commands (and formgrader buttons) that would bypass the kit, before they change anything.

- ``nbgrader generate_assignment`` (formgrader's "Generate" button passes ``--force``) would first delete
  ``release/<assignment>``, then write notebooks without the quiz files students need, and register quiz checks
  without their keys in the gradebook, which the sandboxed grader (no question bank in sight) scores as 0.
  ``python -m workbook build`` makes ``release/``.
- ``nbgrader autograde`` (formgrader's per-submission "Autograde" button too) would run students' code as you,
  with no sandbox: a submission could read the question bank or the gradebook and print it into the feedback the
  student gets back. ``python -m workbook grade`` runs it in a sandbox. Comparing the two graders on trusted
  submissions (the test suite, ``benchmarks/grading_benchmark.py``) sets ``WORKBOOK_UNSANDBOXED_AUTOGRADE=yes``.

The course's ``nbgrader_config.py`` names these classes as the commands' exporters: nbgrader makes a converter's
exporter before it deletes, writes or registers anything, so the command stops there and names the right one.
The build sets nbgrader's own exporter back for the ``generate_assignment`` it runs (:data:`NBGRADER_EXPORTER`).
"""

from __future__ import annotations

from typing import Any

from nbconvert.exporters import NotebookExporter
from nbgrader.converters.base import NbGraderException

# nbgrader's default exporter for its converters (nbgrader.converters.base.BaseConverter.exporter_class)
NBGRADER_EXPORTER = "nbconvert.exporters.NotebookExporter"
# set to "yes" to let plain `nbgrader autograde` run students' code unsandboxed (trusted submissions only); the
# course's nbgrader_config.py reads it by this name (tests/test_hygiene_and_config.py checks the two agree)
UNSANDBOXED_AUTOGRADE = "WORKBOOK_UNSANDBOXED_AUTOGRADE"


class _Refusal(NotebookExporter):
    """An exporter that refuses to be made, so the nbgrader command stops before it changes anything."""

    message = ""

    def __init__(self, *args: Any, parent: Any = None, **kwargs: Any) -> None:
        if parent is not None and getattr(parent, "log", None) is not None:
            parent.log.error(self.message)  # nbgrader's command and formgrader show the converter's log
        raise NbGraderException(self.message)


class UseWorkbookBuild(_Refusal):
    message = (
        "this course's release/ is made by `python -m workbook build`, not by nbgrader's generate_assignment or "
        "formgrader's Generate button: the build adds the quiz files and the graded quiz keys that grading needs, "
        "and replaces release/ only after every notebook passes. Nothing was changed. Run `python -m workbook build` "
        "in the course folder, then release as usual."
    )


class UseWorkbookGrade(_Refusal):
    message = (
        "this course grades with `python -m workbook grade ASSIGNMENT [--student NAME --force]`, not nbgrader's "
        "autograde or formgrader's Autograde button: those run students' code as you, with no sandbox, and a "
        "submission could read the answer keys or the gradebook and print them into its feedback. Nothing was "
        f"changed. (To compare the two graders on trusted submissions only: {UNSANDBOXED_AUTOGRADE}=yes.)"
    )
