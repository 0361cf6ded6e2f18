"""Where students' notebooks run while they are graded: one bubblewrap sandbox per student.

bubblewrap (``bwrap``, the sandbox behind Flatpak) gives each student's grading its own mount, PID, network, IPC
and UTS namespaces. Inside, the kernel sees the interpreter, its site-packages and the workbook package read-only,
a size-capped home holding only that student's copy, a size-capped private ``/tmp`` and ``/dev/shm``, and nothing
else of the machine's files: no course folder, no gradebook, no other student, no ``$HOME``. It has no network
(only its own loopback) and a clean environment. The grading process stays outside: it fills the home through
``/proc/<pid>/root``, talks to the kernel over ZeroMQ ``ipc`` sockets in that home (unix sockets cross network
namespaces; TCP would not), keeps the hidden tests and the assignment database to itself, and writes the gradebook.

A small agent (agent.py) is the sandbox's first process: it starts each notebook's kernel with resource limits,
kills whatever a notebook leaves running, and when it exits the PID namespace ends with every process in it. The
kernels are forked from a zygote (zygote.py) that imports ipykernel once per student, in the sandbox, as them.

As an ordinary user, bwrap builds the sandbox in a user namespace of its own (no root, no ``sudo``). As root, the
kernels run as an unprivileged user id with no account (one per worker): the kernel exempts root's processes from
the process limit, and a process limit is what stops a fork bomb. Where bwrap cannot run, :func:`engine_problem`
says why and grading goes on without a sandbox, saying exactly what is then not protected (:func:`unprotected`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

AGENT = Path(__file__).with_name("agent.py")
ZYGOTE = Path(__file__).with_name("zygote.py")
HOME = "/home/student"  # the kernel's home inside the sandbox (a size-capped tmpfs)
WORKDIR = f"{HOME}/work"  # the student's copy: submitted files plus the assignment's non-notebook files
RUNTIME = f"{HOME}/.run"  # kernel connection files and ipc sockets
# Numeric uids for the kernels when grading as root; uids with an account or a running process are skipped.
DEFAULT_UID_BASE = 64900
MIB = 1024**2
PACKAGE_FOLDERS = ("site-packages", "dist-packages")  # sys.path entries the kernel may need (added by .pth files too)


class SandboxError(RuntimeError):
    """The sandbox could not be started or stopped answering (an infrastructure failure, not the student's)."""


@dataclass(frozen=True)
class Limits:
    """Per-student and per-kernel limits (``None`` = no limit). Sizes in bytes, CPU in seconds."""

    address_space: int | None = 4 * 1024**3  # memory per kernel process
    cpu_seconds: int | None = 600  # CPU time per kernel process
    file_size: int | None = 64 * MIB  # largest file a kernel may write
    processes: int | None = 256  # processes and threads in the sandbox (stops fork bombs)
    open_files: int | None = 1024
    output_bytes_per_cell: int = 2 * MIB
    disk: int = 512 * MIB  # the home: the student's copy and everything the notebooks write there
    tmp: int = 128 * MIB  # the private /tmp
    shm: int = 16 * MIB  # the private /dev/shm

    def kernel_limits(self) -> dict:
        """The rlimits the agent applies to each kernel."""
        keys = ("address_space", "cpu_seconds", "file_size", "processes", "open_files")
        return {key: value for key, value in asdict(self).items() if key in keys}


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def bwrap_command() -> str | None:
    """The bwrap program: ``$WORKBOOK_BWRAP`` if set (a test can name a missing one), else bwrap on PATH."""
    chosen = os.environ.get("WORKBOOK_BWRAP")
    if chosen is not None:
        return chosen if os.access(chosen, os.X_OK) else None
    return shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)


@functools.lru_cache(maxsize=1)
def engine_problem() -> str | None:
    """Why the bubblewrap sandbox cannot run on this machine, as one line; ``None`` when it can.

    Tried for real: bwrap starts ``true`` with the namespaces a grading sandbox uses.
    """
    if not sys.platform.startswith("linux"):
        return f"the grading sandbox needs Linux (this is {sys.platform})"
    bwrap = bwrap_command()
    if bwrap is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    true = shutil.which("true") or "/bin/true"
    try:
        done = subprocess.run(
            [bwrap, *_namespace_options(running_as_root()), *_system_binds(), "--proc", "/proc", true],
            capture_output=True,
            text=True,
            timeout=30,
            env={},
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not be started ({error})"
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        hint = "" if running_as_root() else " (unprivileged user namespaces off? see sysctl user.max_user_namespaces)"
        return f"bubblewrap cannot create a sandbox here: {said}{hint}"
    return None


def unprotected(problem: str) -> str:
    """The one block ``grade`` prints when it has to grade without the sandbox."""
    return "\n".join(
        [
            f"GRADING WITHOUT A SANDBOX: {problem}.",
            "Student code runs as you, in a private working folder, and is NOT kept from:",
            "  - reading or changing any file you can: the course, source/ with its hidden tests, the gradebook,",
            "    other students' submissions, your home folder;",
            "  - the network (it can reach this machine's services and the internet);",
            "  - the shared /tmp, and other processes of yours;",
            "  - leaving processes running after grading (only the kernel's own process group is killed);",
            "  - filling the disk (only each file's size is capped) or starting processes without limit.",
            "Still in place: a kernel environment without your variables (no database URL or passwords), memory,",
            "CPU-time and file-size limits, cell and notebook time limits, locked and test cells restored, quiz",
            "points recomputed outside the kernel, and only this process writes the gradebook.",
        ]
    )


def sandbox_uids(count: int, base: int = DEFAULT_UID_BASE) -> list[int]:
    """The first uid of each worker's range of ``UIDS_PER_WORKER`` uids (see unused_uid).

    The process limit counts every process of a uid, machine-wide: each student's kernels get a uid of their own.
    """
    return [base + worker * UIDS_PER_WORKER for worker in range(count)]


UIDS_PER_WORKER = 1000
# Never a student's, with or without an account: 65534 is "nobody", the id user namespaces show for unmapped
# owners, and 65535 is (uid_t) -1 to 16-bit software, which reads it as "no change" in chown and setuid.
RESERVED_UIDS = frozenset({65534, 65535})


# Grading runs on one machine claim kernel uids here, so two runs at once (two courses, or a test suite) never give
# two students the same uid, whose process limit they would then share.
UID_LOCKS = Path("/run/lock/workbook-grade-uids") if Path("/run/lock").is_dir() else Path("/tmp/.workbook-grade-uids")


class UidClaim:
    """A kernel uid held for one student: no account, no process, and locked against other grading runs.

    ``release()`` (or the end of the process) frees it; the lock is an ``flock``, so a crashed run never blocks
    the uid.
    """

    def __init__(self, base: int, start: int, locks: Path = UID_LOCKS) -> None:
        import fcntl

        locks.mkdir(mode=0o700, exist_ok=True)
        # The folder sits in a world-writable place: use it only if it is really ours and closed to others.
        info = locks.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o077:
            raise SandboxError(f"{locks} is not a private folder of this user; remove it and grade again")
        busy = _uids_of_running_processes()
        for step in range(UIDS_PER_WORKER):
            candidate = base + (start + step) % UIDS_PER_WORKER
            if candidate in RESERVED_UIDS or candidate in busy or _has_account(candidate):
                continue
            handle = os.open(locks / str(candidate), os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(handle)
                continue
            self.uid, self._handle = candidate, handle
            return
        raise SandboxError(f"no free user id in {base}..{base + UIDS_PER_WORKER - 1}")

    def release(self) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing the file drops the flock
            self._handle = None


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def _uids_of_running_processes() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                found.add(entry.stat().st_uid)
    return found


def paths_the_kernel_needs() -> list[str]:
    """The interpreter, its standard library, site-packages and the workbook package: nothing else.

    Never the current folder or other ``sys.path`` entries: run from the course folder, they would name it. A path
    inside another listed path is dropped (the outer bind already shows it).
    """
    import site

    import workbook

    needed = {
        Path(sys.executable).resolve().parent.parent,
        Path(sys.prefix).resolve(),
        Path(sys.base_prefix).resolve(),
        Path(workbook.__file__).resolve().parent,
    }
    packages = [*site.getsitepackages(), *(entry for entry in sys.path if Path(entry).name in PACKAGE_FOLDERS)]
    needed.update(Path(entry).resolve() for entry in packages if Path(entry).exists())
    needed = {path for path in needed if not _is_system(path)}
    return sorted(str(p) for p in needed if not any(other != p and other in p.parents for other in needed))


def _is_system(path: Path) -> bool:
    """Paths the sandbox shows anyway (all of /usr)."""
    return path == Path("/usr") or Path("/usr") in path.parents


def visible_course_paths(course_root: Path, binds: list[str]) -> list[str]:
    """Bound folders that would show the course folder (a virtual environment that contains it, say)."""
    course = course_root.resolve()
    return [bind for bind in binds if Path(bind) == course or Path(bind) in course.parents]


def _namespace_options(as_root: bool) -> list[str]:
    common = ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc"]
    common += ["--unshare-uts", "--hostname", "grading", "--unshare-cgroup-try"]
    if as_root:
        # No user namespace: its processes would be root outside and escape the process limit. The agent
        # gives the sandbox's folders to the kernels' user id, then becomes that user (it needs these three).
        return [*common, "--cap-add", "CAP_CHOWN", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return [*common, "--unshare-user", "--disable-userns"]


def _system_binds() -> list[str]:
    """/usr read-only, the usual links to it, and the few /etc files programs expect."""
    binds = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            binds += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            binds += ["--ro-bind", str(path), str(path)]
    for name in ("ld.so.cache", "localtime"):
        if (Path("/etc") / name).exists():
            binds += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return binds


def _mount_point_parents(paths: list[str]) -> list[str]:
    """Folders above the mount points, enterable by all (bwrap would make them 0700, closed to the kernels' uid)."""
    mounted = [Path(path) for path in paths] + [Path("/usr")]
    parents = {parent for path in paths for parent in Path(path).parents if parent != Path("/")}
    parents = {p for p in parents if not any(p == m or m in p.parents for m in mounted)}
    options = []
    for parent in sorted(parents, key=lambda p: (len(p.parts), str(p))):
        options += ["--perms", "0755", "--dir", str(parent)]
    return options


def kernel_environment(home: str, tmp: str) -> dict[str, str]:
    """The kernel's whole environment. Built from nothing: no variable of the grader's reaches student code."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "TMPDIR": tmp,
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "XDG_CACHE_HOME": f"{home}/.cache",
        "XDG_CONFIG_HOME": f"{home}/.config",
        "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
        "JUPYTER_DATA_DIR": f"{home}/.local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": f"{home}/.run",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NBGRADER_EXECUTION": "autograde",
        # One thread per maths library: the grader already runs one kernel per core.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


@dataclass(frozen=True)
class SandboxSpec:
    """What every worker needs to build its students' sandboxes (picklable)."""

    engine: bool  # False: no bwrap here; kernels run as the grader, in a private folder (see unprotected())
    limits: Limits = field(default_factory=Limits)
    binds: tuple[str, ...] = ()  # read-only, at the same path inside
    uid: int | None = None  # grading as root: the kernels' user id


class KernelProcess:
    """A kernel started by the agent, with the parts of ``subprocess.Popen`` jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self, sandbox: Sandbox, kernel_id: int) -> None:
        self.sandbox, self.pid, self.returncode = sandbox, kernel_id, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.sandbox.request({"op": "poll", "id": self.pid})["returncode"]
            except SandboxError:
                self.returncode = -9  # the sandbox is gone, and the kernel with it
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(SandboxError):
            self.sandbox.request({"op": "signal", "id": self.pid, "signum": int(signum)})

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


class Sandbox:
    """One student's sandbox: started before their first notebook, closed after their last."""

    def __init__(self, spec: SandboxSpec, scratch: Path, font_cache: Path | None = None) -> None:
        self.spec, self.scratch, self.font_cache = spec, scratch, font_cache
        self.process: subprocess.Popen | None = None
        self.root: str = ""  # where the sandbox's "/" is seen from outside
        self.home = HOME if spec.engine else str(scratch / "home")
        self.workdir = WORKDIR if spec.engine else str(scratch / "home" / "work")
        self.runtime = RUNTIME if spec.engine else str(scratch / "home" / ".run")
        self._lock = threading.Lock()
        self._log = None

    # -- starting and stopping -------------------------------------------------------------------------------
    def start(self) -> Sandbox:
        tmp = "/tmp" if self.spec.engine else f"{self.home}/tmp"
        settings = {
            "uid": self.spec.uid if self.spec.engine else None,
            "make": [self.workdir, self.runtime, f"{self.home}/.matplotlib", *([] if self.spec.engine else [tmp])],
            "give": [self.home, "/tmp", "/dev/shm"] if self.spec.engine else [],
            "limits": self.spec.limits.kernel_limits() if self.spec.engine else self._unsandboxed_limits(),
            "env": kernel_environment(self.home, tmp),
            "pid_namespace": self.spec.engine,
            "workdir": self.workdir,
            # The kernels' Python, importing ipykernel once for all of this student's kernels (see zygote.py).
            "zygote": [sys.executable, "-P", str(ZYGOTE)],
        }
        agent = [sys.executable, "-I", "-S", str(AGENT), json.dumps(settings)]
        self.scratch.mkdir(parents=True, exist_ok=True)
        self._log = open(self.scratch / "sandbox.log", "w+")  # noqa: SIM115  (closed in close())
        if self.spec.engine:
            self._start_bwrap(agent)
        else:
            Path(self.home).mkdir(parents=True, exist_ok=True, mode=0o700)
            self.process = self._popen(agent, cwd=self.home)
            self.root = ""
        ready = self.process.stdout.readline()
        if not ready:
            why = self._ended()
            self.close()
            raise SandboxError(f"the grading sandbox did not start ({why})")
        if self.font_cache is not None and self.font_cache.exists():
            # A fresh matplotlib cache would be rebuilt (seconds) in every kernel: start from the grader's.
            self.put_file(self.font_cache, f"{self.home}/.matplotlib/{self.font_cache.name}")
        return self

    def _popen(self, command: list[str], **options) -> subprocess.Popen:
        return subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            bufsize=1,
            env={},
            **options,
        )

    def _start_bwrap(self, agent: list[str]) -> None:
        limits = self.spec.limits
        read, write = os.pipe()
        command = [
            bwrap_command() or "bwrap",
            *_namespace_options(self.spec.uid is not None),
            *_system_binds(),
            "--proc",
            "/proc",
            "--dev",
            "/dev",
        ]
        # The private folders first: a bind below one of them (a Python under /tmp, say) then lands on top of it.
        command += ["--size", str(limits.shm), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
        command += ["--size", str(limits.tmp), "--tmpfs", "/tmp"]
        command += ["--size", str(limits.disk), "--tmpfs", HOME]
        command += _mount_point_parents([*self.spec.binds, HOME])
        for path in self.spec.binds:
            command += ["--ro-bind", path, path]
        command += ["--remount-ro", "/", "--chdir", HOME, "--clearenv", "--info-fd", str(write), *agent]
        try:
            self.process = self._popen(command, pass_fds=[write])
        finally:
            os.close(write)
        info = b""
        with os.fdopen(read, "rb") as stream:
            info = stream.read()
        try:
            self.root = f"/proc/{json.loads(info)['child-pid']}/root"
        except (ValueError, KeyError):
            why = self._ended()
            self.close()
            raise SandboxError(f"bubblewrap did not start ({why})") from None

    def _unsandboxed_limits(self) -> dict:
        limits = self.spec.limits.kernel_limits()
        limits["processes"] = None  # would count every process of yours, not just the kernel's
        return limits

    def _said(self) -> str:
        if self._log is None:
            return "no message"
        self._log.flush()
        self._log.seek(0)
        lines = [line.strip() for line in self._log.read().splitlines() if line.strip()]
        return lines[-1] if lines else "no message"

    def _ended(self) -> str:
        status = None
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = self.process.wait(timeout=1)
        return f"exit status {status}, it said: {self._said()}"

    def reap(self) -> int:
        """Kill every process a notebook left behind (the next notebook starts from a quiet sandbox)."""
        if not self.spec.engine:
            return 0
        try:
            return int(self.request({"op": "reap"})["killed"])
        except SandboxError:
            return 0

    def close(self) -> None:
        """End the sandbox: the agent kills everything in it, and the PID namespace and its mounts go away."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(OSError):
                process.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        if not self.spec.engine:
            remove_tree(Path(self.home))

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- talking to the agent ---------------------------------------------------------------------------------
    def request(self, message: dict) -> dict:
        with self._lock:
            process = self.process
            if process is None:
                raise SandboxError("the sandbox is closed")
            try:
                process.stdin.write(json.dumps(message) + "\n")
                process.stdin.flush()
                line = process.stdout.readline()
            except (OSError, ValueError) as error:
                raise SandboxError(f"the sandbox stopped answering ({error}; {self._ended()})") from None
        try:
            reply = json.loads(line)
        except ValueError:
            raise SandboxError(f"the sandbox ended ({self._ended()})") from None
        if not isinstance(reply, dict) or "error" in reply:
            raise SandboxError(f"the sandbox refused {message.get('op')!r}: {reply}")
        return reply

    def start_kernel(self, argv: list[str], kernel_args: list[str] | None = None) -> KernelProcess:
        """Run ``argv`` in the sandbox; with ``kernel_args``, fork the kernel from the zygote when it can."""
        request = {"op": "start", "argv": argv, "cwd": self.workdir, "kernel_args": kernel_args}
        return KernelProcess(self, int(self.request(request)["id"]))

    # -- files ------------------------------------------------------------------------------------------------
    def outside(self, inside: str) -> Path:
        """The path the grader uses to reach ``inside`` (a path as the kernel sees it)."""
        return Path(self.root + inside) if self.spec.engine else Path(inside)

    def put_file(self, source: Path, inside: str) -> None:
        """Copy a file in from outside; only before any student code has run (see write_text)."""
        target = self.outside(inside)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        with self._disk_full_is_reported():
            shutil.copyfile(source, target)
        self._give(target)

    def write_text(self, inside: str, text: str) -> None:
        """Write a small file once student code may have run: the agent writes it, so links resolve inside."""
        self.request({"op": "write", "path": inside, "text": text})

    def copy_in(self, source: Path, skip=lambda path: False) -> list[str]:
        """Copy a submission's regular files into the working copy; return what was left out (links, ...)."""
        target = self.outside(self.workdir)
        with self._disk_full_is_reported():
            left_out = copy_regular_files(source, target, skip)
        for path in [target, *target.rglob("*")]:
            self._give(path)
        return left_out

    def _give(self, path: Path) -> None:
        if self.spec.engine and self.spec.uid is not None:
            os.chown(path, self.spec.uid, self.spec.uid, follow_symlinks=False)

    @contextlib.contextmanager
    def _disk_full_is_reported(self):
        try:
            yield
        except OSError as error:
            if error.errno == 28:  # ENOSPC
                raise SandboxError(
                    f"the submission does not fit in the sandbox's {self.spec.limits.disk // MIB} MiB disk"
                ) from None
            raise


def copy_regular_files(source: Path, target: Path, skip: callable = lambda path: False) -> list[str]:
    """Copy the files and folders of ``source`` into ``target``, never following or copying symbolic links.

    A symbolic link in a submission could point at the gradebook or another student's work: copied as the
    grader, it would hand that file to the student. Returns the relative paths that were left out.
    """
    left_out = []
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".ipynb_checkpoints") for part in relative.parts) or skip(path):
            continue
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode) or any(p.is_symlink() for p in list(path.parents)[: len(relative.parts) - 1]):
            left_out.append(str(relative))
        elif stat.S_ISDIR(mode):
            (target / relative).mkdir(exist_ok=True)
        elif stat.S_ISREG(mode):
            shutil.copyfile(path, target / relative, follow_symlinks=False)
        else:
            left_out.append(str(relative))
    return left_out


def make_scratch_root(parent: Path | None = None) -> Path:
    """A fresh folder, private to the grader, for the workers' databases and connection files."""
    return Path(tempfile.mkdtemp(prefix="workbook-grade-", dir=parent))


def remove_tree(path: Path) -> None:
    """Delete a folder whatever was left in it (read-only folders included)."""

    def make_writable_and_retry(function, failed, _error):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(failed), 0o700)
            os.chmod(failed, 0o700)
            function(failed)

    shutil.rmtree(path, onerror=make_writable_and_retry)


def matplotlib_font_cache() -> Path | None:
    """The grader's matplotlib font cache file, if any (copied into each sandbox home)."""
    try:
        import matplotlib
        from matplotlib import font_manager  # noqa: F401  (builds the cache once if missing)
    except ImportError:
        return None
    caches = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-v*.json"))
    return caches[-1] if caches else None
