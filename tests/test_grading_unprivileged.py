"""`grade` run by an ordinary user, as an instructor runs it: no root, no sudo, nothing left behind owned by root.

Run as root, this test creates a throwaway system user, gives it a course, grades as that user and removes it. The
sandbox is then built in a user namespace of the user's own, where the process limit counts only the sandbox's
processes: a fork bomb among the submissions proves it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from tests.cohort import ASSIGNMENT, code_scores, one_of_each_course, submit
from tests.hostile.test_hostile_submissions import BOMB, MARK, NB, _prepend_to_first_answer
from workbook.grading.sandbox import PACKAGE_FOLDERS, Limits, engine_problem

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0,
        reason="creating a throwaway unprivileged user needs root (run as an ordinary user, every grading test "
        "already grades unprivileged)",
    ),
    pytest.mark.skipif(engine_problem() is not None, reason=f"the grading sandbox cannot run here: {engine_problem()}"),
]


def _as(user: tuple[int, int], command: list[str], **options) -> subprocess.CompletedProcess:
    uid, gid = user
    try:
        return subprocess.run(
            command, user=uid, group=gid, extra_groups=[], capture_output=True, text=True, check=False, **options
        )
    except PermissionError as error:  # the user may not run this program at all
        return subprocess.CompletedProcess(command, 126, "", str(error))


def _python_for(user: tuple[int, int], scratch: Path) -> Path:
    """An interpreter the user can run, with this test environment's packages; skip when there is none.

    This one if the user can reach it; else (a Python under root's private home, as with pyenv) the system's
    python3 of the same version in a small virtual environment that adds this environment's site-packages.
    """
    if _as(user, [sys.executable, "-c", "import workbook, nbgrader"]).returncode == 0:
        return Path(sys.executable)
    system = Path("/usr/bin/python3")
    same = system.exists() and subprocess.run(
        [system, "-c", f"import sys; sys.exit(sys.version_info[:2] != {tuple(sys.version_info[:2])})"], check=False
    )
    if not same or same.returncode != 0:
        pytest.skip(f"no Python {sys.version_info[0]}.{sys.version_info[1]} that an ordinary user can run")
    venv = scratch / "venv"
    subprocess.run([system, "-m", "venv", "--without-pip", venv], check=True)
    packages = [entry for entry in sys.path if Path(entry).name in PACKAGE_FOLDERS and Path(entry).is_dir()]
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "workbook-test.pth").write_text("".join(f"import site; site.addsitedir({p!r})\n" for p in packages))
    # nbgrader's gradebook runs the `alembic` command; this environment's script would start root's Python.
    alembic = venv / "bin" / "alembic"
    alembic.write_text(f'#!/bin/sh\nexec {venv / "bin" / "python"} -m alembic "$@"\n')
    alembic.chmod(0o755)
    python = venv / "bin" / "python"
    checked = _as(user, [python, "-c", "import workbook, nbgrader, ipykernel"])
    if checked.returncode != 0:
        pytest.skip(f"this test environment is not readable by other users: {checked.stderr.strip()[-300:]}")
    return python


@pytest.fixture(scope="module")
def unprivileged_run(tmp_path_factory):
    name = f"wbgrade{secrets.token_hex(3)}"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", name], check=True
    )
    scratch = Path(tempfile.mkdtemp(prefix="workbook-unprivileged-"))
    try:
        import pwd

        entry = pwd.getpwnam(name)
        user = (entry.pw_uid, entry.pw_gid)
        scratch.chmod(0o755)
        python = _python_for(user, scratch)
        course, env = one_of_each_course(tmp_path_factory, scratch / "course")
        expected = {"correct": submit(course, "correct", "correct")}
        submit(course, "fork_bomber", "correct")
        _prepend_to_first_answer(course, "fork_bomber", BOMB.format(mark=MARK))
        home = scratch / "home"
        home.mkdir()
        for path in [course, home, *course.rglob("*"), *home.rglob("*")]:
            os.chown(path, *user, follow_symlinks=False)
        course.chmod(0o700)
        before = {p for p in Path(tempfile.gettempdir()).iterdir() if p.lstat().st_uid == user[0]}
        result = _as(
            user,
            [python, "-m", "workbook", "grade", ASSIGNMENT, "--workers", "2"],
            cwd=course,
            env={
                "PATH": f"{python.parent}:/usr/bin:/bin",
                "HOME": str(home),
                "LANG": "C.UTF-8",
                "WORKBOOK_DB_URL": env["WORKBOOK_DB_URL"],
            },
            timeout=1800,
        )
        left = {p for p in Path(tempfile.gettempdir()).iterdir() if p.lstat().st_uid == user[0]} - before
        not_theirs = sorted(
            str(p.relative_to(course)) for p in [course, *course.rglob("*")] if p.lstat().st_uid != user[0]
        )
        yield course, env, expected, result, not_theirs, left
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)


def test_an_ordinary_user_grades_in_the_sandbox(unprivileged_run) -> None:
    course, env, expected, result, _, _ = unprivileged_run
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "GRADING WITHOUT A SANDBOX" not in result.stderr, result.stderr[-3000:]
    assert code_scores(env["WORKBOOK_DB_URL"], "correct") == pytest.approx(expected["correct"])


def test_nothing_is_left_owned_by_anyone_else_or_outside_the_course(unprivileged_run) -> None:
    course, _, _, _, not_theirs, left = unprivileged_run
    assert (course / "autograded" / "correct" / ASSIGNMENT).is_dir()  # not vacuous: grading wrote output
    assert not_theirs == [], f"files in the course not owned by the grading user: {not_theirs[:10]}"
    assert left == set(), f"left behind in the temporary folder: {sorted(map(str, left))}"


def test_the_process_limit_holds_in_a_user_namespace(unprivileged_run) -> None:
    course = unprivileged_run[0]
    executed = nbformat.read(str(course / "autograded" / "fork_bomber" / ASSIGNMENT / f"{NB}.ipynb"), as_version=4)
    printed = "\n".join(str(o.get("text", "")) for c in executed.cells for o in c.get("outputs", []))
    found = re.search(r"FORKS BEFORE THE LIMIT\s+(\d+)\s+PROCESSES\s+(\d+)", printed)
    assert found, printed[-2000:]
    assert Limits().processes // 2 <= int(found.group(2)) <= Limits().processes + 1, found.group(0)
