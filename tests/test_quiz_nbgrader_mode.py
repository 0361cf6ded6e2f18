"""What nbgrader sees: under NBGRADER_EXECUTION quiz cells build nothing, import nothing heavy, and quiz.key
returns the points earned without a single character on stdout or stderr, whatever the store holds."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from workbook import quiz
from workbook.core.answer_store import AnswerStore
from workbook.quiz import session

HEAVY = ("ipywidgets", "IPython", "pandas", "matplotlib", "numpy")


def _modules_after(code: str, env_extra: dict[str, str], cwd: Path) -> tuple[set[str], subprocess.CompletedProcess]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    env = {"PATH": "/usr/bin:/bin", **env_extra}
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", probe], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}, result


def test_importing_the_quiz_module_imports_nothing_heavy(tmp_path):
    modules, result = _modules_after("import workbook.quiz", {}, tmp_path)
    assert not modules & set(HEAVY), modules & set(HEAVY)
    assert result.stderr == ""


def test_a_graded_cell_under_nbgrader_builds_nothing_and_prints_only_the_score(tmp_path):
    AnswerStore(tmp_path / "quiz_demo.answers.json").save("hosting_choice", "open_weights")
    cell = textwrap.dedent(
        """
        from workbook import quiz
        quiz.start("quiz_demo")
        quiz.MultipleChoice(id="hosting_choice", prompt="Which?",
                            options={"closed_api": "Closed", "open_weights": "Open"}).show()
        print(quiz.key("hosting_choice", "open_weights", points=2, explanations={"open_weights": "yes"}))
        """
    )
    modules, result = _modules_after(cell, {"NBGRADER_EXECUTION": "autograde"}, tmp_path)
    assert not modules & set(HEAVY), modules & set(HEAVY)
    assert result.stdout.splitlines()[0] == "2.0"
    assert result.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quiz_demo.answers.json"]  # nothing written


@pytest.fixture
def grading(tmp_path, monkeypatch):
    """A kernel as nbgrader runs it: NBGRADER_EXECUTION set, cwd = the notebook folder, warnings are errors."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setattr(session, "_session", session._Session())
    quiz.start("nb")
    quiz.MultipleChoice(id="mc", prompt="P", options={"a": "A", "b": "B"}).show()
    quiz.MultipleChoice(id="many", prompt="P", options={"a": "A", "b": "B", "c": "C"}, several=True).show()
    quiz.Matching(
        id="match",
        prompt="P",
        terms={"t1": "T1", "t2": "T2", "t3": "T3"},
        definitions={"d1": "D1", "d2": "D2", "d3": "D3", "d4": "D4"},
    ).show()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield tmp_path / "nb.answers.json"


def grade_all() -> list[float]:
    return [
        quiz.key("mc", "a", points=1),
        quiz.key("many", ["a", "c"], points=2),
        quiz.key("match", {"t1": "d1", "t2": "d2", "t3": "d3"}, points=3),
    ]


def test_right_answers_earn_full_points_and_partial_matching_earns_its_share(grading, capfd):
    store = AnswerStore(grading)
    store.save("mc", "a")
    store.save("many", ["c", "a"])
    store.save("match", {"t1": "d1", "t2": "d3", "t3": "d2"})
    scores = grade_all()
    assert scores == [1.0, 2.0, 1.0]
    assert all(type(points) is float for points in scores)  # nbgrader reads the repr as partial credit
    assert capfd.readouterr() == ("", "")


def test_unanswered_notebook_scores_zero_silently(grading, capfd):
    assert grade_all() == [0.0, 0.0, 0.0]
    assert quiz.saved_answer("mc") is None
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize(
    "content",
    [
        b"{broken",
        b"\x00\x01\x02",
        b"[]",
        b'{"schema_version": "1", "answers": {}}',
        b'{"schema_version": 1, "answers": {"mc": "a", "many": 3, "match": [1]}}',
        b'{"schema_version": 1, "answers": {"mc": {"value": 1}, "many": {"value": {"a": "b"}},'
        b' "match": {"value": {"t1": ["d1"], "t2": null, "t3": 7}}}}',
        b'{"schema_version": 1, "answers": {"mc": {"value": "zzz"}, "many": {"value": ["a", "c", "zzz"]},'
        b' "match": {"value": {"t9": "d1", "t1": "d9"}}}}',
    ],
)
def test_tampered_or_corrupt_store_scores_zero_without_a_sound(grading, capfd, content):
    grading.write_bytes(content)
    assert grade_all() == [0.0, 0.0, 0.0]
    assert capfd.readouterr() == ("", "")
    assert grading.read_bytes() == content  # grading never moves or rewrites the student's file


def test_store_that_is_a_folder_scores_zero_silently(grading, capfd):
    grading.mkdir()
    assert grade_all() == [0.0, 0.0, 0.0]
    assert capfd.readouterr() == ("", "")


def test_saved_answer_reads_each_kind_for_hidden_tests(grading, capfd):
    store = AnswerStore(grading)
    store.save("mc", "b")
    store.save("many", ["c", "a"])
    store.save("match", {"t1": "d4"})
    assert quiz.saved_answer("mc") == "b"
    assert quiz.saved_answer("many") == ["a", "c"]
    assert quiz.saved_answer("match") == {"t1": "d4"}
    assert quiz.saved_answer("never_asked") is None
    grading.write_text("{broken")
    assert quiz.saved_answer("mc") is None
    assert capfd.readouterr() == ("", "")


def test_grading_still_rejects_a_key_that_does_not_fit(grading):
    with pytest.raises(ValueError, match="unknown option ids"):
        quiz.key("mc", "zzz")


def test_start_rejects_paths_and_empty_names(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="not a path"):
        quiz.start("../other/nb")
    with pytest.raises(ValueError, match="needs the notebook's name"):
        quiz.start("")
    quiz.start("01_intro.ipynb")
    assert session.bound_store().path == tmp_path / "01_intro.answers.json"
