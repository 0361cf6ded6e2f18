"""Set up one course on one machine: accounts, the exchange, the grader's course folder, students' Jupyter config.

Everything here is idempotent and keeps what exists: an account, a course folder or a submission that is already
there is never replaced. Runs as root (it creates accounts and hands folders to them).
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from workbook.hub.runtime import shared_python
from workbook.hub.settings import HubError, HubSettings, check_student_name
from workbook.learnerlab import NO_BUILD_CHECK

# What a course folder needs from the instructor's checkout (no editions for self-learners, no students' work).
COURSE_PARTS = ("nbgrader_config.py", "source", "release", "questions")
# nbgrader's student tools stay on; the instructor's tools are of no use to a student and are turned off.
STUDENT_LAB_OFF = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
STUDENT_SERVER_OFF = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")


def require_root(action: str = "start the course hub") -> None:
    if os.geteuid() != 0:
        raise HubError(
            f"cannot {action} without root: the hub logs people in with their system passwords (PAM) and starts "
            "each student's server as that student's own account, which only root may do "
            "(hint: sudo .venv/bin/python -m workbook hub start; to try the course alone, use make lab)"
        )


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise HubError(f"{' '.join(command[:3])} ... failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return done


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def ensure_group(name: str) -> None:
    if not group_exists(name):
        run(["groupadd", name])


def ensure_user(name: str, home: Path, groups: tuple[str, ...] = ()) -> bool:
    """Create the account with a private home (0700) unless it exists; add it to ``groups``. True if created."""
    created = not user_exists(name)
    if created:
        home.parent.mkdir(parents=True, exist_ok=True)
        run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", "--user-group", name])
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    for group in groups:
        if name not in grp.getgrnam(group).gr_mem:
            run(["usermod", "--append", "--groups", group, name])
    return created


def set_password(name: str, password: str) -> None:
    if ":" in name or "\n" in password:
        raise HubError("a password may not contain a line break")
    run(["chpasswd"], input=f"{name}:{password}\n")


def chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for folder, dirs, files in os.walk(path):
        os.chown(folder, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        for name in dirs + files:
            os.chown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def close_to_others(path: Path) -> None:
    """chmod -R o-rwx: nothing in the course folder is for anyone but the grader."""
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            if not os.path.islink(name):
                os.chmod(name, stat.S_IMODE(os.lstat(name).st_mode) & ~0o007)


def students(settings: HubSettings) -> list[str]:
    return sorted(grp.getgrnam(settings.student_group).gr_mem) if group_exists(settings.student_group) else []


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)


def nbgrader_config_text(settings: HubSettings, course_root: Path | None = None) -> str:
    lines = [
        "# Written by `python -m workbook hub`; change deploy/hub/course-hub.toml instead and restart the hub.",
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.course_id = {settings.course_id!r}",
        f"c.Exchange.root = {str(settings.exchange)!r}",
        f"c.CourseDirectory.max_dir_size = {settings.max_dir_kb}",
        f"c.CourseDirectory.max_file_size = {settings.max_file_kb}",
    ]
    if course_root:
        lines.append(f"c.CourseDirectory.root = {str(course_root)!r}")
    return "\n".join(lines) + "\n"


def write_student_config(settings: HubSettings, python: Path) -> None:
    """Students' Jupyter settings (their servers' JUPYTER_CONFIG_PATH and JUPYTER_PATH): this course's exchange,
    nbgrader's instructor tools off, and a Python kernel that explains cells run out of order (workbook.friendly,
    as in the self-learners' lab; it stays silent while nbgrader grades)."""
    folder = settings.student_config
    _write(folder / "nbgrader_config.py", nbgrader_config_text(settings))
    kernel = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}", "--ext=workbook.friendly"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": True},
    }
    _write(folder / "kernels" / "python3" / "kernel.json", json.dumps(kernel, indent=2))
    server = {"ServerApp": {"jpserver_extensions": {name: False for name in STUDENT_SERVER_OFF}}}
    _write(folder / "jupyter_server_config.json", json.dumps(server, indent=2))
    page = {"disabledExtensions": {name: True for name in STUDENT_LAB_OFF}, **NO_BUILD_CHECK}
    _write(folder / "labconfig" / "page_config.json", json.dumps(page, indent=2))
    for path in (folder, folder / "labconfig", folder / "kernels", folder / "kernels" / "python3"):
        os.chmod(path, 0o755)


def write_grader_config(settings: HubSettings) -> None:
    """The grader's ~/.jupyter/nbgrader_config.py: exchange and course for the formgrader and the shell."""
    jupyter_dir = settings.home(settings.grader) / ".jupyter"
    _write(jupyter_dir / "nbgrader_config.py", nbgrader_config_text(settings, settings.course_root), 0o600)
    chown_tree(jupyter_dir, settings.grader)
    os.chmod(jupyter_dir, 0o700)


def ensure_exchange_not_lost(settings: HubSettings, first_time: bool) -> None:
    """An exchange that vanished after the hub was set up is an error, not something to recreate silently:
    submissions may have been in it (an unmounted disk, a deleted folder)."""
    if not first_time and not settings.exchange.is_dir():
        raise HubError(
            f"the exchange folder {settings.exchange} is missing, though this hub was set up before: students' "
            "submissions and feedback live there (hint: restore it from your backup or mount its disk; if you are "
            "sure it held nothing, run `python -m workbook hub setup --new-exchange` to create an empty one)"
        )


def ensure_exchange(settings: HubSettings) -> None:
    """nbgrader's exchange: root 1777 (anyone may create, only owners delete), the course's folders the grader's."""
    settings.exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.exchange, 0o1777)
    grader = pwd.getpwnam(settings.grader)
    course = settings.exchange / settings.course_id
    for path, mode in ((course, 0o755), (course / "outbound", 0o755), (course / "inbound", 0o2733)):
        path.mkdir(exist_ok=True)
        os.chown(path, grader.pw_uid, grader.pw_gid)
        os.chmod(path, mode)


def copy_course(settings: HubSettings, checkout: Path) -> bool:
    """Copy the course into the grader's home (mode 0700, o-rwx inside) unless it is there. True if copied."""
    target = settings.course_root
    if target.exists():
        return False
    if not (checkout / "nbgrader_config.py").is_file() or not (checkout / "source").is_dir():
        raise HubError(f"{checkout} is not a course folder (no nbgrader_config.py or source/)")
    staging = target.with_name(f".{target.name}.copying")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for part in COURSE_PARTS:
        source = checkout / part
        if source.is_dir():
            shutil.copytree(source, staging / part, ignore=shutil.ignore_patterns("*.answers.json*", ".ipynb_*"))
        elif source.is_file():
            shutil.copy2(source, staging / part)
    chown_tree(staging, settings.grader)
    close_to_others(staging)
    os.chmod(staging, 0o700)
    staging.rename(target)
    return True


def as_user(user: str, command: list[str], env: dict[str, str] | None = None, python: Path | None = None, **kwargs):
    """Run ``command`` as ``user`` with a clean login-like environment (HOME, USER, PATH with ``python``'s bin)."""
    entry = pwd.getpwnam(user)
    base = {
        "HOME": entry.pw_dir,
        "USER": user,
        "LOGNAME": user,
        "PATH": str(Path(python or sys.executable).parent) + os.pathsep + "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONWARNINGS": "ignore",
    }
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in {**base, **(env or {})}.items()), *command],
        capture_output=True,
        text=True,
        cwd=kwargs.pop("cwd", entry.pw_dir),
        **kwargs,
    )


def register_assignment(settings: HubSettings, python: Path) -> None:
    """Put the assignment and its graded cells in the gradebook (autograde needs them), as the grader."""
    done = as_user(
        settings.grader,
        [str(python), "-m", "workbook.hub.register", str(settings.course_root)],
        python=python,
        cwd=str(settings.course_root),
        timeout=600,
    )
    if done.returncode != 0:
        raise HubError(f"could not register the assignment in the gradebook: {done.stderr.strip()[-800:]}")


def readable_by_everyone(path: Path) -> bool:
    """True when any account can read ``path``: it is o+r and every folder above it is o+x."""
    if not path.exists() or not os.stat(path).st_mode & 0o004:
        return False
    return all(os.stat(folder).st_mode & 0o001 for folder in path.resolve().parents)


def warn_about_readable_keys(checkouts: list[Path], log) -> None:
    for checkout in dict.fromkeys(checkouts):
        for part in ("source", "questions"):
            if readable_by_everyone(checkout / part):
                log(
                    f"warning: {checkout / part} (solutions, hidden tests, quiz keys) is readable by every account "
                    f"on this machine, students included (hint: chmod -R o-rwx {checkout / part})"
                )


def setup(settings: HubSettings, checkout: Path, log=print, new_exchange: bool = False) -> Path:
    """Create (or complete) the course on this machine. Keeps every existing account, folder and file.

    Returns the Python that students' servers and the grader run.
    """
    require_root("set up the course hub")
    first_time = new_exchange or not settings.state_file.exists()
    ensure_exchange_not_lost(settings, first_time)
    for folder, mode in ((settings.hub_dir, 0o755), (settings.private, 0o700)):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, mode)
    ensure_group(settings.student_group)
    if ensure_user(settings.grader, settings.home(settings.grader)):
        log(f"created the grader account {settings.grader}")
    python = shared_python(settings.hub_dir)
    import workbook

    warn_about_readable_keys([checkout.resolve(), Path(workbook.__file__).resolve().parents[1]], log)
    ensure_exchange(settings)
    write_student_config(settings, python)
    write_grader_config(settings)
    if copy_course(settings, checkout):
        log(f"copied the course to {settings.course_root} (readable by {settings.grader} only)")
        register_assignment(settings, python)
        log(f"registered {settings.assignment} in the gradebook")
    else:
        log(f"kept the existing course folder {settings.course_root}")
    state = {
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in settings.__dict__.items()},
        "python": str(python),
    }
    _write(settings.state_file, json.dumps(state, indent=2))
    return python


def add_students(settings: HubSettings, passwords: dict[str, str | None], log=print) -> None:
    """Student accounts in the course group (they may log in), each with a private home and, when given, a
    password; then all of them in the gradebook, with one process of the grader's.

    Every name is checked before any account is made, so a mistake in a class list creates nothing.
    """
    require_root("add a student account")
    for name in passwords:
        check_student_name(name)
        if name == settings.grader:
            raise HubError(f"{name!r} is the grader account (hint: choose another name for the student)")
    ensure_group(settings.student_group)
    for name, password in passwords.items():
        created = ensure_user(name, settings.home(name), (settings.student_group,))
        if password is not None:
            set_password(name, password)
        log(f"{'created' if created else 'kept'} the account {name}, in group {settings.student_group}")
    if settings.course_root.exists():
        python = Path(json.loads(settings.state_file.read_text())["python"])
        done = as_user(
            settings.grader,
            [str(python), "-m", "workbook.hub.register", str(settings.course_root), "--students", *passwords],
            python=python,
            cwd=str(settings.course_root),
        )
        if done.returncode != 0:
            log(f"warning: not in the gradebook yet: {', '.join(passwords)}: {done.stderr.strip()[-300:]}")
