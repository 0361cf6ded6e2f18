"""Command line: ``python -m workbook <command>``. Instructor tooling; students never need it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _put_own_scripts_on_path() -> None:
    """nbgrader's gradebook runs the ``alembic`` command: find it beside this Python even in an inactive venv."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def _build(args: argparse.Namespace) -> int:
    from workbook.build import BuildError, build
    from workbook.build.course import Course, find_course_root

    root = find_course_root(args.root)
    db_url = None
    if not (args.check or args.no_gradebook):
        db_url = Course(root).nbgrader_config().CourseDirectory.db_url
    try:
        build(root, check=args.check, validate=not args.no_validate, db_url=db_url)
    except BuildError as error:
        print("\n".join(["BUILD FAILED", *error.problems]), file=sys.stderr)
        return 1
    return 0


def _clean(args: argparse.Namespace) -> int:
    from workbook.build.clean import clean_source
    from workbook.build.course import Course, find_course_root

    changed = clean_source(Course(find_course_root(args.root)))
    print("\n".join(f"cleaned {path}" for path in changed) or "source/ was already clean")
    return 0


def _hygiene(args: argparse.Namespace) -> int:
    from workbook.build.course import Course, find_course_root
    from workbook.build.hygiene import check_source

    report = check_source(Course(find_course_root(args.root)))
    print(report.points_table())
    if report.problems:
        print("\n".join(["", "problems:", *report.problems]), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook", description=__doc__)
    parser.add_argument("--root", type=Path, default=None, help="course folder (default: found from here)")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="source/ -> release/ and notebooks/, validated")
    build.add_argument("--check", action="store_true", help="rebuild and fail if committed editions differ")
    build.add_argument("--no-validate", action="store_true", help="skip executing notebooks (faster, riskier)")
    build.add_argument("--no-gradebook", action="store_true", help="do not register the assignment")
    build.set_defaults(run=_build)

    clean = commands.add_parser("clean", help="strip outputs and editor metadata from source notebooks")
    clean.set_defaults(run=_clean)

    hygiene = commands.add_parser("hygiene", help="check source notebooks; print points per notebook")
    hygiene.set_defaults(run=_hygiene)

    args = parser.parse_args(argv)
    _put_own_scripts_on_path()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
