"""A real course hub for the tests and the benchmark: real accounts, PAM passwords, JupyterHub on 127.0.0.1.

Every name is unique to the run (``wbh<hex>-...``), everything lives in one temporary folder, and
:meth:`CourseHub.close` removes the accounts, stops every process of them and of the hub, and deletes the folder.
Needs root (creating accounts), ``configurable-http-proxy`` on PATH and a system python3.11.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO, copy_course
from tests.labkit import free_port

ASSIGNMENT = "open_vs_closed"
COURSE_ID = "open-vs-closed-ai"
# The e2e course: a quiz with a code exercise, a matching exercise, and the written recommendations.
E2E_NOTEBOOKS = ("01_what_open_means", "05_match_use_cases", "07_decision_framework")


def sh(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)


@dataclass
class CourseHub:
    base: Path
    config: Path
    prefix: str
    grader: str
    group: str
    students: dict[str, str] = field(default_factory=dict)  # name -> password
    grader_password: str = ""
    process: subprocess.Popen | None = None
    url: str = ""
    log: Path | None = None

    # --- paths -------------------------------------------------------------------------------------------------
    @property
    def hub_dir(self) -> Path:
        return self.base / "hub"

    @property
    def home_base(self) -> Path:
        return self.base / "home"

    @property
    def course_root(self) -> Path:
        return self.home_base / self.grader / COURSE_ID

    @property
    def exchange(self) -> Path:
        return self.hub_dir / "exchange"

    @property
    def python(self) -> str:
        return json.loads((self.hub_dir / "hub.json").read_text())["python"]

    def home(self, user: str) -> Path:
        return self.home_base / user

    # --- running things as the course's people -------------------------------------------------------------------
    def as_user(self, user: str, command: list[str], cwd: Path | None = None, timeout: int = 600, **env):
        """``command`` as ``user``, with the environment a student's or the grader's terminal on the hub has."""
        python_bin = str(Path(self.python).parent)
        environment = {
            "HOME": str(self.home(user)),
            "USER": user,
            "LOGNAME": user,
            "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONWARNINGS": "ignore",
        }
        if user != self.grader:
            environment["JUPYTER_CONFIG_PATH"] = environment["JUPYTER_PATH"] = str(self.hub_dir / "student-jupyter")
        environment.update(env)
        return sh(
            ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in environment.items()), *command],
            cwd=str(cwd or self.home(user)),
            timeout=timeout,
        )

    def nbgrader(self, user: str, *args: str, cwd: Path | None = None, timeout: int = 600):
        if user == self.grader and cwd is None:
            cwd = self.course_root
        return self.as_user(user, [self.python, "-m", "nbgrader", *args], cwd=cwd, timeout=timeout)

    def workbook(self, *args: str, timeout: int = 900):
        """``python -m workbook ...`` in the course folder, as the grader (as an instructor would after sudo -i)."""
        return self.as_user(self.grader, [self.python, "-m", "workbook", *args], cwd=self.course_root, timeout=timeout)

    def hub_command_prefix(self) -> list[str]:
        return [sys.executable, "-m", "workbook", "--root", str(self.base / "checkout"), "hub"]

    def hub_command(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """``python -m workbook hub --config ... ARGS`` as root."""
        return sh([*self.hub_command_prefix(), "--config", str(self.config), *args], input=stdin, timeout=900)

    def add_students(self, names: list[str]) -> None:
        """``hub add-student`` for the whole class at once, passwords on stdin."""
        passwords = {name: secrets.token_urlsafe(12) for name in names}
        done = self.hub_command(
            "add-student", *names, "--password-stdin", stdin="".join(f"{p}\n" for p in passwords.values())
        )
        assert done.returncode == 0, done.stderr
        self.students.update(passwords)

    # --- the hub process ------------------------------------------------------------------------------------------
    def log_in(self, user: str, timeout: float = 300):
        """Log in through the hub's form and wait for the user's JupyterLab server; returns the HTTP session."""
        import requests

        session = requests.Session()
        session.get(f"{self.url}/hub/login")
        password = self.grader_password if user == self.grader else self.students[user]
        session.post(
            f"{self.url}/hub/login",
            data={"username": user, "password": password, "_xsrf": session.cookies.get("_xsrf")},
        )
        deadline = time.monotonic() + timeout
        while True:  # following the redirects through spawn-pending and the server's OAuth login
            page = session.get(f"{self.url}/user/{user}/lab")
            if page.status_code == 200 and f"/user/{user}/lab" in page.url:
                return session
            if time.monotonic() > deadline:
                raise RuntimeError(f"{user}'s server did not start: {page.status_code} {page.url}")
            time.sleep(1)

    def start(self, timeout: float = 120) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = self.base / "hub.log"
        self.process = subprocess.Popen(
            [*self.hub_command_prefix(), "--config", str(self.config), "start", "--port", str(port)],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub stopped:\n{self.log.read_text()[-4000:]}")
            if self.status("hub/login") == 200 and self.status(f"services/{COURSE_ID}/api/status") in (200, 302, 403):
                return
            time.sleep(0.5)
        raise RuntimeError(f"the hub did not answer in {timeout} s:\n{self.log.read_text()[-4000:]}")

    def status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(f"{self.url}/{path}", timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def stop(self) -> None:
        # The accounts' servers and kernels first: the hub would stop each one gently (SIGINT, then a wait of up to
        # 20 s per server), which a test run has no need to wait for.
        self._kill_accounts_processes()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        proxy_pid = self.hub_dir / "private" / "proxy.pid"
        if proxy_pid.exists():
            try:
                os.kill(int(proxy_pid.read_text().strip()), signal.SIGKILL)
            except (ValueError, ProcessLookupError):
                pass
        self._kill_accounts_processes()

    def accounts(self) -> list[str]:
        return [self.grader, *self.students]

    def _kill_accounts_processes(self) -> None:
        """Every process still running as one of this run's accounts (only this run created them)."""
        uids = set()
        for name in self.accounts():
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        for _ in range(3):
            found = False
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    if entry.stat().st_uid in uids:
                        os.kill(int(entry.name), signal.SIGKILL)
                        found = True
                except (FileNotFoundError, ProcessLookupError, PermissionError):
                    pass
            if not found:
                return
            time.sleep(0.5)

    def close(self) -> None:
        self.stop()
        for name in self.accounts():
            sh(["userdel", "--remove", name])
        sh(["groupdel", self.group])
        shutil.rmtree(self.base, ignore_errors=True)


def make_course_checkout(target: Path, notebooks: tuple[str, ...] | None) -> Path:
    """A copy of the course (only ``notebooks`` of the assignment, when given) to set the hub up from."""
    course = copy_course(target)
    shutil.copytree(REPO / "deploy", course / "deploy")
    if notebooks:
        for edition in ("source", "release"):
            for path in (course / edition / ASSIGNMENT).glob("*.ipynb"):
                if path.stem not in notebooks:
                    path.unlink()
        shutil.rmtree(course / "notebooks", ignore_errors=True)
    bank = REPO / "questions" / ASSIGNMENT
    if bank.is_dir():
        (course / "questions" / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
        for path in bank.glob("*.toml"):
            if not notebooks or path.stem in notebooks:
                shutil.copy2(path, course / "questions" / ASSIGNMENT / path.name)
    return course


def create_hub(students: int, notebooks: tuple[str, ...] | None = E2E_NOTEBOOKS, **settings) -> CourseHub:
    """Set up (not start) a course hub with ``students`` student accounts with passwords, added as one class with
    ``hub add-student``."""
    base = Path(tempfile.mkdtemp(prefix="wb-hub-"))
    base.chmod(0o755)  # accounts' homes live under it
    prefix = "wbh" + secrets.token_hex(3)
    hub = CourseHub(
        base=base, config=base / "course-hub.toml", prefix=prefix, grader=f"{prefix}-grader", group=f"{prefix}-students"
    )
    values = {
        "course_id": COURSE_ID,
        "assignment": ASSIGNMENT,
        "grader": hub.grader,
        "student_group": hub.group,
        "hub_dir": str(hub.hub_dir),
        "home_base": str(hub.home_base),
        "max_dir_kb": 3000,  # small, so the size-limit test needs only a few MB
        **settings,
    }
    hub.config.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
    try:
        make_course_checkout(base / "checkout", notebooks).chmod(0o700)  # the instructor's copy: theirs alone
        done = hub.hub_command("setup")
        assert done.returncode == 0, done.stdout + done.stderr
        hub.add_students([f"{prefix}-s{number}" for number in range(1, students + 1)])
        hub.grader_password = secrets.token_urlsafe(12)
        assert sh(["chpasswd"], input=f"{hub.grader}:{hub.grader_password}\n").returncode == 0
    except BaseException:
        hub.close()
        raise
    return hub
