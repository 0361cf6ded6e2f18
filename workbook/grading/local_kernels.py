"""Kernels for the instructor's own runs (the build's validation), forked from one zygote per process.

The build runs up to three kernels per notebook (source with solutions, release, untouched submission), and each
fresh kernel spends most of its start importing ipykernel and its debugger. Here the first kernel of a process
starts ``zygote.py`` (as grading does in each student's sandbox, see agent.py), and every kernel is forked from
it with the environment and working folder jupyter_client asks for. These kernels run the instructor's own
notebooks, outside any sandbox, as before. When the zygote cannot fork (it failed or died), kernels start the
usual way; a process forked from this one (a worker of the build's pool) starts its own zygote.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

from jupyter_client.provisioning import LocalProvisioner

from .agent import ForkedKernel, Zygote
from .prompt_kernels import PromptKernelManager
from .sandbox import ZYGOTE

# What jupyter_client runs for the python3 kernel of this environment; only that kernel can come from the zygote.
IPYKERNEL_START = [sys.executable, "-m", "ipykernel_launcher"]

_lock = threading.Lock()
_zygote: Zygote | None = None
_owner = 0  # the process that started _zygote (a forked child must not use or stop its parent's)
_failed = False


def _current_zygote() -> Zygote | None:
    """This process's zygote, started on first use; None once it has failed."""
    global _zygote, _owner, _failed
    if _owner != os.getpid():
        _zygote, _owner, _failed = None, os.getpid(), False
    if _zygote is not None and not _zygote.healthy():
        _zygote, _failed = None, True
    if _zygote is None and not _failed:
        # Not -P (as in the sandbox): these kernels import from their working folder, as kernels started anew do.
        # Its own folder is "/": each kernel gets its own, and this process's may be gone (a deleted temp folder).
        try:
            _zygote = Zygote([sys.executable, str(ZYGOTE)], "/", dict(os.environ), None)
        except OSError:
            _failed = True
            return None
        atexit.register(_stop, _zygote, os.getpid())
    return _zygote


def _stop(zygote: Zygote, owner: int) -> None:
    if os.getpid() == owner:
        zygote.stop()


def fork_kernel(cmd: list[str], cwd: str, env: dict[str, str]) -> LocalForkedKernel | None:
    """The kernel ``cmd`` would start, forked from this process's zygote; None when it cannot be."""
    global _failed
    if cmd[: len(IPYKERNEL_START)] != IPYKERNEL_START:
        return None
    with _lock:
        zygote = _current_zygote()
        if zygote is None:
            return None
        # ipykernel stops when its parent changes: the parent it watches is the zygote, as Popen's would be us.
        pid = zygote.fork(cmd[len(IPYKERNEL_START) :], cwd, {**env, "JPY_PARENT_PID": str(zygote.pid)})
        if pid is None:
            _failed = True  # the zygote stopped itself; kernels start the usual way from now on
            return None
    return LocalForkedKernel(zygote, pid)


class LocalForkedKernel(ForkedKernel):
    """A forked kernel with the rest of ``subprocess.Popen`` that jupyter_client uses."""

    stdin = stdout = stderr = None

    def poll(self) -> int | None:
        with _lock:
            return super().poll()

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkingProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, forking the kernel from the zygote when it can."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        cwd = str(kwargs.get("cwd") or os.getcwd())
        kernel = fork_kernel(cmd, cwd, dict(kwargs.get("env") or os.environ))
        if kernel is None:
            return await super().launch_kernel(cmd, **kwargs)
        # The child makes its own session (pgid = pid) as soon as it runs; until then a group signal misses it
        # and jupyter_client falls back to signalling the process itself.
        self.process, self.pid, self.pgid, self.cwd = kernel, kernel.pid, kernel.pid, cwd
        return self.connection_info


class ForkingKernelManager(PromptKernelManager):
    """A kernel manager whose kernels are forked (see ForkingProvisioner), without jupyter_client's fixed waits."""

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = ForkingProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)
