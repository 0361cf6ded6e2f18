"""Start one grading kernel inside its sandbox (run by jupyter_client in place of the kernel command).

Usage: ``python -s launch.py '<settings json>' -- <kernel argv containing -f CONNECTION_FILE>``.

It runs as the grader (root when isolation is on) and, before turning into the kernel with ``execve``:
copies the connection file into the sandbox (the original is readable by the grader only), applies resource
limits, drops to the sandbox user and replaces the environment with a short allow-list (no database URL or
password reaches student code). Standard library only: it starts for every notebook.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys

# Passed through from the grader's environment; everything else (WORKBOOK_DB_URL, tokens, ...) is dropped.
ALLOWED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "NBGRADER_EXECUTION", "JPY_PARENT_PID")


def _fail(message: str) -> None:
    print(f"workbook sandbox: {message}", file=sys.stderr)
    sys.exit(70)


def _limit(name: str, value: int | None) -> None:
    if value is None:
        return
    kind = getattr(resource, name)
    resource.setrlimit(kind, (value, value))


def kernel_environment(settings: dict, incoming: dict[str, str]) -> dict[str, str]:
    """The kernel's whole environment: the allow-list plus private home, caches and single-threaded maths."""
    home = settings["home"]
    env = {key: incoming[key] for key in ALLOWED_ENV if key in incoming}
    env.update(
        HOME=home,
        USER="student",
        LOGNAME="student",
        IPYTHONDIR=os.path.join(home, ".ipython"),
        MPLCONFIGDIR=os.path.join(home, ".matplotlib"),
        XDG_CACHE_HOME=os.path.join(home, ".cache"),
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        JUPYTER_RUNTIME_DIR=settings["runtime_dir"],
        JUPYTER_CONFIG_DIR=os.path.join(home, ".jupyter"),
        TMPDIR=os.path.join(home, "tmp"),
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",
        # One thread per maths library: the grader already runs one kernel per core.
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def _expose(hidden: list[list], holding: str) -> None:
    """Make a few folders reachable below folders the sandbox user may not enter (e.g. ``/root/.pyenv``).

    In a private mount namespace, each closed folder gets an empty tmpfs on top, and only the listed paths below
    it are bind-mounted back: the interpreter becomes reachable while the rest of the folder stays invisible.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def check(result: int, what: str) -> None:
        if result != 0:
            _fail(f"{what} failed: {os.strerror(ctypes.get_errno())}")

    ms_bind, ms_rec, ms_private, ms_move, clone_newns = 4096, 16384, 1 << 18, 8192, 0x00020000
    check(libc.unshare(clone_newns), "unshare(CLONE_NEWNS)")
    check(libc.mount(b"none", b"/", None, ms_rec | ms_private, None), "making mounts private")
    os.mkdir(holding, 0o700)  # inside the sandbox's runtime folder: deleted with the working copy
    for number, (closed, inside) in enumerate(hidden):
        held = []
        for relative in inside:
            source = os.path.join(closed, relative)
            spot = os.path.join(holding, f"{number}-{len(held)}")
            is_dir = os.path.isdir(source)
            os.mkdir(spot) if is_dir else open(spot, "w").close()
            check(libc.mount(source.encode(), spot.encode(), None, ms_bind | ms_rec, None), f"binding {source}")
            held.append((relative, spot, is_dir))
        check(libc.mount(b"tmpfs", closed.encode(), b"tmpfs", 0, b"mode=0755,size=1m"), f"covering {closed}")
        for relative, spot, is_dir in held:
            target = os.path.join(closed, relative)
            os.makedirs(target if is_dir else os.path.dirname(target), mode=0o755, exist_ok=True)
            if not is_dir:
                open(target, "w").close()
            check(libc.mount(spot.encode(), target.encode(), None, ms_move, None), f"moving {target} back")
            os.rmdir(spot) if is_dir else os.remove(spot)
    os.rmdir(holding)


def main(argv: list[str]) -> None:
    if len(argv) < 4 or argv[2] != "--":
        _fail("usage: launch.py SETTINGS -- KERNEL_COMMAND")
    settings = json.loads(argv[1])
    command = list(argv[3:])
    workdir = os.path.realpath(settings["workdir"])
    if os.path.realpath(os.getcwd()) != workdir:
        _fail(f"refusing to start a kernel outside its working copy ({os.getcwd()} is not {workdir})")
    try:
        position = command.index("-f") + 1
    except ValueError:
        _fail("the kernel command has no -f CONNECTION_FILE")
    private = os.path.join(settings["runtime_dir"], "kernel-connection.json")
    shutil.copyfile(command[position], private)
    command[position] = private
    uid, gid = settings.get("uid"), settings.get("gid")
    if uid is not None:
        os.chown(private, uid, gid)
    os.chmod(private, 0o600)
    limits = settings.get("limits", {})
    _limit("RLIMIT_AS", limits.get("address_space"))
    _limit("RLIMIT_CPU", limits.get("cpu_seconds"))
    _limit("RLIMIT_FSIZE", limits.get("file_size"))
    _limit("RLIMIT_NPROC", limits.get("processes"))
    _limit("RLIMIT_NOFILE", limits.get("open_files"))
    _limit("RLIMIT_CORE", 0)
    if uid is not None and settings.get("expose"):
        os.umask(0o022)  # the folders made on the tmpfs must be enterable by the sandbox user
        _expose(settings["expose"], os.path.join(settings["runtime_dir"], "expose-holding"))
    os.umask(0o077)
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            _fail("could not drop privileges")
    # The kernel's own chatter (not cell output) would flood the grader's terminal; cells keep their output.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.execve(command[0], command, kernel_environment(settings, dict(os.environ)))


if __name__ == "__main__":
    main(sys.argv)
