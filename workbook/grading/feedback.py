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

from workbook.core import hidden

HIDDEN_NOTE = "# (hidden tests ran here; they are not shown)"
# Shorter hidden lines ("}", "assert ok") say nothing and occur in ordinary output by chance.
MIN_SECRET_LENGTH = 8


def secret_lines(source: str) -> list[str]:
    """The distinctive lines of a cell's hidden-test regions (stripped; lines also visible are not secret)."""
    visible = {line.strip() for line in without_hidden_tests(source).splitlines()}
    lines = {line.strip() for region in hidden.region_texts(source) for line in region.splitlines()}
    return sorted(line for line in lines if len(line) >= MIN_SECRET_LENGTH and line not in visible)


def without_hidden_tests(source: str) -> str:
    """``source`` with each hidden-test region (markers included) replaced by one note line.

    Malformed markers raise :class:`workbook.core.hidden.HiddenRegionError` (the build refuses such sources, so
    an autograded notebook never has them; if one did, its feedback page is not written rather than leaking).
    """
    return hidden.without_hidden_tests(source, HIDDEN_NOTE)


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


class HideHiddenTests(NbGraderPreprocessor):
    """Cut hidden-test regions from sources and reduce the outputs of the cells that had them."""

    def preprocess_cell(self, cell, resources, index):
        if not hidden.has_hidden_tests(cell.source):
            return cell, resources
        secrets = secret_lines(cell.source)
        cell.source = without_hidden_tests(cell.source)
        if cell.cell_type == "code":
            cell.outputs = clean_outputs(cell.get("outputs", []), secrets)
        return cell, resources


def generate_feedback(
    course_root: Path, assignment: str, students: list[str] | None = None
) -> tuple[list[Path], list[str]]:
    """Write ``feedback/<student>/<assignment>/*.html`` for autograded students; return (pages, problems)."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import GetGrades

    from workbook.core.layout import Course

    problems: list[str] = []
    pages: list[Path] = []
    for student in students or ["*"]:
        config = Course(course_root).nbgrader_config(
            **{
                "GenerateFeedback.preprocessors": [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor],
                "GenerateFeedback.force": True,
            }
        )
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
    feedback = course_root / "feedback"
    for student in students or sorted(p.name for p in feedback.iterdir() if p.is_dir()) if feedback.is_dir() else []:
        pages.extend(sorted((feedback / student / assignment).glob("*.html")))
    return pages, problems
