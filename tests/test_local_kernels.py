"""The build's validation kernels, forked from one zygote per process, against kernels started anew.

Each kernel here runs one cell that reports what a notebook could notice about its own process. A forked kernel
must report the same as a kernel that jupyter_client starts itself, except who its parent is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbclient
import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager
from traitlets.config import Config

from workbook.editions.validate import local_kernels

pytestmark = pytest.mark.kernel

REPORT = """
import json, os, signal, sys
print(json.dumps({
    "pid": os.getpid(),
    "parent": os.getppid(),
    "watched_parent": os.environ.get("JPY_PARENT_PID"),
    "cwd": os.getcwd(),
    "argv0": sys.argv[0],
    "path": sys.path,
    "marker": os.environ.get("WORKBOOK_LOCAL_KERNEL_MARKER"),
    # (ipykernel sets PYDEVD_* for its debugger, which validation kernels go without)
    "environment": sorted(k for k in os.environ if not k.startswith("PYDEVD_")),
    "sigint_is_python_s": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
    "own_session": os.getsid(0) == os.getpid(),
    "debugger_loaded": sys.modules.get("debugpy") is not None,
    "stdin_is_null": os.path.realpath("/proc/self/fd/0") == "/dev/null",
}))
"""


def report(folder: Path, forked: bool = True) -> dict:
    """Run REPORT in a kernel of the build's kind (``forked``) or one jupyter_client starts itself."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(REPORT)])
    config = local_kernels(Config(), folder)
    if not forked:
        config.NotebookClient.kernel_manager_class = AsyncKernelManager
    client = nbclient.NotebookClient(
        nb, config=config, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return json.loads(nb.cells[0].outputs[0]["text"])


def test_validation_kernels_are_forked_and_see_what_kernels_started_anew_see(monkeypatch) -> None:
    reports = {}
    for kind, forked in (("forked", True), ("forked again", True), ("started anew", False)):
        # (a short path: a unix socket's name may not be longer than 107 bytes)
        folder = Path(tempfile.mkdtemp(prefix="wb-local-kernel-"))
        monkeypatch.setenv("WORKBOOK_LOCAL_KERNEL_MARKER", kind)  # set after the zygote started, for the 2nd
        reports[kind] = report(folder, forked)
        assert reports[kind]["cwd"] == str(folder)
        assert reports[kind]["marker"] == kind
        assert reports[kind]["watched_parent"] == str(reports[kind]["parent"])
        shutil.rmtree(folder)

    anew = reports["started anew"]
    assert anew["parent"] == os.getpid()
    first, second = reports["forked"], reports["forked again"]
    assert first["parent"] == second["parent"] != os.getpid(), "both come from this process's one zygote"
    assert first["pid"] != second["pid"]
    for forked in (first, second):
        assert forked["argv0"] == "-c"
        assert forked["path"] == anew["path"], "a forked kernel imports from the same places"
        assert forked["environment"] == anew["environment"]
        assert forked["sigint_is_python_s"] and forked["own_session"] and forked["stdin_is_null"]
        assert not forked["debugger_loaded"]
    assert "" in anew["path"], "kernels import from their working folder"


FALLBACK = """
import json, os, signal, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.test_local_kernels import report
from workbook.grading import local_kernels

with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
    before = report(Path(first))
    os.kill(local_kernels._zygote.pid, signal.SIGKILL)
    after = report(Path(second))
print(json.dumps({"me": os.getpid(), "before": before["parent"], "after": after["parent"]}))
"""


def test_a_dead_zygote_means_the_next_kernels_start_the_usual_way(tmp_path) -> None:
    # In a Python of its own: this test kills that process's zygote, which would slow every later test here.
    done = subprocess.run(
        [sys.executable, "-c", FALLBACK, str(Path(__file__).parents[1])],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] != seen["me"], "the first kernel came from the zygote"
    assert seen["after"] == seen["me"], "after the zygote died, the kernel was started by the process itself"


def test_workbook_kernels_skip_jupyter_clients_fixed_waits_through_hooks_it_still_has() -> None:
    """prompt_kernels.py overrides jupyter_client internals; if one is renamed, the override silently does nothing."""
    import inspect

    from jupyter_client.asynchronous import AsyncKernelClient

    from workbook.grading.execute import SandboxKernelManager
    from workbook.grading.local_kernels import ForkingKernelManager
    from workbook.grading.prompt_kernels import PromptKernelClient

    for manager in (ForkingKernelManager, SandboxKernelManager):
        assert isinstance(manager(kernel_name="python3").client(), PromptKernelClient), manager
    assert "pollinterval" in inspect.signature(AsyncKernelManager._async_wait).parameters
    for caller in (AsyncKernelManager._async_finish_shutdown, AsyncKernelManager._async_kill_kernel):
        assert "self._async_wait(" in inspect.getsource(caller), caller
    assert callable(AsyncKernelClient._handle_kernel_info_reply)
    assert "kc.wait_for_ready(" in inspect.getsource(nbclient.NotebookClient.async_start_new_kernel_client)
