"""Which gradebook a course uses, recorded once, printed by every command, and never swapped silently.

``python -m workbook build`` records the gradebook it registered the assignment in, in ``gradebook.url`` at
the course root (mode 600, git-ignored; the URL without its password). From then on:

- ``nbgrader_config.py`` uses ``WORKBOOK_DB_URL`` when it is set, else the recorded URL, else SQLite
  ``gradebook.db`` beside it (a course that was never built). So ``sudo``, which drops ``WORKBOOK_DB_URL``,
  and a new shell, reach the same gradebook as the build did, and so does formgrader.
- Every command that uses the gradebook prints it (password hidden) and refuses, with one line and the fix, a
  gradebook that differs from the record (``WORKBOOK_DB_URL`` pointing elsewhere), a course with no record (it
  was never built), or a SQLite file that does not exist: nbgrader would create an empty one and grade into it.
- Only ``build`` creates a gradebook, and ``build --switch-gradebook`` moves the course to another one.

Passwords never go into the record: keep them in ``~/.pgpass`` (mode 600) of the user who runs the commands.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

RECORD = "gradebook.url"
ENV = "WORKBOOK_DB_URL"
DEFAULT_SQLITE = "gradebook.db"
SQLITE = "sqlite:///"


def _record_lines(root: Path) -> list[str]:
    path = root / RECORD
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()[:1] not in "#"]


def _absolute(url: str, root: Path) -> str:
    """A SQLite URL with a path relative to the course root made absolute; other URLs unchanged."""
    if url.startswith(SQLITE) and not url.startswith(SQLITE + "/") and url != SQLITE:
        return SQLITE + str(root / url.removeprefix(SQLITE))
    return url


def recorded_url(root: Path) -> str | None:
    """The gradebook recorded by the last build (SQLite paths made absolute), or None."""
    lines = _record_lines(Path(root))
    return _absolute(lines[0], Path(root)) if lines else None


def course_gradebook_url(root: Path) -> str:
    """What ``nbgrader_config.py`` uses: ``WORKBOOK_DB_URL``, else the recorded gradebook, else ``gradebook.db``."""
    root = Path(root)
    return os.environ.get(ENV) or recorded_url(root) or f"{SQLITE}{root / DEFAULT_SQLITE}"


def shown(url: str) -> str:
    """The URL as printed: the password replaced by ``***``."""
    if url.startswith("sqlite"):
        return url
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def without_password(url: str) -> str:
    if url.startswith("sqlite"):
        return url
    from sqlalchemy.engine import URL, make_url

    parts = make_url(url)
    bare = URL.create(parts.drivername, parts.username, None, parts.host, parts.port, parts.database, parts.query)
    return bare.render_as_string(hide_password=False)


def same_gradebook(first: str, second: str) -> bool:
    if first.startswith(SQLITE) and second.startswith(SQLITE):
        return Path(first.removeprefix(SQLITE)).resolve() == Path(second.removeprefix(SQLITE)).resolve()
    return without_password(first) == without_password(second)


def sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix(SQLITE)) if url.startswith(SQLITE) else None


def write_record(root: Path, url: str) -> Path:
    """Record ``url`` (password removed; SQLite inside the course relative to it) in ``gradebook.url``, mode 600."""
    root = Path(root)
    stored = without_password(url)
    database = sqlite_file(url)
    if database is not None and database.resolve().is_relative_to(root.resolve()):
        stored = SQLITE + str(database.resolve().relative_to(root.resolve()))
    path = root / RECORD
    temporary = path.with_name(f".{RECORD}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(
            "# The gradebook of this course, written by `python -m workbook build` (README: Gradebook).\n"
            "# Every workbook command and nbgrader_config.py use it unless WORKBOOK_DB_URL is set; never a password.\n"
            f"{stored}\n"
        )
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def make_private(url: str) -> bool:
    """Close a SQLite gradebook to other users (mode 600); True if it was open."""
    database = sqlite_file(url)
    if database is None or not database.exists():
        return False
    mode = stat.S_IMODE(database.stat().st_mode)
    if mode & 0o077:
        database.chmod(mode & 0o700)
        return True
    return False


@dataclass
class Choice:
    """The gradebook a command will use and why."""

    url: str
    origin: str  # "WORKBOOK_DB_URL", "gradebook.url" or "default"

    def line(self) -> str:
        where = {"default": "default SQLite beside nbgrader_config.py"}.get(self.origin, f"from {self.origin}")
        return f"gradebook: {shown(self.url)} ({where})"


def choose(root: Path, config_url: str, *, creating: bool = False, switch: bool = False) -> Choice:
    """Check the gradebook ``config_url`` (what nbgrader_config.py chose) before a command uses it.

    ``creating``: the command may create the gradebook (``build``); ``switch``: it may change the recorded one.
    Raises :class:`workbook.problems.Problem` for a gradebook the course was not told about.
    """
    from workbook.problems import Problem

    root = Path(root)
    record = recorded_url(root)
    origin = ENV if os.environ.get(ENV) else (RECORD if record else "default")
    choice = Choice(config_url, origin)
    if record and not same_gradebook(record, config_url) and not (creating and switch):
        if origin == ENV:
            raise Problem(
                f"{ENV} names the gradebook {shown(config_url)}, but this course uses {shown(record)} "
                f"(recorded in {RECORD} by build)",
                f"unset {ENV} to use the course's gradebook; to move the course to the new one, "
                f"run `python -m workbook build --switch-gradebook` with {ENV} set",
            )
        raise Problem(
            f"nbgrader_config.py chose the gradebook {shown(config_url)}, but this course uses {shown(record)} "
            f"(recorded in {RECORD})",
            f"set {ENV}={without_password(record)}, or make nbgrader_config.py use {ENV} and {RECORD} again",
        )
    database = sqlite_file(config_url)
    if not creating:
        if not record:
            raise Problem(
                "this course has no gradebook yet (no gradebook.url: `python -m workbook build` was never run here)",
                "run `python -m workbook build` first (with WORKBOOK_DB_URL set if you use PostgreSQL)",
            )
        if database is not None and (not database.exists() or database.stat().st_size == 0):
            raise Problem(
                f"the gradebook {database} does not exist (or is empty); nbgrader would start an empty one",
                "restore gradebook.db from your backup, or run `python -m workbook build` to start a new, empty one",
            )
    return choice


def check_connection(url: str) -> None:
    """Connect once to a server gradebook, so a refused login is one clear line before any work starts."""
    if url.startswith("sqlite"):
        return
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    finally:
        engine.dispose()


def database_problem(error: BaseException):
    """A database error as a :class:`workbook.problems.Problem` with the fix, or None if it is not one we know."""
    from workbook.problems import Problem

    name = type(error).__name__
    text = str(getattr(error, "orig", None) or error).strip()
    first = text.splitlines()[0] if text else name
    if isinstance(error, ModuleNotFoundError) and error.name in ("psycopg2", "psycopg"):
        return Problem(
            f"the PostgreSQL driver {error.name} is not installed in this environment",
            "pip install psycopg2-binary (and use a postgresql+psycopg2:// URL)",
        )
    if name == "NoSuchModuleError":
        return Problem(f"unknown database URL: {first}", "use postgresql+psycopg2://USER@HOST:PORT/DATABASE")
    if name == "ArgumentError" and "URL" in text:
        return Problem(f"{ENV} is not a database URL: {first}", "e.g. postgresql+psycopg2://grader@host:5432/gradebook")
    if name not in ("OperationalError", "InterfaceError", "ProgrammingError"):
        return None
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return Problem(
            f"PostgreSQL refused the login: {first}",
            "put the password in ~/.pgpass (mode 600) of the user running this command (sudo uses root's home "
            f"and drops {ENV}), or check the user name in {RECORD} / {ENV}",
        )
    if "does not exist" in lowered and "database" in lowered:
        return Problem(f"PostgreSQL: {first}", "create it first: createdb -h HOST -U USER DATABASE")
    if "could not connect" in lowered or "connection refused" in lowered or "could not translate host" in lowered:
        return Problem(f"cannot reach the gradebook server: {first}", "is PostgreSQL running, and host and port right?")
    if "readonly database" in lowered or "unable to open database" in lowered:
        return Problem(
            f"SQLite cannot write the gradebook: {first}",
            "the gradebook file or its folder is not writable by you (left by an old `sudo` run?): "
            "`sudo chown $(id -un) gradebook.db` in the course folder",
        )
    if "locked" in lowered:
        return Problem(f"the gradebook is busy: {first}", "close formgrader's grading tab or wait, then run again")
    return None


def alembic_head() -> str:
    """The schema version nbgrader writes into a new gradebook, read by alembic in this process."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


def without_alembic_command() -> None:
    """Let nbgrader create gradebooks without starting the ``alembic`` command.

    nbgrader's ``Gradebook`` runs ``alembic heads`` each time it creates a database (the build's throwaway
    gradebook, the graders' private copy of the assignment, a course's first gradebook): a second Python that
    imports nbgrader, 1-4 s each. ``alembic_head`` gives the same answer in this process; the nbgrader tripwire
    test checks that both agree.
    """
    import nbgrader.api

    nbgrader.api.get_alembic_version = alembic_head
