"""Source hygiene rules and the course's nbgrader configuration."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO, copy_course
from workbook.core.layout import Course
from workbook.editions.hygiene import check_source
from workbook.nbgrader_guard import UNSANDBOXED_AUTOGRADE

DEMO = Path("source/demo/01_demo.ipynb")


def spoil(course: Path, change) -> list[str]:
    path = course / DEMO
    nb = nbformat.read(str(path), as_version=4)
    change(nb)
    nbformat.write(nb, str(path))
    return check_source(Course(course)).problems


def test_fixture_course_is_clean_and_counts_points(mini_course: Path) -> None:
    report = check_source(Course(mini_course))
    assert report.problems == []
    [points] = report.points
    assert (points.autograded, points.manual) == (3, 2)  # 2 for the code test, 1 quiz; 2 written


def test_generated_grade_ids_are_refused(mini_course: Path) -> None:
    def generated(nb):
        nb.cells[3].metadata["nbgrader"]["grade_id"] = "cell-6093d5a1"

    assert any("grade_id 'cell-6093d5a1' is not descriptive" in p for p in spoil(mini_course, generated))


def test_repeated_grade_ids_are_refused(mini_course: Path) -> None:
    def repeated(nb):
        nb.cells[4].metadata["nbgrader"]["grade_id"] = "doubled_answer"

    assert any("repeats cell 4" in p for p in spoil(mini_course, repeated))


def test_editor_metadata_and_execution_counts_are_refused(mini_course: Path) -> None:
    def edited(nb):
        nb.cells[1].metadata["collapsed"] = True
        nb.cells[3].execution_count = 7
        nb.metadata["widgets"] = {"state": {}}

    problems = spoil(mini_course, edited)
    assert any("editor metadata ['collapsed']" in p for p in problems)
    assert any("has an execution count" in p for p in problems)
    assert any("notebook metadata ['widgets']" in p for p in problems)


def test_quiz_points_must_match_the_cell(mini_course: Path) -> None:
    def more_points(nb):
        nb.cells[6].metadata["nbgrader"]["points"] = 3

    assert any("worth 3 points but its quiz.key calls award 1" in p for p in spoil(mini_course, more_points))


def test_extra_files_in_source_are_refused(mini_course: Path) -> None:
    (mini_course / "source/demo/data.csv").write_text("a,b\n1,2\n")
    assert any("nbgrader copies extra files" in p for p in check_source(Course(mini_course)).problems)


def test_clean_command_strips_outputs_and_editor_metadata(mini_course: Path) -> None:
    def ran_in_lab(nb):
        nb.cells[3].execution_count = 3
        nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
        nb.cells[3].metadata["scrolled"] = True

    assert spoil(mini_course, ran_in_lab)
    run = subprocess.run(
        [sys.executable, "-m", "workbook", "--root", str(mini_course), "clean"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "01_demo.ipynb" in run.stdout
    assert check_source(Course(mini_course)).problems == []
    nb = nbformat.read(str(mini_course / DEMO), as_version=4)
    assert nb.cells[3].metadata["nbgrader"]["grade_id"] == "doubled_answer", "nbgrader metadata is kept"


def test_gradebook_defaults_to_sqlite_and_follows_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("WORKBOOK_DB_URL", raising=False)
    config = Course(REPO).nbgrader_config()
    assert config.CourseDirectory.db_url == f"sqlite:///{REPO / 'gradebook.db'}"
    monkeypatch.setenv("WORKBOOK_DB_URL", "postgresql+psycopg2://grader@127.0.0.1:5433/course")
    assert Course(REPO).nbgrader_config().CourseDirectory.db_url.endswith("127.0.0.1:5433/course")


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("command", "button", "names"),
    [
        (["generate_assignment", "open_vs_closed", "--force"], "generate_assignment", "python -m workbook build"),
        (["autograde", "open_vs_closed", "--force"], "autograde", "python -m workbook grade"),
    ],
)
def test_nbgrader_commands_and_formgrader_buttons_that_bypass_the_kit_stop_before_changing_anything(
    tmp_path: Path, command: list[str], button: str, names: str
) -> None:
    """Plain generate_assignment would delete release/ (--force), drop the quiz files and register quiz checks
    without keys; plain autograde would run students' code as the instructor, unsandboxed."""
    course = copy_course(tmp_path / "course")
    shutil.copytree(course / "release" / "open_vs_closed", course / "submitted" / "ada" / "open_vs_closed")
    before = _files(course)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    env["WORKBOOK_DB_URL"] = f"sqlite:///{tmp_path / 'gradebook.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *command], cwd=course, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"`{names}" in done.stdout + done.stderr, done.stdout + done.stderr

    # formgrader's buttons ("Generate", and "Autograde" beside a submission) call these, with force=True
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = Course(course).nbgrader_config(**{"CourseDirectory.db_url": env["WORKBOOK_DB_URL"]})
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    answer = getattr(api, button)("open_vs_closed", *(["ada"] if button == "autograde" else []))
    assert answer["success"] is False and names in answer["log"], answer
    assert _files(course) == before and not (tmp_path / "gradebook.db").exists(), "something was changed"


def test_unsandboxed_autograde_needs_the_explicit_setting(monkeypatch) -> None:
    monkeypatch.delenv(UNSANDBOXED_AUTOGRADE, raising=False)
    assert Course(REPO).nbgrader_config().Autograde.exporter_class.endswith("UseWorkbookGrade")
    monkeypatch.setenv(UNSANDBOXED_AUTOGRADE, "yes")
    assert "exporter_class" not in Course(REPO).nbgrader_config().Autograde
    assert Course(REPO).nbgrader_config().GenerateAssignment.exporter_class.endswith("UseWorkbookBuild")


def test_answer_stores_are_never_overwritten_at_autograde() -> None:
    config = Course(REPO).nbgrader_config()
    excluded = config.Autograde.exclude_overwriting
    for assignment in Course(REPO).assignments():
        notebooks = Course(REPO).source_notebooks(assignment)
        assert sorted(excluded[assignment]) == sorted(f"{nb.stem}.answers.json" for nb in notebooks)
    assert config.OverwriteCells.add_missing_cells is True
    assert config.Execute.timeout == 30


def test_cell_ids_must_be_descriptive_kebab_case(mini_course: Path) -> None:
    def renamed(nb):
        nb.cells[0].id = "md-01"  # a numbering scheme
        nb.cells[2].id = "cell-6093d5"  # what an editor makes up
        nb.cells[5].id = "licence_question"  # snake_case: the grade-id style, not the cell-id style
        nb.cells[7].id = "Why-Question"

    problems = spoil(mini_course, renamed)
    assert any("cell 1: cell id 'md-01' does not say what the cell is" in p for p in problems)
    assert any("cell 3: cell id 'cell-6093d5' does not say what the cell is" in p for p in problems)
    assert any("cell 6: cell id 'licence_question' is not lower-kebab-case" in p for p in problems)
    assert any("cell 8: cell id 'Why-Question' is not lower-kebab-case" in p for p in problems)
    assert len(problems) == 4, problems


def test_the_course_cell_ids_follow_the_one_style() -> None:
    problems = check_source(Course(REPO)).problems
    assert not [p for p in problems if "cell id" in p]


def test_an_unclosed_hidden_test_region_is_refused(mini_course: Path) -> None:
    def unclosed(nb):
        nb.cells[4].source = nb.cells[4].source.replace("### END HIDDEN TESTS", "")

    assert "### BEGIN HIDDEN TESTS" in nbformat.read(str(mini_course / DEMO), as_version=4).cells[4].source
    problems = spoil(mini_course, unclosed)
    assert any("cell 5: hidden tests: line" in p and "is never closed" in p for p in problems), problems


def test_notebook_validation_builds_no_iri_parsers_on_import() -> None:
    # jsonschema 4.24+ imports rfc3987-syntax, which compiles about 35 grammars at import time: it made every
    # nbgrader command, build and Jupyter server start 1-4 s slower (see the pin in requirements.txt).
    code = (
        "import sys, jsonschema._format; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rfc3987_syntax', 'lark')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"importing jsonschema's format checks loaded {loaded.strip()}"


def test_the_edition_builder_imports_nbgrader_only_when_it_builds() -> None:
    # `python -m workbook facts` and `hygiene` import workbook.editions; nbgrader (with nbconvert and its server
    # extensions) took that import from 0.2 s to 1.4 s.
    code = "import sys, workbook.editions.facts; print(sorted(m for m in sys.modules if m.split('.')[0] == 'nbgrader'))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"importing workbook.editions loaded {loaded.strip()[:300]}"


REQUIREMENT_FILES = (
    "requirements.txt",
    "requirements-test.txt",
    "requirements-installer.txt",
    "deploy/hub/requirements.txt",
)


@pytest.mark.parametrize("name", REQUIREMENT_FILES)
def test_every_requirement_is_pinned_to_one_version(name: str) -> None:
    # Every student grades the same way, and every test run installs what the last one did.
    lines = (REPO / name).read_text().splitlines()
    packages = [line.split("#")[0].strip() for line in lines]
    packages = [p for p in packages if p and not p.startswith(("-r ", "-e "))]
    assert packages, f"{name} names no package"
    loose = [p for p in packages if "==" not in p or any(c in p for c in "<>~*,")]
    assert not loose, f"{name}: not pinned with ==: {loose}"


def test_every_requirement_file_is_checked() -> None:
    found = {str(p.relative_to(REPO)) for p in REPO.glob("requirements*.txt")}
    found |= {str(p.relative_to(REPO)) for p in (REPO / "deploy").rglob("requirements*.txt")}
    assert found == set(REQUIREMENT_FILES)
