"""Read written answers from a saved notebook file.

A kernel cannot see a markdown cell, so the check and the self-assessment read the notebook as last saved. The
file is only read, never written: a learner's work is safe whatever this module finds. Cells are found by their
nbgrader ``grade_id`` (student edition) or by their cell id, the grade id with hyphens (self-learner edition,
which has no nbgrader metadata).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


class SavedAnswerError(ValueError):
    """The notebook or the answer cell could not be read; the message says what to do."""


@dataclass(frozen=True)
class SavedNotebook:
    """A notebook file as last saved: where, when, and its cells as plain JSON."""

    path: Path
    saved_at: datetime
    cells: list[dict]

    def answer(self, grade_id: str) -> str:
        """The text of the answer cell ``grade_id``; SavedAnswerError if the notebook has no such cell."""
        wanted_ids = {grade_id, grade_id.replace("_", "-")}
        for cell in self.cells:
            meta = cell.get("metadata") or {}
            nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
            if (isinstance(nbgrader, dict) and nbgrader.get("grade_id") == grade_id) or cell.get("id") in wanted_ids:
                source = cell.get("source", "")
                return "".join(source) if isinstance(source, list) else str(source)
        raise SavedAnswerError(
            f"{self.path.name} has no answer cell {grade_id!r}. Was the cell deleted? Copy "
            "your text into a fresh copy of the notebook, or check it with writing.check(...)."
        )


def locate(notebook: str | os.PathLike[str]) -> Path:
    """The notebook file: ``notebook`` in the current folder, else the file this kernel was started for."""
    name = str(notebook)
    path = Path(name if name.endswith(".ipynb") else f"{name}.ipynb")
    if not path.is_absolute():
        path = Path.cwd() / path
    if path.is_file():
        return path
    session = _session_path()
    if session is not None and session.is_file():
        return session
    raise SavedAnswerError(
        f"Could not find {path.name} in {path.parent}. If you renamed the notebook, save it "
        f'as {path.name} again, or check your text with writing.check("""...""").'
    )


def _session_path() -> Path | None:
    """JupyterLab tells the kernel its notebook's path in ``__session__``; None elsewhere."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    session = shell.user_ns.get("__session__") if shell is not None else None
    if not isinstance(session, str) or not session.endswith(".ipynb"):
        return None
    path = Path(session)
    return path if path.is_absolute() else Path.cwd() / path.name


def read_saved(path: str | os.PathLike[str]) -> SavedNotebook:
    """Read a notebook file as saved; SavedAnswerError (never a traceback) if it cannot be read."""
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        stamp = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SavedAnswerError(f"Could not read {path.name} ({error}). Save the notebook again (Ctrl+S).") from error
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise SavedAnswerError(f"{path.name} is not a notebook (it has no cells).")
    return SavedNotebook(path, stamp, [c for c in cells if isinstance(c, dict)])
