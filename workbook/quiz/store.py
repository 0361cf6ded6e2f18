"""The answer store: one JSON file per notebook, beside it, that survives kernel restarts and crashes.

Format (``schema_version`` 1)::

    {"schema_version": 1, "notebook": "01_what_open_means",
     "answers": {"question_id": {"value": ..., "saved_at": "2025-01-31T14:02:03+01:00"}}}

A value is a string (one answer), a sorted list of strings (several answers) or an object term -> definition
(matching). Every write re-reads the file first (so two kernels on one notebook lose nothing), goes to a
temporary file in the same folder, is fsynced and then renamed over the store with ``os.replace``: a reader,
or a kernel killed mid-write, sees the old file or the new one, never half of one. A file that cannot be read
as a store is moved aside under a new name (``<name>.answers.corrupt-<timestamp>.json``), never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from workbook.quiz.questions import check_id

SCHEMA_VERSION = 1
SUFFIX = ".answers.json"
FILE_MODE = 0o644
# Temporary files older than this were left by a killed writer; younger ones may belong to a live one.
STALE_TEMP_SECONDS = 600

AnswerValue = str | list[str] | dict[str, str]


class CorruptStoreError(ValueError):
    """The store file exists but is not a readable answer store (bad JSON, wrong shape, unknown schema)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name} is not a readable answer store: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class SaveResult:
    """What a save did: when it saved, and where an unreadable old store was moved (None if it was fine)."""

    saved_at: datetime
    moved_aside: Path | None = None


def normalize_value(value: object) -> AnswerValue:
    """Check an answer and return it in stored form (lists sorted, ids checked); ValueError if bad."""
    if isinstance(value, str):
        return check_id(value, "answer")
    if isinstance(value, list | tuple | set | frozenset):
        items = [check_id(item, "answer") for item in value]
        if len(set(items)) != len(items):
            raise ValueError(f"answer list {value!r} repeats an option")
        return sorted(items)
    if isinstance(value, dict):
        return {check_id(term, "term"): check_id(chosen, "definition") for term, chosen in value.items()}
    raise ValueError(f"an answer must be a str, a list of str or a dict of str, got {type(value).__name__}")


def stored_value(record: object) -> AnswerValue | None:
    """The value inside one stored record, or None when the record is missing or malformed (never raises)."""
    if not isinstance(record, dict):
        return None
    try:
        return normalize_value(record.get("value"))
    except ValueError:
        return None


def saved_time(record: object) -> datetime | None:
    """The ``saved_at`` time of one stored record, or None when missing or malformed (never raises)."""
    if not isinstance(record, dict) or not isinstance(record.get("saved_at"), str):
        return None
    try:
        return datetime.fromisoformat(record["saved_at"])
    except ValueError:
        return None


class AnswerStore:
    """Read and write ``<notebook>.answers.json``.

    ``load``/``get`` raise :class:`CorruptStoreError` on an unreadable file; ``save`` moves such a file aside
    (keeping it) and reports that in its :class:`SaveResult`; ``recover`` moves it aside on request.
    """

    def __init__(self, path: str | os.PathLike[str], notebook: str | None = None) -> None:
        self.path = Path(path)
        name = self.path.name
        self.notebook = notebook or (name[: -len(SUFFIX)] if name.endswith(SUFFIX) else self.path.stem)

    def __repr__(self) -> str:
        return f"AnswerStore({str(self.path)!r})"

    # -- reading ---------------------------------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        """The whole document (empty if there is no file); CorruptStoreError if unreadable."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return self._empty()
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CorruptStoreError(self.path, f"not valid JSON ({error})") from error
        if not isinstance(data, dict):
            raise CorruptStoreError(self.path, "the top level is not a JSON object")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION or isinstance(version, bool):
            raise CorruptStoreError(self.path, f"schema_version is {version!r}, this workbook reads {SCHEMA_VERSION}")
        if not isinstance(data.get("answers"), dict):
            raise CorruptStoreError(self.path, "'answers' is missing or not an object")
        return data

    def records(self) -> dict[str, Any]:
        """The raw ``answers`` object (records may be malformed if someone edited the file)."""
        return self.read()["answers"]

    def load(self) -> dict[str, AnswerValue]:
        """All well-formed answers, by question id. Malformed records are skipped (and kept in the file)."""
        answers: dict[str, AnswerValue] = {}
        for question_id, record in self.records().items():
            value = stored_value(record)
            if value is not None:
                answers[question_id] = value
        return answers

    def get(self, question_id: str) -> AnswerValue | None:
        """The saved answer of one question, or None if there is none (or it is malformed)."""
        return stored_value(self.records().get(question_id))

    def saved_at(self, question_id: str) -> datetime | None:
        """When the answer of one question was saved, or None."""
        return saved_time(self.records().get(question_id))

    # -- writing ---------------------------------------------------------------------------------------------

    def save(self, question_id: str, value: object) -> SaveResult:
        """Save one answer atomically, keeping every other answer (the file is re-read first)."""
        check_id(question_id, "question id")
        normalized = normalize_value(value)
        with self._folder_lock():
            moved: Path | None = None
            try:
                data = self.read()
            except CorruptStoreError:
                moved = self._move_aside()
                data = self._empty()
            now = datetime.now().astimezone().replace(microsecond=0)
            data["answers"][question_id] = {"value": normalized, "saved_at": now.isoformat()}
            data["answers"] = dict(sorted(data["answers"].items()))
            data.setdefault("notebook", self.notebook)
            self._write_atomically(data)
        self._remove_stale_temporaries()
        return SaveResult(saved_at=now, moved_aside=moved)

    def recover(self) -> Path | None:
        """If the file is unreadable, move it aside and return its new path; otherwise return None."""
        with self._folder_lock():
            try:
                self.read()
            except CorruptStoreError:
                return self._move_aside()
        return None

    # -- helpers ---------------------------------------------------------------------------------------------

    def _empty(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "notebook": self.notebook, "answers": {}}

    def _move_aside(self) -> Path:
        """Rename the unreadable store to a name nothing else uses; the content is kept byte for byte."""
        base = self.path.name[: -len(".json")] if self.path.name.endswith(".json") else self.path.name
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        for attempt in range(1000):
            tail = "" if attempt == 0 else f"-{attempt}"
            target = self.path.with_name(f"{base}.corrupt-{stamp}{tail}.json")
            if not target.exists():
                os.replace(self.path, target)
                return target
        raise OSError(f"could not find a free name to keep the unreadable store {self.path}")

    def _write_atomically(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        folder = self.path.parent
        handle, temp_name = tempfile.mkstemp(prefix=f".{self.path.name}.tmp-", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as temp:
                temp.write(text)
                temp.flush()
                os.fsync(temp.fileno())
            os.chmod(temp_name, FILE_MODE)  # mkstemp makes 0o600; teaching assistants and backups need to read it
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        _fsync_folder(folder)

    @contextlib.contextmanager
    def _folder_lock(self) -> Iterator[None]:
        """Serialize writers of this folder (two kernels) with flock on the folder itself; best effort.

        Locking the folder adds no lock file beside the notebooks. Where flock is missing (Windows) or refused
        (some network file systems) the re-read-then-replace write still keeps the file whole.
        """
        try:
            import fcntl
        except ImportError:
            yield
            return
        try:
            handle = os.open(self.path.parent, os.O_RDONLY)
        except OSError:
            yield
            return
        try:
            with contextlib.suppress(OSError):
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # closing releases the lock

    def _remove_stale_temporaries(self) -> None:
        """Delete temporary files of writers killed mid-write (old ones only: a young one may be live)."""
        cutoff = time.time() - STALE_TEMP_SECONDS
        for temp in self.path.parent.glob(f".{self.path.name}.tmp-*"):
            with contextlib.suppress(OSError):
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); silently skipped where folders cannot be opened."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)
