"""Fast checks of the grading package's parts: summary, feedback cleaning, sandbox helpers, refusal to run."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from nbformat import NotebookNode

from workbook.grading.feedback import HIDDEN_NOTE, clean_outputs, secret_lines, without_hidden_tests
from workbook.grading.launch import kernel_environment
from workbook.grading.results import GRADED, MISSING, TIMED_OUT, NotebookResult, StudentResult, summary_table
from workbook.grading.runner import GradeOptions, GradingError, grade
from workbook.grading.sandbox import copy_regular_files, exposed_course_paths, readable_by_others

CELL = '''"""Question 1: total is right."""
assert isinstance(total, int), "total must be an int"
### BEGIN HIDDEN TESTS
assert total == 4217, f"expected the secret value"
quiz.key("q1", "option_b", explanations={"option_b": "Right, because of the hidden reason."})
### END HIDDEN TESTS
'''


def test_hidden_region_is_cut_and_visible_lines_stay() -> None:
    cleaned = without_hidden_tests(CELL)
    assert "4217" not in cleaned and "option_b" not in cleaned and "hidden reason" not in cleaned
    assert 'assert isinstance(total, int), "total must be an int"' in cleaned
    assert HIDDEN_NOTE in cleaned
    assert secret_lines(CELL) == sorted(
        [
            'assert total == 4217, f"expected the secret value"',
            'quiz.key("q1", "option_b", explanations={"option_b": "Right, because of the hidden reason."})',
        ]
    )


def test_outputs_of_a_hidden_test_cell_keep_the_message_but_not_the_traceback() -> None:
    secrets = secret_lines(CELL)
    outputs = [
        NotebookNode(
            output_type="error",
            ename="AssertionError",
            evalue="2 missing: check the filter",
            traceback=["Traceback", '----> 4 assert total == 4217, f"expected the secret value"'],
        ),
        NotebookNode(
            output_type="stream", name="stdout", text='echo: assert total == 4217, f"expected the secret value"\n'
        ),
        NotebookNode(output_type="execute_result", data={"text/plain": "1.0"}, metadata={}, execution_count=3),
    ]
    error, stream, result = clean_outputs(outputs, secrets)
    assert error.traceback == ["AssertionError: 2 missing: check the filter"]
    assert "4217" not in stream.text
    assert result.data["text/plain"] == "1.0"
    quoting = NotebookNode(
        output_type="error",
        ename="AssertionError",
        evalue='assert total == 4217, f"expected the secret value"',
        traceback=[],
    )
    assert clean_outputs([quoting], secrets)[0].evalue == "a hidden test failed"


def test_summary_counts_each_status_and_lists_every_reason() -> None:
    results = [
        StudentResult("ana", [NotebookResult("01", GRADED)], score=5, max_score=6),
        StudentResult(
            "bo", [NotebookResult("01", TIMED_OUT, problems=["cell 3 ran longer than 30 s"])], score=1, max_score=6
        ),
        StudentResult(
            "cy", [NotebookResult("01", MISSING, problems=["notebook not submitted: scored 0"])], score=0, max_score=6
        ),
        StudentResult("di", error="could not be graded: a worker crashed"),
    ]
    table = summary_table(results)
    assert [r.status for r in results] == ["graded", "timed out", "graded with problems", "failed"]
    assert "01: cell 3 ran longer than 30 s" in table and "01: notebook not submitted" in table
    assert "a worker crashed" in table and "5/6" in table
    assert table.splitlines()[-1] == "graded: 1, graded with problems: 1, timed out: 1, failed: 1"


def test_kernel_environment_drops_secrets() -> None:
    incoming = {
        "PATH": "/usr/bin",
        "WORKBOOK_DB_URL": "postgresql://u:pw@h/db",
        "AWS_SECRET_ACCESS_KEY": "x",
        "NBGRADER_EXECUTION": "autograde",
    }
    env = kernel_environment({"home": "/h", "runtime_dir": "/r"}, incoming)
    assert "WORKBOOK_DB_URL" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert env["NBGRADER_EXECUTION"] == "autograde" and env["HOME"] == "/h" and env["PATH"] == "/usr/bin"


def test_copy_leaves_out_symbolic_links(tmp_path: Path) -> None:
    source = tmp_path / "submission"
    (source / "sub").mkdir(parents=True)
    (source / "a.ipynb").write_text("{}")
    (source / "sub" / "b.txt").write_text("b")
    (source / "link").symlink_to(tmp_path / "secret.db")
    (source / "dirlink").symlink_to(tmp_path)
    left_out = copy_regular_files(source, tmp_path / "copy")
    assert sorted(left_out) == ["dirlink", "link"]
    assert (tmp_path / "copy" / "sub" / "b.txt").read_text() == "b"
    assert not (tmp_path / "copy" / "link").exists() and not (tmp_path / "copy" / "dirlink").exists()


def test_open_course_folders_are_detected(tmp_path: Path) -> None:
    open_root = Path(tempfile.mkdtemp(prefix="workbook-open-"))
    try:
        open_root.chmod(0o755)
        (open_root / "source").mkdir(mode=0o755)
        (open_root / "gradebook.db").write_text("")
        (open_root / "gradebook.db").chmod(0o644)
        assert readable_by_others(open_root / "source")
        assert exposed_course_paths(open_root, f"sqlite:///{open_root / 'gradebook.db'}") == [
            open_root / "source",
            open_root / "gradebook.db",
        ]
        (open_root / "source").chmod(0o700)
        (open_root / "gradebook.db").chmod(0o600)
        assert exposed_course_paths(open_root, f"sqlite:///{open_root / 'gradebook.db'}") == []
    finally:
        shutil.rmtree(open_root)
    assert not readable_by_others(tmp_path)  # pytest's folders are private to their owner


def test_grade_refuses_a_course_whose_source_everyone_can_read(mini_course: Path) -> None:
    open_root = Path(tempfile.mkdtemp(prefix="workbook-open-"))
    try:
        open_root.chmod(0o755)
        course = open_root / "course"
        shutil.copytree(mini_course, course)
        for path in [course, *course.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        with pytest.raises(GradingError) as refused:
            grade(course, "any", GradeOptions(isolate=True), progress=None)
        if os.geteuid() == 0:
            assert str(course / "source") in str(refused.value) and "chmod -R o-rwx" in refused.value.hint
        else:
            assert "needs root" in str(refused.value)
    finally:
        shutil.rmtree(open_root)


def test_only_the_paths_a_kernel_needs_are_opened_below_a_closed_folder(tmp_path: Path) -> None:
    from workbook.grading.sandbox import closed_ancestors

    python = tmp_path / "closed" / "python" / "lib"
    (python / "site-packages").mkdir(parents=True)
    (tmp_path / "closed" / "course" / "source").mkdir(parents=True)
    (tmp_path / "closed").chmod(0o700)
    opened = closed_ancestors([python, python / "site-packages"])
    assert len(opened) == 1
    folder, inside = opened[0]
    assert inside == [str(python.relative_to(folder))]  # the nested path is covered by its parent
    assert not any("course" in relative for relative in inside)
