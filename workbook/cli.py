"""The manner shared by every ``python -m workbook`` command: one-line errors with a hint, a verdict, exit codes.

A command is a function ``(args) -> Outcome``. It raises :class:`Problem` for a mistake it recognises (wrong
assignment name, no gradebook, ...); :func:`run_command` prints it as one line plus a hint, never a traceback
(unless ``--debug``), and ends every command with a verdict line. Exceptions that are ordinary mistakes but come
from deep inside (not in a course folder, a refused database login) are translated here, in one place.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from workbook.problems import CRASHED, INTERRUPTED, OK, PROBLEMS, REFUSED, Problem

__all__ = [
    "CRASHED",
    "EXIT_CODES_HELP",
    "CommandLineParser",
    "INTERRUPTED",
    "OK",
    "PROBLEMS",
    "REFUSED",
    "Outcome",
    "Problem",
    "run_command",
    "say",
    "translate",
]

EXIT_CODES_HELP = f"""exit codes:
  {OK}    done
  {PROBLEMS}    ran, but with problems (listed above the verdict): e.g. a student could not be graded
  {REFUSED}    refused to start (a mistake in the command or the course; the hint says what to do); nothing changed
  {CRASHED}    unexpected error (a bug): run again with --debug to see the traceback
  {INTERRUPTED}  interrupted (Ctrl-C)"""


@dataclass
class Outcome:
    """What a finished command reports in its verdict line."""

    code: int = OK
    summary: str = ""


def say(line: str = "") -> None:
    """An informational line (stdout, flushed so it keeps its place among nbgrader's stderr)."""
    print(line, flush=True)


def translate(error: BaseException) -> Problem | None:
    """A known mistake raised deep inside (not by our commands) as a :class:`Problem`, or None."""
    if isinstance(error, Problem):
        return error
    if type(error).__name__ == "HubError":  # workbook.hub: "what went wrong (hint: the fix)"
        message, _, hint = str(error).partition(" (hint: ")
        return Problem(message, hint.removesuffix(")") or None)
    from workbook.grading.gradebook import database_problem

    found = database_problem(error)
    if found:
        return found
    if isinstance(error, FileNotFoundError) and "no course found" in str(error):
        return Problem(
            str(error),
            "cd into the course folder (the one with nbgrader_config.py and source/), or pass --root PATH",
        )
    if isinstance(error, PermissionError):
        return Problem(
            f"permission denied: {error.filename or error}",
            "run the command as the user who owns the course folder (files made by an old `sudo` run are "
            f"root's: `sudo chown -R $(id -un) {error.filename or 'PATH'}`)",
        )
    return None


def _verdict(command: str, code: int, summary: str) -> str:
    word = {OK: "OK", PROBLEMS: "FINISHED WITH PROBLEMS", REFUSED: "REFUSED", INTERRUPTED: "INTERRUPTED"}.get(
        code, "CRASHED"
    )
    return f"{command}: {word}{': ' + summary if summary else ''} (exit {code})"


def run_command(command: str, function: Callable[[Any], Outcome | int], args: Any, debug: bool = False) -> int:
    """Run one subcommand in the shared manner; return its exit code."""
    try:
        outcome = function(args)
        if isinstance(outcome, int):
            outcome = Outcome(outcome)
    except KeyboardInterrupt:
        print(_verdict(command, INTERRUPTED, "stopped by Ctrl-C"), file=sys.stderr)
        return INTERRUPTED
    except Exception as error:
        if debug:
            raise
        problem = translate(error)
        if problem is None:
            print(f"error: unexpected {type(error).__name__}: {error}", file=sys.stderr)
            print("hint: run the same command with --debug to see the traceback, and report it", file=sys.stderr)
            print(_verdict(command, CRASHED, "nothing more was done"), file=sys.stderr)
            return CRASHED
        print(f"error: {problem.message}", file=sys.stderr)
        if problem.hint:
            print(f"hint: {problem.hint}", file=sys.stderr)
        summary = "nothing was changed" if problem.code == REFUSED else ""
        print(_verdict(command, problem.code, summary), file=sys.stderr)
        return problem.code
    sys.stdout.flush()  # stdout carries results (tables, lists) for pipes; the verdict goes to stderr, last
    print(_verdict(command, outcome.code, outcome.summary), file=sys.stderr, flush=True)
    return outcome.code


class CommandLineParser(argparse.ArgumentParser):
    """argparse in the same manner: a mistake on the command line (unknown command or option, missing or bad
    argument) is one error line, a hint naming the ``--help`` that explains it, and the verdict (exit 2), instead of
    argparse's usage block. Subcommand parsers made from it are of this class too.

    Options are never abbreviated: ``hub add-student ada --password hunter2`` must not read as ``--password-stdin``
    with a second student named ``hunter2``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("python -m workbook").strip() or "workbook"
        print(f"error: {message}", file=sys.stderr)
        print(f"hint: {self.prog} --help lists what it takes", file=sys.stderr)
        print(_verdict(command, REFUSED, "nothing was changed"), file=sys.stderr)
        sys.exit(REFUSED)

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:  # argparse reports these from the top parser; the command's own --help is the useful one
            self._chosen_command(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def _chosen_command(self, parsed: argparse.Namespace) -> CommandLineParser:
        """The innermost (sub)command parser the arguments chose."""
        parser = self
        while True:
            # argparse keeps no public list of a parser's subcommands; its actions hold them
            sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
            name = getattr(parsed, sub.dest, None) if sub is not None else None
            if sub is None or name not in sub.choices:
                return parser
            parser = sub.choices[name]
