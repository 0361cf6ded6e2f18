"""Command line: ``python -m workbook <command>``. Instructor tooling; students never need it.

Every command works the same way: mistakes get one line and a hint (``--debug`` shows the traceback), commands
that use the gradebook print which one first, and the last line is a verdict with the exit code.

Adding a command: write ``_name(args) -> Outcome`` (logic in its own module), raise ``workbook.cli.Problem(message,
hint)`` for a mistake the user can fix, print results to stdout, and register it with ``command(...)`` in
:func:`parser`; ``run_command`` does the rest (no try/except around it).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from workbook.cli import EXIT_CODES_HELP, PROBLEMS, CommandLineParser, Outcome, Problem, run_command, say


def _put_own_scripts_on_path() -> None:
    """nbgrader's gradebook runs the ``alembic`` command: find it beside this Python even in an inactive venv."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def _course(args: argparse.Namespace):
    """The course folder the command works on (``--root`` or found from the current folder)."""
    from workbook.core.layout import Course, find_course_root

    if args.root is not None and not args.root.is_dir():
        raise Problem(f"--root {args.root} is not a folder", "pass the course folder (with nbgrader_config.py)")
    return Course(find_course_root(args.root))


def _assignment(course, name: str, command: str) -> str:
    """``name`` if it is an assignment of ``source/``, else one line naming the ones there are."""
    known = course.assignments()
    if name in known:
        return name
    listing = ", ".join(known) or "none"
    raise Problem(
        f"no assignment {name!r} in {course.source} (assignments: {listing})",
        f"e.g. python -m workbook {command} {known[0]}"
        if known
        else "add one under source/, then run python -m workbook build",
    )


def _gradebook(course, *, creating: bool = False, switch: bool = False) -> str:
    """Print the gradebook this command uses and refuse one the course was not told about; return its URL."""
    from workbook.grading.gradebook import check_connection, choose, make_private

    choice = choose(course.root, course.nbgrader_config().CourseDirectory.db_url, creating=creating, switch=switch)
    say(choice.line())
    check_connection(choice.url)
    if make_private(choice.url):
        say("made the gradebook file private (it was readable by other users)")
    return choice.url


def _build(args: argparse.Namespace) -> Outcome:
    from workbook.editions import BuildError, build
    from workbook.grading.gradebook import make_private, write_record

    course = _course(args)
    db_url = None
    if not (args.check or args.no_gradebook):
        db_url = _gradebook(course, creating=True, switch=args.switch_gradebook)
    try:
        build(course.root, check=args.check, validate=not args.no_validate, db_url=db_url, log=say)
    except BuildError as error:
        print("\n".join(["BUILD FAILED", *error.problems]), file=sys.stderr)
        return Outcome(PROBLEMS, "the build found problems; release/ and notebooks/ were not changed")
    if db_url:
        make_private(db_url)
        say(f"recorded the gradebook in {write_record(course.root, db_url)} (private, git-ignored)")
    if args.check:
        return Outcome(summary="release/ and notebooks/ match a fresh build")
    checked = "" if args.no_validate else " and validated"
    return Outcome(summary=f"release/ and notebooks/ rebuilt{checked}")


def _clean(args: argparse.Namespace) -> Outcome:
    from workbook.editions.clean import clean_source

    changed = clean_source(_course(args))
    for path in changed:
        say(f"cleaned {path}")
    return Outcome(summary=f"{len(changed)} notebooks cleaned" if changed else "source/ was already clean")


def _hygiene(args: argparse.Namespace) -> Outcome:
    from workbook.editions.hygiene import check_source

    course = _course(args)
    report = check_source(course)
    say(report.points_table())
    if report.problems:
        print("\n".join(["", "problems:", *report.problems]), file=sys.stderr)
        return Outcome(PROBLEMS, f"{len(report.problems)} problems in source/ (listed above)")
    return Outcome(summary=f"{len(course.source_notebooks())} source notebooks are clean")


def _grade(args: argparse.Namespace) -> Outcome:
    from workbook.grading.runner import GradeOptions, GradingError, grade, report

    course = _course(args)
    assignment = _assignment(course, args.assignment, args.command)
    _gradebook(course)
    options = GradeOptions(
        workers=args.workers,
        students=args.student or None,
        force=args.force,
        timeout=args.timeout,
        isolate=False if args.no_isolation else None,
        limits={
            **({"address_space": args.memory_limit * 1024**2} if args.memory_limit else {}),
            **({"disk": args.disk_limit * 1024**2} if args.disk_limit else {}),
        },
    )
    try:
        run = grade(course.root, assignment, options)
    except GradingError as error:
        raise Problem(str(error), getattr(error, "hint", None)) from error
    return report(run)


def _feedback(args: argparse.Namespace) -> Outcome:
    from workbook.grading.feedback import generate_feedback

    course = _course(args)
    assignment = _assignment(course, args.assignment, args.command)
    _gradebook(course)
    written, problems, waiting = generate_feedback(course.root, assignment, args.student or None)
    say(f"{len(written)} feedback pages written (hidden tests, answer keys and test tracebacks removed)")
    if waiting:
        say(f"{waiting} written answers are not graded yet: their pages say so (grade them in formgrader first)")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if problems:
        return Outcome(PROBLEMS, f"{len(problems)} problem(s) listed above; {len(written)} pages written")
    return Outcome(summary=f"{len(written)} pages in feedback/ (private); next: nbgrader release_feedback {assignment}")


def _export(args: argparse.Namespace) -> Outcome:
    from workbook.grading.export import export_grades

    course = _course(args)
    if Path(args.to).suffix.lower() == ".csv":
        raise Problem(
            f"--to names a folder for two CSV files, not a file: {args.to}",
            f"python -m workbook export {args.assignment} --to {Path(args.to).with_suffix('')}",
        )
    _writable_folder(Path(args.to) if Path(args.to).is_absolute() else course.root / args.to, "--to")
    _gradebook(course)
    paths, waiting = export_grades(course.root, args.assignment, Path(args.to))
    for path in paths:
        say(f"wrote {path}")
    if waiting:
        names = ", ".join(f"{student} ({count})" for student, count in sorted(waiting.items()))
        say(f"not graded yet, total left empty: {names}")
        who = "1 student still has" if len(waiting) == 1 else f"{len(waiting)} students still have"
        return Outcome(summary=f"grades exported; {who} answers to grade by hand")
    return Outcome(summary="grades exported")


def _writing_summary(args: argparse.Namespace) -> Outcome:
    from workbook.grading.writing_summary import print_summary

    course = _course(args)
    assignment = _assignment(course, args.assignment, args.command)
    if args.csv is not None and (args.csv.is_dir() or not args.csv.parent.is_dir()):
        where = "is a folder" if args.csv.is_dir() else f"is in {args.csv.parent}, which is not a folder"
        raise Problem(f"--csv {args.csv} {where}", "pass --csv a file name in a folder that exists, e.g. summary.csv")
    if not any((course.root / args.stage).glob(f"*/{assignment}")):
        raise Problem(
            f"no {args.stage} work of {assignment} in {course.root / args.stage}",
            f"nbgrader collect {assignment}" if args.stage == "submitted" else f"python -m workbook grade {assignment}",
        )
    code = print_summary(course.root, assignment, args.stage, args.csv)
    return Outcome(PROBLEMS, "no written answers found") if code else Outcome()


def _facts(args: argparse.Namespace) -> Outcome:
    import datetime as dt

    from workbook.editions.facts import RegisterError, format_claims, load_register, old_claims

    try:
        facts = load_register()
    except RegisterError as error:
        raise Problem(str(error), "fix workbook/data/facts.csv (columns and rules: workbook/data/README.md)") from None
    today = dt.date.today()
    before = args.as_of or today - dt.timedelta(days=args.older_than)
    claims = old_claims(facts, before)
    print(format_claims(claims, today))
    return Outcome(summary=f"{len(claims)} claim{'' if len(claims) == 1 else 's'} to re-check")


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _days(text: str) -> int:
    if not text.isdigit() or int(text) > 36_500:  # a date further back than 100 years is a typing mistake
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days up to 36500, like 365")
    return int(text)


def _at_least(minimum: int, unit: str):
    """An argparse type: a whole number of ``unit`` no smaller than ``minimum`` (0 workers or a 0 s time limit
    would not grade at all; a few MiB of memory would fail every kernel)."""

    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {unit} ({minimum} or more)")
        return int(text)

    return parse


def _writable_folder(folder: Path, option: str) -> None:
    """Refuse ``folder`` before any work when it could not be made or written to. Nothing is made here: a command
    refused later (no gradebook, say) must not leave an empty folder behind."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        reason = f"{existing} is a file" if existing != folder else "it is a file"
    elif not os.access(existing, os.W_OK | os.X_OK):
        reason = f"{existing} is not writable"
    else:
        return
    raise Problem(f"{option} {folder}: cannot make this folder ({reason})", f"pass {option} a folder you can write to")


def parser() -> argparse.ArgumentParser:
    main_parser = CommandLineParser(
        prog="python -m workbook",
        description=__doc__,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main_parser.add_argument("--root", type=Path, default=None, help="course folder (default: found from here)")
    main_parser.add_argument("--debug", action="store_true", help="show Python tracebacks instead of one line")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, run) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help,
            description=help,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument(  # also accepted after the command: python -m workbook grade x --debug
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show Python tracebacks"
        )
        sub.set_defaults(run=run)
        return sub

    build = command(
        "build", "source/ -> release/ and notebooks/, validated; registers and records the gradebook", _build
    )
    build.add_argument("--check", action="store_true", help="rebuild and fail if committed editions differ")
    build.add_argument("--no-validate", action="store_true", help="skip executing notebooks (faster, riskier)")
    build.add_argument("--no-gradebook", action="store_true", help="do not register the assignment")
    build.add_argument(
        "--switch-gradebook", action="store_true", help="move the course to the gradebook WORKBOOK_DB_URL names"
    )

    command("clean", "strip outputs and editor metadata from source notebooks", _clean)
    command("hygiene", "check source notebooks; print points per notebook", _hygiene)

    grade = command("grade", "autograde every submission in parallel, sandboxed, with a summary", _grade)
    grade.add_argument("assignment")
    grade.add_argument(
        "--workers",
        type=_at_least(1, "worker processes"),
        default=None,
        help="worker processes (default: two per CPU, fewer when memory is short)",
    )
    grade.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade.add_argument("--force", action="store_true", help="regrade students already in the gradebook")
    grade.add_argument(
        "--timeout", type=_at_least(1, "seconds"), default=None, help="seconds per cell (default: Execute.timeout)"
    )
    grade.add_argument(
        "--memory-limit", type=_at_least(256, "MiB"), default=None, help="MiB of address space per kernel (4096)"
    )
    grade.add_argument(
        "--disk-limit", type=_at_least(1, "MiB"), default=None, help="MiB of disk per student in the sandbox (512)"
    )
    grade.add_argument(
        "--no-isolation", action="store_true", help="run kernels without the bubblewrap sandbox (debugging only)"
    )

    feedback = command("feedback", "feedback HTML without hidden tests or answer keys", _feedback)
    feedback.add_argument("assignment")
    feedback.add_argument("--student", action="append", help="only this student (repeatable)")

    export = command("export", "grades as nbgrader's CSV and a Canvas gradebook CSV", _export)
    export.add_argument("assignment")
    export.add_argument("--to", default="grades", help="folder for the CSV files (default: grades/, private)")

    summary = command("writing-summary", "structure check of every student's written answers", _writing_summary)
    summary.add_argument("assignment")
    summary.add_argument("--stage", default="submitted", choices=("submitted", "autograded"))
    summary.add_argument("--csv", type=Path, default=None, help="also write the table to this CSV file")

    facts = command("facts", "dated claims of the course older than an age: re-check them", _facts)
    when = facts.add_mutually_exclusive_group()
    when.add_argument("--older-than", type=_days, default=365, metavar="DAYS", help="as-of date older (default 365)")
    when.add_argument("--as-of", type=_date, default=None, metavar="DATE", help="as-of date before DATE (YYYY-MM-DD)")

    from workbook.hub.cli import add_hub_parser  # stdlib-only module: cheap to import

    add_hub_parser(commands)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _put_own_scripts_on_path()
    return run_command(args.command, args.run, args, debug=args.debug)


if __name__ == "__main__":
    sys.exit(main())
