"""A class on the real course hub under load: N students submit within one minute through nbgrader's exchange,
then the instructor collects and grades. Also the memory of running student servers.

    sudo .venv-test/bin/python benchmarks/hub_benchmark.py [--students 30] [--kernels 4]

Each student is a real account. Before the clock starts every student fetches the assignment and fills it in
(cycling through model answers, half-done and untouched work), then logs in through the hub (PAM), so their
JupyterLab server runs. Then every student presses Submit at once: the same request the Assignments tab sends
(``POST /user/<name>/assignments/submit``), which nbgrader's server extension runs as that student. The benchmark
checks the window from the first submit to the last. The grader collects (timed) and runs ``python -m workbook
grade`` (timed). Memory is read from /proc for every running server (RSS and PSS), and for one idle kernel in each
of the first ``--kernels`` students. Prints the load average, since other work on the machine skews every figure.
Needs root (accounts), like the hub itself.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402
import requests  # noqa: E402

from tests.hubkit import ASSIGNMENT, COURSE_ID, CourseHub, create_hub  # noqa: E402
from tests.nbgrader_helpers import correct_submission  # noqa: E402


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def fill_in(hub: CourseHub, student: str, kind: str) -> None:
    """Answer the fetched assignment as root, then hand the files back to the student."""
    folder = hub.home(student) / ASSIGNMENT
    if kind == "untouched":
        return
    for notebook in sorted(folder.glob("*.ipynb")):
        source = hub.course_root / "source" / ASSIGNMENT / notebook.name
        release_nb = nbformat.read(str(notebook), as_version=4)
        source_nb = nbformat.read(str(source), as_version=4)
        if kind == "half" and notebook.stem[:2] in {"00", "02", "04", "06"}:
            continue
        correct_submission(release_nb, source_nb, folder, notebook.stem)
    for path in folder.rglob("*"):
        shutil.chown(path, student, student)


def submit(hub: CourseHub, student: str, session) -> tuple[str, float, float, str]:
    """Press Submit as the Assignments tab does; '' on success, else what went wrong."""
    started = time.monotonic()
    xsrf = session.cookies.get("_xsrf", path=f"/user/{student}/") or session.cookies.get("_xsrf") or ""
    try:
        response = session.post(
            f"{hub.url}/user/{student}/assignments/submit",
            data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT},
            headers={"X-XSRFToken": xsrf},
            timeout=300,
        )
    except requests.RequestException as error:  # counted as failed (and the exchange tells whether it arrived)
        return student, started, time.monotonic(), f"{type(error).__name__}: {error}"
    try:
        body = response.json()  # nbgrader answers {"success": ..., "value": ...}
    except ValueError:
        body = {}
    ok = response.status_code == 200 and body.get("success") is True
    problem = "" if ok else f"{response.status_code} {str(body.get('value', response.text))[-300:]}"
    return student, started, time.monotonic(), problem


def memory_of(uid: int) -> dict[str, float]:
    """RSS and PSS (MiB) of every process of one account, split into the server and its kernels."""
    totals = {"server_rss": 0.0, "server_pss": 0.0, "kernel_rss": 0.0, "kernel_pss": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            kind = "kernel" if b"ipykernel" in (entry / "cmdline").read_bytes() else "server"
            rollup = (entry / "smaps_rollup").read_text().splitlines()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        fields = {line.split(":")[0]: float(line.split()[1]) / 1024 for line in rollup[1:] if ":" in line}
        totals[f"{kind}_rss"] += fields.get("Rss", 0.0)
        totals[f"{kind}_pss"] += fields.get("Pss", 0.0)
    return totals


def start_kernel(hub: CourseHub, student: str, session) -> None:
    xsrf = session.cookies.get("_xsrf", path=f"/user/{student}/") or session.cookies.get("_xsrf")
    kernel = session.post(f"{hub.url}/user/{student}/api/kernels", json={}, headers={"X-XSRFToken": xsrf or ""})
    if kernel.status_code not in (200, 201):
        print(f"note: no kernel for {student}: {kernel.status_code}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--kernels", type=int, default=4, help="students who also start one idle kernel")
    parser.add_argument(
        "--workers", type=int, default=None, help="grading workers (default: the grade command's, two per CPU)"
    )
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the benchmark creates the students' accounts")

    print(f"before: {load()}")
    started = time.monotonic()
    hub = create_hub(students=args.students, notebooks=None)  # the class added with one `hub add-student`
    try:
        print(f"set up {args.students} accounts and the course in {time.monotonic() - started:.0f} s")
        hub.start()
        assert hub.nbgrader(hub.grader, "release_assignment", ASSIGNMENT).returncode == 0
        students = sorted(hub.students)
        with ThreadPoolExecutor(6) as pool:
            fetched = list(pool.map(lambda s: hub.nbgrader(s, "fetch_assignment", ASSIGNMENT).returncode, students))
        assert fetched == [0] * len(students), fetched
        for number, student in enumerate(students):
            fill_in(hub, student, ("correct", "half", "untouched")[number % 3])
        logged_in = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            sessions = dict(zip(students, pool.map(hub.log_in, students), strict=True))
        print(f"{len(sessions)} student servers running after {time.monotonic() - logged_in:.0f} s; {load()}")
        servers = [memory_of(pwd.getpwnam(s).pw_uid) for s in students]

        for session in sessions.values():
            # Drop connections kept alive since log-in: the proxy closes idle ones after a few seconds, and a
            # POST on such a socket is reset (a browser retries it; requests does not).
            session.close()
        print(f"submitting: {load()}")
        with ThreadPoolExecutor(len(students)) as pool:
            results = list(pool.map(lambda s: submit(hub, s, sessions[s]), students))
        window = max(r[2] for r in results) - min(r[1] for r in results)
        failed = [(r[0], r[3]) for r in results if r[3]]
        inbound = hub.exchange / COURSE_ID / "inbound"
        arrived = {p.name.split("+")[0] for p in inbound.iterdir()}

        collect_started = time.monotonic()
        collected = hub.nbgrader(hub.grader, "collect", ASSIGNMENT)
        collect_seconds = time.monotonic() - collect_started
        released = sorted(p.name for p in (hub.course_root / "release" / ASSIGNMENT).glob("*.ipynb"))
        complete = [
            s
            for s in students
            if sorted(p.name for p in (hub.course_root / "submitted" / s / ASSIGNMENT).glob("*.ipynb")) == released
        ]
        lost = len(students) - len(complete)

        grade_started = time.monotonic()
        grade_args = ["grade", ASSIGNMENT] + (["--workers", str(args.workers)] if args.workers else [])
        graded = hub.workbook(*grade_args, timeout=3600)
        grade_seconds = time.monotonic() - grade_started
        notebooks = len(complete) * len(released)
        print(f"after grading: {load()}")

        for student in students[: args.kernels]:
            start_kernel(hub, student, sessions[student])
        time.sleep(5)  # let the kernels finish starting
        with_kernel = [memory_of(pwd.getpwnam(s).pw_uid) for s in students[: args.kernels]]
        hub_pid = int((hub.hub_dir / "private" / "hub.pid").read_text())
        status = Path(f"/proc/{hub_pid}/status").read_text().splitlines()
        hub_mem = float(next(line for line in status if line.startswith("VmRSS")).split()[1]) / 1024

        def mean(rows: list[dict[str, float]], key: str) -> float:
            return sum(row[key] for row in rows) / len(rows)

        print()
        print(f"students                      {len(students)}")
        print(f"submits failed                {len(failed)} {failed[:3] if failed else ''}")
        print(f"submit window (first to last) {window:.1f} s (all at once, through each student's server)")
        print(f"submissions in the exchange   {len(arrived & set(students))} of {len(students)}")
        print(f"submissions lost              {lost}")
        print(f"collect                       {collect_seconds:.1f} s (exit {collected.returncode})")
        print(
            f"grade                         {grade_seconds:.1f} s for {notebooks} notebooks: "
            f"{notebooks / grade_seconds:.2f} notebooks/s, {len(complete) / grade_seconds * 60:.1f} students/min "
            f"(exit {graded.returncode})"
        )
        print(
            f"memory per student server     RSS {mean(servers, 'server_rss'):.0f} MiB, "
            f"PSS {mean(servers, 'server_pss'):.0f} MiB (mean of {len(servers)} running at once)"
        )
        print(
            f"one idle kernel adds          RSS {mean(with_kernel, 'kernel_rss'):.0f} MiB, "
            f"PSS {mean(with_kernel, 'kernel_pss'):.0f} MiB (mean of {len(with_kernel)})"
        )
        print(f"the hub process               RSS {hub_mem:.0f} MiB")
        print(f"end: {load()}")
        if graded.returncode != 0:
            print(graded.stdout[-2000:], graded.stderr[-2000:], file=sys.stderr)
        return 0 if lost == 0 and not failed else 1
    finally:
        hub.close()


if __name__ == "__main__":
    sys.exit(main())
