"""``python -m workbook build``: source/ -> release/ and notebooks/, validated, swapped in only when all is well."""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from workbook.core.answer_store import store_name
from workbook.core.layout import Course, is_learner_file

from .bank import write_payload
from .hygiene import check_source
from .notebook_io import read_notebook, write_notebook
from .release import NbgraderError, generate_release
from .selflearner import self_learner_notebook
from .validate import Validation, validate_release, validate_source


class BuildError(RuntimeError):
    """The build found problems; nothing committed was changed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def build_self_learner(course: Course, target: Path) -> None:
    """Write the self-learner edition of every source notebook into ``target`` (one flat folder)."""
    target.mkdir(parents=True, exist_ok=True)
    seen: dict[str, Path] = {}
    for path in course.source_notebooks():
        if path.name in seen:
            raise BuildError([f"{path} and {seen[path.name]} share a name; notebooks/ is one folder"])
        seen[path.name] = path
        write_notebook(self_learner_notebook(read_notebook(path), store_name(path.stem)), target / path.name)
        write_payload(path, target, graded_keys=True)


def _validate_one(kind: str, root: str, release_root: str, path: str) -> Validation:
    """One validation job, run in a worker process (each starts its own kernel)."""
    course = Course(Path(root))
    config = course.nbgrader_config()
    source_path = Path(path)
    if kind == "source":
        return validate_source(source_path, config)
    assignment = source_path.parent.name
    return validate_release(Path(release_root) / assignment / source_path.name, source_path, config)


def validate_all(course: Course, release: Path, workers: int | None = None) -> list[str]:
    """Validate every notebook both ways, in parallel; return the problems found."""
    jobs = [
        (kind, str(course.root), str(release), str(path))
        for path in course.source_notebooks()
        for kind in ("source", "release")
    ]
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
        results = list(pool.map(_validate_one, *zip(*jobs, strict=True)))
    return [problem for result in results for problem in result.problems]


def _differences(fresh: Path, committed: Path, label: str) -> list[str]:
    """Files that differ between a fresh build and the committed tree."""
    if not committed.exists():
        return [f"{label}/ is missing: run python -m workbook build and commit it"]
    found = []
    fresh_files = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
    committed_files = {
        p.relative_to(committed)
        for p in committed.rglob("*")
        if p.is_file() and not is_learner_file(p.relative_to(committed))
    }
    for name in sorted(fresh_files - committed_files):
        found.append(f"{label}/{name} is missing from the committed tree")
    for name in sorted(committed_files - fresh_files):
        found.append(f"{label}/{name} is committed but no longer built from source/")
    for name in sorted(fresh_files & committed_files):
        if not filecmp.cmp(fresh / name, committed / name, shallow=False):
            found.append(f"{label}/{name} differs from a fresh build")
    return found


def _keep_learner_files(old: Path, new: Path) -> None:
    """Copy a learner's answers, bundles and backups from the old edition into the new one."""
    if not old.exists():
        return
    for path in sorted(old.rglob("*")):
        relative = path.relative_to(old)
        if path.is_file() and is_learner_file(relative) and not (new / relative).exists():
            (new / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, new / relative)


def _swap(new: Path, old: Path) -> None:
    """Replace ``old`` by ``new`` with two renames, so a reader never sees a half-written tree."""
    _keep_learner_files(old, new)
    retired = old.with_name(f".{old.name}.previous")
    if retired.exists():
        shutil.rmtree(retired)
    if old.exists():
        os.replace(old, retired)
    os.replace(new, old)
    if retired.exists():
        shutil.rmtree(retired)


def build(root: Path, check: bool = False, validate: bool = True, db_url: str | None = None, log=print) -> None:
    """Build (or with ``check``, compare) the generated editions of the course at ``root``.

    Raises BuildError listing every problem; on any problem, committed files are left as they were.
    ``db_url``: after a successful build, register the assignment in this gradebook (nbgrader needs it there to
    autograde); None leaves gradebooks alone.
    """
    root = Path(root).resolve()  # nbgrader changes folders; relative paths would break its SQLite URL
    course = Course(root)
    hygiene = check_source(course)
    if hygiene.problems:
        raise BuildError(["source/ is not clean:", *hygiene.problems])
    log(hygiene.points_table())

    # Work next to the course so the final swap is a rename on one file system.
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        log("generating release/ with nbgrader ...")
        try:
            release = generate_release(course, staging / "nbgrader")
        except NbgraderError as error:
            raise BuildError(["nbgrader could not generate release/; nothing was changed:", str(error)]) from error
        learner = staging / "notebooks"
        log("generating notebooks/ (self-learner edition) ...")
        build_self_learner(course, learner)
        if validate:
            log("validating: source passes its tests, release runs and gives nothing away ...")
            problems = validate_all(course, release)
            if problems:
                raise BuildError(["validation failed; release/ and notebooks/ were not changed:", *problems])
        if check:
            stale = _differences(release, course.release, "release") + _differences(
                learner, course.self_learner, "notebooks"
            )
            if stale:
                raise BuildError(["the committed editions are stale (python -m workbook build, then commit):", *stale])
            log("release/ and notebooks/ match a fresh build")
            return
        _swap(release, course.release)
        _swap(learner, course.self_learner)
        log(f"wrote {course.release} and {course.self_learner}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    if db_url:
        with tempfile.TemporaryDirectory(prefix="wb-register-") as tmp:
            try:
                generate_release(course, Path(tmp), db_url=db_url)
            except NbgraderError as error:
                raise BuildError(
                    ["release/ and notebooks/ were rebuilt, but the gradebook was not updated:", str(error)]
                ) from error
        log(f"registered {', '.join(course.assignments())} in the gradebook {db_url.split('@')[-1]}")
