"""Where and as whom students' notebooks run while they are graded.

Each student is graded in a private working copy (only their own submission, never the course folder), by a
kernel that runs under resource limits and, when the grader runs as root, as an unprivileged user of its own:
one numeric uid per worker slot, so two students graded at the same time cannot read each other's copies, and
every process left behind by a student is killed before the slot takes the next one.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import stat
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

LAUNCHER = Path(__file__).with_name("launch.py")
# Numeric uids for the sandbox slots; uids that exist in the user database are skipped.
DEFAULT_UID_BASE = 64200


@dataclass(frozen=True)
class Limits:
    """Per-kernel resource limits (``None`` = no limit). Sizes in bytes, CPU in seconds."""

    address_space: int | None = 4 * 1024**3
    cpu_seconds: int | None = 600
    file_size: int | None = 64 * 1024**2
    processes: int | None = 256
    open_files: int | None = 1024
    output_bytes_per_cell: int = 2 * 1024**2


@dataclass(frozen=True)
class SandboxSettings:
    """Everything a worker needs to run one student's kernels: the slot's folder, uid and limits."""

    slot_dir: Path
    uid: int | None
    gid: int | None
    limits: Limits = field(default_factory=Limits)
    expose: list = field(default_factory=list)  # closed folders to open a way through (see closed_ancestors)

    @property
    def isolated(self) -> bool:
        """True when kernels run as a different, unprivileged user."""
        return self.uid is not None


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def sandbox_uids(count: int, base: int = DEFAULT_UID_BASE) -> list[int]:
    """``count`` numeric uids with no entry in the user database (so no real account is ever used)."""
    uids, candidate = [], base
    while len(uids) < count:
        try:
            pwd.getpwuid(candidate)
        except KeyError:
            uids.append(candidate)
        candidate += 1
    return uids


def make_scratch_root(parent: Path | None = None) -> Path:
    """A fresh folder for the slots: traversable (not listable) by others, so a sandbox can reach its own slot."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="workbook-grade-", dir=parent))
    root.chmod(0o711)
    return root


@dataclass(frozen=True)
class WorkingCopy:
    """One student's private folders inside a slot."""

    workdir: Path
    home: Path
    runtime_dir: Path

    def launcher_settings(self, sandbox: SandboxSettings) -> dict:
        return {
            "workdir": str(self.workdir),
            "home": str(self.home),
            "runtime_dir": str(self.runtime_dir),
            "uid": sandbox.uid,
            "gid": sandbox.gid,
            "expose": sandbox.expose,
            "limits": {k: v for k, v in asdict(sandbox.limits).items() if k != "output_bytes_per_cell"},
        }


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


def prepare_working_copy(sandbox: SandboxSettings, name: str, font_cache: Path | None) -> WorkingCopy:
    """Create the folders of one student's run, owned by the slot's user and closed to everyone else."""
    base = sandbox.slot_dir / name
    if base.exists():
        remove_tree(base)
    copy = WorkingCopy(workdir=base / "work", home=base / "home", runtime_dir=base / "runtime")
    for folder in (copy.workdir, copy.home, copy.runtime_dir, copy.home / "tmp", copy.home / ".matplotlib"):
        folder.mkdir(parents=True, exist_ok=True)
    if font_cache is not None and font_cache.exists():
        # A fresh matplotlib cache would be rebuilt (seconds) in every kernel: start from the grader's.
        shutil.copyfile(font_cache, copy.home / ".matplotlib" / font_cache.name)
    base.chmod(0o711)
    return copy


def hand_over(sandbox: SandboxSettings, copy: WorkingCopy) -> None:
    """Give the working copy to the slot's user (mode 0700) once the grader has filled it."""
    for top in (copy.workdir, copy.home, copy.runtime_dir):
        for folder, dirs, files in os.walk(top):
            for name in [*dirs, *files]:
                _own(Path(folder) / name, sandbox)
        _own(top, sandbox)
        top.chmod(0o700)


def _own(path: Path, sandbox: SandboxSettings) -> None:
    if sandbox.uid is not None:
        os.chown(path, sandbox.uid, sandbox.gid, follow_symlinks=False)


def remove_tree(path: Path) -> None:
    """Delete a working copy whatever its student left in it (read-only folders included)."""

    def make_writable_and_retry(function, failed, _error):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(failed), 0o700)
            os.chmod(failed, 0o700)
            function(failed)

    shutil.rmtree(path, onexc=make_writable_and_retry) if sys.version_info >= (3, 12) else shutil.rmtree(
        path, onerror=make_writable_and_retry
    )


def kill_processes_of(uid: int | None) -> int:
    """SIGKILL every process whose real or effective uid is ``uid`` (a sandbox uid, never root); return how many."""
    if uid is None or uid == 0 or uid == os.getuid():
        return 0
    killed = 0
    for _attempt in range(5):
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("Uid:"):
                        real, effective = (int(v) for v in line.split()[1:3])
                        if uid in (real, effective):
                            found.append(int(entry.name))
                        break
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        time.sleep(0.05)
    return killed


def readable_by_others(path: Path) -> bool:
    """True if a user who is neither owner nor in the group could open ``path`` (every folder above it too)."""
    path = path.resolve()
    if not path.exists():
        return False
    for folder in reversed(path.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
    mode = path.stat().st_mode
    return bool(mode & stat.S_IROTH) and (not path.is_dir() or bool(mode & stat.S_IXOTH))


def exposed_course_paths(course_root: Path, db_url: str) -> list[Path]:
    """The instructor-only parts of a course that an unprivileged user could read (should be none)."""
    candidates = [course_root / name for name in ("source", "submitted", "autograded", "feedback")]
    if db_url.startswith("sqlite:///"):
        candidates.append(Path(db_url.removeprefix("sqlite:///")))
    return [path for path in candidates if readable_by_others(path)]


def matplotlib_font_cache() -> Path | None:
    """The grader's matplotlib font cache file, if any (copied into each sandbox home)."""
    try:
        import matplotlib
        from matplotlib import font_manager  # noqa: F401  (builds the cache once if missing)
    except ImportError:
        return None
    caches = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-v*.json"))
    return caches[-1] if caches else None


def paths_the_kernel_needs() -> list[Path]:
    """The interpreter, its standard library, site-packages and the workbook package: nothing else.

    Never the current folder or other ``sys.path`` entries: run from the course folder, they would name it.
    """
    import site

    import workbook

    needed = {
        Path(sys.executable).resolve(),
        Path(sys.prefix).resolve(),
        Path(sys.base_prefix).resolve(),
        Path(workbook.__file__).resolve().parent,
    }
    needed.update(Path(entry).resolve() for entry in site.getsitepackages() if Path(entry).exists())
    return sorted(needed)


def closed_ancestors(paths: list[Path]) -> list[list]:
    """``[folder, [paths below it]]`` for folders others may not enter on the way to ``paths`` (launch._expose).

    Only the exact paths are opened, never their siblings: a path inside another listed path is dropped.
    """
    found: dict[Path, set[Path]] = {}
    for path in paths:
        path = path.resolve()
        for folder in reversed(path.parents):
            if not folder.stat().st_mode & stat.S_IXOTH:
                found.setdefault(folder, set()).add(path.relative_to(folder))
                break
    result = []
    for folder, inside in sorted(found.items()):
        kept = sorted(rel for rel in inside if not any(other != rel and other in rel.parents for other in inside))
        result.append([str(folder), [str(rel) for rel in kept]])
    return result
