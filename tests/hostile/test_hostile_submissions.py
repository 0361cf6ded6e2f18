"""Hostile and broken submissions, all graded in one run beside two honest students.

The course here has two notebooks, 01 and 02 (each graded notebook costs a kernel start, for 26 students). Every
hostile student is an honest submission (`correct`, or `untouched` for the ones that try to cheat) with one thing
done to it in notebook 01; notebook 02, graded after it in the same sandbox, shows what the attack did not spoil.

Expected: honest students graded exactly as their metadata says; each hostile student loses exactly the points
where it broke or cheated, keeps the rest, and is reported; the gradebook, the source and the other submissions
are untouched; student code reads and writes nothing outside its own working copy, reaches no network, leaves
nothing behind (files in /tmp, processes) and cannot exhaust the machine (disk, processes). The attacks on the
sandbox itself skip, with the reason, where the bubblewrap sandbox cannot run.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests.cohort import ASSIGNMENT, build_course, code_scores, first_answer, grade, notebooks, submit
from tests.nbgrader_helpers import autograded_points
from workbook.core.quiz_keys import quiz_keys
from workbook.grading.sandbox import Limits, engine_problem

pytestmark = pytest.mark.slow
needs_sandbox = pytest.mark.skipif(
    engine_problem() is not None, reason=f"the grading sandbox cannot run here: {engine_problem()}"
)
MARK = f"wb{secrets.token_hex(4)}"  # names what this run's attacks leave behind (files, process names)
CANARY = f"canary-{secrets.token_hex(8)}"  # a secret in the grader's environment
NB = "01_what_open_means"
# Seconds per cell, for this run only (the course uses 30). Honest cells need under 1 s; the fork bomb's cell half a
# second alone, a second beside four busy loops, and once over 4 s in a full suite run on 2 cores: hence 8.
TIMEOUT = 8
DISK_MIB = 32  # each student's sandbox disk, for this run only (the default is 512; filling it must be quick)


def _prepend_to_first_answer(course: Path, student: str, code: str) -> None:
    path = course / "submitted" / student / ASSIGNMENT / f"{NB}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    index = first_answer(nb)[0]
    nb.cells[index].source = code + "\n" + nb.cells[index].source
    nbformat.write(nb, str(path))


def _edit_notebook(course: Path, student: str, change) -> None:
    path = course / "submitted" / student / ASSIGNMENT / f"{NB}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    change(nb)
    nbformat.write(nb, str(path))


def _store(course: Path, student: str) -> Path:
    return course / "submitted" / student / ASSIGNMENT / f"{NB}.answers.json"


def _tamper_tests(nb) -> None:
    """Replace every locked cell's code with a harmless line and delete one test cell entirely."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("locked"):
            cell.source = "pass  # the student replaced this cell"
    doomed = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    del nb.cells[doomed]


def _tamper_metadata(nb) -> None:
    """Raise every test's points to 100 and rename one grade id."""
    renamed = False
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 100
            if not renamed:
                meta["grade_id"] = "free_points_please"
                renamed = True


SNOOP = """
import os
for target in {targets!r}:
    try:
        with open(target, "rb") as handle:
            handle.read(1)
        print("LEAKED", target)
    except OSError as error:
        print("BLOCKED", type(error).__name__)
for folder in {folders!r}:
    try:
        os.listdir(folder)
        print("LEAKED listing", folder)
    except OSError as error:
        print("BLOCKED", type(error).__name__)
found = [key for key, value in os.environ.items() if {canary!r} in value]
for pid in [name for name in os.listdir("/proc") if name.isdigit()]:
    for part in ("environ", "cmdline"):
        try:
            with open(f"/proc/{{pid}}/{{part}}", "rb") as handle:
                if {canary!r}.encode() in handle.read():
                    found.append(f"/proc/{{pid}}/{{part}}")
        except OSError:
            pass
print("LEAKED canary", found) if found else print("NO CANARY")
"""

VANDAL = """
for target in {targets!r}:
    try:
        with open(target, "ab") as handle:
            handle.write(b"VANDAL")
        print("WROTE", target)
    except OSError as error:
        print("BLOCKED", type(error).__name__)
"""

NETWORK = """
import socket
for host, port in {targets!r}:
    try:
        socket.create_connection((host, port), timeout=3).close()
        print("LEAKED connected", host, port)
    except OSError as error:
        print("BLOCKED", type(error).__name__)
try:
    socket.getaddrinfo("pypi.org", 443)
    print("LEAKED resolved pypi.org")
except OSError as error:
    print("BLOCKED", type(error).__name__)
"""

LITTER = """
import os
for folder in ("/tmp", "/dev/shm", "/var/tmp", os.path.expanduser("~")):
    try:
        with open(os.path.join(folder, {mark!r}), "w") as handle:
            handle.write("left for the next student")
        print("WROTE", folder)
    except OSError as error:
        print("COULD NOT WRITE", folder, type(error).__name__)
"""

LOOK = """
import os
seen = [
    os.path.join(folder, name)
    for folder in ("/tmp", "/dev/shm", "/var/tmp", os.path.expanduser("~"))
    if os.path.isdir(folder)
    for name in os.listdir(folder)
    if name == {mark!r}
]
print("FOUND", seen) if seen else print("NOTHING LEFT")
"""

FILL = """
import os
chunk = b"x" * (4 * 1024**2)  # under the per-file limit; one write per file keeps the cell quick
written, index = 0, 0
try:
    while written < 16 * 1024**3:
        with open(f"fill-{index}.bin", "wb") as handle:
            handle.write(chunk)
        written += len(chunk) // 1024**2
        index += 1
except OSError as error:
    print("DISK FULL AFTER", written, "MiB", type(error).__name__)
for name in os.listdir("."):
    if name.startswith("fill-"):
        os.remove(name)
"""

BOMB = """
import os, time
made = 0
while made < 100000:
    try:
        child = os.fork()
    except OSError:
        break
    if child == 0:
        with open("/proc/self/comm", "w") as handle:
            handle.write({mark!r} + "b")
        while True:
            try:
                os.fork()
            except OSError:
                time.sleep(0.2)
    made += 1
# The first failed fork means the sandbox is full: count now (waiting would only spend the cell's time limit).
print("FORKS BEFORE THE LIMIT", made, "PROCESSES", len([p for p in os.listdir("/proc") if p.isdigit()]))
"""

DAEMON = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open("/proc/self/comm", "w") as handle:
            handle.write({mark!r} + "d")
        while True:
            time.sleep(0.2)
    os._exit(0)
print("DAEMON STARTED")
"""

# A fake `workbook` package submitted beside a correct answer: if the kernel imported it instead of the real one,
# it would announce itself in the cell's output, every graded quiz key would claim 1000 points (the grader reports
# that as tampering) and every other helper would return None (the notebook's own checks would fail).
FAKE_INIT = 'print("IMPOSTOR PACKAGE IMPORTED")\n'
FAKE_MODULE = """
print("IMPOSTOR PACKAGE IMPORTED")
def key(*args, **kwargs):
    return 1000.0
def __getattr__(name):
    return lambda *args, **kwargs: None
"""


@dataclass(frozen=True)
class HostileRun:
    """One `grade` run over every hostile student and two honest ones."""

    course: Path
    env: dict[str, str]
    honest: dict[str, dict[str, float]]  # honest student -> expected score per notebook
    base: dict[str, dict[str, float]]  # hostile student -> score per notebook of the work it started from
    result: object  # the finished `python -m workbook grade` process
    before: dict[str, str]  # sha256 of every file in submitted/ and source/ before the run
    after: dict[str, str]  # ... and after it
    later: object  # a second run, grading only `looker` after everyone else
    connections: list  # who connected to the grader machine's TCP listener during the run
    survivors: list[str]  # processes of the attacks still alive after the runs


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    course, env = build_course(tmp_path_factory.mktemp("hostile"), notebooks=(NB, "02_case_for_open"))
    gradebook = course / "gradebook.db"
    honest = {
        "correct": submit(course, "correct", "correct"),
        "partly_wrong": submit(course, "partly_wrong", "partly_wrong"),
    }
    base = {}
    for student in (
        "infinite_loop",
        "ignores_sigint",
        "memory_bomb",
        "output_flood",
        "sys_exit",
        "os_exit",
        "corrupt_json",
        "missing_notebook",
        "store_missing",
        "store_corrupt",
        "store_tampered",
        "store_unknown_ids",
        "snooper",
        "vandal",
        "impostor",
        "networker",
        "litterer",
        "disk_filler",
        "fork_bomber",
        "daemon",
    ):
        base[student] = submit(course, student, "correct")
    for student in ("tampered_tests", "changed_metadata", "key_patcher"):
        base[student] = submit(course, student, "untouched")

    _prepend_to_first_answer(course, "infinite_loop", "while True:\n    pass")
    # (It waits rather than spins: ignoring the interrupt is the attack, and a spinning loop would only burn the
    # CPU the other students' grading needs.)
    _prepend_to_first_answer(
        course,
        "ignores_sigint",
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.1)",
    )
    # The limit is on address space, so the bomb need not write its memory: bytes(n) gets zeroed pages without
    # touching them. A bytearray writes every page: 0.7 s for 1.5 GB here, but once, in a fresh clone's run, longer
    # than the time limit (it ended "timed out", not "memory limit"; memory the VM had never used, we believe).
    _prepend_to_first_answer(course, "memory_bomb", "hog = []\nwhile True:\n    hog.append(bytes(64 * 1024**2))")
    _prepend_to_first_answer(course, "output_flood", "while True:\n    print('flood ' * 2000)")
    _prepend_to_first_answer(course, "sys_exit", "import sys\nsys.exit(3)")
    _prepend_to_first_answer(course, "os_exit", "import os\nos._exit(3)")
    (course / "submitted" / "corrupt_json" / ASSIGNMENT / f"{NB}.ipynb").write_text("{ this is not JSON")
    (course / "submitted" / "missing_notebook" / ASSIGNMENT / f"{NB}.ipynb").unlink()
    _store(course, "store_missing").unlink()
    _store(course, "store_corrupt").write_text('{"schema_version": 1, "answers": {"osi_pref')
    tampered = json.loads(_store(course, "store_tampered").read_text())
    for record in tampered["answers"].values():
        record["value"] = 42 if isinstance(record["value"], str) else {"every": "option"}
    _store(course, "store_tampered").write_text(json.dumps(tampered))
    unknown = json.loads(_store(course, "store_unknown_ids").read_text())
    unknown["answers"]["no_such_question"] = {"value": "a", "saved_at": "2025-01-01T00:00:00+00:00"}
    unknown["answers"]["../../etc/passwd"] = {"value": "b", "saved_at": "yesterday"}
    _store(course, "store_unknown_ids").write_text(json.dumps(unknown))
    _edit_notebook(course, "tampered_tests", _tamper_tests)
    _edit_notebook(course, "changed_metadata", _tamper_metadata)
    _edit_notebook(
        course,
        "key_patcher",
        lambda nb: nb.cells.insert(
            2,
            nbformat.v4.new_code_cell(
                "quiz.key = lambda *args, points=1, **kwargs: float(points)  # every graded question 'right'"
            ),
        ),
    )
    fake = course / "submitted" / "impostor" / ASSIGNMENT / "workbook"
    fake.mkdir()
    (fake / "__init__.py").write_text(FAKE_INIT)
    for module in ("quiz", "data", "costs", "writing", "session_files"):
        (fake / f"{module}.py").write_text(FAKE_MODULE)

    other = course / "submitted" / "correct" / ASSIGNMENT / f"{NB}.ipynb"
    source = course / "source" / ASSIGNMENT / f"{NB}.ipynb"
    outside = course.parent / "instructor-notes.txt"  # a file of the grader's, outside the course
    outside.write_text("private")
    in_home = Path.home() / f"{MARK}-private.txt"  # and one in the grader's home folder
    in_home.write_text("private")
    _prepend_to_first_answer(
        course,
        "snooper",
        SNOOP.format(
            targets=[str(source), str(other), str(gradebook), "../../assignment.db", str(outside), str(in_home)],
            folders=[str(course), str(course / "submitted"), str(course.parent)],
            canary=CANARY,
        ),
    )
    _prepend_to_first_answer(
        course,
        "vandal",
        VANDAL.format(
            targets=[
                str(gradebook),
                str(other),
                str(course / "autograded" / "evil.txt"),
                str(source.parent / "evil.txt"),
                "../../assignment.db",
                str(Path.home() / f"{MARK}-evil.txt"),
            ]
        ),
    )
    listener = _Listener()
    _prepend_to_first_answer(
        course,
        "networker",
        NETWORK.format(targets=[("127.0.0.1", listener.port), ("1.1.1.1", 53), *listener.other_addresses()]),
    )
    _prepend_to_first_answer(course, "litterer", LITTER.format(mark=MARK))
    _prepend_to_first_answer(course, "disk_filler", FILL)
    _prepend_to_first_answer(course, "fork_bomber", BOMB.format(mark=MARK))
    _prepend_to_first_answer(course, "daemon", DAEMON.format(mark=MARK))

    def snapshot(folder: Path) -> dict[str, str]:
        return {
            str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    before = {**snapshot(course / "submitted"), **snapshot(course / "source")}
    env = {**env, "WORKBOOK_CANARY": CANARY}
    try:
        limits = ("--timeout", str(TIMEOUT), "--memory-limit", "1536", "--disk-limit", str(DISK_MIB))
        result = grade(course, env, "--workers", "2", *limits)
    finally:
        listener.close()
        in_home.unlink()
    after = {**snapshot(course / "submitted"), **snapshot(course / "source")}
    # Graded after everyone above, by the same workers' successors: does anything of the litterer remain?
    base["looker"] = submit(course, "looker", "correct")
    _prepend_to_first_answer(course, "looker", LOOK.format(mark=MARK))
    later = grade(course, env, "--workers", "1", "--student", "looker", "--timeout", str(TIMEOUT))
    return HostileRun(course, env, honest, base, result, before, after, later, listener.connections, _survivors())


class _Listener:
    """A TCP server of the grader's machine, on every address, that counts who connects."""

    def __init__(self) -> None:
        self.server = socket.create_server(("0.0.0.0", 0))
        self.port = self.server.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, address = self.server.accept()
            except OSError:
                return
            self.connections.append(address)
            connection.close()

    def other_addresses(self) -> list[tuple[str, int]]:
        """This machine's own non-loopback address, if it has one (reachable without a private network)."""
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; this only picks the outgoing address
            address = probe.getsockname()[0]
        except OSError:
            return []
        finally:
            probe.close()
        return [] if address.startswith("127.") else [(address, self.port)]

    def close(self) -> None:
        self.server.close()


def _survivors() -> list[str]:
    """Processes on this machine named by this run's attacks (fork bomb, daemon)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip().startswith(MARK):
                found.append(f"{entry.name}: {(entry / 'comm').read_text().strip()}")
        except OSError:
            pass
    return found


def _source(course: Path):
    return next(source for stem, source, _ in notebooks(course) if stem == NB)


def _summary(result) -> dict[str, str]:
    """student -> every summary line about them (status and reasons)."""
    rows, current = {}, None
    for line in result.stdout.splitlines():
        if line and not line.startswith(" "):
            current = line.split()[0]
            rows[current] = line
        elif current and line.strip():
            rows[current] += "\n" + line
    return rows


def _expect(run: HostileRun, student: str, notebook_score: float, status: str, reason: str = "") -> None:
    result = run.result
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    scores = code_scores(run.env["WORKBOOK_DB_URL"], student)
    expected = dict(run.base[student], **{NB: notebook_score})
    assert scores == pytest.approx(expected), student
    row = _summary(result)[student]
    assert re.match(rf"{re.escape(student)}\s+({status})\s", row), row
    assert re.search(reason, row), row


def _points(course: Path) -> tuple[float, float, float, float]:
    """Total autograded points of notebook 01, its first answer's test points, points before it, quiz points."""
    source = _source(course)
    _, _, tests, before = first_answer(source)
    quiz = sum(key.points for key in quiz_keys(source) if key.hidden)
    return sum(autograded_points(source).values()), tests, before, quiz


def test_honest_students_are_graded_exactly_as_without_hostile_ones(hostile_run: HostileRun) -> None:
    assert hostile_run.result.returncode == 0, hostile_run.result.stderr[-3000:]
    for student, expected in hostile_run.honest.items():
        assert code_scores(hostile_run.env["WORKBOOK_DB_URL"], student) == pytest.approx(expected), student
        assert _summary(hostile_run.result)[student].split()[1] == "graded"


def test_submissions_and_source_are_unchanged(hostile_run: HostileRun) -> None:
    assert hostile_run.before  # not vacuous: the snapshot holds every submitted and source file
    assert hostile_run.after == hostile_run.before


def test_infinite_loop_is_interrupted_and_costs_only_its_cell(hostile_run: HostileRun) -> None:
    total, tests, _, _ = _points(hostile_run.course)
    _expect(
        hostile_run, "infinite_loop", total - tests, "timed out", rf"ran longer than {TIMEOUT} s and was interrupted"
    )


def test_loop_ignoring_sigint_is_stopped_and_scores_zero_from_there(hostile_run: HostileRun) -> None:
    _, _, before, _ = _points(hostile_run.course)
    _expect(hostile_run, "ignores_sigint", before, "timed out", r"ignored the interrupt.*later cells not run")


def test_memory_bomb_hits_the_limit(hostile_run: HostileRun) -> None:
    total, tests, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "memory_bomb", total - tests, "graded with problems", r"memory limit")


def test_output_flood_is_truncated_and_stopped(hostile_run: HostileRun) -> None:
    course = hostile_run.course
    _, _, before, _ = _points(course)
    _expect(hostile_run, "output_flood", before, "graded with problems", r"printed more than .* later cells not run")
    executed = course / "autograded" / "output_flood" / ASSIGNMENT / f"{NB}.ipynb"
    assert executed.stat().st_size < 4 * 1024**2
    assert "output truncated by the grader" in executed.read_text()


def test_sys_exit_costs_only_its_cell(hostile_run: HostileRun) -> None:
    total, tests, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "sys_exit", total - tests, "graded with problems", r"sys.exit")


def test_os_exit_kills_the_kernel_and_scores_zero_from_there(hostile_run: HostileRun) -> None:
    _, _, before, _ = _points(hostile_run.course)
    _expect(hostile_run, "os_exit", before, "graded with problems", r"kernel died.*later cells not run")


def test_corrupt_notebook_scores_zero_and_is_reported(hostile_run: HostileRun) -> None:
    _expect(hostile_run, "corrupt_json", 0.0, "graded with problems", r"not a readable notebook")


def test_missing_notebook_scores_zero_and_is_reported(hostile_run: HostileRun) -> None:
    _expect(hostile_run, "missing_notebook", 0.0, "graded with problems", r"not submitted")


def test_missing_corrupt_or_tampered_answer_store_loses_only_the_quiz_points(hostile_run: HostileRun) -> None:
    total, _, _, quiz = _points(hostile_run.course)
    assert quiz > 0
    for student in ("store_missing", "store_corrupt", "store_tampered"):
        _expect(hostile_run, student, total - quiz, "graded")


def test_unknown_question_ids_in_the_store_are_ignored(hostile_run: HostileRun) -> None:
    total, _, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "store_unknown_ids", total, "graded")


def test_edited_or_deleted_locked_and_test_cells_are_put_back(hostile_run: HostileRun) -> None:
    _expect(hostile_run, "tampered_tests", 0.0, "graded")


def test_changed_points_and_grade_ids_gain_nothing(hostile_run: HostileRun) -> None:
    _expect(hostile_run, "changed_metadata", 0.0, "graded")
    from nbgrader.api import Gradebook

    with Gradebook(hostile_run.env["WORKBOOK_DB_URL"], "open-vs-closed-ai") as gradebook:
        tampered = gradebook.find_submission_notebook(NB, ASSIGNMENT, "changed_metadata").max_score
        honest = gradebook.find_submission_notebook(NB, ASSIGNMENT, "correct").max_score
    assert tampered == honest


def test_a_submitted_fake_workbook_package_is_not_imported(hostile_run: HostileRun) -> None:
    # A correct submission: imported, the fake would print, claim 1000 quiz points (reported as tampering) and
    # break the notebook's checks, so the full score with no problem reported means the real package ran.
    assert hostile_run.base["impostor"][NB] > 0
    total, _, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "impostor", total, "graded")
    folder = hostile_run.course / "autograded" / "impostor" / ASSIGNMENT
    for executed in folder.glob("*.ipynb"):
        assert "IMPOSTOR PACKAGE IMPORTED" not in executed.read_text(), executed.name


def test_replacing_quiz_key_in_the_kernel_gains_nothing(hostile_run: HostileRun) -> None:
    _expect(hostile_run, "key_patcher", 0.0, "graded with problems", r"quiz grading was tampered with")


def _outputs(course: Path, student: str) -> str:
    executed = nbformat.read(str(course / "autograded" / student / ASSIGNMENT / f"{NB}.ipynb"), as_version=4)
    return "\n".join(str(o.get("text", "")) for c in executed.cells for o in c.get("outputs", []))


@needs_sandbox
def test_student_code_cannot_read_outside_its_submission(hostile_run: HostileRun) -> None:
    total, _, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "snooper", total, "graded")
    printed = _outputs(hostile_run.course, "snooper")
    assert "LEAKED" not in printed, printed
    assert printed.count("BLOCKED") == 9 and "NO CANARY" in printed, printed


@needs_sandbox
def test_student_code_cannot_write_outside_its_submission(hostile_run: HostileRun) -> None:
    course = hostile_run.course
    total, _, _, _ = _points(course)
    evil = Path.home() / f"{MARK}-evil.txt"
    try:
        _expect(hostile_run, "vandal", total, "graded")
        printed = _outputs(course, "vandal")
        assert "WROTE" not in printed and printed.count("BLOCKED") == 6, printed
        assert b"VANDAL" not in (course / "gradebook.db").read_bytes()
        assert not list(course.rglob("evil.txt")) and not evil.exists()
    finally:
        evil.unlink(missing_ok=True)


@needs_sandbox
def test_student_code_reaches_no_network(hostile_run: HostileRun) -> None:
    total, _, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "networker", total, "graded")
    printed = _outputs(hostile_run.course, "networker")
    assert "LEAKED" not in printed and printed.count("BLOCKED") >= 3, printed
    assert hostile_run.connections == [], "a sandboxed kernel connected to the grader's machine"


@needs_sandbox
def test_files_left_in_tmp_do_not_reach_the_next_student_or_the_machine(hostile_run: HostileRun) -> None:
    total, _, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "litterer", total, "graded")
    assert "WROTE /tmp" in _outputs(hostile_run.course, "litterer")  # not vacuous: the attack did write
    later = hostile_run.later
    assert later.returncode == 0, later.stdout[-2000:] + later.stderr[-2000:]
    assert "NOTHING LEFT" in _outputs(hostile_run.course, "looker")
    for folder in ("/tmp", "/dev/shm", "/var/tmp", str(Path.home())):
        assert not (Path(folder) / MARK).exists(), f"{folder}/{MARK} reached the grader's machine"


@needs_sandbox
def test_filling_the_disk_stops_at_the_students_cap(hostile_run: HostileRun) -> None:
    total, _, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "disk_filler", total, "graded")
    found = re.search(r"DISK FULL AFTER (\d+) MiB", _outputs(hostile_run.course, "disk_filler"))
    assert found, _outputs(hostile_run.course, "disk_filler")
    assert DISK_MIB // 2 <= int(found.group(1)) <= DISK_MIB


@needs_sandbox
def test_a_fork_bomb_stops_at_the_process_limit_and_dies_with_the_sandbox(hostile_run: HostileRun) -> None:
    total, _, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "fork_bomber", total, "graded")
    printed = _outputs(hostile_run.course, "fork_bomber")
    found = re.search(r"FORKS BEFORE THE LIMIT\s+(\d+)\s+PROCESSES\s+(\d+)", printed)
    assert found, printed[-2000:]
    # The bomb filled the sandbox up to the limit and no further (plus bubblewrap's own init process).
    assert Limits().processes // 2 <= int(found.group(2)) <= Limits().processes + 1, found.group(0)
    assert not [name for name in hostile_run.survivors if name.endswith("b")], hostile_run.survivors


@needs_sandbox
def test_no_process_outlives_grading(hostile_run: HostileRun) -> None:
    total, _, _, _ = _points(hostile_run.course)
    _expect(hostile_run, "daemon", total, "graded")
    assert "DAEMON STARTED" in _outputs(hostile_run.course, "daemon")
    assert hostile_run.survivors == [], hostile_run.survivors


def test_the_run_says_whether_student_code_was_sandboxed(hostile_run: HostileRun) -> None:
    problem = engine_problem()
    said = "GRADING WITHOUT A SANDBOX" in hostile_run.result.stderr
    assert said == (problem is not None), hostile_run.result.stderr[-2000:]
