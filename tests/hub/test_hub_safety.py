"""The course hub's safe defaults and its answers to bad input, checked as the real accounts on a running hub."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

from tests.hubkit import ASSIGNMENT, COURSE_ID, CourseHub, sh

pytestmark = pytest.mark.hub


def names(hub: CourseHub) -> tuple[str, str, str]:
    first, second, third = sorted(hub.students)
    return first, second, third


def denied(hub: CourseHub, user: str, command: list[str]) -> bool:
    done = hub.as_user(user, command)
    return done.returncode != 0 and "Permission denied" in done.stderr


def test_the_hub_logs_in_real_accounts_with_their_passwords(course_hub: CourseHub):
    import requests

    student = names(course_hub)[0]
    session = requests.Session()
    session.get(f"{course_hub.url}/hub/login")
    form = {"username": student, "_xsrf": session.cookies.get("_xsrf")}
    wrong = session.post(f"{course_hub.url}/hub/login", data={**form, "password": "not-the-password"})
    assert wrong.status_code == 403
    right = session.post(
        f"{course_hub.url}/hub/login", data={**form, "password": course_hub.students[student]}, allow_redirects=False
    )
    assert right.status_code == 302
    assert session.cookies.get("jupyterhub-session-id")


# Every module a student's server and kernel import, whose bytecode is missing (the student cannot write it, so
# each start would compile it again: about a second of CPU per server, kernel or command).
UNCOMPILED = """
import importlib.util, json, os, sys
import ipykernel.kernelapp, jupyter_server.serverapp, nbgrader.apps
print(json.dumps(sorted(
    name for name, module in list(sys.modules.items())
    if (getattr(module, "__file__", None) or "").endswith(".py")
    and not os.path.exists(importlib.util.cache_from_source(module.__file__))
)))
"""


def test_a_students_python_finds_the_bytecode_of_what_servers_and_kernels_import(course_hub: CourseHub):
    student = names(course_hub)[2]
    ran = course_hub.as_user(student, [course_hub.python, "-c", UNCOMPILED], timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == []


# The student's kernel over unix sockets, as the build runs them: a TCP port chosen free can be taken by another
# process before the kernel binds it ("Address already in use"), which happened once in CI.
KERNEL_PROBE = """
import tempfile
from pathlib import Path
from jupyter_client.manager import KernelManager
from traitlets.config import Config
from workbook.editions.validate import local_kernels
with tempfile.TemporaryDirectory() as sockets:
    manager = KernelManager(kernel_name="python3", config=local_kernels(Config(), Path(sockets)))
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        client.execute_interactive("quiz.show('x')", timeout=120, output_hook=lambda m: print(m["content"]))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
"""


def test_a_students_kernel_explains_a_cell_run_before_the_setup_cell(course_hub: CourseHub):
    student = names(course_hub)[2]
    session = course_hub.log_in(student)
    specs = session.get(f"{course_hub.url}/user/{student}/api/kernelspecs").json()
    argv = specs["kernelspecs"][specs["default"]]["spec"]["argv"]
    assert "--ext=workbook.friendly" in argv, argv  # the kernel the student's server starts
    ran = course_hub.as_user(student, [course_hub.python, "-c", KERNEL_PROBE], timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "run the notebook's setup cell first" in ran.stdout, ran.stdout[-2000:]


def test_exchange_has_the_permissions_nbgrader_documents(course_hub: CourseHub):
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    course = course_hub.exchange / COURSE_ID
    assert mode(course_hub.exchange) == 0o1777  # anyone may create, only owners delete
    assert mode(course / "inbound") == 0o2733  # students can write, nobody but the grader can list
    assert mode(course / "outbound") == 0o755
    grader_uid = __import__("pwd").getpwnam(course_hub.grader).pw_uid
    assert {(course / part).stat().st_uid for part in ("", "inbound", "outbound")} == {grader_uid}


def test_students_cannot_read_the_course_the_gradebook_or_each_other(released: CourseHub):
    hub = released
    first, second, _ = names(hub)
    source_nb = next((hub.course_root / "source" / ASSIGNMENT).glob("*.ipynb"))
    gradebook = hub.course_root / "gradebook.db"
    assert source_nb.is_file() and gradebook.is_file()
    (hub.home(second) / "secret.txt").write_text("mine")
    shutil.chown(hub.home(second) / "secret.txt", second, second)
    # the grader can, so a denial below is about permissions, not a missing file
    assert hub.as_user(hub.grader, ["cat", str(source_nb)]).returncode == 0
    assert hub.as_user(second, ["cat", str(hub.home(second) / "secret.txt")]).returncode == 0
    for path in (source_nb, gradebook, hub.course_root / "nbgrader_config.py", hub.home(hub.grader) / ".jupyter"):
        assert denied(hub, first, ["cat", str(path)]), path
    for folder in (hub.home(hub.grader), hub.course_root, hub.home(second), hub.exchange / COURSE_ID / "inbound"):
        assert denied(hub, first, ["ls", str(folder)]), folder
    assert denied(hub, first, ["cat", str(hub.home(second) / "secret.txt")])
    assert denied(hub, first, ["ls", str(hub.hub_dir / "private")])
    if (hub.course_root / "questions").exists():
        assert denied(hub, first, ["ls", str(hub.course_root / "questions")])


def test_a_submission_cannot_be_found_by_another_student(released: CourseHub):
    hub = released
    first, _, third = names(hub)
    assert hub.nbgrader(third, "fetch_assignment", ASSIGNMENT).returncode == 0
    done = hub.nbgrader(third, "submit", ASSIGNMENT)
    assert done.returncode == 0, done.stderr
    inbound = hub.exchange / COURSE_ID / "inbound"
    mine = [p for p in inbound.iterdir() if p.name.startswith(f"{third}+{ASSIGNMENT}+")]
    assert mine, "the submission reached the exchange"
    # Another student can neither list the inbound folder nor guess the name (it ends in 12 random characters).
    assert denied(hub, first, ["ls", str(inbound)])
    assert denied(hub, first, ["ls", str(hub.home(third) / ASSIGNMENT)])
    assert len(mine[0].name.rsplit("+", 1)[1]) == 12


def test_two_submits_at_once_by_one_student_lose_nothing(released: CourseHub):
    hub = released
    student = names(hub)[2]
    folder = hub.home(student) / ASSIGNMENT
    if not folder.exists():
        assert hub.nbgrader(student, "fetch_assignment", ASSIGNMENT).returncode == 0
    inbound = hub.exchange / COURSE_ID / "inbound"
    before = {p.name for p in inbound.iterdir() if p.name.startswith(student + "+")}
    python_bin = str(Path(hub.python).parent)
    command = [
        "runuser", "-u", student, "--", "env", "-i", f"HOME={hub.home(student)}", f"USER={student}",
        f"PATH={python_bin}:/usr/bin:/bin", f"JUPYTER_CONFIG_PATH={hub.hub_dir / 'student-jupyter'}",
        hub.python, "-m", "nbgrader", "submit", ASSIGNMENT,
    ]  # fmt: skip
    both = [
        subprocess.Popen(command, cwd=hub.home(student), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in both]
    assert [code for code, _ in results] == [0, 0], results
    new = [p for p in inbound.iterdir() if p.name.startswith(student + "+") and p.name not in before]
    assert len(new) == 2, "each submit is kept under its own name"
    released_names = sorted(p.name for p in (hub.exchange / COURSE_ID / "outbound" / ASSIGNMENT).glob("*.ipynb"))
    for submission in new:
        assert sorted(p.name for p in submission.glob("*.ipynb")) == released_names
        for notebook in submission.glob("*.ipynb"):
            nbformat.read(str(notebook), as_version=4)  # complete, valid notebooks
    done = hub.nbgrader(hub.grader, "collect", ASSIGNMENT, "--student", student)
    assert done.returncode == 0, done.stderr
    latest = max(new, key=lambda p: (p / "timestamp.txt").read_text())
    collected = hub.course_root / "submitted" / student / ASSIGNMENT
    assert (collected / "timestamp.txt").read_text() == (latest / "timestamp.txt").read_text()


def test_a_submission_over_the_size_limit_is_refused_and_loses_nothing(released: CourseHub):
    hub = released
    student = names(hub)[2]
    folder = hub.home(student) / ASSIGNMENT
    if not folder.exists():
        assert hub.nbgrader(student, "fetch_assignment", ASSIGNMENT).returncode == 0
    inbound = hub.exchange / COURSE_ID / "inbound"
    before = sorted(p.name for p in inbound.iterdir() if p.name.startswith(student + "+"))
    limit_kb = 3000  # create_hub's setting for the tests
    big = folder / "dataset.bin"
    with big.open("wb") as handle:
        handle.write(os.urandom((limit_kb + 500) * 1000))
    shutil.chown(big, student, student)
    work = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    done = hub.nbgrader(student, "submit", ASSIGNMENT)
    message = done.stdout + done.stderr
    assert done.returncode != 0
    assert "too big" in message and str(limit_kb * 1000) in message
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == work, "the student's copy is intact"
    after = sorted(p.name for p in inbound.iterdir() if p.name.startswith(student + "+"))
    assert set(before) <= set(after), "earlier submissions are still there"
    assert all(not (inbound / name / "dataset.bin").exists() for name in after)
    big.unlink()


def test_the_hub_refuses_to_start_without_root(course_hub: CourseHub):
    student = names(course_hub)[2]
    shutil.copy2(course_hub.config, course_hub.home(student) / "hub.toml")
    done = course_hub.as_user(
        student,
        [course_hub.python, "-m", "workbook", "hub", "--config", str(course_hub.home(student) / "hub.toml"), "start"],
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and len(lines) == 3, lines
    assert lines[0].startswith("error: ") and "without root" in lines[0] and lines[1].startswith("hint: ")
    assert lines[2] == "hub: REFUSED: nothing was changed (exit 2)"


def test_a_missing_exchange_is_reported_not_recreated(course_hub: CourseHub):
    with tempfile.TemporaryDirectory(prefix="wb-hub-lost-") as tmp:
        hub_dir = Path(tmp) / "hub"
        hub_dir.mkdir()
        shutil.copy2(course_hub.hub_dir / "hub.json", hub_dir / "hub.json")  # this hub was set up before ...
        config = Path(tmp) / "hub.toml"
        text = course_hub.config.read_text().replace(json.dumps(str(course_hub.hub_dir)), json.dumps(str(hub_dir)))
        config.write_text(text)
        done = sh([*course_hub.hub_command_prefix(), "--config", str(config), "setup"])  # ... and lost its exchange
        assert done.returncode == 2, done.stdout + done.stderr
        assert "exchange folder" in done.stderr and "missing" in done.stderr and "hint:" in done.stderr
        assert "Traceback" not in done.stderr
        assert not (hub_dir / "exchange").exists()


REGISTERED = """
import json
from nbgrader.api import Gradebook
from traitlets.config.loader import PyFileConfigLoader
config = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()
with Gradebook(config.CourseDirectory.db_url) as gradebook:
    print(json.dumps(sorted(student.id for student in gradebook.students)))
"""


def test_a_class_added_in_one_command_is_in_the_gradebook_and_a_bad_list_adds_nobody(course_hub: CourseHub):
    # The fixture added its three students with one `hub add-student A B C --password-stdin`.
    done = course_hub.as_user(course_hub.grader, [course_hub.python, "-c", REGISTERED], cwd=course_hub.course_root)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == sorted(course_hub.students)

    newcomers = [f"{course_hub.prefix}-late1", f"{course_hub.prefix}-late2"]
    try:
        for names, stdin, complaint in (
            ([newcomers[0], "Not A Name", newcomers[1]], "pw1\npw2\npw3\n", "not a valid student account name"),
            (newcomers, "only-one\n", "2 student(s) but 1 password line(s)"),
            (newcomers, "pw1\n\n", "an empty one"),
            ([newcomers[0], newcomers[0]], "pw1\npw2\n", "given twice"),
            ([newcomers[0], course_hub.grader], "pw1\npw2\n", "is the grader account"),
        ):
            done = course_hub.hub_command("add-student", *names, "--password-stdin", stdin=stdin)
            assert done.returncode == 2 and complaint in done.stderr, (names, done.stderr)
            assert "Traceback" not in done.stderr and "hint: " in done.stderr
            for name in newcomers:
                assert sh(["id", name]).returncode != 0, f"{name} was created although the command refused"
    finally:
        for name in newcomers:
            sh(["userdel", "--remove", name])
