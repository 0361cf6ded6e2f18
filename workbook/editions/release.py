"""``release/`` through nbgrader's own ``generate_assignment``, run in a throwaway copy of the course."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from workbook.core.layout import IGNORED_NAMES, Course

from .bank import with_graded_keys, write_payload
from .notebook_io import nbgrader_meta, read_notebook, write_notebook
from .runall import add_stub_note, fails_until_answered, tag_as_expected_failure


class NbgraderError(RuntimeError):
    """nbgrader refused or failed; the message carries its log."""


def _run_nbgrader(app_class, config, assignment: str) -> None:
    """Run one nbgrader converter with its log captured, raising with that log on failure."""
    from io import StringIO

    from nbgrader.coursedir import CourseDirectory

    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    app = app_class(coursedir=coursedir, config=config)
    app.log.addHandler(handler)
    app.log.setLevel(logging.INFO)
    try:
        app.start()
    except Exception as error:
        raise NbgraderError(
            f"nbgrader {app_class.__name__} failed for {assignment}: {error}\n{stream.getvalue()}"
        ) from error
    finally:
        app.log.removeHandler(handler)


def copy_sources(course: Course, workdir: Path) -> Course:
    """A copy of the course's ``source/`` (without answer stores) and config in ``workdir``.

    In the copy, each graded quiz's hidden ``quiz.grade(id)`` carries its key from the question bank, so nbgrader
    keeps the key in its gradebook with the other hidden tests (see ``bank.with_graded_keys``).
    """
    shutil.copytree(course.source, workdir / "source", ignore=shutil.ignore_patterns(*IGNORED_NAMES))
    for original in course.source_notebooks():
        copied = workdir / "source" / original.parent.name / original.name
        write_notebook(with_graded_keys(read_notebook(copied), original), copied)
    config = course.root / "nbgrader_config.py"
    if config.exists():
        shutil.copy2(config, workdir / "nbgrader_config.py")
    return Course(workdir)


def generate_release(course: Course, workdir: Path, db_url: str | None = None) -> Path:
    """Generate every assignment's student version in ``workdir``; return the new ``release/`` folder.

    The gradebook is a throwaway SQLite file unless ``db_url`` names the course's real one.
    """
    from nbgrader.converters import GenerateAssignment

    from workbook.grading.gradebook import without_alembic_command
    from workbook.nbgrader_guard import NBGRADER_EXPORTER  # imports nbgrader: only when a build runs

    without_alembic_command()  # the throwaway gradebook is new each time
    copy = copy_sources(course, workdir)
    for assignment in course.assignments():
        config = course.nbgrader_config(
            **{
                "CourseDirectory.root": str(copy.root),
                "CourseDirectory.db_url": db_url or f"sqlite:///{workdir / 'build-gradebook.db'}",
                "GenerateAssignment.force": True,
                "GenerateAssignment.create_assignment": True,
                # the course's config stops plain `nbgrader generate_assignment` (nbgrader_guard); this is the build
                "GenerateAssignment.exporter_class": NBGRADER_EXPORTER,
            }
        )
        _run_nbgrader(GenerateAssignment, config, assignment)
        for notebook in sorted((copy.release / assignment).glob("*.ipynb")):
            _let_run_all_pass_exercises(notebook)
        for original in course.source_notebooks(assignment):
            write_payload(original, copy.release / assignment, graded_keys=False)
    return copy.release


def _let_run_all_pass_exercises(path: Path) -> None:
    """Tag stubs and their tests so a student's Run All reaches the quizzes below them."""
    nb = read_notebook(path)
    for cell in nb.cells:
        if fails_until_answered(cell, nbgrader_meta(cell)):
            tag_as_expected_failure(cell)
    add_stub_note(nb)
    write_notebook(nb, path)
