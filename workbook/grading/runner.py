"""``python -m workbook grade``: autograde every submitted student in parallel, safely, with a summary.

Students are spread over worker processes (two per CPU by default, see ``default_workers``); each worker executes
notebooks in sandboxes (see worker.py, sandbox.py) and sends the executed notebooks back; this process writes the
gradebook and ``autograded/`` as results arrive, shows progress on stderr and prints a summary table at the end.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .results import StudentResult, summary_table
from .sandbox import (
    Limits,
    SandboxSpec,
    engine_problem,
    make_scratch_root,
    matplotlib_font_cache,
    paths_the_kernel_needs,
    remove_tree,
    running_as_root,
    sandbox_uids,
    unprotected,
    visible_course_paths,
)

# A worker and its kernel take turns, and both wait at times (the kernel's start-up handshake, a sandbox set up
# or torn down): with one worker per CPU the CPUs idled about a quarter of the time. A second worker per CPU fills
# those waits (16 students x 8 notebooks on 2 CPUs: 75 s with 2 workers, 54 s with 4, 53 s with 6).
WORKERS_PER_CPU = 2
# What one worker may need at once: itself, its kernel (pandas, matplotlib) and the files its sandbox holds.
MEMORY_PER_WORKER = 512 * 1024**2


def available_memory() -> int | None:
    """Bytes of memory the system can give without swapping (MemAvailable), or None where it does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def usable_cpus() -> int:
    """The CPUs this process may run on (a container or taskset can allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_workers() -> int:
    """Two workers per CPU this process may use, fewer when the free memory cannot hold them; at least one."""
    wanted = usable_cpus() * WORKERS_PER_CPU
    memory = available_memory()
    if memory is not None:
        wanted = min(wanted, memory // MEMORY_PER_WORKER)
    return max(1, wanted)


class GradingError(RuntimeError):
    """The run could not start (no assignment in the gradebook, an unsafe course folder, ...)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


@dataclass
class GradeOptions:
    """Settings of one run; the defaults suit the command line."""

    workers: int | None = None  # default: default_workers()
    students: list[str] | None = None  # default: every folder in submitted/
    force: bool = False  # regrade students that already have autograded/ output
    timeout: int | None = None  # per cell; default: the course's Execute.timeout
    notebook_seconds: float | None = None  # per notebook; default: 20 x the cell timeout
    isolate: bool | None = None  # the bubblewrap sandbox; default: on where it can run (see sandbox.engine_problem)
    limits: dict = field(default_factory=dict)  # overrides of sandbox.Limits


@dataclass
class GradeRun:
    """What a run did: one result per student considered, plus warnings about the run itself."""

    results: list[StudentResult]
    skipped: list[str]
    warnings: list[str]
    seconds: float
    waiting: int = 0  # answers of this assignment that wait for hand grading (whole gradebook, after the run)

    @property
    def failed(self) -> list[str]:
        return sorted(r.student for r in self.results if r.status == "failed")


def submitted_students(course_root: Path, assignment: str) -> list[str]:
    """Students with a ``submitted/<student>/<assignment>/`` folder."""
    submitted = course_root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir() and not p.name.startswith("."))


def grade(
    course_root: Path, assignment: str, options: GradeOptions | None = None, progress: TextIO | None = sys.stderr
) -> GradeRun:
    """Autograde ``assignment`` for every submitted student (or ``options.students``)."""
    from workbook.core.layout import Course

    options = options or GradeOptions()
    started = time.monotonic()
    config = Course(course_root).nbgrader_config()
    db_url = config.CourseDirectory.db_url
    course_id = config.CourseDirectory.get("course_id", "default_course")
    warnings: list[str] = []
    spec = sandbox_spec(course_root, options)
    if not spec.engine:
        problem = "turned off (--no-isolation)" if options.isolate is False else engine_problem()
        warnings.append(unprotected(problem))

    submitted = submitted_students(course_root, assignment)
    if not submitted:
        raise GradingError(
            f"no submissions of {assignment} in {course_root / 'submitted'}",
            f"collect them first: nbgrader collect {assignment}",
        )
    unknown = sorted(set(options.students or []) - set(submitted))
    if unknown:
        raise GradingError(
            f"no submission of {assignment} from {', '.join(unknown)} in submitted/",
            f"students with a submission: {', '.join(submitted[:10])}{' ...' if len(submitted) > 10 else ''}",
        )
    students = options.students or submitted
    foreign = not_ours(course_root / "autograded", os.geteuid())
    if foreign:
        raise GradingError(
            f"{foreign[0]} (and {len(foreign) - 1} more) belong to another user (an earlier `sudo ... grade`?); "
            "grading could not replace them",
            f"sudo chown -R $(id -un) {course_root / 'autograded'}",
        )
    # nbgrader takes seconds to import: only once the command is sure to have work to do.
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    from . import template, worker
    from .quizcheck import keys_for_assignment

    autograded = course_root / "autograded"
    if not autograded.exists():
        autograded.mkdir(mode=0o700)  # students' work: never readable by other users (the next run checks)
    skipped = []
    if not options.force:
        skipped = already_graded(db_url, course_id, course_root, assignment, students)
        students = [s for s in students if s not in skipped]
    workers = max(1, min(options.workers or default_workers(), len(students) or 1))
    scratch = make_scratch_root()
    results: list[StudentResult] = []
    try:
        template_db = scratch / "assignment.db"
        try:
            notebooks = template.copy_assignment(db_url, course_id, assignment, template_db)
        except template.AssignmentNotFound as error:
            raise GradingError(str(error), "python -m workbook build (it registers the assignment)") from None
        if not students:
            return GradeRun(
                [], skipped, warnings, time.monotonic() - started, waiting_answers(db_url, course_id, assignment)
            )
        cell_timeout = options.timeout or int(config.Execute.get("timeout", 30) or 30)
        job = worker.Job(
            course_root=str(course_root),
            assignment=assignment,
            notebooks=tuple(notebooks),
            template_db=str(template_db),
            scratch_root=str(scratch),
            sandbox=spec,
            uids=tuple(sandbox_uids(workers)) if spec.engine and running_as_root() else (),
            font_cache=str(matplotlib_font_cache() or "") or None,
            timeout=options.timeout,
            notebook_seconds=options.notebook_seconds if options.notebook_seconds is not None else 20 * cell_timeout,
        )
        keys = keys_for_assignment(course_root, assignment)
        coursedir = CourseDirectory(config=config)
        ignore = list(coursedir.ignore)
        bar = _Progress(len(students), progress)
        context = worker_context()
        slots = context.SimpleQueue()  # (a Queue would start a feeder thread before the workers fork)
        for slot in range(workers):
            slots.put(slot)
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=worker.init_worker, initargs=(job, slots)
        ) as pool:
            # The first submit starts every worker; only then is the gradebook opened: its connection stays here.
            futures = {pool.submit(worker.grade_student, student): student for student in students}
            with Gradebook(db_url, course_id) as gradebook:
                for future in as_completed(futures):
                    result = _outcome(future, futures[future])
                    if not result.error:
                        _save(gradebook, course_root, assignment, result, coursedir, ignore, keys)
                    results.append(result)
                    bar.update(result)
        bar.finish()
    finally:
        remove_tree(scratch)
    return GradeRun(
        results, skipped, warnings, time.monotonic() - started, waiting_answers(db_url, course_id, assignment)
    )


def _outcome(future, student: str) -> StudentResult:
    """The worker's result for ``student``, or a failed one that says why the worker gave none."""
    try:
        return future.result()
    except BrokenProcessPool as error:
        return StudentResult(student, error=f"could not be graded: a worker crashed ({error})")
    except Exception as error:
        return StudentResult(student, error=f"could not be graded: {type(error).__name__}: {error}")


def _save(gradebook, course_root: Path, assignment: str, result: StudentResult, coursedir, ignore, keys) -> None:
    """Write one student's grades; if that fails, nothing of theirs is kept and the result says why."""
    from .record import record_student

    try:
        submitted = course_root / "submitted" / result.student / assignment
        timestamp = coursedir.get_existing_timestamp(str(submitted))
        record_student(gradebook, course_root, assignment, result, timestamp, ignore, keys)
    except Exception as error:
        gradebook.db.rollback()
        result.error = f"grades not saved: {type(error).__name__}: {error}"


# What grading workers import (nbgrader takes 1.5 s of CPU to import): once, in the process they start from.
WORKER_MODULES = ("workbook.grading.worker", "nbgrader.preprocessors", "nbgrader.api")


def worker_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: forked from this process once it has imported what they need.

    Called when this process runs no other thread and holds no database connection, so a fork copies no lock
    held elsewhere and no open connection. Should a library have started a thread, workers come from a fresh fork
    server instead (it imports nbgrader once more); spawning each worker would import it once per worker.
    """
    import importlib
    import threading

    for module in WORKER_MODULES:
        importlib.import_module(module)
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_MODULES))
    return context


def sandbox_spec(course_root: Path, options: GradeOptions) -> SandboxSpec:
    """The sandbox of this run: bubblewrap where it runs (unless turned off), else none (and the run says so)."""
    try:
        limits = Limits(**options.limits)
    except TypeError as error:
        raise GradingError(f"unknown sandbox limit: {error}") from None
    problem = engine_problem() if options.isolate is not False else "turned off"
    if problem and options.isolate:
        raise GradingError(f"the grading sandbox cannot run: {problem}", "apt-get install bubblewrap")
    if problem:
        return SandboxSpec(engine=False, limits=limits)
    binds = tuple(paths_the_kernel_needs())
    shown = visible_course_paths(course_root, list(binds))
    if shown:
        raise GradingError(
            f"the sandbox would show the course folder to student code: {', '.join(shown)} (the Python environment) "
            "contains it",
            "use a virtual environment outside the course folder",
        )
    return SandboxSpec(engine=True, limits=limits, binds=binds)


def not_ours(folder: Path, uid: int) -> list[Path]:
    """Entries of ``autograded/`` (two levels: student, assignment) owned by another user, when not root."""
    if uid == 0 or not folder.is_dir():
        return []
    found = []
    for student in sorted(folder.iterdir()):
        if student.name.startswith(".") or student.name == "README.md":
            continue
        entries = [student, *(student.iterdir() if student.is_dir() and os.access(student, os.R_OK) else [])]
        found.extend(entry for entry in entries if entry.lstat().st_uid != uid)
    return found


def already_graded(db_url: str, course_id: str, course_root: Path, assignment: str, students: list[str]) -> list[str]:
    """Students whose current submission is in the gradebook (and in ``autograded/``): no need to grade again.

    The gradebook decides, not ``autograded/``: after a switch to a new gradebook everyone is graded again, and
    so is a student whose submission was collected again after grading (a newer timestamp).
    """
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.coursedir import CourseDirectory

    from workbook.core.layout import Course

    coursedir = CourseDirectory(config=Course(course_root).nbgrader_config())
    done = []
    with Gradebook(db_url, course_id) as gradebook:
        for student in students:
            try:
                recorded = gradebook.find_submission(assignment, student)
            except MissingEntry:
                continue
            submitted = course_root / "submitted" / student / assignment
            timestamp = coursedir.get_existing_timestamp(str(submitted))
            newer = timestamp is not None and recorded.timestamp is not None and timestamp > recorded.timestamp
            if not newer and (course_root / "autograded" / student / assignment).is_dir():
                done.append(student)
    return done


def waiting_answers(db_url: str, course_id: str, assignment: str) -> int:
    """How many answers of ``assignment`` still wait for hand grading, over all students."""
    from workbook.grading.ungraded import ungraded_answers

    return sum(ungraded_answers(db_url, assignment, course_id).values())


class _Progress:
    """A one-line progress bar on a terminal; one line per student otherwise (logs, CI)."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total, self.stream, self.done, self.problems = total, stream, 0, 0
        self.started = time.monotonic()
        self.tty = bool(stream and hasattr(stream, "isatty") and stream.isatty())

    def update(self, result: StudentResult) -> None:
        self.done += 1
        self.problems += result.status != "graded"
        if not self.stream:
            return
        elapsed = time.monotonic() - self.started
        filled = int(30 * self.done / max(self.total, 1))
        line = (
            f"[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} students, "
            f"{self.problems} with problems, {elapsed:.0f} s"
        )
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(f"{line}  ({result.student}: {result.status})\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.stream and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def report(run: GradeRun, out: TextIO = sys.stdout):
    """Print the summary table; return the command's :class:`workbook.cli.Outcome` (1 if a student failed)."""
    from workbook.cli import PROBLEMS, Outcome

    for warning in run.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if run.skipped:
        print(f"skipped (already in the gradebook; use --force to regrade): {', '.join(run.skipped)}", file=out)
    print(summary_table(run.results), file=out)
    print(f"{len(run.results)} students in {run.seconds:.1f} s", file=out)
    print(f"answers waiting for hand grading (formgrader): {run.waiting}", file=out, flush=True)
    troubled = sum(r.status != "graded" for r in run.results)
    if run.failed:
        print(f"NOT GRADED: {', '.join(run.failed)}", file=sys.stderr)
        return Outcome(PROBLEMS, f"{len(run.failed)} of {len(run.results)} students could not be graded")
    count = len(run.results)
    summary = (
        f"{count} student{'' if count == 1 else 's'} graded ({troubled} with problems), {len(run.skipped)} skipped"
    )
    return Outcome(summary=summary)
