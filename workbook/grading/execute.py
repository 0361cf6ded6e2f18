"""nbgrader's ``Execute`` with a sandboxed kernel, a cap on output, and a clean stop when a kernel hangs or dies.

nbgrader gives up on the whole student when a kernel ignores the interrupt after a timeout or dies (``os._exit``,
the memory limit). Here the cell where that happened gets an error output saying why, every later cell gets a
"not run" error, and the notebook is kept: the student is graded 0 from the point where it broke.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Any, Float, Integer, Unicode

from .prompt_kernels import PromptKernelManager
from .sandbox import Sandbox

# What ``-m ipykernel_launcher`` runs, without the debugger: nobody debugs a notebook being graded, and importing
# debugpy costs about a fifth of a kernel's start (0.12 s of CPU for every graded notebook). ipykernel goes on
# without it as when debugpy is not installed.
KERNEL_WITHOUT_DEBUGGER = (
    "import sys; sys.modules['debugpy'] = None; from ipykernel import kernelapp; kernelapp.launch_new_instance()"
)


def zygote_arguments(argv: list[str]) -> list[str] | None:
    """The kernel's own arguments when ``argv`` is the grader's Python starting ipykernel as above, else None.

    Only such kernels can be forked from the student's zygote (see zygote.py), which imported that same start.
    """
    start = [sys.executable, "-P", "-c", KERNEL_WITHOUT_DEBUGGER]
    return argv[len(start) :] if argv[: len(start)] == start else None


def without_debugger(arguments: list[str]) -> list[str]:
    """Python's arguments with ``-m ipykernel_launcher`` replaced by the same start without debugpy."""
    for index in range(len(arguments) - 1):
        if arguments[index : index + 2] == ["-m", "ipykernel_launcher"]:
            return [*arguments[:index], "-c", KERNEL_WITHOUT_DEBUGGER, *arguments[index + 2 :]]
    return arguments


class SandboxProvisioner(LocalProvisioner):
    """Starts the kernel inside the student's sandbox (through its agent) instead of as a child of the grader."""

    sandbox = Any(help="the student's Sandbox")

    async def launch_kernel(self, cmd: list[str], **kwargs):
        sandbox: Sandbox = self.sandbox
        km = self.parent
        # The kernel reads its own connection file, naming its socket paths as it sees them.
        inside_file = f"{sandbox.runtime}/{Path(km.connection_file).name}"
        info = json.loads(Path(km.connection_file).read_text())
        info["ip"] = f"{sandbox.runtime}/{Path(km.ip).name}"
        sandbox.write_text(inside_file, json.dumps(info))
        argv = [inside_file if part == km.connection_file else part for part in cmd]
        if argv and argv[0] == sys.executable:
            # -P: never import from the working folder (a submitted "workbook/" must not replace the real one).
            argv = [argv[0], "-P", *without_debugger(argv[1:]), "--IPKernelApp.ignore_cwd=True"]
        self.process = sandbox.start_kernel(argv, zygote_arguments(argv))
        self.pid, self.pgid, self.cwd = self.process.pid, None, sandbox.workdir
        return self.connection_info


class SandboxKernelManager(PromptKernelManager):
    """A kernel manager whose kernels run in ``sandbox`` and talk over ipc sockets in its runtime folder."""

    sandbox: Sandbox | None = None  # set on the per-notebook subclass (see SandboxedExecute.preprocess)
    connection_folder: str = ""  # the grader's own folder for the connection file it keeps

    async def _async_pre_start_kernel(self, **kw):
        name = f"kernel-{uuid.uuid4().hex[:12]}"
        self.transport = "ipc"
        self.connection_file = str(Path(self.connection_folder) / f"{name}.json")
        self.ip = str(self.sandbox.outside(f"{self.sandbox.runtime}/{name}-ipc"))
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = SandboxProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self, sandbox=self.sandbox
            )
        return await super()._async_pre_start_kernel(**kw)


def error_output(ename: str, evalue: str) -> NotebookNode:
    """An error output as nbgrader scores it (0 points for the cell), with a one-line traceback."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class SandboxedExecute(Execute):
    """Execute every cell in a sandboxed kernel; stop cleanly (and say why) when the kernel cannot go on."""

    sandbox = Any(help="the student's Sandbox, where kernels run")
    connection_folder = Unicode(help="the grader's folder for kernel connection files")
    output_bytes_per_cell = Integer(2 * 1024**2, help="output kept per cell; the rest is dropped")
    notebook_seconds = Float(0.0, help="time budget for the whole notebook (0: none)")
    stopped_reason = Unicode("", help="why execution stopped early (empty if it did not)")
    stopped_kind = Unicode("", help="'timed out' or 'kernel died' when execution stopped early")
    # Errors worth a line in the summary: the student's code hit a limit rather than a plain bug.
    reported_errors = {
        "CellTimeoutError": "timed out and was interrupted",
        "MemoryError": "hit the memory limit",
        "SystemExit": "called sys.exit()",
        "KeyboardInterrupt": "was interrupted",
    }

    def preprocess(self, nb, resources=None, km=None):
        self.kernel_manager_class = type(
            "BoundSandboxKernelManager",
            (SandboxKernelManager,),
            {"sandbox": self.sandbox, "connection_folder": self.connection_folder},
        )
        self.shutdown_kernel = "immediate"  # a hung kernel must not cost the graceful-shutdown wait
        self.stopped_reason, self.stopped_kind = "", ""
        self.cell_problems: list[str] = []
        self.cell_timed_out = False
        self._output_sizes: dict[int, int] = {}
        self._flooded = False
        self._deadline = time.monotonic() + self.notebook_seconds if self.notebook_seconds else None
        return super().preprocess(nb, resources, km)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        if self.stopped_reason:
            cell.outputs = [error_output("NotRun", f"not run: {self.stopped_reason}")]
            return cell
        if self._deadline is not None and time.monotonic() > self._deadline:
            self._stop("timed out", f"the notebook ran longer than its {self.notebook_seconds:g} s budget")
            cell.outputs = [error_output("NotRun", f"not run: {self.stopped_reason}")]
            return cell
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            self._note_errors(cell, cell_index)
            return cell
        except (CellTimeoutError, DeadKernelError) as error:
            # A flood ends with the kernel we killed; depending on timing nbclient reports that either way.
            if self._flooded:
                self._stop(
                    "output flood",
                    f"cell {cell_index + 1} printed more than {self.output_bytes_per_cell} "
                    "bytes; the kernel was stopped",
                )
            elif isinstance(error, CellTimeoutError):
                self._stop(
                    "timed out", f"cell {cell_index + 1} ran longer than {self.timeout} s and ignored the interrupt"
                )
            else:
                self._stop(
                    "kernel died",
                    f"the kernel died in cell {cell_index + 1} (sys.exit, os._exit, a crash or a resource limit)",
                )
        cell.outputs.append(error_output("GradingStopped", self.stopped_reason))
        await self._kill_kernel()
        return cell

    execute_cell = run_sync(async_execute_cell)

    def _note_errors(self, cell, cell_index: int) -> None:
        names = [o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if "CellTimeoutError" in names:
            self.cell_timed_out = True
            self.cell_problems.append(f"cell {cell_index + 1} ran longer than {self.timeout} s and was interrupted")
            return
        for name in names:
            if name in self.reported_errors:
                self.cell_problems.append(f"cell {cell_index + 1} {self.reported_errors[name]}")
                return

    def _stop(self, kind: str, reason: str) -> None:
        self.stopped_kind, self.stopped_reason = kind, reason

    async def _kill_kernel(self) -> None:
        try:
            if self.km is not None and await self.km.is_alive():
                await self.km.shutdown_kernel(now=True)
        except Exception as error:  # the kernel is already gone; nothing else to do
            self.log.warning("could not stop the kernel: %s", error)

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``output_bytes_per_cell`` of output per cell; past that, stop the kernel.

        Interrupting a flood is not enough: the kernel's buffered output spills into later cells and its
        memory stays full, so the next cells fail at random. Stopping it makes the outcome the same every run.
        """
        used = self._output_sizes.get(cell_index, 0)
        if used > self.output_bytes_per_cell:
            return None
        size = len(json.dumps(msg.get("content", {}), default=str))
        self._output_sizes[cell_index] = used + size
        if used + size > self.output_bytes_per_cell:
            note = NotebookNode(
                output_type="stream",
                name="stdout",
                text=f"\n[output truncated by the grader after {self.output_bytes_per_cell} bytes]\n",
            )
            outs.append(note)
            self._flooded = True
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            if process is not None:
                process.kill()  # nbclient sees the dead kernel within a second
            return note
        return super().output(outs, msg, display_id, cell_index)
