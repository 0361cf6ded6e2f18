"""The course's data tables, loaded as checked pandas DataFrames.

``load_licences()`` reads ``licences.csv``: one row per open-weight model release, with the answers to the
four sovereignty questions, the licence's key restrictions, a source and an "as of" date for every row. What
each column means and which values it may hold is written down in ``README.md`` beside the CSV.

pandas is imported inside the loader, so ``import workbook.data`` stays cheap for every notebook.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for type hints: importing pandas here would slow down every notebook's setup cell
    import pandas as pd

__all__ = ["LICENCES_CSV", "LICENCE_COLUMNS", "LICENCE_VALUES", "NOT_STATED", "load_licences"]

DATA_DIR = Path(__file__).resolve().parent
LICENCES_CSV = DATA_DIR / "licences.csv"

NOT_STATED = "not_stated"
"""The value for "our sources do not say": never read it as yes or no."""

LICENCE_COLUMNS: tuple[str, ...] = (
    "model",
    "family",
    "developer",
    "licence",
    "licence_type",
    "weights_downloadable",
    "run_on_own_hardware",
    "modify_and_redistribute",
    "commercial_use",
    "mau_limit",
    "use_policy",
    "data_published",
    "restrictions",
    "source",
    "as_of",
)

_YES_CONDITIONS_NO = frozenset({"yes", "with_conditions", "no", NOT_STATED})
LICENCE_VALUES: dict[str, frozenset[str]] = {
    "licence_type": frozenset({"permissive", "custom", "non_commercial", "non_production"}),
    "weights_downloadable": frozenset({"yes", "no"}),
    "run_on_own_hardware": _YES_CONDITIONS_NO,
    "modify_and_redistribute": _YES_CONDITIONS_NO,
    "commercial_use": frozenset({"yes", "limited", "no", NOT_STATED}),
    "use_policy": frozenset({"yes", "no", NOT_STATED}),
    "data_published": frozenset({"yes", "no", NOT_STATED}),
}
"""Allowed values of the columns that hold a fixed vocabulary."""

# Every column but mau_limit must hold text; mau_limit is empty when the licence has no user-count threshold.
_REQUIRED_TEXT = tuple(column for column in LICENCE_COLUMNS if column != "mau_limit")
# ISO 8601 calendar date at the precision the source gives: 2024, 2024-09 or 2024-09-25.
_AS_OF = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MAU = re.compile(r"^[1-9]\d*$")
_MAX_LISTED_PROBLEMS = 20


def _as_of_problem(value: str) -> str | None:
    """Return why ``value`` is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD), or None if it is one."""
    match = _AS_OF.match(value)
    if match is None:
        return f"as_of {value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        dt.date(year, month, day)
    except ValueError:
        return f"as_of {value!r} is not a real calendar date"
    return None


def _row_problems(row: dict[str, str]) -> list[str]:
    """Everything wrong with one CSV row, in words a course author can act on."""
    problems = [f"{column} is empty" for column in _REQUIRED_TEXT if not row[column].strip()]
    for column, allowed in LICENCE_VALUES.items():
        value = row[column].strip()
        if value and value not in allowed:
            problems.append(f"{column} is {value!r}, expected one of {sorted(allowed)}")
    mau = row["mau_limit"].strip()
    if mau and not _MAU.match(mau):
        problems.append(f"mau_limit is {mau!r}, expected a positive whole number of users or an empty cell")
    as_of = row["as_of"].strip()
    if as_of:
        problem = _as_of_problem(as_of)
        if problem:
            problems.append(problem)
    return problems


def _check_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Raise one ValueError listing every bad row (by CSV line number and model name)."""
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for index, row in enumerate(rows):
        line = index + 2  # line 1 is the header
        label = f"line {line} (model {row['model'].strip()!r})" if row["model"].strip() else f"line {line}"
        problems.extend(f"{label}: {problem}" for problem in _row_problems(row))
        model = row["model"].strip()
        if model and model in first_line:
            problems.append(f"{label}: model {model!r} already appears on line {first_line[model]}")
        first_line.setdefault(model, line)
    if not rows:
        problems.append("the table has no rows")
    if problems:
        listed = problems[:_MAX_LISTED_PROBLEMS]
        more = len(problems) - len(listed)
        tail = f"\n  ... and {more} more" if more else ""
        raise ValueError(f"{path} has {len(problems)} problem(s):\n  " + "\n  ".join(listed) + tail)


def load_licences(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load the licence table as a checked DataFrame, one row per model release.

    Args:
        path: a CSV with the same columns; the course's ``licences.csv`` when None.

    Returns:
        A DataFrame with the columns of ``LICENCE_COLUMNS`` in that order: ``mau_limit`` as nullable integers
        (``pd.NA`` where the licence sets no user threshold), every other column as text.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a column is missing or unexpected, or a row lacks a source or an as-of date, holds a value
            outside its column's vocabulary or repeats a model; the message names every such row.
    """
    import pandas as pd  # imported here so that `import workbook.data` stays cheap

    csv_path = Path(LICENCES_CSV if path is None else path)
    if not csv_path.is_file():
        raise FileNotFoundError(f"licence table not found: {csv_path}")
    # The csv module first: it lets the checks name the CSV line of every bad row before pandas sees it.
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        missing = [column for column in LICENCE_COLUMNS if column not in header]
        unexpected = [column for column in header if column not in LICENCE_COLUMNS]
        if missing or unexpected:
            raise ValueError(
                f"{csv_path} does not have the licence table's columns: "
                f"missing {missing or 'none'}, unexpected {unexpected or 'none'}"
            )
        rows = []
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                raise ValueError(f"{csv_path} line {reader.line_num}: wrong number of cells")
            rows.append(row)
    _check_rows(csv_path, rows)

    columns = {}
    for column in LICENCE_COLUMNS:
        cells = [row[column].strip() for row in rows]
        if column == "mau_limit":
            columns[column] = pd.array([int(cell) if cell else None for cell in cells], dtype="Int64")
        else:
            columns[column] = pd.array(cells, dtype="str")
    return pd.DataFrame(columns)
