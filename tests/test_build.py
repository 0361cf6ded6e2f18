"""The build command on a one-notebook fixture course: what it writes, what it refuses, what it never breaks."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import FIXTURES
from workbook.core.layout import Course
from workbook.editions import BuildError, build

pytestmark = pytest.mark.kernel

SOURCE = Path("source/demo/01_demo.ipynb")


def quiet(*_: object) -> None:
    """Swallow the build's progress lines."""


def edit_source(course: Path, change) -> None:
    path = course / SOURCE
    nb = nbformat.read(str(path), as_version=4)
    change(nb)
    nbformat.write(nb, str(path))


def cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def add_cell(nb, source: str, grade_id: str, **nbgrader) -> None:
    meta = {"grade": False, "solution": False, "locked": True, "grade_id": grade_id, "schema_version": 3}
    meta.update(nbgrader)
    new = nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})
    new.id = grade_id.replace("_", "-")
    nb.cells.append(new)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("built") / "mini_course"
    shutil.copytree(FIXTURES / "mini_course", course)
    build(course, log=quiet)
    return course


@pytest.fixture
def built_course(built_once: Path, tmp_path: Path) -> Path:
    """A private copy of the mini course after a successful build, validation included (it runs kernels)."""
    return shutil.copytree(built_once, tmp_path / "mini_course")


def test_release_has_no_solution_hidden_test_or_key(built_course: Path) -> None:
    release = (built_course / "release/demo/01_demo.ipynb").read_text()
    assert "2 * 21" not in release
    assert "BEGIN HIDDEN TESTS" not in release and "quiz.key" not in release
    assert "Apache 2.0 allows commercial use" not in release  # an explanation would give the answer away
    assert "raise NotImplementedError()" in release
    assert "doubled should be a whole number" in release  # visible tests stay for students


def test_self_learner_edition_keeps_keys_and_offers_model_answers(built_course: Path) -> None:
    nb = nbformat.read(str(built_course / "notebooks/01_demo.ipynb"), as_version=4)
    text = json.dumps(nb)
    assert "nbgrader" not in text, "the self-learner edition has no instructor metadata"
    assert "Self-learner edition" in nb.cells[1].source
    answer = next(i for i, c in enumerate(nb.cells) if c.get("id") == "doubled-answer")
    assert "raise NotImplementedError()" in nb.cells[answer].source
    assert "<details>" in nb.cells[answer + 1].source and "doubled = 2 * 21" in nb.cells[answer + 1].source
    quiz_cell = next(c for c in nb.cells if "permissive_licence_choice" in c.source)
    assert "quiz.key(" in quiz_cell.source and "BEGIN HIDDEN" not in quiz_cell.source
    assert quiz_cell.metadata["jupyter"]["source_hidden"] is True
    written = next(i for i, c in enumerate(nb.cells) if c.get("id") == "why-answer")
    assert nb.cells[written].source == "YOUR ANSWER HERE"
    # a written answer graded by hand gets a collapsed self-assessment cell that holds the model answer
    assessment = nb.cells[written + 1]
    assert assessment.cell_type == "code" and assessment.metadata["jupyter"]["source_hidden"] is True
    call = ast.parse(assessment.source).body[-1].value
    assert ast.unparse(call.func) == "writing.self_assess"
    assert ast.literal_eval(call.args[0]) == "why_weights_not_enough"
    keywords = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    assert keywords == {
        "notebook": "01_demo.ipynb",
        "model_answer": "Because the licence may forbid commercial use.",
        "strengths": "",
    }
    assert "<details>" not in assessment.source


def test_written_answer_notes_go_to_the_self_assessment_and_never_to_release(mini_course: Path) -> None:
    def add_notes(nb):
        cell(nb, "why_weights_not_enough").source = (
            "### BEGIN SOLUTION\nBecause the licence may forbid commercial use, costing USD 5 and USD 6.\n\n"
            "<!-- what makes it strong -->\n- It names the licence.\n### END SOLUTION"
        )

    edit_source(mini_course, add_notes)
    build(mini_course, log=quiet)
    release = (mini_course / "release/demo/01_demo.ipynb").read_text()
    assert "It names the licence" not in release and "costing" not in release
    nb = nbformat.read(str(mini_course / "notebooks/01_demo.ipynb"), as_version=4)
    assessment = next(c for c in nb.cells if c.get("id") == "why-answer-self-assessment")
    keywords = {k.arg: ast.literal_eval(k.value) for k in ast.parse(assessment.source).body[-1].value.keywords}
    assert keywords["model_answer"] == "Because the licence may forbid commercial use, costing USD 5 and USD 6."
    assert keywords["strengths"] == "- It names the licence."


def test_check_passes_on_a_fresh_build_and_names_stale_files(built_course: Path) -> None:
    build(built_course, check=True, log=quiet)  # deterministic: a second build gives the same bytes

    edit_source(built_course, lambda nb: setattr(nb.cells[0], "source", "# Demo, retitled"))
    with pytest.raises(BuildError) as failure:
        build(built_course, check=True, validate=False, log=quiet)
    assert "release/demo/01_demo.ipynb differs from a fresh build" in failure.value.problems
    assert "notebooks/01_demo.ipynb differs from a fresh build" in failure.value.problems


def test_wrong_solution_fails_the_build_and_keeps_the_previous_release(built_course: Path) -> None:
    before = (built_course / "release/demo/01_demo.ipynb").read_bytes()

    def break_solution(nb):
        cell(nb, "doubled_answer").source = "### BEGIN SOLUTION\ndoubled = 41\n### END SOLUTION"
        nb.cells[0].source = "# Demo, changed so that a swap would show"

    edit_source(built_course, break_solution)
    with pytest.raises(BuildError) as failure:
        build(built_course, log=quiet)
    assert any("a test fails with the solution in place" in p for p in failure.value.problems)
    assert (built_course / "release/demo/01_demo.ipynb").read_bytes() == before
    assert not list(built_course.glob(".build-*")), "the staging folder is cleaned up"


def test_wrong_quiz_key_fails_source_validation(mini_course: Path) -> None:
    def wrong_key(nb):
        quiz_cell = cell(nb, "permissive_licence_choice")
        quiz_cell.source = quiz_cell.source.replace('"apache",\n    points', '"no_such_option",\n    points')

    edit_source(mini_course, wrong_key)
    with pytest.raises(BuildError) as failure:
        build(mini_course, log=quiet)
    assert any("permissive_licence_choice" in p or "quiz.MultipleChoice" in p for p in failure.value.problems)


def test_a_test_that_passes_unanswered_fails_the_build(mini_course: Path) -> None:
    edit_source(
        mini_course,
        lambda nb: add_cell(
            nb, '"""A test that checks nothing."""\nassert 1 + 1 == 2', "gives_points_away", grade=True, points=1
        ),
    )
    with pytest.raises(BuildError) as failure:
        build(mini_course, log=quiet)
    assert any("a graded test passes with no answer given" in p for p in failure.value.problems)


def test_a_cell_that_crashes_for_students_fails_the_build(mini_course: Path) -> None:
    edit_source(mini_course, lambda nb: add_cell(nb, "print(doubled + 1)", "uses_the_answer"))
    with pytest.raises(BuildError) as failure:
        build(mini_course, log=quiet)
    assert any(
        "'uses_the_answer' fails for a student before any answer: NameError" in p for p in failure.value.problems
    )


def test_answer_store_in_source_is_refused(mini_course: Path) -> None:
    (mini_course / "source/demo/01_demo.answers.json").write_text('{"answers": {}}')
    with pytest.raises(BuildError) as failure:
        build(mini_course, validate=False, log=quiet)
    assert any("answer store in source/" in p for p in failure.value.problems)
    assert not (mini_course / "release").exists()


def test_cli_exits_non_zero_with_a_clear_message(mini_course: Path) -> None:
    edit_source(
        mini_course,
        lambda nb: setattr(
            cell(nb, "doubled_tests"), "outputs", [nbformat.v4.new_output("stream", name="stdout", text="left over\n")]
        ),
    )
    run = subprocess.run(
        [sys.executable, "-m", "workbook", "--root", str(mini_course), "build"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "BUILD FAILED" in run.stderr and "has outputs" in run.stderr


def test_build_registers_the_assignment_in_the_gradebook(mini_course: Path, tmp_path: Path) -> None:
    from nbgrader.api import Gradebook

    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    build(mini_course, validate=False, db_url=db_url, log=quiet)
    with Gradebook(db_url, "mini") as gradebook:
        notebook = gradebook.find_notebook("01_demo", "demo")
        assert notebook.max_score == 5
        assert {c.name for c in notebook.grade_cells} == {
            "doubled_tests",
            "permissive_licence_choice",
            "why_weights_not_enough",
        }


def test_course_finds_assignments_in_order(mini_course: Path) -> None:
    course = Course(mini_course)
    assert course.assignments() == ["demo"]
    assert [p.name for p in course.source_notebooks()] == ["01_demo.ipynb"]


def test_run_all_goes_past_unanswered_exercises_in_both_editions(mini_course: Path) -> None:
    build(mini_course, validate=False, log=quiet)
    for edition in ("release/demo/01_demo.ipynb", "notebooks/01_demo.ipynb"):
        nb = nbformat.read(str(mini_course / edition), as_version=4)
        tagged = {c.get("id") for c in nb.cells if "raises-exception" in c.metadata.get("tags", [])}
        assert tagged == {"doubled-answer", "doubled-tests"}, edition  # stub and its test; not the quiz


def test_a_learners_files_survive_a_rebuild_and_are_not_stale(mini_course: Path) -> None:
    build(mini_course, validate=False, log=quiet)
    learner = mini_course / "notebooks"
    (learner / "01_demo.answers.json").write_text('{"schema_version": 1, "answers": {}}')
    (learner / "my-work-2026-11-29-1400.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (learner / "backup-before-restore-2026-11-29-1401").mkdir()
    (learner / "backup-before-restore-2026-11-29-1401" / "01_demo.ipynb").write_text("{}")
    build(mini_course, validate=False, log=quiet)
    build(mini_course, validate=False, check=True, log=quiet)
    assert (learner / "01_demo.answers.json").read_text().startswith('{"schema_version": 1')
    assert (learner / "my-work-2026-11-29-1400.zip").exists()
    assert (learner / "backup-before-restore-2026-11-29-1401" / "01_demo.ipynb").exists()
