"""The instructor's path through grade, feedback and export is safe: nothing silently wrong, nothing left open.

One course copy, three students: `ada` (all right, written answers to grade by hand), `bo` (three answers wrong
and a damaged quiz answer file) and `cy` (the release submitted untouched). Expected counts come from the
source notebooks' metadata, never from the grader.
"""

from __future__ import annotations

import html
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cohort import ASSIGNMENT, COURSE_ID, grade, notebooks, one_of_each_course, submit
from tests.nbgrader_helpers import run
from workbook.grading.runner import not_ours

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
DAMAGED = "01_what_open_means.answers.json"


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def written_answers(course: Path) -> dict[str, set[str]]:
    """notebook -> grade ids of the answers graded by hand (markdown cells with points)."""
    found: dict[str, set[str]] = {}
    for stem, source_nb, _ in notebooks(course):
        for cell in source_nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("grade"):
                found.setdefault(stem, set()).add(meta["grade_id"])
    return found


def page_text(path: Path) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    course, env = one_of_each_course(tmp_path_factory, tmp_path_factory.mktemp("safety"))
    for student, kind in (("ada", "correct"), ("bo", "partly_wrong"), ("cy", "untouched")):
        submit(course, student, kind)
    (course / "submitted" / "bo" / ASSIGNMENT / DAMAGED).write_text('{"answers": {"osi', encoding="utf-8")
    for folder in ("source", "submitted"):
        subprocess.run(["chmod", "-R", "o-rwx", str(course / folder)], check=True)
    first = grade(course, env, "--workers", "2")
    return course, env, first


def workbook(course: Path, env: dict[str, str], *args: str):
    return run([sys.executable, "-m", "workbook", *args], course, env)


def test_grade_prints_the_gradebook_and_counts_answers_waiting_for_hand_grading(cohort) -> None:
    course, _, first = cohort
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    assert first.stdout.startswith(f"gradebook: sqlite:///{course / 'gradebook.db'}"), first.stdout[:300]
    waiting = sum(len(ids) for ids in written_answers(course).values())
    assert waiting >= 3
    # ada and bo wrote answers; cy's untouched cells are "no response" (0 points, nothing to grade).
    assert f"answers waiting for hand grading (formgrader): {2 * waiting}" in first.stdout
    assert first.stderr.strip().splitlines()[-1].startswith("grade: OK"), first.stderr[-400:]


def test_a_damaged_answer_file_is_a_problem_for_that_student_not_plain_graded(cohort) -> None:
    _, _, first = cohort
    rows = {line.split()[0]: line for line in first.stdout.splitlines() if line.split()[:1] in (["ada"], ["bo"])}
    assert "graded with problems" in rows["bo"] and DAMAGED in rows["bo"], rows
    assert "problems" not in rows["ada"]


def test_gradebook_record_and_autograded_are_private(cohort) -> None:
    course, _, _ = cohort
    for path in ("gradebook.db", "gradebook.url", "autograded"):
        assert private(course / path), path


def test_feedback_says_not_graded_yet_and_is_private(cohort) -> None:
    course, env, _ = cohort
    made = workbook(course, env, "feedback", ASSIGNMENT)
    assert made.returncode == 0, made.stderr[-3000:]
    assert private(course / "feedback")
    assert "written answers are not graded yet" in made.stdout
    for stem, ids in written_answers(course).items():
        ada = page_text(course / "feedback" / "ada" / ASSIGNMENT / f"{stem}.html")
        assert ada.count("Not graded yet.") == len(ids), stem
        assert f"Not final: {len(ids)} of your answers" in ada
        cy = page_text(course / "feedback" / "cy" / ASSIGNMENT / f"{stem}.html")
        assert "Not graded yet" not in cy and "Not final" not in cy


def test_export_is_private_and_leaves_unfinished_totals_empty(cohort) -> None:
    course, env, _ = cohort
    exported = workbook(course, env, "export", ASSIGNMENT)
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert private(course / "grades") and private(course / "grades" / f"canvas_{ASSIGNMENT}.csv")
    assert "not graded yet, total left empty: ada (" in exported.stdout
    canvas = (course / "grades" / f"canvas_{ASSIGNMENT}.csv").read_text().splitlines()
    assert "ada,,,ada,," in canvas and "cy,,,cy,,0" in canvas


def test_export_with_a_wrong_name_says_which_assignments_the_gradebook_has(cohort) -> None:
    course, env, _ = cohort
    wrong = workbook(course, env, "export", "open_vs_close")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr, wrong.stderr
    assert "error: the gradebook has no assignment 'open_vs_close' (it has: open_vs_closed)" in wrong.stderr
    assert "hint: " in wrong.stderr and not (course / "grades" / "canvas_open_vs_close.csv").exists()


def test_grade_force_keeps_the_hand_grades_entered_in_formgrader(cohort) -> None:
    from nbgrader.api import Gradebook

    course, env, _ = cohort
    url = env["WORKBOOK_DB_URL"]
    with Gradebook(url, COURSE_ID) as gradebook:  # what formgrader stores when a grader enters points
        for notebook in gradebook.find_submission(ASSIGNMENT, "ada").notebooks:
            for grade_ in notebook.grades:
                if grade_.needs_manual_grade:
                    grade_.manual_score, grade_.needs_manual_grade = 1.0, False
        gradebook.db.commit()
    forced = grade(course, env, "--student", "ada", "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr[-2000:]
    written = written_answers(course)
    with Gradebook(url, COURSE_ID) as gradebook:
        for notebook in gradebook.find_submission(ASSIGNMENT, "ada").notebooks:
            for grade_ in notebook.grades:
                if grade_.name in written.get(notebook.name, set()):
                    assert grade_.manual_score == 1.0 and not grade_.needs_manual_grade, grade_.name
    # only bo's answers still wait
    assert f"answers waiting for hand grading (formgrader): {sum(map(len, written.values()))}" in forced.stdout


def test_the_gradebook_not_autograded_decides_whom_to_skip_and_private_feedback_does_not_block(cohort) -> None:
    from nbgrader.api import Gradebook

    course, env, _ = cohort
    assert private(course / "feedback"), "runs after the feedback test"
    with Gradebook(env["WORKBOOK_DB_URL"], COURSE_ID) as gradebook:
        gradebook.remove_submission(ASSIGNMENT, "cy")  # e.g. a new gradebook that never saw cy
    assert (course / "autograded" / "cy" / ASSIGNMENT).is_dir()
    again = grade(course, env)
    assert again.returncode == 0, again.stdout + again.stderr[-2000:]
    assert "skipped (already in the gradebook; use --force to regrade): ada, bo" in again.stdout
    assert re.search(r"^cy\s+graded\s+0/", again.stdout, flags=re.M), again.stdout


def test_folders_left_by_another_user_are_found(tmp_path: Path) -> None:
    """An old `sudo grade` leaves root's folders in autograded/: the next run names them instead of crashing."""
    autograded = tmp_path / "autograded"
    (autograded / "ada" / ASSIGNMENT).mkdir(parents=True)
    (autograded / "README.md").write_text("kept")
    me = os.stat(tmp_path).st_uid
    assert not_ours(autograded, me + 4242) == [autograded / "ada", autograded / "ada" / ASSIGNMENT]
    assert not_ours(autograded, 0) == [], "root can replace anything"
    if me == 0:
        os.chown(autograded / "ada" / ASSIGNMENT, 65534, 65534)
        assert not_ours(autograded, 65534) == [autograded / "ada"]


def test_instructor_output_is_ignored_by_git() -> None:
    paths = ["grades/canvas_x.csv", "gradebook.url", "gradebook.db", "feedback/a/b.html", "autograded/a/b.ipynb"]
    checked = subprocess.run(["git", "check-ignore", *paths], cwd=REPO, capture_output=True, text=True, check=False)
    assert checked.stdout.split() == paths
