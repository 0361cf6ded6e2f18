"""``python -m workbook feedback``: nbgrader's feedback pages without hidden tests, answer keys or their traces.

nbgrader's feedback shows the autograded notebook as it ran: hidden test code (and the ``quiz.key`` calls with
their keys and explanations, which live in hidden-test regions) and tracebacks that quote the lines around a
failing assert. Here each hidden-test region is cut from the cell, and every output of a cell that had one is
reduced to what the student may see: the error's name and message (unless the message itself quotes a hidden
line), other output only when it quotes no hidden line. The student's own cells, scores and comments stay.
"""

from __future__ import annotations

import logging
from io import StringIO
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from workbook.core.hidden import has_hidden_tests, region_texts
from workbook.core.hidden import without_hidden_tests as _cut_hidden

HIDDEN_NOTE = "# (hidden tests ran here; they are not shown)"
# Shorter hidden lines ("}", "assert ok") say nothing and occur in ordinary output by chance.
MIN_SECRET_LENGTH = 8


def secret_lines(source: str) -> list[str]:
    """The distinctive lines of a cell's hidden-test regions (stripped; lines also visible are not secret)."""
    visible = {line.strip() for line in without_hidden_tests(source).splitlines()}
    lines = {line.strip() for region in region_texts(source) for line in region.splitlines()}
    return sorted(line for line in lines if len(line) >= MIN_SECRET_LENGTH and line not in visible)


def without_hidden_tests(source: str) -> str:
    """``source`` with each hidden-test region (markers included) replaced by one note line.

    Malformed markers raise :class:`workbook.core.hidden.HiddenRegionError` (the build refuses such sources, so
    an autograded notebook never has them; if one did, its feedback page is not written rather than leaking).
    """
    return _cut_hidden(source, HIDDEN_NOTE)


def _quotes(text: str, secrets: list[str]) -> bool:
    return any(secret in text for secret in secrets)


def _output_text(output: NotebookNode) -> str:
    if output.output_type == "stream":
        return str(output.get("text", ""))
    if output.output_type == "error":
        return "\n".join([output.get("ename", ""), output.get("evalue", ""), *output.get("traceback", [])])
    return "\n".join(str(value) for value in output.get("data", {}).values())


def clean_outputs(outputs: list[NotebookNode], secrets: list[str]) -> list[NotebookNode]:
    """The outputs of a cell that held hidden tests, as the student may see them."""
    cleaned = []
    for output in outputs:
        if output.output_type == "error":
            message = output.get("evalue", "")
            if _quotes(message, secrets):
                message = "a hidden test failed"
            line = f"{output.get('ename', 'Error')}: {message}" if message else output.get("ename", "Error")
            cleaned.append(
                NotebookNode(output_type="error", ename=output.get("ename", "Error"), evalue=message, traceback=[line])
            )
        elif _quotes(_output_text(output), secrets):
            cleaned.append(
                NotebookNode(output_type="stream", name="stdout", text="(output of a hidden test: not shown)\n")
            )
        else:
            cleaned.append(output)
    return cleaned


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograder test cell: graded code that is not the student's answer."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


class HideHiddenTests(NbGraderPreprocessor):
    """Cut hidden-test regions from sources and reduce test cells' outputs to what the student may see.

    Named in ``nbgrader_config.py`` (``GenerateFeedback.preprocessors``), so formgrader's "Generate Feedback"
    button, ``nbgrader generate_feedback`` and ``python -m workbook feedback`` all apply it.
    """

    def preprocess_cell(self, cell, resources, index):
        hidden = has_hidden_tests(cell.source)
        if not hidden and not is_test_cell(cell):
            return cell, resources
        secrets = secret_lines(cell.source) if hidden else []
        if hidden:
            cell.source = without_hidden_tests(cell.source)
        if cell.cell_type == "code":
            cell.outputs = clean_outputs(cell.get("outputs", []), secrets)
        return cell, resources


NOT_GRADED_CELL = "**Not graded yet.** Your instructor has not graded this answer; the score above counts it as 0."
NOT_FINAL = (
    "**Not final: {count} of your answers {verb} not graded yet.** The scores on this page count {them} as 0 "
    "until your instructor grades {them}."
)


class MarkUngraded(NbGraderPreprocessor):
    """Say "not graded yet" beside every answer still waiting for hand grading, and atop the page."""

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_markdown_cell
        from nbgrader.api import Gradebook, MissingEntry

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            try:
                submitted = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            except MissingEntry:
                return nb, resources
            waiting = {grade.name for grade in submitted.grades if grade.needs_manual_grade}
        if not waiting:
            return nb, resources
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            if cell.metadata.get("nbgrader", {}).get("grade_id") in waiting:
                cells.append(new_markdown_cell(NOT_GRADED_CELL, metadata={"workbook": "not-graded-yet"}))
        count = len(waiting)
        note = NOT_FINAL.format(count=count, verb="is" if count == 1 else "are", them="it" if count == 1 else "them")
        nb.cells = [new_markdown_cell(note, metadata={"workbook": "not-graded-yet"}), *cells]
        resources["nbgrader"]["not_graded_yet"] = count
        return nb, resources


# What every way of making feedback must run (the course's nbgrader_config.py sets exactly these).
REQUIRED = ("workbook.grading.feedback.HideHiddenTests", "workbook.grading.feedback.MarkUngraded")


def _names(preprocessors) -> set[str]:
    return {item if isinstance(item, str) else f"{item.__module__}.{item.__qualname__}" for item in preprocessors}


def generate_feedback(
    course_root: Path, assignment: str, students: list[str] | None = None
) -> tuple[list[Path], list[str], int]:
    """Write ``feedback/<student>/<assignment>/*.html`` for autograded students.

    Uses the course's own ``GenerateFeedback.preprocessors`` (the same as formgrader's button) and refuses to
    run without the ones that remove hidden tests. Returns (pages, problems, answers not graded yet).
    """
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    from workbook.cli import Problem
    from workbook.core.layout import Course

    from .ungraded import ungraded_answers

    config = Course(course_root).nbgrader_config(**{"GenerateFeedback.force": True})
    missing = [name for name in REQUIRED if name not in _names(config.GenerateFeedback.get("preprocessors", []))]
    if missing:
        raise Problem(
            f"nbgrader_config.py does not remove hidden tests from feedback (GenerateFeedback.preprocessors lacks "
            f"{', '.join(missing)}): its pages would show them",
            "restore the GenerateFeedback.preprocessors lines of the course's nbgrader_config.py",
        )
    graded = sorted(p.parent.name for p in (course_root / "autograded").glob(f"*/{assignment}") if p.is_dir())
    if not graded:
        raise Problem(
            f"nothing to give feedback on: no autograded submission of {assignment} yet",
            f"python -m workbook grade {assignment}",
        )
    unknown = sorted(set(students or []) - set(graded))
    if unknown:
        raise Problem(
            f"no autograded submission of {assignment} from {', '.join(unknown)}",
            f"grade it first (python -m workbook grade {assignment} --student NAME), or check the name",
        )
    feedback = course_root / "feedback"
    feedback.mkdir(mode=0o700, exist_ok=True)
    feedback.chmod(0o700)  # students' work and grades: the instructor's only (release_feedback copies it out)
    problems: list[str] = []
    for student in students or ["*"]:
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        app = GenerateFeedback(coursedir=coursedir, config=config)
        stream = StringIO()
        handler = logging.StreamHandler(stream)
        app.log.addHandler(handler)
        try:
            app.start()
        except Exception as error:  # nbgrader already skipped the failing student and went on
            problems.append(f"{error}; nbgrader said:\n{stream.getvalue()[-2000:]}")
        finally:
            app.log.removeHandler(handler)
    pages: list[Path] = []
    for student in students or sorted(p.name for p in feedback.iterdir() if p.is_dir()):
        pages.extend(sorted((feedback / student / assignment).glob("*.html")))
    course_id = config.CourseDirectory.get("course_id", "default_course")
    waiting = ungraded_answers(config.CourseDirectory.db_url, assignment, course_id)
    counted = students or list(waiting)
    return pages, problems, sum(waiting.get(student, 0) for student in counted)
