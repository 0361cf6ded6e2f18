"""Hostile and broken submissions, all graded in one run beside two honest students.

Every hostile student is an honest submission (`correct`, or `untouched` for the ones that try to cheat) with
one thing done to it, nearly always in notebook 01. Expected: honest students graded exactly as their metadata
says; each hostile student loses exactly the points where it broke or cheated, keeps the rest, and is reported;
the gradebook, the source and the other submissions are untouched; student code reads and writes nothing
outside its own working copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from tests.cohort import ASSIGNMENT, build_course, code_scores, first_answer, grade, notebooks, submit
from tests.nbgrader_helpers import autograded_points
from workbook.editions.keys import quiz_keys

pytestmark = pytest.mark.slow
NB = "01_what_open_means"
TIMEOUT = 8  # seconds per cell, for this run only (the course uses 30)


def _prepend_to_first_answer(course: Path, student: str, code: str) -> None:
    path = course / "submitted" / student / ASSIGNMENT / f"{NB}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    index = first_answer(nb)[0]
    nb.cells[index].source = code + "\n" + nb.cells[index].source
    nbformat.write(nb, str(path))


def _edit_notebook(course: Path, student: str, change) -> None:
    path = course / "submitted" / student / ASSIGNMENT / f"{NB}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    change(nb)
    nbformat.write(nb, str(path))


def _store(course: Path, student: str) -> Path:
    return course / "submitted" / student / ASSIGNMENT / f"{NB}.answers.json"


def _tamper_tests(nb) -> None:
    """Replace every locked cell's code with a harmless line and delete one test cell entirely."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("locked"):
            cell.source = "pass  # the student replaced this cell"
    doomed = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    del nb.cells[doomed]


def _tamper_metadata(nb) -> None:
    """Raise every test's points to 100 and rename one grade id."""
    renamed = False
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 100
            if not renamed:
                meta["grade_id"] = "free_points_please"
                renamed = True


SNOOP = """
import os
for target in {targets!r}:
    try:
        with open(target, "rb") as handle:
            handle.read(1)
        print("LEAKED", target)
    except OSError as error:
        print("BLOCKED", type(error).__name__)
for folder in {folders!r}:
    try:
        os.listdir(folder)
        print("LEAKED listing", folder)
    except OSError as error:
        print("BLOCKED", type(error).__name__)
"""

VANDAL = """
for target in {targets!r}:
    try:
        with open(target, "ab") as handle:
            handle.write(b"VANDAL")
        print("WROTE", target)
    except OSError as error:
        print("BLOCKED", type(error).__name__)
"""

FAKE_QUIZ = """
def start(name):
    pass
def key(*args, **kwargs):
    return 1000.0
def __getattr__(name):
    return lambda *args, **kwargs: None
"""


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    course, env = build_course(tmp_path_factory.mktemp("hostile"))
    gradebook = course / "gradebook.db"
    honest = {
        "correct": submit(course, "correct", "correct"),
        "partly_wrong": submit(course, "partly_wrong", "partly_wrong"),
    }
    base = {}
    for student in (
        "infinite_loop",
        "ignores_sigint",
        "memory_bomb",
        "output_flood",
        "sys_exit",
        "os_exit",
        "corrupt_json",
        "missing_notebook",
        "store_missing",
        "store_corrupt",
        "store_tampered",
        "store_unknown_ids",
        "snooper",
        "vandal",
    ):
        base[student] = submit(course, student, "correct")
    for student in ("tampered_tests", "changed_metadata", "impostor", "key_patcher"):
        base[student] = submit(course, student, "untouched")

    _prepend_to_first_answer(course, "infinite_loop", "while True:\n    pass")
    _prepend_to_first_answer(
        course, "ignores_sigint", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    )
    _prepend_to_first_answer(course, "memory_bomb", "hog = []\nwhile True:\n    hog.append(bytearray(64 * 1024**2))")
    _prepend_to_first_answer(course, "output_flood", "while True:\n    print('flood ' * 2000)")
    _prepend_to_first_answer(course, "sys_exit", "import sys\nsys.exit(3)")
    _prepend_to_first_answer(course, "os_exit", "import os\nos._exit(3)")
    (course / "submitted" / "corrupt_json" / ASSIGNMENT / f"{NB}.ipynb").write_text("{ this is not JSON")
    (course / "submitted" / "missing_notebook" / ASSIGNMENT / f"{NB}.ipynb").unlink()
    _store(course, "store_missing").unlink()
    _store(course, "store_corrupt").write_text('{"schema_version": 1, "answers": {"osi_pref')
    tampered = json.loads(_store(course, "store_tampered").read_text())
    for record in tampered["answers"].values():
        record["value"] = 42 if isinstance(record["value"], str) else {"every": "option"}
    _store(course, "store_tampered").write_text(json.dumps(tampered))
    unknown = json.loads(_store(course, "store_unknown_ids").read_text())
    unknown["answers"]["no_such_question"] = {"value": "a", "saved_at": "2025-01-01T00:00:00+00:00"}
    unknown["answers"]["../../etc/passwd"] = {"value": "b", "saved_at": "yesterday"}
    _store(course, "store_unknown_ids").write_text(json.dumps(unknown))
    _edit_notebook(course, "tampered_tests", _tamper_tests)
    _edit_notebook(course, "changed_metadata", _tamper_metadata)
    _edit_notebook(
        course,
        "key_patcher",
        lambda nb: nb.cells.insert(
            2,
            nbformat.v4.new_code_cell(
                "quiz.key = lambda *args, points=1, **kwargs: float(points)  # every graded question 'right'"
            ),
        ),
    )
    fake = course / "submitted" / "impostor" / ASSIGNMENT / "workbook"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "quiz.py").write_text(FAKE_QUIZ)
    (fake / "data.py").write_text("def __getattr__(name):\n    return lambda *a, **k: None\n")

    other = course / "submitted" / "correct" / ASSIGNMENT / f"{NB}.ipynb"
    source = course / "source" / ASSIGNMENT / f"{NB}.ipynb"
    _prepend_to_first_answer(
        course,
        "snooper",
        SNOOP.format(
            targets=[str(source), str(other), str(gradebook), "../../assignment.db", "/proc/1/environ"],
            folders=[str(course), str(course / "submitted"), "../.."],
        ),
    )
    _prepend_to_first_answer(
        course,
        "vandal",
        VANDAL.format(
            targets=[
                str(gradebook),
                str(other),
                str(course / "autograded" / "evil.txt"),
                str(source.parent / "evil.txt"),
                "../../assignment.db",
            ]
        ),
    )

    def snapshot(folder: Path) -> dict[str, str]:
        return {
            str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    before = {**snapshot(course / "submitted"), **snapshot(course / "source")}
    result = grade(course, env, "--workers", "2", "--timeout", str(TIMEOUT), "--memory-limit", "1536")
    after = {**snapshot(course / "submitted"), **snapshot(course / "source")}
    return course, env, honest, base, result, before, after


def _source(course: Path):
    return next(source for stem, source, _ in notebooks(course) if stem == NB)


def _summary(result) -> dict[str, str]:
    """student -> every summary line about them (status and reasons)."""
    rows, current = {}, None
    for line in result.stdout.splitlines():
        if line and not line.startswith(" "):
            current = line.split()[0]
            rows[current] = line
        elif current and line.strip():
            rows[current] += "\n" + line
    return rows


def _expect(hostile_run, student: str, notebook_score: float, status: str, reason: str = "") -> None:
    course, env, _, base, result, _, _ = hostile_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    scores = code_scores(env["WORKBOOK_DB_URL"], student)
    expected = dict(base[student], **{NB: notebook_score})
    assert scores == pytest.approx(expected), student
    row = _summary(result)[student]
    assert re.match(rf"{re.escape(student)}\s+({status})\s", row), row
    assert re.search(reason, row), row


def _points(course: Path) -> tuple[float, float, float, float]:
    """Total autograded points of notebook 01, its first answer's test points, points before it, quiz points."""
    source = _source(course)
    _, _, tests, before = first_answer(source)
    quiz = sum(key.points for key in quiz_keys(source) if key.hidden)
    return sum(autograded_points(source).values()), tests, before, quiz


def test_honest_students_are_graded_exactly_as_without_hostile_ones(hostile_run) -> None:
    course, env, honest, _, result, _, _ = hostile_run
    assert result.returncode == 0, result.stderr[-3000:]
    for student, expected in honest.items():
        assert code_scores(env["WORKBOOK_DB_URL"], student) == pytest.approx(expected), student
        assert _summary(result)[student].split()[1] == "graded"


def test_submissions_and_source_are_unchanged(hostile_run) -> None:
    _, _, _, _, _, before, after = hostile_run
    assert after == before


def test_infinite_loop_is_interrupted_and_costs_only_its_cell(hostile_run) -> None:
    total, tests, _, _ = _points(hostile_run[0])
    _expect(hostile_run, "infinite_loop", total - tests, "timed out", r"ran longer than 8 s and was interrupted")


def test_loop_ignoring_sigint_is_stopped_and_scores_zero_from_there(hostile_run) -> None:
    _, _, before, _ = _points(hostile_run[0])
    _expect(hostile_run, "ignores_sigint", before, "timed out", r"ignored the interrupt.*later cells not run")


def test_memory_bomb_hits_the_limit(hostile_run) -> None:
    total, tests, _, _ = _points(hostile_run[0])
    _expect(hostile_run, "memory_bomb", total - tests, "graded with problems", r"memory limit")


def test_output_flood_is_truncated_and_stopped(hostile_run) -> None:
    course = hostile_run[0]
    _, _, before, _ = _points(course)
    _expect(hostile_run, "output_flood", before, "graded with problems", r"printed more than .* later cells not run")
    executed = course / "autograded" / "output_flood" / ASSIGNMENT / f"{NB}.ipynb"
    assert executed.stat().st_size < 4 * 1024**2
    assert "output truncated by the grader" in executed.read_text()


def test_sys_exit_costs_only_its_cell(hostile_run) -> None:
    total, tests, _, _ = _points(hostile_run[0])
    _expect(hostile_run, "sys_exit", total - tests, "graded with problems", r"sys.exit")


def test_os_exit_kills_the_kernel_and_scores_zero_from_there(hostile_run) -> None:
    _, _, before, _ = _points(hostile_run[0])
    _expect(hostile_run, "os_exit", before, "graded with problems", r"kernel died.*later cells not run")


def test_corrupt_notebook_scores_zero_and_is_reported(hostile_run) -> None:
    _expect(hostile_run, "corrupt_json", 0.0, "graded with problems", r"not a readable notebook")


def test_missing_notebook_scores_zero_and_is_reported(hostile_run) -> None:
    _expect(hostile_run, "missing_notebook", 0.0, "graded with problems", r"not submitted")


def test_missing_corrupt_or_tampered_answer_store_loses_only_the_quiz_points(hostile_run) -> None:
    total, _, _, quiz = _points(hostile_run[0])
    assert quiz > 0
    for student in ("store_missing", "store_corrupt", "store_tampered"):
        _expect(hostile_run, student, total - quiz, "graded")


def test_unknown_question_ids_in_the_store_are_ignored(hostile_run) -> None:
    total, _, _, _ = _points(hostile_run[0])
    _expect(hostile_run, "store_unknown_ids", total, "graded")


def test_edited_or_deleted_locked_and_test_cells_are_put_back(hostile_run) -> None:
    _expect(hostile_run, "tampered_tests", 0.0, "graded")


def test_changed_points_and_grade_ids_gain_nothing(hostile_run) -> None:
    course, env, _, _, _, _, _ = hostile_run
    _expect(hostile_run, "changed_metadata", 0.0, "graded")
    from nbgrader.api import Gradebook

    with Gradebook(env["WORKBOOK_DB_URL"], "open-vs-closed-ai") as gradebook:
        tampered = gradebook.find_submission_notebook(NB, ASSIGNMENT, "changed_metadata").max_score
        honest = gradebook.find_submission_notebook(NB, ASSIGNMENT, "correct").max_score
    assert tampered == honest


def test_a_submitted_fake_workbook_package_is_not_imported(hostile_run) -> None:
    course, env, _, base, result, _, _ = hostile_run
    assert code_scores(env["WORKBOOK_DB_URL"], "impostor") == pytest.approx(base["impostor"])
    assert all(score == 0 for score in base["impostor"].values())


def test_replacing_quiz_key_in_the_kernel_gains_nothing(hostile_run) -> None:
    _expect(hostile_run, "key_patcher", 0.0, "graded with problems", r"quiz grading was tampered with")


def _outputs(course: Path, student: str) -> str:
    executed = nbformat.read(str(course / "autograded" / student / ASSIGNMENT / f"{NB}.ipynb"), as_version=4)
    return "\n".join(str(o.get("text", "")) for c in executed.cells for o in c.get("outputs", []))


def test_student_code_cannot_read_outside_its_submission(hostile_run) -> None:
    course, _, _, _, result, _, _ = hostile_run
    total, _, _, _ = _points(course)
    if os.geteuid() != 0:  # without root there is no other user to run as: the run must say so
        assert "student code can read what you can read" in result.stderr
        return
    _expect(hostile_run, "snooper", total, "graded")
    printed = _outputs(course, "snooper")
    assert "LEAKED" not in printed
    assert printed.count("BLOCKED") == 8, printed


def test_student_code_cannot_write_outside_its_submission(hostile_run) -> None:
    course, _, _, _, result, _, _ = hostile_run
    total, _, _, _ = _points(course)
    if os.geteuid() != 0:
        assert "student code can read what you can read" in result.stderr
        return
    _expect(hostile_run, "vandal", total, "graded")
    printed = _outputs(course, "vandal")
    assert "WROTE" not in printed and printed.count("BLOCKED") == 5, printed
    assert b"VANDAL" not in (course / "gradebook.db").read_bytes()
    assert not (course / "autograded" / "evil.txt").exists()
    assert not list(course.rglob("evil.txt"))
