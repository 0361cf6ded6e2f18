"""The process that starts students' kernels inside a grading sandbox (see sandbox.py).

It runs inside bubblewrap, once per student, as ``python -I -S agent.py SETTINGS`` and answers one JSON request
per line on stdin with one JSON line on stdout:

- ``{"op": "start", "argv": [...], "cwd": "...", "kernel_args": [...]}`` starts a kernel (own session, resource
  limits, clean environment) and answers its ``id``: forked from the zygote with ``kernel_args`` when there is
  one (see zygote.py), else by running ``argv``;
- ``{"op": "poll", "id": n}`` answers its exit status (``null`` while it runs);
- ``{"op": "signal", "id": n, "signum": s}`` signals the kernel's process group;
- ``{"op": "write", "path": p, "text": t}`` writes a file (a kernel's connection file), links resolved inside;
- ``{"op": "reap"}`` kills every other process in the sandbox (what a notebook left running) and answers how many;
- end of input: kill everything and exit, which ends the sandbox's PID namespace.

When started as root (the grader runs as root), it first gives the sandbox's folders to the unprivileged user id in
the settings and becomes that user for good: root's processes are exempt from the process limit. Standard library
only, nothing imported from the course: it starts for every student.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
import time

FIRST_FORK_SECONDS = 60  # the zygote imports ipykernel first; waiting beats importing it again
FORK_SECONDS = 10


def _limits(settings: dict):
    """A function that applies the kernel's resource limits (run in the child, before the kernel starts)."""
    wanted = [
        (resource.RLIMIT_AS, settings.get("address_space")),
        (resource.RLIMIT_CPU, settings.get("cpu_seconds")),
        (resource.RLIMIT_FSIZE, settings.get("file_size")),
        (resource.RLIMIT_NPROC, settings.get("processes")),
        (resource.RLIMIT_NOFILE, settings.get("open_files")),
        (resource.RLIMIT_CORE, 0),
    ]

    def apply() -> None:
        for kind, value in wanted:
            if value is not None:
                resource.setrlimit(kind, (value, value))

    return apply


def _become(uid: int, folders: list[str]) -> None:
    for folder in folders:
        os.chown(folder, uid, uid)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("workbook sandbox: could not drop privileges")


def _state(pid: int) -> str | None:
    """The process's state letter (R, S, T, Z...), None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()[0]
    except OSError:
        return None


def _other_processes(spared: set[int]) -> list[int]:
    """Every live process of the sandbox but its init, this agent and ``spared`` (zombies wait to be reaped)."""
    mine = {1, os.getpid(), *spared}
    return [
        int(name)
        for name in os.listdir("/proc")
        if name.isdigit() and int(name) not in mine and _state(int(name)) not in (None, "Z")
    ]


def _kill_others(spared: set[int] = frozenset()) -> int:
    """SIGKILL every process of the sandbox but its init, this agent and ``spared``; reap our own children."""
    killed = 0
    for _attempt in range(50):
        found = _other_processes(spared)
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        time.sleep(0.01)
    return killed


class Zygote:
    """The agent's end of the zygote: forks kernels through it until it fails once, then never again."""

    def __init__(self, command: list[str], cwd: str, env: dict, apply_limits) -> None:
        self.process: subprocess.Popen | None = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=apply_limits,
            close_fds=True,
        )
        self.pid = self.process.pid
        self._pending = b""
        self._ready = False

    def fork(self, args: list[str], cwd: str, env: dict | None = None) -> int | None:
        """The forked kernel's pid; None (and the zygote stopped for good) if it cannot fork one.

        ``env``: the kernel's environment, when it is not the zygote's own.
        """
        if self.process is not None and not self._ready:
            self._ready = self._reply(FIRST_FORK_SECONDS).get("ready") is True
            if not self._ready:
                self.stop()
        request = {"op": "fork", "args": args, "cwd": cwd, **({"env": env} if env is not None else {})}
        return self.ask(request).get("pid")

    def poll(self, pid: int) -> int | None:
        reply = self.ask({"op": "poll", "pid": pid}) if self.healthy() else {}
        if "returncode" in reply:
            return reply["returncode"]
        return None if _state(pid) not in (None, "Z") else -9  # the zygote is gone: look at the kernel itself

    def ask(self, request: dict) -> dict:
        if self.process is None:
            return {}
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            self.stop()
            return {}
        return self._reply(FORK_SECONDS)

    def _reply(self, seconds: float) -> dict:
        """One line from the zygote within ``seconds``; a zygote that is late, stopped or dead is stopped."""
        deadline = time.monotonic() + seconds
        while b"\n" not in self._pending and self.process is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
                self.stop()
                break
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                self.stop()
                break
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        try:
            reply = json.loads(line) if line else {}
        except ValueError:
            reply = {}
        if not isinstance(reply, dict) or "error" in reply:
            self.stop()
            return {}
        return reply

    def healthy(self) -> bool:
        """False once stopped, or when a kernel stopped, killed or traced it (then it is stopped for good)."""
        if self.process is not None and _state(self.pid) not in ("S", "R", "D"):
            self.stop()
        return self.process is not None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            for stream in (process.stdin, process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                process.kill()
            except OSError:
                pass
            process.wait()


class ForkedKernel:
    """A kernel forked by the zygote, with the parts of ``subprocess.Popen`` the agent uses."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote, self.pid, self.returncode = zygote, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.poll(self.pid)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass


class Agent:
    """The kernels of one sandbox, and the answers to the grader's requests."""

    def __init__(self, settings: dict) -> None:
        self.env = settings["env"]
        self.apply_limits = _limits(settings.get("limits", {}))
        # Killing "every other process" is only safe in a PID namespace of our own, where we are pid 2.
        self.own_namespace = bool(settings.get("pid_namespace")) and os.getpid() == 2
        self.kernels: dict[int, subprocess.Popen | ForkedKernel] = {}
        self.zygote: Zygote | None = None
        if settings.get("zygote"):
            # Started now, so its import overlaps the grader's preparing of the first notebook.
            self.zygote = Zygote(settings["zygote"], settings["workdir"], self.env, self.apply_limits)

    def serve(self, requests, replies) -> None:
        for line in requests:
            try:
                request = json.loads(line)
                reply = getattr(self, f"do_{request['op']}")(request)
            except Exception as error:  # a bad request or a failed start: say so, keep serving
                reply = {"error": f"{type(error).__name__}: {error}"}
            replies.write(json.dumps(reply) + "\n")
            replies.flush()

    def do_start(self, request: dict) -> dict:
        if self.zygote is not None and request.get("kernel_args") is not None and self.zygote.healthy():
            pid = self.zygote.fork(request["kernel_args"], request["cwd"])
            if pid is not None:
                self.kernels[pid] = ForkedKernel(self.zygote, pid)
                return {"id": pid}
        with open(os.devnull, "rb") as nothing_in, open(os.devnull, "wb") as nothing_out:
            kernel = subprocess.Popen(
                request["argv"],
                cwd=request["cwd"],
                env=self.env,
                stdin=nothing_in,
                stdout=nothing_out,  # the kernel's own chatter; cell output travels over its sockets
                stderr=nothing_out,
                start_new_session=True,
                preexec_fn=self.apply_limits,
                close_fds=True,
            )
        self.kernels[kernel.pid] = kernel
        return {"id": kernel.pid}

    def do_poll(self, request: dict) -> dict:
        return {"returncode": self.kernels[request["id"]].poll()}

    def do_signal(self, request: dict) -> dict:
        kernel = self.kernels[request["id"]]
        try:
            os.killpg(kernel.pid, request["signum"])  # the kernel and what it started
        except ProcessLookupError:
            pass
        except PermissionError:
            kernel.send_signal(request["signum"])
        return {"ok": True}

    def do_write(self, request: dict) -> dict:
        path = request["path"]
        if os.path.lexists(path) and not os.path.isdir(path):
            os.unlink(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(request["text"])
        return {"ok": True}

    def do_reap(self, request: dict) -> dict:
        spared = {self.zygote.pid} if self.zygote is not None and self.zygote.healthy() else set()
        killed = _kill_others(spared) if self.own_namespace else self._kill_kernel_groups()
        for kernel in self.kernels.values():
            kernel.poll()
        return {"killed": killed}

    def _kill_kernel_groups(self) -> int:
        killed = 0
        for kernel in self.kernels.values():
            try:
                os.killpg(kernel.pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        return killed

    def finish(self) -> None:
        if self.zygote is not None:
            self.zygote.stop()
        if self.own_namespace:
            _kill_others()
        else:
            self._kill_kernel_groups()


def main(argv: list[str]) -> None:
    settings = json.loads(argv[1])
    os.umask(0o077)
    for folder in settings.get("make", []):
        os.makedirs(folder, exist_ok=True)
    if settings.get("uid") is not None and os.getuid() == 0:
        _become(settings["uid"], [*settings.get("give", []), *settings.get("make", [])])
    replies = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write on the reply channel
    replies.write(json.dumps({"ready": True, "uid": os.getuid(), "pid": os.getpid()}) + "\n")
    replies.flush()
    agent = Agent(settings)
    try:
        agent.serve(sys.stdin, replies)
    finally:
        agent.finish()


if __name__ == "__main__":
    main(sys.argv)
