"""The grading sandbox itself, in about a second: what a process inside can see, reach and leave behind.

A probe (plain Python, no kernel) runs through the sandbox's agent exactly as a kernel would and reports what it
found; the full attacks through `grade` are in tests/hostile/. Skipped, with the reason, where bubblewrap cannot run.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from workbook.grading.sandbox import (
    HOME,
    WORKDIR,
    Limits,
    Sandbox,
    SandboxSpec,
    engine_problem,
    paths_the_kernel_needs,
    running_as_root,
    sandbox_uids,
)

pytestmark = pytest.mark.skipif(
    engine_problem() is not None, reason=f"the grading sandbox cannot run here: {engine_problem()}"
)

PROBE = """
import json, os, resource, socket, sys
found = {"uid": os.getuid(), "root": sorted(os.listdir("/")), "home": sorted(os.listdir(os.environ["HOME"]))}
found["env"] = dict(os.environ)
found["tmp"] = sorted(os.listdir("/tmp"))
found["nproc"] = resource.getrlimit(resource.RLIMIT_NPROC)[0]
found["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3).close()
    found["tcp"] = "connected"
except OSError as error:
    found["tcp"] = type(error).__name__
for path in sys.argv[2:]:
    try:
        open(path, "rb").close()
        found.setdefault("opened", []).append(path)
    except OSError:
        pass
with open("/tmp/left-by-probe", "w") as handle:
    handle.write("x")
if os.fork() == 0:
    os.setsid()
    import time
    time.sleep(300)
with open("probe.json", "w") as handle:
    json.dump(found, handle)
"""


@pytest.fixture
def listener():
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def serve() -> None:
        try:
            accepted.append(server.accept())
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], accepted
    server.close()


def _spec() -> SandboxSpec:
    uid = sandbox_uids(1)[0] if running_as_root() else None
    return SandboxSpec(engine=True, binds=tuple(paths_the_kernel_needs()), uid=uid)


def _run_probe(sandbox: Sandbox, *args: str) -> dict:
    probe = sandbox.scratch.parent / "probe.py"
    probe.write_text(PROBE)
    sandbox.put_file(probe, f"{WORKDIR}/probe.py")
    kernel = sandbox.start_kernel([sys.executable, "-I", f"{WORKDIR}/probe.py", *args])
    assert kernel.wait(timeout=60) == 0
    return json.loads(sandbox.outside(f"{WORKDIR}/probe.json").read_text())


def test_a_process_in_the_sandbox_sees_only_what_grading_gives_it(tmp_path: Path, listener, monkeypatch) -> None:
    port, accepted = listener
    monkeypatch.setenv("WORKBOOK_DB_URL", "postgresql://grader:secret-password@db/course")
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    with Sandbox(_spec(), tmp_path / "student") as sandbox:
        found = _run_probe(sandbox, str(port), str(secret), str(Path.home()), "/etc/passwd")
    system = {"bin", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr"}
    assert set(found["root"]) <= system | {Path(p).parts[1] for p in paths_the_kernel_needs()}, found["root"]
    assert set(found["home"]) <= {".matplotlib", ".run", "work"}, found["home"]
    assert "opened" not in found, found.get("opened")  # no course file, no home folder, no account list
    assert found["tcp"] in ("ConnectionRefusedError", "OSError", "TimeoutError") and accepted == []
    assert not any("secret-password" in value for value in found["env"].values())
    # /tmp is the sandbox's own, empty but for the folders that lead to a read-only interpreter or package kept
    # under /tmp (a checkout there, say).
    under_tmp = {
        Path(p).parts[2] for p in paths_the_kernel_needs() if Path(p).parts[1:2] == ("tmp",) and len(Path(p).parts) > 2
    }
    assert found["env"]["HOME"] == HOME and set(found["tmp"]) <= under_tmp, found["tmp"]
    assert found["nproc"] == Limits().processes
    assert set(found["pids"]) <= {1, 2, 3, 4}, "the sandbox has its own PID namespace"
    if running_as_root():
        assert found["uid"] != 0, "as root, kernels run as an unprivileged user id"


def test_nothing_a_probe_leaves_survives_the_sandbox(tmp_path: Path) -> None:
    sandbox = Sandbox(_spec(), tmp_path / "student").start()
    root = sandbox.root
    _run_probe(sandbox, "9")
    assert sandbox.reap() >= 1, "the probe's detached process was killed"
    assert sandbox.outside("/tmp/left-by-probe").exists()
    sandbox.close()
    time.sleep(0.2)
    assert not Path(root).exists(), "the sandbox's processes are gone"
    assert not Path("/tmp/left-by-probe").exists()
    assert os.listdir(tmp_path / "student") == ["sandbox.log"]


# What a kernel can see of itself: a forked kernel must look the same as one started by exec.
SELF_REPORT = """
import ctypes, json, os, pickle, resource, signal, sys
def twice(x):
    return 2 * x
parent = open(f"/proc/{os.getppid()}/cmdline", "rb").read().split(b"\\0")
report = {
    "parent": [part.decode() for part in parent if part.endswith(b".py")],
    "argv": [part for part in sys.argv if not part.startswith("/")],
    "cwd": os.getcwd(),
    "env": dict(os.environ),
    "limits": [resource.getrlimit(kind) for kind in (resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_CPU)],
    "sigint": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
    "dumpable": ctypes.CDLL(None).prctl(3, 0, 0, 0, 0),
    "session_leader": os.getsid(0) == os.getpid(),
    "own_fds": sorted(os.listdir("/proc/self/fd")) != [],
    "pickled": pickle.loads(pickle.dumps(twice))(21),
    "debugpy": sys.modules.get("debugpy", "absent") is None,
}
try:
    open(f"/proc/{os.getppid()}/fd/0", "wb").close()
    report["parent_pipe"] = "opened"
except OSError as error:
    report["parent_pipe"] = type(error).__name__
print(json.dumps(report))
"""


def _kernel_reports(sandbox: Sandbox, tmp_path: Path, *extra_cells: str) -> list[dict]:
    """Run SELF_REPORT (then ``extra_cells``) in a fresh graded kernel for each report, reaping in between."""
    import nbformat

    from workbook.grading.execute import SandboxedExecute

    reports = []
    for extra in [*extra_cells, ""]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SELF_REPORT)])
        if extra:
            nb.cells.append(nbformat.v4.new_code_cell(extra))
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        execute = SandboxedExecute(sandbox=sandbox, connection_folder=str(tmp_path), timeout=60)
        nb, _ = execute(nb, {"metadata": {"path": sandbox.workdir}})
        assert not execute.stopped_reason, execute.stopped_reason
        reports.append(json.loads(nb.cells[0].outputs[0]["text"]))
        sandbox.reap()
    return reports


@pytest.mark.kernel
def test_a_students_kernels_are_forked_from_one_zygote_and_look_like_started_ones(tmp_path: Path, monkeypatch) -> None:
    """Importing ipykernel is most of a kernel's start: each student's sandbox imports it once (zygote.py)."""
    from workbook.grading import execute

    with Sandbox(_spec(), tmp_path / "student") as sandbox:
        first, second = _kernel_reports(sandbox, tmp_path, "")
    monkeypatch.setattr(execute, "zygote_arguments", lambda argv: None)  # the kernels as exec started them
    with Sandbox(_spec(), tmp_path / "other") as sandbox:
        (started,) = _kernel_reports(sandbox, tmp_path)
    assert first["parent"] == second["parent"] and Path(first["parent"][0]).name == "zygote.py", first["parent"]
    assert Path(started["parent"][0]).name == "agent.py", started["parent"]
    for forked in (first, second):
        assert {**forked, "parent": None} == {**started, "parent": None}
    assert started["sigint"] and started["dumpable"] == 1 and started["session_leader"] and started["pickled"] == 42
    assert started["parent_pipe"] in ("PermissionError", "OSError"), "a kernel cannot write to its parent's pipes"


@pytest.mark.kernel
@pytest.mark.parametrize("attack", ["SIGKILL", "SIGSTOP"])
def test_a_kernel_that_stops_or_kills_the_zygote_only_slows_the_next_kernels(tmp_path: Path, attack: str) -> None:
    with Sandbox(_spec(), tmp_path / "student") as sandbox:
        attack_cell = f"import os, signal; os.kill(os.getppid(), signal.{attack})"
        attacked, after = _kernel_reports(sandbox, tmp_path, attack_cell)
    assert Path(attacked["parent"][0]).name == "zygote.py"
    assert Path(after["parent"][0]).name == "agent.py", "the next kernel was started by the agent itself"
    assert {**after, "parent": None} == {**attacked, "parent": None}
