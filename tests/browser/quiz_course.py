"""A throwaway nbgrader course around the quiz fixture notebook: generate the release, take a student's folder
as their submission, autograde it and read the scores back from the gradebook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "quiz_demo.ipynb"
ASSIGNMENT = "quiz_demo"
STORE = f"{ASSIGNMENT}.answers.json"

CONFIG = """\
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "quiz-fixture"
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
# as in the course config: autograde must never copy a source store over the student's answers
c.Autograde.exclude_overwriting = {{{assignment!r}: [{store!r}]}}
c.Execute.timeout = 60
"""


def tool_env(config_dir: Path) -> dict[str, str]:
    """Environment for jupyter/nbgrader subprocesses: this venv first on PATH, private config, no grading flag."""
    env = {key: value for key, value in os.environ.items() if key != "NBGRADER_EXECUTION"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["JUPYTER_CONFIG_DIR"] = str(config_dir)
    env["PYTHONWARNINGS"] = "ignore"
    return env


@dataclass
class Course:
    """An nbgrader course folder holding the fixture assignment."""

    root: Path

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def release_folder(self) -> Path:
        return self.root / "release" / ASSIGNMENT

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=self.root,
            env=tool_env(self.root / ".jupyter-config"),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def submit(self, folder: Path, student: str) -> Path:
        """Copy a student's working folder (notebook and answer store) in as their submission."""
        target = self.root / "submitted" / student / ASSIGNMENT
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        return target

    def autograde(self, student: str) -> dict[str, float]:
        """Autograde one student's submission; return the score of each graded cell and the total."""
        self.nbgrader("autograde", ASSIGNMENT, "--student", student, "--force")
        return self.scores(student)

    def autograde_everyone(self) -> None:
        """Autograde every submission in one run, as an instructor does for a class."""
        self.nbgrader("autograde", ASSIGNMENT, "--force")

    def scores(self, student: str) -> dict[str, float]:
        """The score of each graded cell of the student's notebook in the gradebook, and the total."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gradebook:
            notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            scores = {grade.name: grade.score for grade in notebook.grades}
            scores["total"] = gradebook.find_submission(ASSIGNMENT, student).score
        return scores


def make_course(root: Path) -> Course:
    """Create the course and generate the student release of the fixture notebook."""
    root.mkdir(parents=True, exist_ok=True)
    course = Course(root)
    (root / "nbgrader_config.py").write_text(
        CONFIG.format(root=str(root), db_url=course.db_url, assignment=ASSIGNMENT, store=STORE)
    )
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    shutil.copy2(FIXTURE, source / FIXTURE.name)
    course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    return course
