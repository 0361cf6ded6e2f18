"""A private SQLite copy of one assignment's definition (notebooks, cells, sources), for the sandboxed workers.

Workers need nbgrader's record of the assignment to put locked and test cells back (``OverwriteCells``), but
never the real gradebook: they get this copy, which holds no student and no grade, and write nothing back.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .gradebook import without_alembic_command


class AssignmentNotFound(LookupError):
    """The gradebook has no such assignment (``python -m workbook build`` registers it)."""


def copy_assignment(db_url: str, course_id: str, assignment: str, target: Path) -> list[str]:
    """Copy ``assignment`` from the gradebook at ``db_url`` into a new SQLite file; return its notebook names."""
    target.unlink(missing_ok=True)
    without_alembic_command()
    with Gradebook(db_url, course_id) as real, Gradebook(f"sqlite:///{target}", course_id) as copy:
        try:
            source = real.find_assignment(assignment)
        except MissingEntry:
            raise AssignmentNotFound(
                f"the gradebook has no assignment {assignment!r}: run `python -m workbook build` first"
            ) from None
        copy.update_or_create_assignment(assignment, duedate=source.duedate)
        names = []
        for notebook in source.notebooks:
            names.append(notebook.name)
            copy.update_or_create_notebook(notebook.name, assignment, kernelspec=notebook.kernelspec)
            for cell in notebook.grade_cells:
                copy.update_or_create_grade_cell(
                    cell.name, notebook.name, assignment, max_score=cell.max_score, cell_type=cell.cell_type
                )
            for cell in notebook.solution_cells:
                copy.update_or_create_solution_cell(cell.name, notebook.name, assignment)
            for cell in notebook.task_cells:
                copy.update_or_create_task_cell(
                    cell.name, notebook.name, assignment, max_score=cell.max_score, cell_type=cell.cell_type
                )
            for cell in notebook.source_cells:
                copy.update_or_create_source_cell(
                    cell.name,
                    notebook.name,
                    assignment,
                    cell_type=cell.cell_type,
                    locked=cell.locked,
                    source=cell.source,
                    checksum=cell.checksum,
                )
    target.chmod(0o600)
    return sorted(names)
