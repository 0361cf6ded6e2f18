"""The instructors' summary table over all submissions: one row per student and project, good answers told from
weak ones, broken submissions reported in their row without stopping the table; also from the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from tests.conftest import REPO, copy_course
from workbook.grading.writing_summary import summary_table
from workbook.writing.rubric import FACTORS

ASSIGNMENT = "open_vs_closed"
STEM = "07_decision_framework"
RELEASE = REPO / "release" / ASSIGNMENT / f"{STEM}.ipynb"
SAMPLES = Path(__file__).parent / "fixtures" / "writing" / "samples"


def paragraphs(name: str) -> tuple[str, str]:
    first, second = (SAMPLES / name).read_text(encoding="utf-8").split("\n\n", 1)
    return first, second


def submit(course: Path, student: str, answers: dict[str, str]) -> Path:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nb = nbformat.read(str(RELEASE), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(nb, str(folder / f"{STEM}.ipynb"))
    return folder


@pytest.fixture
def course(tmp_path: Path) -> Path:
    copy_course(tmp_path)  # the command line works in a course folder (nbgrader_config.py and source/)
    good_a, good_b, good_c = (paragraphs(n) for n in ("a_good_closed.md", "b_good_open.md", "c_good_local.md"))
    submit(
        tmp_path,
        "ada",
        {
            "project_a_recommendation": good_a[0],
            "project_a_risk": good_a[1],
            "project_b_recommendation": good_b[0],
            "project_b_risk": good_b[1],
            "project_c_recommendation": good_c[0],
            "project_c_risk": good_c[1],
        },
    )
    weak = (SAMPLES / "b_weak_one_factor.md").read_text()
    submit(tmp_path, "bo", {"project_b_recommendation": weak})
    broken = submit(tmp_path, "cy", {})
    (broken / f"{STEM}.ipynb").write_text("{ this is not a notebook")
    missing = submit(tmp_path, "di", {})
    nb = nbformat.read(str(missing / f"{STEM}.ipynb"), as_version=4)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "project_c_risk"]
    nbformat.write(nb, str(missing / f"{STEM}.ipynb"))
    # another notebook of the assignment, with no written answers: it adds no rows
    shutil.copy2(REPO / "release" / ASSIGNMENT / "06_tradeoffs_not_morals.ipynb", missing)
    return tmp_path


def test_one_row_per_student_and_project_with_the_checks_findings(course: Path) -> None:
    table = summary_table(course, ASSIGNMENT)
    assert isinstance(table, pd.DataFrame)
    rows = {(r.student, r.project): r for r in table.itertuples()}
    assert {s for s, _ in rows} == {"ada", "bo", "cy", "di"}
    for project in ("project_a", "project_b", "project_c"):
        good = rows[("ada", project)]
        assert good.ready and good.factors_found == 5 and good.paragraphs == 2 and good.problem == ""
    weak = rows[("bo", "project_b")]
    assert not weak.ready and weak.factors_found == 1 and weak.data_sensitivity == "discussed"
    assert weak.cost == "missing" and "Cost at expected scale: not found" in weak.hints
    untouched = rows[("bo", "project_a")]
    assert untouched.words == 0 and untouched.hints.startswith("Nothing to check")


def test_broken_submissions_get_a_row_that_says_why(course: Path) -> None:
    table = summary_table(course, ASSIGNMENT)
    broken = table[table.student == "cy"]
    assert len(broken) == 1 and "Could not read 07_decision_framework.ipynb" in broken.iloc[0].problem
    missing = table[(table.student == "di") & (table.project == "project_c")]
    assert "has no answer cell 'project_c_risk'" in missing.iloc[0].problem
    assert len(table[table.student == "di"]) == 3, "the other projects of that student are still checked"


def test_missing_stage_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run nbgrader collect"):
        summary_table(tmp_path, ASSIGNMENT)


def test_command_line_prints_the_table_and_writes_csv(course: Path) -> None:
    out = course / "summary.csv"
    run = subprocess.run(
        [sys.executable, "-m", "workbook", "--root", str(course), "writing-summary", ASSIGNMENT, "--csv", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "ada" in run.stdout and "project_c" in run.stdout and f"wrote {out}" in run.stdout
    saved = pd.read_csv(out, keep_default_na=False)
    assert len(saved) == len(summary_table(course, ASSIGNMENT))
    assert set(saved.columns) >= {"student", "project", *FACTORS, "hints"}

    empty = subprocess.run(
        [sys.executable, "-m", "workbook", "--root", str(course / "nowhere"), "writing-summary", ASSIGNMENT],
        capture_output=True,
        text=True,
        check=False,
    )
    assert empty.returncode == 2 and "nowhere is not a folder" in empty.stderr


def test_the_workbook_command_line_offers_the_same_summary(course: Path) -> None:
    out = course / "from-main.csv"
    run = subprocess.run(
        [sys.executable, "-m", "workbook", "--root", str(course), "writing-summary", ASSIGNMENT, "--csv", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    saved = pd.read_csv(out, keep_default_na=False)
    assert sorted(saved["student"].unique()) == sorted(summary_table(course, ASSIGNMENT)["student"].unique())
