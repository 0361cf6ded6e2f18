"""The instructor's flow for the written exercise, end to end with nbgrader on a course holding notebook 7 only.

Three students submit: `ada` writes her own complete answers, `bo` writes one weak paragraph, `cy` submits the
release untouched. After autograde the instructor enters manual scores and comments through nbgrader's
gradebook API (what formgrader does), generates feedback and exports grades. The feedback must show each
student's own text, the comment, the points and the rubric, and never a model answer; the CSV must hold the
manual points.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import copy_course
from tests.nbgrader_helpers import nbgrader, run, unsandboxed_autograde
from workbook.writing import load_rubric

ASSIGNMENT = "open_vs_closed"
STEM = "07_decision_framework"
COURSE_ID = "open-vs-closed-ai"
SAMPLES = Path(__file__).parent / "fixtures" / "writing" / "samples"
pytestmark = pytest.mark.slow


def two_paragraphs(name: str) -> tuple[str, str]:
    first, second = (SAMPLES / name).read_text(encoding="utf-8").split("\n\n", 1)
    return first, second.strip()


ADA = {}
for _project, _sample in (
    ("project_a", "a_good_closed.md"),
    ("project_b", "b_good_open.md"),
    ("project_c", "c_good_api_contract.md"),
):
    ADA[f"{_project}_recommendation"], ADA[f"{_project}_risk"] = two_paragraphs(_sample)
BO = {"project_b_recommendation": (SAMPLES / "b_weak_one_factor.md").read_text(encoding="utf-8").strip()}

# What the instructor enters: (points, comment) per answer cell; cells not listed get 0 and no comment.
MANUAL = {
    "ada": {
        "project_a_recommendation": (3, "Clear and complete: all five factors argued from the case."),
        "project_a_risk": (2, "Good: the main risk and concrete steps."),
        "project_b_recommendation": (2.5, "Cost figures right; say more about how to test capability."),
        "project_b_risk": (2, ""),
        "project_c_recommendation": (3, "You argued the other defensible answer fairly."),
        "project_c_risk": (1.5, "Mitigations are concrete, but quarterly re-reading is slow."),
    },
    "bo": {"project_b_recommendation": (1, "Only data sensitivity is discussed; weigh the other four factors.")},
    "cy": {},
}


def page_text(path: Path) -> str:
    """A feedback page as its reader sees the text: tags dropped, entities decoded, white space collapsed."""
    body = re.sub(r"<style.*?</style>|<script.*?</script>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def model_sentences() -> list[str]:
    """Distinctive pieces of every model answer and its notes, as they would appear in a page."""
    nb = nbformat.read(str(Path(__file__).parent.parent / "source" / ASSIGNMENT / f"{STEM}.ipynb"), as_version=4)
    pieces = []
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            text = " ".join(cell.source.replace("\\$", "$").split())
            pieces += [s[:45] for s in re.split(r"(?<=[.:])\s", text) if len(s) > 45 and "SOLUTION" not in s]
    return pieces


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A course with notebook 7 only: built, three submissions, autograded."""
    root = copy_course(tmp_path_factory.mktemp("instructor"))
    for folder in ("release", "notebooks"):
        shutil.rmtree(root / folder, ignore_errors=True)
    for other in (root / "source" / ASSIGNMENT).glob("*.ipynb"):
        if other.stem != STEM:
            other.unlink()
    for bank in (root / "questions" / ASSIGNMENT).glob("*.toml"):  # each bank needs its notebook
        if bank.stem != STEM:
            bank.unlink()
    env = {"WORKBOOK_DB_URL": f"sqlite:///{root / 'gradebook.db'}"}
    built = run([sys.executable, "-m", "workbook", "build", "--no-validate"], root, env)
    assert built.returncode == 0, built.stderr[-3000:]
    release = nbformat.read(str(root / "release" / ASSIGNMENT / f"{STEM}.ipynb"), as_version=4)
    for student, answers in (("ada", ADA), ("bo", BO), ("cy", {})):
        nb = nbformat.from_dict(release)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{STEM}.ipynb"))
    graded = unsandboxed_autograde(ASSIGNMENT, root, env)
    assert graded.returncode == 0, graded.stderr[-3000:]
    return root, env


@pytest.fixture(scope="module")
def graded(course) -> tuple[Path, dict[str, str]]:
    """The instructor's manual grades and comments, entered through the gradebook API (as formgrader does)."""
    from nbgrader.api import Gradebook

    root, env = course
    with Gradebook(env["WORKBOOK_DB_URL"], COURSE_ID) as gradebook:
        for student, marks in MANUAL.items():
            for grade_id in load_rubric().questions:
                grade = gradebook.find_grade(grade_id, STEM, ASSIGNMENT, student)
                points, comment = marks.get(grade_id, (0, ""))
                grade.manual_score = points
                if comment:
                    gradebook.find_comment(grade_id, STEM, ASSIGNMENT, student).manual_comment = comment
        gradebook.db.commit()
    return root, env


def test_autograde_leaves_written_answers_for_manual_grading(course) -> None:
    from nbgrader.api import Gradebook

    root, env = course
    with Gradebook(env["WORKBOOK_DB_URL"], COURSE_ID) as gradebook:
        notebook = gradebook.find_notebook(STEM, ASSIGNMENT)
        assert notebook.max_score == 15 and {c.name for c in notebook.grade_cells} == set(load_rubric().questions)
        ada = gradebook.find_submission_notebook(STEM, ASSIGNMENT, "ada")
        assert ada.needs_manual_grade
        untouched = gradebook.find_submission_notebook(STEM, ASSIGNMENT, "cy")
        assert untouched.score == 0 and not untouched.needs_manual_grade, "an untouched answer scores 0 by itself"


def test_feedback_shows_text_comments_points_and_rubric_but_no_model_answer(graded) -> None:
    root, env = graded
    result = nbgrader(["generate_feedback", ASSIGNMENT], root, env)
    assert result.returncode == 0, result.stderr[-3000:]
    rubric = load_rubric()
    forbidden = model_sentences()
    assert len(forbidden) > 30
    for student, marks in MANUAL.items():
        page_path = root / "feedback" / student / ASSIGNMENT / f"{STEM}.html"
        flat = page_text(page_path)
        total = sum(points for points, _ in marks.values())
        assert f"{STEM} (Score: {total:.1f} / 15.0)" in flat, f"{student}: total {total:g} / 15 not shown"
        for grade_id, (_, comment) in marks.items():
            if comment:
                assert comment in flat, f"{student}: comment on {grade_id} missing"
        # the rubric and the mark schemes are part of the feedback
        for criterion in rubric.criteria:
            assert criterion.levels["full"] in flat and criterion.levels["none"] in flat
        assert "Mark scheme: Project C: a solo journalist, risk and mitigation (2 points)" in flat
        for piece in forbidden:
            assert piece not in flat, f"{student}: the feedback shows the model answer: {piece!r}"
        assert "what makes it strong" not in flat.lower()
    ada = page_text(root / "feedback" / "ada" / ASSIGNMENT / f"{STEM}.html")
    for text in ADA.values():
        assert " ".join(text.split())[:80] in ada, "the student's own answer is in her feedback"
    for grade_id, (points, _) in MANUAL["ada"].items():
        max_points = rubric.parts[rubric.questions[grade_id][1]].points
        assert f"Student's answer Score: {points:.1f} / {max_points:.1f}" in ada, (grade_id, points)


def test_exported_grades_include_the_manual_points(graded) -> None:
    root, env = graded
    result = nbgrader(["export", "--to", "grades.csv"], root, env)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(root / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(MANUAL)
    for student, marks in MANUAL.items():
        assert float(rows[student]["raw_score"]) == pytest.approx(sum(p for p, _ in marks.values()))
        assert float(rows[student]["max_score"]) == 15
