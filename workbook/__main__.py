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
    from workbook.core.layout import Course, find_course_root
    from workbook.editions import BuildError, build

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
    from workbook.core.layout import Course, find_course_root
    from workbook.editions.clean import clean_source

    changed = clean_source(Course(find_course_root(args.root)))
    print("\n".join(f"cleaned {path}" for path in changed) or "source/ was already clean")
    return 0


def _hygiene(args: argparse.Namespace) -> int:
    from workbook.core.layout import Course, find_course_root
    from workbook.editions.hygiene import check_source

    report = check_source(Course(find_course_root(args.root)))
    print(report.points_table())
    if report.problems:
        print("\n".join(["", "problems:", *report.problems]), file=sys.stderr)
        return 1
    return 0


def _grade(args: argparse.Namespace) -> int:
    from workbook.core.layout import find_course_root
    from workbook.grading.runner import GradeOptions, GradingError, grade, report

    options = GradeOptions(
        workers=args.workers,
        students=args.student or None,
        force=args.force,
        timeout=args.timeout,
        isolate=False if args.no_isolation else None,
        allow_readable_course=args.allow_readable_course,
        limits={"address_space": args.memory_limit * 1024**2} if args.memory_limit else {},
    )
    try:
        run = grade(find_course_root(args.root), args.assignment, options)
    except GradingError as error:
        print(f"GRADING NOT STARTED: {error}", file=sys.stderr)
        return 2
    return report(run)


def _feedback(args: argparse.Namespace) -> int:
    from workbook.core.layout import find_course_root
    from workbook.grading.feedback import generate_feedback

    written, problems = generate_feedback(find_course_root(args.root), args.assignment, args.student or None)
    print(f"{len(written)} feedback pages written (hidden tests, answer keys and their tracebacks removed)")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _export(args: argparse.Namespace) -> int:
    from workbook.core.layout import find_course_root
    from workbook.grading.export import export_grades

    for path in export_grades(find_course_root(args.root), args.assignment, Path(args.to)):
        print(f"wrote {path}")
    return 0


def _writing_summary(args: argparse.Namespace) -> int:
    from workbook.core.layout import find_course_root
    from workbook.grading.writing_summary import print_summary

    root = args.root.resolve() if args.root else find_course_root()  # only submitted/ is needed here
    return print_summary(root, args.assignment, args.stage, args.csv)


def _facts(args: argparse.Namespace) -> int:
    import datetime as dt

    from workbook.editions.facts import RegisterError, format_claims, load_register, old_claims

    try:
        facts = load_register()
    except RegisterError as error:
        print(
            f"{error}\nhint: fix workbook/data/facts.csv (columns and rules: workbook/data/README.md)", file=sys.stderr
        )
        return 2
    today = dt.date.today()
    before = args.as_of or today - dt.timedelta(days=args.older_than)
    print(format_claims(old_claims(facts, before), today))
    return 0


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days, like 365")
    return int(text)


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

    grade = commands.add_parser("grade", help="autograde every submission in parallel, sandboxed, with a summary")
    grade.add_argument("assignment")
    grade.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    grade.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade.add_argument("--force", action="store_true", help="regrade students already autograded")
    grade.add_argument("--timeout", type=int, default=None, help="seconds per cell (default: Execute.timeout)")
    grade.add_argument("--memory-limit", type=int, default=None, help="MiB of address space per kernel (4096)")
    grade.add_argument(
        "--no-isolation", action="store_true", help="run kernels as yourself (the default when not root)"
    )
    grade.add_argument(
        "--allow-readable-course",
        action="store_true",
        help="grade even if source/ or the gradebook are readable by every user",
    )
    grade.set_defaults(run=_grade)

    feedback = commands.add_parser("feedback", help="feedback HTML without hidden tests or answer keys")
    feedback.add_argument("assignment")
    feedback.add_argument("--student", action="append", help="only this student (repeatable)")
    feedback.set_defaults(run=_feedback)

    export = commands.add_parser("export", help="grades as nbgrader's CSV and a Canvas gradebook CSV")
    export.add_argument("assignment")
    export.add_argument("--to", default="grades", help="folder for the CSV files (default: grades/)")
    export.set_defaults(run=_export)

    summary = commands.add_parser("writing-summary", help="structure check of every student's written answers")
    summary.add_argument("assignment")
    summary.add_argument("--stage", default="submitted", choices=("submitted", "autograded"))
    summary.add_argument("--csv", type=Path, default=None, help="also write the table to this CSV file")
    summary.set_defaults(run=_writing_summary)

    facts = commands.add_parser("facts", help="dated claims of the course older than an age: re-check them")
    when = facts.add_mutually_exclusive_group()
    when.add_argument("--older-than", type=_days, default=365, metavar="DAYS", help="as-of date older (default 365)")
    when.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="as-of date before DATE (YYYY-MM-DD)")
    facts.set_defaults(run=_facts)

    from workbook.hub.cli import add_hub_parser  # stdlib-only module: cheap to import

    add_hub_parser(commands)

    args = parser.parse_args(argv)
    _put_own_scripts_on_path()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
