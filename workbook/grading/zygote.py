"""A process that imports the kernel once per student and forks each of their kernels from it (see agent.py).

Importing ipykernel costs about 0.3 s of CPU, three quarters of a kernel's start; a student's later notebooks get
their kernel by ``fork`` instead. The agent starts this file inside the student's sandbox, with the kernels'
environment, limits and user, as ``python -P zygote.py``; the build starts one per process, as ``python
zygote.py``, for the kernels that validate the course (local_kernels.py). It answers one JSON request per line on
stdin:

- ``{"op": "fork", "args": [...], "cwd": "..."}`` forks a kernel that runs ``ipykernel`` with ``args`` in ``cwd``
  (in a session of its own, stdin and stdout on /dev/null) and answers its ``pid``; with ``"env": {...}`` the
  kernel gets that environment instead of the zygote's;
- ``{"op": "poll", "pid": n}`` answers the kernel's exit status (``null`` while it runs).

It is no more trusted than the kernels: it runs as their user, in their sandbox, for one student. It is not
dumpable, so a kernel cannot trace it or open its pipes through /proc; a kernel that stops or kills it only makes
that student's next kernels start the slow way (the agent falls back to starting them itself). One difference
from kernels started anew: a student's kernels share the zygote's seed for string hashes.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys

PR_SET_DUMPABLE = 4

sys.modules["debugpy"] = None  # as execute.KERNEL_WITHOUT_DEBUGGER: a graded kernel has no debugger
if not sys.flags.safe_path:  # started as ``python zygote.py`` (local_kernels.py), not ``-P`` (the sandbox)
    del sys.path[0]  # this file's folder, as ipykernel_launcher drops its own; the kernel adds the working folder
from ipykernel import kernelapp  # noqa: E402  (the import this process exists to do once)


def _set_dumpable(dumpable: bool) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


class Zygote:
    """The kernels forked so far and how the ended ones ended."""

    def __init__(self) -> None:
        self.ended: dict[int, int] = {}
        self.children: set[int] = set()

    def collect(self) -> None:
        """Reap every ended child (a zombie would count against the process limit)."""
        while self.children:
            try:
                pid, code = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            self.children.discard(pid)
            self.ended[pid] = os.waitstatus_to_exitcode(code)  # as Popen.returncode

    def serve(self, requests, replies) -> dict | None:
        """Answer requests until the input ends (returns None) or, in a forked kernel, return its request."""
        for line in requests:
            try:
                request = json.loads(line)
                self.collect()
                if request["op"] == "fork":
                    pid = os.fork()
                    if pid == 0:
                        return request
                    self.children.add(pid)
                    reply = {"pid": pid}
                else:
                    pid = int(request["pid"])
                    reply = {"returncode": self.ended.get(pid) if pid not in self.children else None}
            except Exception as error:  # a bad request or a failed fork: say so, keep serving
                reply = {"error": f"{type(error).__name__}: {error}"}
            replies.write(json.dumps(reply) + "\n")
            replies.flush()
        return None


def become_kernel(request: dict) -> None:
    """In the forked child: leave the zygote's session and pipes behind, then run the kernel until it exits."""
    os.setsid()
    nothing = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(nothing, fd)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    _set_dumpable(True)  # a normal process again: /proc/self is its own, as in a kernel started by exec
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own, as in any new process
    os.chdir(request["cwd"])
    if "env" in request:
        os.environ.clear()
        os.environ.update(request["env"])
    sys.argv = ["-c", *request["args"]]  # as in a kernel started with ``python -c``
    kernelapp.launch_new_instance(argv=request["args"])


def main() -> None:
    _set_dumpable(False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    replies = sys.stdout
    replies.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    replies.flush()
    request = Zygote().serve(sys.stdin, replies)
    if request is not None:
        become_kernel(request)


if __name__ == "__main__":
    main()
