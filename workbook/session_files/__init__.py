"""Keep a learner's work beyond a temporary session (Binder): save it all as one zip, restore it from one.

In a notebook (the start page does this)::

    from workbook import session_files
    session_files.show()          # the "Save my work" and "Restore" buttons

Without widgets: ``session_files.save()`` writes ``my-work-<date>-<time>.zip`` beside the notebooks and
``session_files.restore("my-work-....zip")`` puts such a zip back (backing up whatever it replaces).
This module stays light: ipywidgets is imported only when the panel is shown outside nbgrader.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbook.core.grader import under_grader
from workbook.session_files.bundle import (
    BundleError,
    RestoreReport,
    SavedBundle,
    read_bundle,
    restore_bundle,
    save_bundle,
    work_files,
)

__all__ = [
    "BundleError",
    "RestoreReport",
    "SavedBundle",
    "read_bundle",
    "restore",
    "restore_bundle",
    "save",
    "save_bundle",
    "show",
    "work_files",
]


def show(folder: str | os.PathLike[str] | None = None) -> None:
    """Display the Save my work / Restore buttons for the notebook's folder; nothing under nbgrader."""
    if under_grader():
        return  # autograde and validate run headless: no widgets, no ipywidgets import
    from workbook.session_files.panel import panel

    panel(folder)


def save(folder: str | os.PathLike[str] | None = None) -> Path:
    """Write the zip of the learner's work beside the notebooks; return its path."""
    saved = save_bundle(Path(folder) if folder is not None else Path.cwd())
    print(f"Saved {len(saved.files)} file(s) into {saved.path.name}: download it from the file browser.")
    return saved.path


def restore(bundle: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None) -> RestoreReport:
    """Restore a my-work zip already in the file browser (uploaded there) into the notebooks' folder."""
    report = restore_bundle(Path(folder) if folder is not None else Path.cwd(), Path(bundle).read_bytes())
    print("\n".join(report.lines()) or "Nothing to do: every file is already here, unchanged.")
    return report
