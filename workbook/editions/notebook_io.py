"""Reading and writing notebooks in one canonical form, so that rebuilding gives identical bytes."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook, with a clear error naming the file when it is not valid."""
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as error:  # nbformat raises several types for bad JSON or schema
        raise ValueError(f"{path}: not a readable notebook ({error})") from error


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write a notebook in nbformat's standard layout (indent 1, sorted keys, final newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def nbgrader_meta(cell: NotebookNode) -> dict:
    """The cell's nbgrader metadata, or an empty dict for ordinary cells."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}
