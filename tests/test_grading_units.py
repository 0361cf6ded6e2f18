"""Fast checks of the grading package's parts: summary, feedback cleaning, sandbox helpers, refusal to run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from nbformat import NotebookNode

from workbook.grading import runner
from workbook.grading.feedback import HIDDEN_NOTE, clean_outputs, secret_lines, without_hidden_tests
from workbook.grading.results import GRADED, MISSING, TIMED_OUT, NotebookResult, StudentResult, summary_table
from workbook.grading.runner import GradeOptions, GradingError, sandbox_spec
from workbook.grading.sandbox import (
    HOME,
    SandboxError,
    UidClaim,
    copy_regular_files,
    kernel_environment,
    paths_the_kernel_needs,
    unprotected,
)

CELL = '''"""Question 1: total is right."""
assert isinstance(total, int), "total must be an int"
### BEGIN HIDDEN TESTS
assert total == 4217, f"expected the secret value"
quiz.key("q1", "option_b", explanations={"option_b": "Right, because of the hidden reason."})
### END HIDDEN TESTS
'''


def test_hidden_region_is_cut_and_visible_lines_stay() -> None:
    cleaned = without_hidden_tests(CELL)
    assert "4217" not in cleaned and "option_b" not in cleaned and "hidden reason" not in cleaned
    assert 'assert isinstance(total, int), "total must be an int"' in cleaned
    assert HIDDEN_NOTE in cleaned
    assert secret_lines(CELL) == sorted(
        [
            'assert total == 4217, f"expected the secret value"',
            'quiz.key("q1", "option_b", explanations={"option_b": "Right, because of the hidden reason."})',
        ]
    )


def test_outputs_of_a_hidden_test_cell_keep_the_message_but_not_the_traceback() -> None:
    secrets = secret_lines(CELL)
    outputs = [
        NotebookNode(
            output_type="error",
            ename="AssertionError",
            evalue="2 missing: check the filter",
            traceback=["Traceback", '----> 4 assert total == 4217, f"expected the secret value"'],
        ),
        NotebookNode(
            output_type="stream", name="stdout", text='echo: assert total == 4217, f"expected the secret value"\n'
        ),
        NotebookNode(output_type="execute_result", data={"text/plain": "1.0"}, metadata={}, execution_count=3),
    ]
    error, stream, result = clean_outputs(outputs, secrets)
    assert error.traceback == ["AssertionError: 2 missing: check the filter"]
    assert "4217" not in stream.text
    assert result.data["text/plain"] == "1.0"
    quoting = NotebookNode(
        output_type="error",
        ename="AssertionError",
        evalue='assert total == 4217, f"expected the secret value"',
        traceback=[],
    )
    assert clean_outputs([quoting], secrets)[0].evalue == "a hidden test failed"


def test_summary_counts_each_status_and_lists_every_reason() -> None:
    results = [
        StudentResult("ana", [NotebookResult("01", GRADED)], score=5, max_score=6),
        StudentResult(
            "bo", [NotebookResult("01", TIMED_OUT, problems=["cell 3 ran longer than 30 s"])], score=1, max_score=6
        ),
        StudentResult(
            "cy", [NotebookResult("01", MISSING, problems=["notebook not submitted: scored 0"])], score=0, max_score=6
        ),
        StudentResult("di", error="could not be graded: a worker crashed"),
    ]
    table = summary_table(results)
    assert [r.status for r in results] == ["graded", "timed out", "graded with problems", "failed"]
    assert "01: cell 3 ran longer than 30 s" in table and "01: notebook not submitted" in table
    assert "a worker crashed" in table and "5/6" in table
    assert table.splitlines()[-1] == "graded: 1, graded with problems: 1, timed out: 1, failed: 1"


def test_kernel_environment_is_built_from_nothing(monkeypatch) -> None:
    monkeypatch.setenv("WORKBOOK_DB_URL", "postgresql://u:pw@h/db")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    env = kernel_environment(HOME, "/tmp")
    assert "WORKBOOK_DB_URL" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert not any("pw@h" in value for value in env.values())
    assert env["NBGRADER_EXECUTION"] == "autograde" and env["HOME"] == HOME and env["TMPDIR"] == "/tmp"
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)


def test_copy_leaves_out_symbolic_links(tmp_path: Path) -> None:
    source = tmp_path / "submission"
    (source / "sub").mkdir(parents=True)
    (source / "a.ipynb").write_text("{}")
    (source / "sub" / "b.txt").write_text("b")
    (source / "link").symlink_to(tmp_path / "secret.db")
    (source / "dirlink").symlink_to(tmp_path)
    left_out = copy_regular_files(source, tmp_path / "copy")
    assert sorted(left_out) == ["dirlink", "link"]
    assert (tmp_path / "copy" / "sub" / "b.txt").read_text() == "b"
    assert not (tmp_path / "copy" / "link").exists() and not (tmp_path / "copy" / "dirlink").exists()


def test_the_kernel_sees_the_interpreter_and_the_package_but_not_the_course(tmp_path: Path) -> None:
    import workbook

    paths = [Path(p) for p in paths_the_kernel_needs()]
    package = Path(workbook.__file__).resolve().parent
    assert any(p == package or p in package.parents for p in paths)
    assert any(p == Path(sys.base_prefix).resolve() or p in Path(sys.base_prefix).resolve().parents for p in paths)
    assert not any(p == Path.cwd() or p in Path.cwd().parents for p in paths if p != package), paths
    assert not any(a != b and a in b.parents for a in paths for b in paths), "nested binds"


def test_without_the_engine_the_run_says_what_is_not_protected(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(runner, "engine_problem", lambda: "bubblewrap is not installed (test)")
    spec = sandbox_spec(tmp_path, GradeOptions())
    assert not spec.engine
    with pytest.raises(GradingError, match="bubblewrap is not installed"):
        sandbox_spec(tmp_path, GradeOptions(isolate=True))
    block = unprotected("bubblewrap is not installed (test)")
    assert block.splitlines()[0] == "GRADING WITHOUT A SANDBOX: bubblewrap is not installed (test)."
    for exposure in ("gradebook", "network", "/tmp", "processes running after grading", "filling the disk"):
        assert exposure in block, exposure


def test_a_python_environment_holding_the_course_is_refused(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(runner, "engine_problem", lambda: None)
    monkeypatch.setattr(runner, "paths_the_kernel_needs", lambda: [str(tmp_path)])
    with pytest.raises(GradingError, match="would show the course folder"):
        sandbox_spec(tmp_path / "course", GradeOptions())
    with pytest.raises(GradingError, match="unknown sandbox limit"):
        sandbox_spec(tmp_path / "course", GradeOptions(limits={"no_such_limit": 1}))


def test_mount_point_parents_are_enterable_and_never_cover_a_bind() -> None:
    from workbook.grading.sandbox import _mount_point_parents

    options = _mount_point_parents(["/root/.pyenv/versions/3.11", "/work/course/workbook", "/usr/lib/x", HOME])
    folders = options[3::4]
    assert options[0:3] == ["--perms", "0755", "--dir"]
    assert folders == ["/home", "/root", "/work", "/root/.pyenv", "/work/course", "/root/.pyenv/versions"]


def test_two_grading_runs_at_once_never_give_two_students_one_kernel_uid(tmp_path: Path) -> None:
    """Each kernel uid has its own process limit; a uid claimed by one run (another process) is skipped by the next."""
    import subprocess
    import time

    base = 64900
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from workbook.grading.sandbox import UidClaim; "
            f"c = UidClaim({base}, 1, locks=Path({str(tmp_path)!r})); print(c.uid, flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        held = int(holder.stdout.readline())
        mine = UidClaim(base, 1, locks=tmp_path)
        again = UidClaim(base, 1, locks=tmp_path)
        assert len({held, mine.uid, again.uid}) == 3
        mine.release()
        assert UidClaim(base, 1, locks=tmp_path).uid == mine.uid, "a released uid is free again"
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert UidClaim(base, 1, locks=tmp_path).uid == held, "a run that died holds nothing"


def test_nobody_and_the_16_bit_minus_one_are_never_a_students_uid(tmp_path: Path) -> None:
    """A claim whose first candidates are 65534 and 65535 steps over both, whether or not the machine has a nobody
    account (an account or a process on 65536 and up would only move it further)."""
    assert UidClaim(65000, 534, locks=tmp_path).uid > 65535


def test_a_uid_lock_folder_someone_else_could_write_is_refused(tmp_path: Path) -> None:
    planted = tmp_path / "locks"
    planted.mkdir(mode=0o777)
    planted.chmod(0o777)  # as another account could leave it in /run/lock
    with pytest.raises(SandboxError, match="not a private folder"):
        UidClaim(64900, 1, locks=planted)


def test_grade_runs_two_workers_per_cpu_unless_memory_is_short(monkeypatch) -> None:
    """A worker waits while its kernel starts and its sandbox is set up; a second one per CPU fills the wait,
    as long as the free memory holds them all."""
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1})  # two CPUs for this process
    per_worker = runner.MEMORY_PER_WORKER
    cases = {None: 4, 64 * per_worker: 4, 3 * per_worker + per_worker // 2: 3, per_worker // 4: 1}
    for memory, workers in cases.items():
        monkeypatch.setattr(runner, "available_memory", lambda memory=memory: memory)
        assert runner.default_workers() == workers, memory


def test_available_memory_is_some_of_the_machines_memory() -> None:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < runner.available_memory() <= total


def test_a_graded_kernel_starts_as_the_kernel_spec_says_but_without_the_debugger() -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    from workbook.grading.execute import KERNEL_WITHOUT_DEBUGGER, without_debugger

    argv = KernelSpecManager().get_kernel_spec("python3").argv  # what nbgrader's Execute would start
    changed = without_debugger(argv[1:])
    assert "ipykernel_launcher" not in changed, f"ipykernel's launcher is started otherwise now: {argv}"
    assert changed[changed.index("-c") + 1] == KERNEL_WITHOUT_DEBUGGER
    assert [a for a in changed if a not in ("-c", KERNEL_WITHOUT_DEBUGGER)] == [
        a for a in argv[1:] if a not in ("-m", "ipykernel_launcher")
    ], "every other argument is kept, in order"
    assert without_debugger(["-m", "other_kernel", "-f", "x"]) == ["-m", "other_kernel", "-f", "x"]


@pytest.mark.kernel
def test_a_kernel_started_without_the_debugger_runs_code_and_never_imports_debugpy(tmp_path: Path) -> None:
    import json

    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    from workbook.grading.execute import without_debugger

    spec = tmp_path / "kernels" / "graded"
    spec.mkdir(parents=True)
    argv = [sys.executable, *without_debugger(["-m", "ipykernel_launcher", "-f", "{connection_file}"])]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "graded", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    km = KernelManager(kernel_name="graded", kernel_spec_manager=specs, transport="ipc", ip=str(tmp_path / "k"))
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        seen: list[str] = []
        code = (
            "import sys; print(sorted(name for name, module in sys.modules.items() if module is not None "
            "and ('pydevd' in name or name.startswith('debugpy'))), 6 * 7)"
        )
        reply = kc.execute_interactive(
            code, timeout=60, output_hook=lambda msg: seen.append(msg["content"].get("text", ""))
        )
        assert reply["content"]["status"] == "ok"
        assert "".join(seen).strip() == "[] 42"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


WORKER_START = """
import sys, threading
from workbook.grading import runner
runner.WORKER_MODULES = ("wave", "colorsys")  # (nbgrader itself takes seconds to import: not in the fast loop)
if sys.argv[1] == "busy":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
context = runner.worker_context()
print(context.get_start_method(), all(name in sys.modules for name in runner.WORKER_MODULES))
"""


@pytest.mark.parametrize(("state", "expected"), [("alone", "fork True"), ("busy", "forkserver True")])
def test_workers_fork_from_the_grader_only_while_it_runs_no_other_thread(state: str, expected: str) -> None:
    """Forking copies what the grader imported (nbgrader: 1.5 s of CPU) into each worker; with another thread
    running a fork could copy a held lock, so then workers come from a fresh fork server."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", WORKER_START, state], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == expected.split()
