"""Strip what running a notebook leaves behind (outputs, counts, editor metadata) from source notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat

from workbook.core.layout import Course

from .hygiene import ALLOWED_NOTEBOOK_METADATA
from .notebook_io import read_notebook, write_notebook


def clean_source(course: Course) -> list[Path]:
    """Clean every source notebook in place; return the ones that changed."""
    changed = []
    for path in course.source_notebooks():
        nb = read_notebook(path)
        before = nbformat.writes(nb)
        for key in list(nb.metadata):
            if key not in ALLOWED_NOTEBOOK_METADATA:
                del nb.metadata[key]
        nb.metadata.get("language_info", {}).pop("version", None)
        for cell in nb.cells:
            for key in list(cell.metadata):
                if key != "nbgrader":
                    del cell.metadata[key]
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        if nbformat.writes(nb) != before:
            write_notebook(nb, path)
            changed.append(path)
    return changed
