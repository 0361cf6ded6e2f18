"""``python -m workbook.writing summary <assignment>``: the structure check over all submissions, for graders.

Run it from the course folder (or pass ``--root``). Prints one row per student and project; ``--csv`` also
writes the table, with the hints, to a file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook.writing", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="structure check of every student's written answers")
    summary.add_argument("assignment", help="assignment name, e.g. open_vs_closed")
    summary.add_argument("--root", type=Path, default=Path.cwd(), help="course folder (default: here)")
    summary.add_argument(
        "--stage",
        default="submitted",
        choices=("submitted", "autograded"),
        help="which nbgrader folder to read (default: submitted)",
    )
    summary.add_argument("--csv", type=Path, default=None, help="also write the table to this CSV file")
    args = parser.parse_args(argv)

    import pandas as pd

    from workbook.writing.instructor import summary_table

    try:
        table = summary_table(args.root, args.assignment, args.stage)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    if table.empty:
        print(f"no written answers found in {args.root / args.stage}/*/{args.assignment}/", file=sys.stderr)
        return 1
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(table.drop(columns=["hints"]).to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
