"""A refused PostgreSQL login is one line with the fix, before any work, and the password is never printed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.conftest import copy_course
from tests.nbgrader_helpers import run


def test_wrong_password_is_one_line_with_the_fix(postgres_url: str, tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    user_and_password, host = postgres_url.split("@", 1)
    wrong = f"{user_and_password.rsplit(':', 1)[0]}:not-the-password-7731@{host}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    result = run(
        [sys.executable, "-m", "workbook", "build", "--no-validate"], course, {**env, "WORKBOOK_DB_URL": wrong}
    )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert "error: PostgreSQL refused the login" in result.stderr and "password authentication failed" in output
    assert "hint: put the password in ~/.pgpass" in result.stderr
    assert "not-the-password-7731" not in output, "the password was printed"
    assert "grader:***@" in result.stdout, "the gradebook line names the server with the password hidden"
    assert result.stderr.strip().splitlines()[-1] == "build: REFUSED: nothing was changed (exit 2)"
    assert not (course / "gradebook.url").exists() and not (course / "gradebook.db").exists()
    assert (course / "release").exists(), "the committed release was left alone"
