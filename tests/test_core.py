"""The shared core: answer-store naming and format, the atomic write, the grader check, hidden regions, layout."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from workbook.core import atomic, hidden
from workbook.core.answer_store import AnswerStore, is_store_document, notebook_of, store_name, store_path
from workbook.core.grader import GRADER_VARIABLE, under_grader
from workbook.core.layout import IGNORED_NAMES, Course, find_course_root

CELL = """\
answer = 42
### BEGIN HIDDEN TESTS
assert answer == 42, "the secret check"
### END HIDDEN TESTS
print("visible")
    ### BEGIN HIDDEN TESTS
    quiz.key("q", "a")
    ### END HIDDEN TESTS"""


# -- hidden-test regions -------------------------------------------------------------------------------------


def test_regions_are_found_with_their_marker_lines() -> None:
    regions = hidden.hidden_regions(CELL)
    assert [(r.begin, r.end) for r in regions] == [(1, 3), (5, 7)]
    assert hidden.region_texts(CELL) == ['assert answer == 42, "the secret check"', '    quiz.key("q", "a")']
    assert hidden.hidden_line_numbers(CELL) == {2, 3, 4, 6, 7, 8}


def test_cutting_regions_keeps_the_rest_and_indents_the_note() -> None:
    assert hidden.without_hidden_tests(CELL) == 'answer = 42\nprint("visible")'
    assert hidden.without_hidden_tests(CELL, "# hidden") == 'answer = 42\n# hidden\nprint("visible")\n    # hidden'
    assert hidden.without_markers(CELL).splitlines() == [
        "answer = 42",
        'assert answer == 42, "the secret check"',
        'print("visible")',
        '    quiz.key("q", "a")',
    ]
    assert hidden.without_hidden_tests("x = 1") == "x = 1"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("a = 1\n### BEGIN HIDDEN TESTS\nassert a", "line 2: 'BEGIN HIDDEN TESTS' is never closed"),
        ("### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS", "line 2: .* inside the region"),
        ("a = 1\n### END HIDDEN TESTS", "line 2: 'END HIDDEN TESTS' without a 'BEGIN HIDDEN TESTS'"),
    ],
)
def test_malformed_regions_are_errors_everywhere(source: str, message: str) -> None:
    for use in (
        hidden.hidden_regions,
        hidden.hidden_line_numbers,
        hidden.region_texts,
        hidden.without_hidden_tests,
        hidden.without_markers,
    ):
        with pytest.raises(hidden.HiddenRegionError, match=message):
            use(source)


# -- the atomic write ----------------------------------------------------------------------------------------


def test_atomic_write_replaces_whole_and_leaves_a_readable_file(tmp_path: Path) -> None:
    target = tmp_path / "file.json"
    target.write_text("old")
    atomic.write_atomically(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"], "no temporary file is left"


def test_a_failed_atomic_write_keeps_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "file.json"
    target.write_text("old")

    def no_rename(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_atomically(target, b"new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]


def test_the_folder_is_fsynced_after_the_rename(tmp_path: Path, monkeypatch) -> None:
    synced: list[Path] = []
    monkeypatch.setattr(atomic, "fsync_folder", synced.append)
    atomic.write_atomically(tmp_path / "f", b"x")
    assert synced == [tmp_path]


# -- the answer store's name and format ----------------------------------------------------------------------


def test_store_name_and_path_follow_the_notebook(tmp_path: Path) -> None:
    assert store_name("01_what_open_means") == "01_what_open_means.answers.json"
    assert store_name("01_what_open_means.ipynb") == "01_what_open_means.answers.json"
    assert store_path(tmp_path, "07_decision_framework") == tmp_path / "07_decision_framework.answers.json"
    assert notebook_of(tmp_path / "07_decision_framework.answers.json") == "07_decision_framework.ipynb"
    for bad in ("", "..", "a/b", "..\\x"):
        with pytest.raises(ValueError, match="not a path"):
            store_name(bad)


def test_every_file_the_store_makes_is_kept_out_of_builds(tmp_path: Path) -> None:
    import fnmatch

    store = AnswerStore(store_path(tmp_path, "nb"))
    store.save("q", "a")
    (tmp_path / "nb.answers.json").write_text("{broken")
    store.save("q", "b")  # moves the broken file aside
    (tmp_path / ".nb.answers.json.tmp-abc123").write_text("")  # what a killed writer leaves
    for path in tmp_path.iterdir():
        assert any(fnmatch.fnmatch(path.name, pattern) for pattern in IGNORED_NAMES), path.name


def test_ratings_are_their_own_record(tmp_path: Path) -> None:
    store = AnswerStore(store_path(tmp_path, "nb"))
    store.save("quiz_question", "a")
    store.save_ratings("project_a_risk", {"structure": "full"})
    document = json.loads(store.path.read_text())
    assert is_store_document(document)
    assert store.load() == {"quiz_question": "a"}, "ratings are not quiz answers"
    assert store.ratings("project_a_risk") == {"structure": "full"}
    assert store.ratings("project_b_risk") is None
    with pytest.raises(ValueError, match="not a snake_case id"):
        store.save_ratings("project_a_risk", {"structure": "Very good"})


# -- the grader check and the course layout ------------------------------------------------------------------


def test_under_grader_follows_nbgraders_variable(monkeypatch) -> None:
    monkeypatch.delenv(GRADER_VARIABLE, raising=False)
    assert under_grader() is False
    monkeypatch.setenv(GRADER_VARIABLE, "autograde")
    assert under_grader() is True


def test_the_course_root_is_found_from_inside_and_refused_outside(mini_course: Path, tmp_path: Path) -> None:
    inner = mini_course / "source" / "demo"
    assert find_course_root(inner) == mini_course.resolve()
    assert Course(mini_course).assignments() == ["demo"]
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(FileNotFoundError, match="no course found"):
        find_course_root(outside)
