"""Validation both ways, through nbgrader's Python API.

- A source notebook, with every quiz answered by its key, must pass all its tests (the solutions are right).
- A release notebook must execute without crashing, and, as autograde would see it untouched (hidden tests back,
  no answers), must pass none of its graded tests (nothing is given away).
``nbgrader validate`` exits 0 even when tests fail, so every result here is read and turned into a message.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from workbook.answer_keys import notebook_keys
from workbook.core.answer_store import AnswerStore, store_name
from workbook.quiz.bank import PAYLOAD_SUFFIX

from .bank import with_graded_keys, write_payload
from .notebook_io import nbgrader_meta, read_notebook, write_notebook


@dataclass
class Validation:
    """What validating one notebook found; ``problems`` empty means it is fine."""

    notebook: str
    problems: list[str] = field(default_factory=list)


def _first_line(source: str) -> str:
    line = next((part.strip() for part in source.splitlines() if part.strip()), "")
    return line if len(line) <= 80 else line[:77] + "..."


def _cell_label(cell) -> str:
    grade_id = nbgrader_meta(cell).get("grade_id")
    return f"cell {grade_id!r}" if grade_id else f"cell starting {_first_line(cell.source)!r}"


def answer_every_quiz(nb, folder: Path, notebook_stem: str, source_path: Path | None = None) -> None:
    """Write the answer store a student who answers every quiz right would leave beside the notebook."""
    store = AnswerStore(folder / store_name(notebook_stem))
    for key in notebook_keys(nb, source_path):
        store.save(key.question_id, key.answer)


def local_kernels(config, folder: Path):
    """``config`` for kernels that talk to the build over unix sockets in ``folder``, a private temporary folder.

    Kernels on loopback TCP had two faults here: a port found free can be taken by another program before the
    kernel binds it (the build then fails with "Address already in use" on a busy machine), and on a shared
    machine (a hub) every local user can reach the port. Sockets in a folder only the instructor can open have
    neither, and need no network at all. (ipykernel's warning about unencrypted TCP does not apply to them.)
    The kernels are forked from one zygote per process (see workbook/grading/local_kernels.py).
    """
    from traitlets.config import Config

    from workbook.grading.local_kernels import ForkingKernelManager

    sockets = folder / ".kernel-sockets"  # beside the notebook's copy, not among the files its code may list
    sockets.mkdir(mode=0o700, exist_ok=True)
    local = Config(config)
    local.KernelManager.transport = "ipc"
    local.KernelManager.ip = str(sockets / "kernel")
    local.NotebookClient.kernel_manager_class = ForkingKernelManager
    local.NotebookClient.shutdown_kernel = "immediate"  # nothing to save: waiting for a clean exit is wasted time
    return local


def _validator(config, invert: bool, folder: Path):
    from nbgrader.validator import Validator

    validator = Validator(config=local_kernels(config, folder))
    validator.invert = invert
    validator.ignore_checksums = True
    return validator


def validate_source(path: Path, config) -> Validation:
    """Run the source notebook with its solutions and right quiz answers: every graded test must pass."""
    result = Validation(path.name)
    with tempfile.TemporaryDirectory(prefix="wb-validate-") as tmp:
        copy = Path(tmp) / path.name
        nb = with_graded_keys(read_notebook(path), path)
        write_notebook(nb, copy)
        write_payload(path, Path(tmp), graded_keys=True)
        answer_every_quiz(nb, Path(tmp), path.stem, path)
        outcome = _validator(config, invert=False, folder=Path(tmp)).validate(str(copy))
    for cell in outcome.get("failed", []):
        error = (cell.get("raw_error") or "").strip().splitlines()
        result.problems.append(
            f"{path.name}: a test fails with the solution in place: {_first_line(cell['source'])!r}"
            + (f"\n    {error[-1]}" if error else "")
        )
    return result


def _untouched_submission(source_path: Path, config, folder: Path) -> Path:
    """The source notebook as autograde sees a student's untouched copy: stubs for answers, hidden tests back."""
    from nbgrader.preprocessors import ClearSolutions

    nb = with_graded_keys(read_notebook(source_path), source_path)
    nb, _ = ClearSolutions(config=config).preprocess(nb, {})
    target = folder / source_path.name
    write_notebook(nb, target)
    return target


def validate_release(release_path: Path, source_path: Path, config) -> Validation:
    """The release runs without crashing; untouched, it earns no autograded point."""
    import nbclient

    result = Validation(release_path.name)
    with tempfile.TemporaryDirectory(prefix="wb-release-") as tmp:
        copy = Path(tmp) / release_path.name
        shutil.copy2(release_path, copy)
        questions = release_path.with_name(release_path.stem + PAYLOAD_SUFFIX)
        if questions.exists():
            shutil.copy2(questions, Path(tmp) / questions.name)
        nb = read_notebook(copy)
        client = nbclient.NotebookClient(
            nb,
            config=local_kernels(config, Path(tmp)),
            timeout=60,
            allow_errors=True,
            kernel_name="python3",
            resources={"metadata": {"path": tmp}},
        )
        try:
            client.execute()
        except Exception as error:  # a dead kernel or a timeout is a crash
            result.problems.append(f"{release_path.name}: the student version crashed while running: {error}")
            return result
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type != "code" or meta.get("solution") or (meta.get("grade") and not _shows(cell)):
                continue  # stubs raise NotImplementedError and tests fail until answered: that is expected
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors:
                result.problems.append(
                    f"{release_path.name}: {_cell_label(cell)} fails for a student before any answer: "
                    f"{errors[0].get('ename')}: {errors[0].get('evalue')}"
                )

    with tempfile.TemporaryDirectory(prefix="wb-untouched-") as tmp:
        untouched = _untouched_submission(source_path, config, Path(tmp))
        outcome = _validator(config, invert=True, folder=Path(tmp)).validate(str(untouched))
    for cell in outcome.get("passed", []):
        result.problems.append(
            f"{release_path.name}: a graded test passes with no answer given: {_first_line(cell['source'])!r}"
        )
    return result


def _shows(cell) -> bool:
    """A graded quiz cell shows its widget to students, so it must not fail before an answer."""
    return ".show()" in cell.source or "quiz.show(" in cell.source
