"""``python -m workbook``'s manner: one line and a hint for a mistake, no traceback, a verdict line, exit codes.

Each test makes the mistake an instructor makes, on a private copy of a course, and checks what the command says
and that it changed nothing (in particular, no empty gradebook left behind).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_course
from tests.nbgrader_helpers import run
from workbook.cli import CRASHED, REFUSED, Outcome, Problem, run_command
from workbook.grading.gradebook import RECORD, course_gradebook_url, recorded_url, shown, write_record

ASSIGNMENT = "open_vs_closed"
EXAMPLE_HUB_SETTINGS = REPO / "deploy" / "hub" / "course-hub.toml"


def workbook(course: Path, *args: str, env: dict[str, str] | None = None):
    base = {key: value for key, value in os.environ.items() if key != "WORKBOOK_DB_URL"}
    return run([sys.executable, "-m", "workbook", *args], course, env={**base, **(env or {})})


def assert_refused(result, *phrases: str) -> None:
    """Exit 2, no traceback, the error and hint lines, and the verdict as the last line."""
    assert result.returncode == REFUSED, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("error: ") for line in lines), lines
    assert any(line.startswith("hint: ") for line in lines), lines
    assert "REFUSED" in lines[-1] and "(exit 2)" in lines[-1], lines
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return copy_course(tmp_path / "course")


def test_grade_before_build_refuses_and_leaves_no_gradebook(course: Path) -> None:
    result = workbook(course, "grade", ASSIGNMENT)
    assert_refused(result, "python -m workbook build")
    assert not (course / "gradebook.db").exists(), "an empty gradebook.db was left behind"
    assert not (course / "autograded").exists()


@pytest.mark.parametrize("command", ["grade", "feedback", "export"])
def test_commands_that_use_a_missing_gradebook_refuse(course: Path, command: str) -> None:
    assert not (course / "grades").exists()
    assert_refused(workbook(course, command, ASSIGNMENT), "no gradebook")
    assert not (course / "gradebook.db").exists()
    assert not (course / "grades").exists(), "export left an empty grades/ folder behind"


def test_wrong_assignment_name_lists_the_real_ones_and_does_not_blame_the_build(course: Path) -> None:
    result = workbook(course, "grade", "open_vs_clsoed")
    assert_refused(result, "'open_vs_clsoed'", f"python -m workbook grade {ASSIGNMENT}")
    assert "build" not in result.stderr


def test_outside_the_course_folder(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    result = workbook(tmp_path / "elsewhere", "grade", ASSIGNMENT)
    assert_refused(result, "no course found", "--root")


def test_root_that_is_not_a_folder(course: Path) -> None:
    assert_refused(workbook(course, "--root", str(course / "nope"), "hygiene"), "not a folder")


def test_help_documents_the_exit_codes(course: Path) -> None:
    for args in (["--help"], ["grade", "--help"]):
        result = workbook(course, *args)
        assert result.returncode == 0
        assert "exit codes:" in result.stdout and "refused to start" in result.stdout, args


def test_hygiene_ends_with_a_verdict(course: Path) -> None:
    result = workbook(course, "hygiene")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("hygiene: OK"), result.stderr[-500:]


def test_a_course_built_against_postgresql_never_falls_back_to_sqlite(course: Path) -> None:
    """sudo drops WORKBOOK_DB_URL: the course must still reach the recorded server, never a new gradebook.db."""
    write_record(course, "postgresql+psycopg2://grader:secret@127.0.0.1:9/gradebook")
    assert "secret" not in (course / RECORD).read_text(), "a password went into the record"
    assert stat.S_IMODE((course / RECORD).stat().st_mode) == 0o600
    result = workbook(course, "grade", ASSIGNMENT)
    assert_refused(result, "cannot reach the gradebook server")
    assert "gradebook: postgresql+psycopg2://grader@127.0.0.1:9/gradebook (from gradebook.url)" in result.stdout
    assert not (course / "gradebook.db").exists(), "fell back to SQLite"


def test_a_gradebook_the_course_was_not_told_about_is_refused(course: Path) -> None:
    write_record(course, f"sqlite:///{course / 'gradebook.db'}")
    (course / "gradebook.db").write_bytes(b"")
    other = f"sqlite:///{course / 'other.db'}"
    result = workbook(course, "export", ASSIGNMENT, env={"WORKBOOK_DB_URL": other})
    assert_refused(result, "other.db", "this course uses", "--switch-gradebook")
    assert not (course / "other.db").exists()


def test_an_empty_gradebook_file_is_refused(course: Path) -> None:
    write_record(course, f"sqlite:///{course / 'gradebook.db'}")
    (course / "gradebook.db").write_bytes(b"")
    assert_refused(workbook(course, "feedback", ASSIGNMENT), "does not exist (or is empty)")


def test_the_record_is_relative_for_sqlite_so_the_course_folder_can_move(tmp_path: Path, course: Path) -> None:
    write_record(course, f"sqlite:///{course / 'gradebook.db'}")
    moved = tmp_path / "moved"
    shutil.move(course, moved)
    assert recorded_url(moved) == f"sqlite:///{moved / 'gradebook.db'}"
    saved = os.environ.pop("WORKBOOK_DB_URL", None)
    try:
        assert course_gradebook_url(moved) == f"sqlite:///{moved / 'gradebook.db'}"
    finally:
        if saved is not None:
            os.environ["WORKBOOK_DB_URL"] = saved


def test_printed_urls_hide_the_password() -> None:
    assert shown("postgresql+psycopg2://grader:hunter22@db:5432/gb") == "postgresql+psycopg2://grader:***@db:5432/gb"


def test_an_unexpected_error_is_one_line_unless_debug() -> None:
    def broken(_args):
        raise KeyError("boom")

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run_command("demo", broken, None)
    assert code == CRASHED
    assert "Traceback" not in err.getvalue() and "--debug" in err.getvalue()
    assert err.getvalue().strip().splitlines()[-1] == "demo: CRASHED: nothing more was done (exit 3)"
    with pytest.raises(KeyError):
        run_command("demo", broken, None, debug=True)


@pytest.mark.parametrize(
    ("argv", "help_of", "said"),
    [
        ([], "", "required: COMMAND"),
        (["grad", ASSIGNMENT], "", "invalid choice: 'grad'"),
        (["grade"], "grade", "required: assignment"),
        (["feedback", ASSIGNMENT, "--force"], "feedback", "unrecognized arguments: --force"),
        (["facts", "--older-than", "a year"], "facts", "'a year' is not a whole number of days"),
        (["facts", "--older-than", "99999999999"], "facts", "not a whole number of days up to 36500"),
        (["grade", ASSIGNMENT, "--workers", "0"], "grade", "'0' is not a whole number of worker processes"),
        (["grade", ASSIGNMENT, "--timeout", "-1"], "grade", "'-1' is not a whole number of seconds (1 or more)"),
        (["grade", ASSIGNMENT, "--memory-limit", "4"], "grade", "'4' is not a whole number of MiB (256 or more)"),
        (["hub"], "hub", "required: ACTION"),
        (["hub", "add-student", "ada", "--password"], "hub add-student", "unrecognized arguments: --password"),
    ],
)
def test_a_command_line_mistake_is_one_line_the_commands_help_and_a_verdict(
    argv: list[str], help_of: str, said: str
) -> None:
    from workbook.__main__ import main

    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err), pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == REFUSED
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("error: ") and said in lines[0], lines
    prog = " ".join(["python -m workbook", help_of]).strip()
    assert lines[1] == f"hint: {prog} --help lists what it takes", lines
    assert lines[2] == f"{help_of or 'workbook'}: REFUSED: nothing was changed (exit 2)", lines
    assert "usage:" not in err.getvalue()


@pytest.mark.parametrize("action", ["start", "setup", "add-student"])
def test_the_hub_settings_file_can_be_named_before_or_after_the_action(action: str) -> None:
    from workbook.__main__ import parser

    names = ["ada"] if action == "add-student" else []
    after = parser().parse_args(["hub", action, *names, "--config", "class.toml"])
    before = parser().parse_args(["hub", "--config", "class.toml", action, *names])
    neither = parser().parse_args(["hub", action, *names])
    assert after.config == before.config == Path("class.toml") and neither.config is None


def hub_settings(folder: Path, *settings: str) -> Path:
    """The example hub settings with its hub folder under ``folder`` and ``settings`` (TOML lines) replacing theirs."""
    names = {setting.split(" = ")[0] for setting in settings}
    kept = [line for line in EXAMPLE_HUB_SETTINGS.read_text().splitlines() if line.split(" = ")[0] not in names]
    path = folder / "class.toml"
    path.write_text("\n".join([*kept, *settings]).replace("/srv/workbook-hub", str(folder / "hub")) + "\n")
    return path


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("port = 0", "port = 0 is not a port number"),
        ("port = 70000", "port = 70000 is not a port number"),
        ('port = "8000"', "port = '8000' is not a port number"),
        ("port = true", "port = True is not a port number"),
        ("max_dir_kb = -1", "max_dir_kb = -1 is not a size"),
        ('ip = ""', "ip = '' is not an address"),
    ],
)
def test_a_hub_setting_out_of_range_is_refused(tmp_path: Path, setting: str, said: str) -> None:
    from workbook.hub.settings import HubError, load_settings

    with pytest.raises(HubError, match=re.escape(said) + r".*\(hint: "):
        load_settings(hub_settings(tmp_path, setting))
    assert load_settings(hub_settings(tmp_path)).port == 8000  # the example itself is fine


def test_a_hub_port_on_the_command_line_is_refused_in_one_line_before_anything_is_set_up(
    tmp_path: Path, course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbook.hub.cli as hub_cli
    from workbook.__main__ import main

    def never(*_args, **_kwargs):
        raise AssertionError("the hub was set up or started with a bad port")

    monkeypatch.setattr(hub_cli, "start", never)
    monkeypatch.setattr(hub_cli, "setup", never)
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = main(["--root", str(course), "hub", "start", "--port", "-1", "--config", str(hub_settings(tmp_path))])
    lines = err.getvalue().strip().splitlines()
    assert code == REFUSED, lines
    # start needs root first (CI runs as root, so there the port is what is refused)
    said = "error: port = -1 is not a port number" if os.geteuid() == 0 else "error: "
    assert len(lines) == 3 and lines[0].startswith(said) and lines[1].startswith("hint: "), lines
    assert not (tmp_path / "hub").exists()


def test_paths_that_cannot_be_written_are_refused_before_any_work(course: Path) -> None:
    a_file = course / "nbgrader_config.py"
    exported = workbook(course, "export", ASSIGNMENT, "--to", str(a_file / "grades"))
    assert_refused(exported, f"--to {a_file / 'grades'}: cannot make this folder", "hint: pass --to a folder")
    assert "gradebook:" not in exported.stdout, "refused before the gradebook was opened"
    for csv, where in ((course / "nowhere" / "summary.csv", "which is not a folder"), (course, "is a folder")):
        summary = workbook(course, "writing-summary", ASSIGNMENT, "--csv", str(csv))
        assert_refused(summary, f"--csv {csv} ", where, "hint: pass --csv a file name")
    assert not (course / "nowhere").exists()


def test_a_problem_keeps_its_exit_code_and_an_outcome_its_summary() -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert run_command("demo", lambda _a: Outcome(summary="all fine"), None) == 0
        assert run_command("demo", lambda _a: (_ for _ in ()).throw(Problem("bad", "do this", 1)), None) == 1
    assert out.getvalue() == "", "stdout is for results only"
    assert err.getvalue().startswith("demo: OK: all fine (exit 0)\n")
    assert "error: bad\nhint: do this\n" in err.getvalue()


@pytest.mark.kernel  # a build runs every notebook: not for the fast loop
def test_build_kernels_use_no_network_and_print_no_tcp_warning(mini_course: Path) -> None:
    """The build's kernels talk over unix sockets in a private folder: the build works in a network namespace of
    its own, where loopback TCP is unreachable, and ipykernel has no unencrypted TCP to warn about."""
    base = {key: value for key, value in os.environ.items() if key != "WORKBOOK_DB_URL"}
    command = ["unshare", "--user", "--map-root-user", "--net", sys.executable, "-m", "workbook", "build"]
    result = run([*command, "--no-gradebook"], mini_course, env=base)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "without encryption" not in result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("build: OK"), result.stderr[-300:]


def test_readme_formgrader_instruction_starts_jupyterlab_even_as_root(tmp_path: Path, course: Path) -> None:
    """The README's hand-grading step is `make formgrader`; its command must start (as root: --allow-root)."""
    import re
    import secrets
    import shlex
    import signal
    import subprocess
    import time
    import urllib.request

    from tests.labkit import free_port, private_env

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| grade written answers by hand"))
    assert re.search(r"`make formgrader`", row), row
    port, token = free_port(), secrets.token_hex(8)
    dry = subprocess.run(
        ["make", "-n", "formgrader", f"PORT={port}"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in dry.stdout.splitlines() if "jupyter lab" in line)
    words = shlex.split(line)
    assert words[0].endswith(".venv/bin/jupyter"), words
    command = [sys.executable, "-m", "jupyter", *words[1:], "--no-browser", f"--IdentityProvider.token={token}"]
    server = subprocess.Popen(
        command,
        cwd=course,
        env=private_env(tmp_path / "lab"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None and status != 200:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/formgrader?token={token}", timeout=5) as reply:
                    status = reply.status
            except OSError:
                time.sleep(0.5)
        assert status == 200, server.stderr.read() if server.poll() is not None else "no answer from formgrader"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def test_nothing_to_work_on_is_a_refusal_with_the_next_step(course: Path) -> None:
    write_record(course, f"sqlite:///{course / 'gradebook.db'}")
    (course / "gradebook.db").write_bytes(b"not empty")  # never opened: the commands stop before
    assert_refused(workbook(course, "grade", ASSIGNMENT), "no submissions", f"nbgrader collect {ASSIGNMENT}")
    assert_refused(workbook(course, "feedback", ASSIGNMENT), "no autograded submission", "workbook grade")
    assert_refused(workbook(course, "writing-summary", ASSIGNMENT), "no submitted work", "nbgrader collect")
    (course / "submitted" / "ada" / ASSIGNMENT).mkdir(parents=True)
    assert_refused(workbook(course, "grade", ASSIGNMENT, "--student", "bob"), "from bob", "ada")


def test_export_to_a_csv_file_name_is_refused_with_the_folder_form(course: Path) -> None:
    """nbgrader's own export takes a file (--to grades.csv); ours writes two files into a folder."""
    result = workbook(course, "export", ASSIGNMENT, "--to", "grades.csv")
    assert_refused(result, "not a file", f"python -m workbook export {ASSIGNMENT} --to grades")
    assert not (course / "grades.csv").exists()


def test_debug_shows_the_traceback_before_or_after_the_command(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    for args in (["--debug", "hygiene"], ["hygiene", "--debug"]):
        result = workbook(tmp_path / "elsewhere", *args)
        assert result.returncode != 0 and "Traceback" in result.stderr, args
