"""Time grading a synthetic cohort: sequential ``nbgrader autograde`` vs ``python -m workbook grade``, side by side,
and the per-notebook cost of ``workbook grade`` against the floor of executing the same notebooks with nbclient.

    python benchmarks/grading_benchmark.py [--students 60] [--workers N] [--floor-students 3]

Both graders get identical copies of one course (same submissions, same freshly built gradebook). Students
cycle through correct / partly wrong / untouched work over every notebook of the assignment. Prints the load
average before and after, because other work on the machine skews every figure here.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.cohort import ASSIGNMENT, COURSE_ID, build_course, submit  # noqa: E402
from workbook.grading.runner import default_workers, usable_cpus  # noqa: E402
from workbook.nbgrader_guard import UNSANDBOXED_AUTOGRADE  # noqa: E402

KINDS = ("correct", "partly_wrong", "untouched")


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"{command[:3]} failed with status {done.returncode}")
    return seconds


def _totals(db_url: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE_ID) as gradebook:
        return {s.student.id: float(s.code_score) for s in gradebook.find_assignment(ASSIGNMENT).submissions}


def nbclient_floor(course: Path, students: list[str]) -> tuple[float, int]:
    """Seconds per notebook to execute submissions with plain nbclient, one after another (no nbgrader)."""
    import nbformat

    from tests.kernels import execute

    seconds, count = 0.0, 0
    for student in students:
        with tempfile.TemporaryDirectory() as scratch:
            work = Path(scratch) / "work"
            shutil.copytree(course / "submitted" / student / ASSIGNMENT, work)
            os.environ["NBGRADER_EXECUTION"] = "autograde"  # the notebooks' light grading path, as nbgrader runs them
            try:
                for path in sorted(work.glob("*.ipynb")):
                    nb = nbformat.read(str(path), as_version=4)
                    started = time.perf_counter()
                    execute(nb, work, allow_errors=True)
                    seconds += time.perf_counter() - started
                    count += 1
            finally:
                os.environ.pop("NBGRADER_EXECUTION", None)
    return seconds / count, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--workers", type=int, default=None, help="default: the command's own (default_workers)")
    parser.add_argument("--floor-students", type=int, default=3, help="students executed for the nbclient floor")
    args = parser.parse_args()
    workers = args.workers or default_workers()
    cpus = usable_cpus()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="workbook-bench-") as scratch:
        root = Path(scratch)
        root.chmod(0o700)  # students' work: private to the grader
        plain, _ = build_course(root / "plain")
        students = [f"student{i:03d}" for i in range(args.students)]
        for index, student in enumerate(students):
            submit(plain, student, KINDS[index % len(KINDS)])
        ours = root / "ours"
        shutil.copytree(plain, ours)
        notebooks = len(list((plain / "release" / ASSIGNMENT).glob("*.ipynb")))
        env_ours = {
            "WORKBOOK_DB_URL": f"sqlite:///{ours / 'gradebook.db'}",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        # the baseline: nbgrader's own autograde, which the course refuses unless told the submissions are trusted
        env_plain = {**env_ours, "WORKBOOK_DB_URL": f"sqlite:///{plain / 'gradebook.db'}", UNSANDBOXED_AUTOGRADE: "yes"}
        print(
            f"{args.students} students x {notebooks} notebooks, {workers} workers on {cpus} CPUs, "
            f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}",
            flush=True,
        )
        sequential = _timed([str(Path(sys.executable).parent / "nbgrader"), "autograde", ASSIGNMENT], plain, env_plain)
        print(f"sequential nbgrader autograde: {sequential:.1f} s", flush=True)
        parallel = _timed(
            [sys.executable, "-m", "workbook", "grade", ASSIGNMENT, "--workers", str(workers)], ours, env_ours
        )
        print(f"python -m workbook grade:      {parallel:.1f} s", flush=True)
        same = _totals(env_plain["WORKBOOK_DB_URL"]) == _totals(env_ours["WORKBOOK_DB_URL"])
        floor, sampled = nbclient_floor(plain, [s for s in students[: args.floor_students]])
        # The machine's time per notebook: wall time x CPUs (workers beyond the CPUs share them).
        per_notebook = parallel * cpus / (args.students * notebooks)
        load_after = os.getloadavg()
        print(f"nbclient floor:                {floor:.2f} s per notebook ({sampled} notebooks, sequential)")
        print(f"workbook grade cost:           {per_notebook:.2f} CPU-seconds of wall per notebook (wall x CPUs)")
        print(f"same scores from both graders: {same}")
        print(f"speed-up vs sequential nbgrader: {sequential / parallel:.2f}x (target: keep >= 2.8x)")
        print(f"per-notebook cost / nbclient floor: {per_notebook / floor:.2f}x (target <= 1.3x)")
        print(f"load average after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")


if __name__ == "__main__":
    main()
