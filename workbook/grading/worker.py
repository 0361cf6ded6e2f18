"""One grading worker: a long-lived process that grades the students it is given, one at a time.

A student is graded in a private working copy of their submission, with nbgrader's own sanitizing preprocessors
(locked and test cells put back from the assignment's record) and a sandboxed kernel. The worker only returns
the executed notebooks; the parent process writes every grade, so the gradebook has a single writer.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .results import GRADED, KERNEL_DIED, MISSING, REJECTED, TIMED_OUT, UNREADABLE, NotebookResult, StudentResult
from .sandbox import Limits, Sandbox, SandboxError, SandboxSpec, UidClaim


@dataclass(frozen=True)
class Job:
    """What every worker shares: the course, the assignment, its notebooks and the run's settings."""

    course_root: str
    assignment: str
    notebooks: tuple[str, ...]
    template_db: str  # the slot copies this private assignment record (see template.py)
    scratch_root: str
    sandbox: SandboxSpec  # without a uid: as root, each student gets one (see UidClaim)
    uids: tuple[int | None, ...] = ()  # grading as root: the first uid of each slot's range
    font_cache: str | None = None
    timeout: int | None = None  # overrides Execute.timeout when set
    notebook_seconds: float = 0.0


_state: dict = {}


def init_worker(job: Job, slots) -> None:
    """Runs once in each worker process: take a slot (folder, uid) and load nbgrader's configuration."""
    import shutil

    from workbook.core.layout import Course

    slot = slots.get()
    slot_dir = Path(job.scratch_root) / f"slot-{slot}"
    slot_dir.mkdir(mode=0o700, exist_ok=True)
    database = slot_dir / "assignment.db"
    shutil.copyfile(job.template_db, database)
    database.chmod(0o600)
    spec = job.sandbox
    overrides = {"CourseDirectory.db_url": f"sqlite:///{database}"}
    if job.timeout is not None:
        overrides["Execute.timeout"] = job.timeout
    config = Course(Path(job.course_root)).nbgrader_config(**overrides)
    _state.update(job=job, spec=spec, slot_dir=slot_dir, config=config, db_url=f"sqlite:///{database}")
    _state.update(uid_base=job.uids[slot] if job.uids else None, students_graded=0)


def grade_student(student: str) -> StudentResult:
    """Grade every notebook of one student in a sandbox of their own; never raises (failures go in ``error``).

    If the sandbox itself fails (killed from outside, say), the student is graded once more in a fresh one; a
    second failure is reported with both reasons.
    """
    started = time.monotonic()
    result, sandbox_failed = _grade_in_sandbox(student)
    if sandbox_failed:
        first = result.error
        result, _ = _grade_in_sandbox(student)
        if result.error:
            result.error = f"{result.error} (and before that: {first.removeprefix('could not be graded: ')})"
    result.seconds = time.monotonic() - started
    return result


def _grade_in_sandbox(student: str) -> tuple[StudentResult, bool]:
    """The student's result, and whether the sandbox itself failed."""
    job: Job = _state["job"]
    result, sandbox_failed = StudentResult(student=student), False
    font_cache = Path(job.font_cache) if job.font_cache else None
    spec, claim = _state["spec"], None
    sandbox = None
    try:
        if _state["uid_base"] is not None:
            # As root: a user id nobody else uses, so no earlier student's process counts against the process limit.
            _state["students_graded"] += 1
            claim = UidClaim(_state["uid_base"], _state["students_graded"])
            spec = dataclasses.replace(spec, uid=claim.uid)
        sandbox = Sandbox(spec, _state["slot_dir"] / "student", font_cache)
        sandbox.start()
        submitted = Path(job.course_root) / "submitted" / student / job.assignment
        left_out = sandbox.copy_in(submitted)
        if left_out:
            result.problems.append(f"left out (links or special files): {', '.join(left_out)}")
        _copy_source_files(job, sandbox)
        for name in job.notebooks:
            result.notebooks.append(_grade_notebook(student, name, sandbox))
            sandbox.reap()  # nothing a notebook started runs on into the next one
    except SandboxError as error:
        result.error = f"could not be graded: {error}"
        sandbox_failed = True
    except Exception as error:  # an infrastructure failure: report it, keep the batch going
        result.error = f"could not be graded: {type(error).__name__}: {error}"
        result.problems.append(traceback.format_exc(limit=3))
    finally:
        if sandbox is not None:
            sandbox.close()
        if claim is not None:
            claim.release()
    return result, sandbox_failed


def _copy_source_files(job: Job, sandbox: Sandbox) -> None:
    """Non-notebook files of ``source/<assignment>`` as nbgrader's autograde copies them (minus exclusions)."""
    config = _state["config"]
    source = Path(job.course_root) / "source" / job.assignment
    excluded = set(config.Autograde.get("exclude_overwriting", {}).get(job.assignment, []))
    ignore = list(config.CourseDirectory.get("ignore", [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]))
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if (
            path.suffix == ".ipynb"
            or not path.is_file()
            or path.is_symlink()
            or str(relative) in excluded
            or any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in ignore)
        ):
            continue
        sandbox.put_file(path, f"{sandbox.workdir}/{relative}")


def _grade_notebook(student: str, name: str, sandbox: Sandbox) -> NotebookResult:
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
    )

    from .execute import SandboxedExecute

    job: Job = _state["job"]
    config = _state["config"]
    limits: Limits = _state["spec"].limits
    started = time.monotonic()
    # Read from submitted/ (as nbgrader does), never from the working copy: an earlier notebook's code could have
    # replaced this file there by a link to an instructor's file, and the grader would follow it.
    path = Path(job.course_root) / "submitted" / student / job.assignment / f"{name}.ipynb"
    if path.is_symlink() or not path.is_file():
        return NotebookResult(name, MISSING, problems=["notebook not submitted: scored 0"])
    try:
        nb = nbformat.read(str(path), as_version=nbformat.NO_CONVERT)
        if nb.get("nbformat") != 4:
            raise ValueError(f"nbformat {nb.get('nbformat')} (4 expected)")
        nb = nbformat.convert(nb, 4)
        nbformat.validate(nb)
    except Exception as error:
        return NotebookResult(name, UNREADABLE, problems=[f"not a readable notebook ({_short(error)}): scored 0"])
    resources = {
        "unique_key": name,
        "metadata": {"path": sandbox.workdir},
        "nbgrader": {"student": student, "assignment": job.assignment, "notebook": name, "db_url": _state["db_url"]},
    }
    try:
        for step in (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata):
            nb, resources = step(config=config)(nb, resources)
    except Exception as error:
        return NotebookResult(name, REJECTED, problems=[f"rejected by nbgrader's checks ({_short(error)}): scored 0"])
    execute = SandboxedExecute(
        config=config,
        sandbox=sandbox,
        connection_folder=str(_state["slot_dir"]),
        output_bytes_per_cell=limits.output_bytes_per_cell,
        notebook_seconds=job.notebook_seconds,
    )
    nb, resources = execute(nb, resources)
    for step in (IgnorePattern, LimitOutput, CheckCellMetadata):
        nb, resources = step(config=config)(nb, resources)
    outcome = {"timed out": TIMED_OUT, "kernel died": KERNEL_DIED, "output flood": KERNEL_DIED}.get(
        execute.stopped_kind, GRADED
    )
    if outcome == GRADED and execute.cell_timed_out:
        outcome = TIMED_OUT
    problems = list(execute.cell_problems)
    if execute.stopped_reason:
        problems.append(f"{execute.stopped_reason}: later cells not run, scored 0")
    return NotebookResult(name, outcome, nbformat.writes(nb), problems, time.monotonic() - started)


def _short(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) < 200 else text[:197] + "..."
