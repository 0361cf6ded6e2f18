"""The answer store: one JSON file per notebook, beside it, that survives kernel restarts and crashes.

The file of notebook ``01_what_open_means.ipynb`` is ``01_what_open_means.answers.json`` in the same folder
(:func:`store_name`, :func:`store_path`). Format (``schema_version`` 1)::

    {"schema_version": 1, "notebook": "01_what_open_means",
     "answers": {"question_id": {"value": ..., "saved_at": "2025-01-31T14:02:03+01:00"}},
     "self_assessments": {"grade_id": {"ratings": {"criterion_id": "full"}, "saved_at": "..."}}}

A value is a string (one answer), a sorted list of strings (several answers) or an object term -> definition
(matching). ``self_assessments`` (optional) holds a self-learner's ratings of a written answer against the rubric;
stores written before it existed kept them as an answer ``<grade_id>_self_assessment``, still read. Every write
re-reads the file first (so two kernels on one notebook lose nothing) and goes through
:func:`workbook.core.atomic.write_atomically`: a reader, or a kernel killed mid-write, sees the old file or the
new one, never half of one. A file that cannot be read as a store is moved aside under a new name
(``<name>.answers.corrupt-<timestamp>.json``), never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from workbook.core.atomic import READABLE, temp_prefix, write_atomically
from workbook.core.ids import check_id

SCHEMA_VERSION = 1
SUFFIX = ".answers.json"
#: Every file name the store makes beside a notebook: the store, stores moved aside, temporary files.
STORE_PATTERNS = (f"*{SUFFIX}", "*.answers.corrupt-*", f"*{SUFFIX}.tmp-*")
FILE_MODE = READABLE
SELF_ASSESSMENTS = "self_assessments"
#: Before ``self_assessments`` existed, ratings were saved as an answer with this suffix (still read).
LEGACY_RATINGS_SUFFIX = "_self_assessment"
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


def store_name(notebook: str) -> str:
    """The answer store's file name for a notebook (``notebook`` with or without ``.ipynb``)."""
    stem = notebook.removesuffix(".ipynb")
    if not stem.strip() or any(separator in stem for separator in ("/", "\\", "\0")) or stem in {".", ".."}:
        raise ValueError(f"{notebook!r} is not a notebook's file name (for example '01_what_open_means'), not a path")
    return f"{stem}{SUFFIX}"


def store_path(folder: str | os.PathLike[str], notebook: str) -> Path:
    """Where the answer store of ``notebook`` lives: beside it, in ``folder``."""
    return Path(folder) / store_name(notebook)


def notebook_of(store: str | os.PathLike[str]) -> str:
    """The notebook file (``*.ipynb``) an answer store belongs to."""
    return Path(store).name.removesuffix(SUFFIX) + ".ipynb"


def is_store_document(document: object) -> bool:
    """Whether parsed JSON has the shape of an answer store this workbook reads (a quick check, not the records)."""
    if not isinstance(document, dict):
        return False
    version = document.get("schema_version")
    return version == SCHEMA_VERSION and not isinstance(version, bool) and isinstance(document.get("answers"), dict)


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
        if version != SCHEMA_VERSION or isinstance(version, bool):  # is_store_document, with the reason
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

    def ratings(self, grade_id: str) -> dict[str, str] | None:
        """A self-learner's saved ratings of written answer ``grade_id`` (criterion id -> level), or None.

        Reads the ``self_assessments`` record, else the answer ``<grade_id>_self_assessment`` of older stores.
        """
        document = self.read()
        record = document.get(SELF_ASSESSMENTS, {})
        record = record.get(grade_id) if isinstance(record, dict) else None
        ratings = record.get("ratings") if isinstance(record, dict) else None
        if ratings is None:
            ratings = stored_value(document["answers"].get(f"{grade_id}{LEGACY_RATINGS_SUFFIX}"))
        if not isinstance(ratings, dict):
            return None
        return {str(k): str(v) for k, v in ratings.items() if isinstance(k, str) and isinstance(v, str)}

    # -- writing ---------------------------------------------------------------------------------------------

    def save(self, question_id: str, value: object) -> SaveResult:
        """Save one answer atomically, keeping every other answer (the file is re-read first)."""
        check_id(question_id, "question id")
        normalized = normalize_value(value)

        def change(data: dict[str, Any], now: datetime) -> None:
            data["answers"][question_id] = {"value": normalized, "saved_at": now.isoformat()}
            data["answers"] = dict(sorted(data["answers"].items()))

        return self._update(change)

    def _update(self, change) -> SaveResult:
        """Re-read the store (moving an unreadable one aside), apply ``change(data, now)``, write atomically."""
        with self._folder_lock():
            moved: Path | None = None
            try:
                data = self.read()
            except CorruptStoreError:
                moved = self._move_aside()
                data = self._empty()
            now = datetime.now().astimezone().replace(microsecond=0)
            change(data, now)
            data.setdefault("notebook", self.notebook)
            write_atomically(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", FILE_MODE)
        self._remove_stale_temporaries()
        return SaveResult(saved_at=now, moved_aside=moved)

    def save_ratings(self, grade_id: str, ratings: dict[str, str]) -> SaveResult:
        """Save a self-learner's ratings of written answer ``grade_id``, atomically, keeping everything else."""
        check_id(grade_id, "grade id")
        checked = {
            check_id(criterion, "criterion id"): check_id(level, "level") for criterion, level in ratings.items()
        }

        def change(data: dict[str, Any], now: datetime) -> None:
            section = data.get(SELF_ASSESSMENTS)
            section = dict(section) if isinstance(section, dict) else {}
            section[grade_id] = {"ratings": dict(sorted(checked.items())), "saved_at": now.isoformat()}
            data[SELF_ASSESSMENTS] = dict(sorted(section.items()))
            data["answers"].pop(f"{grade_id}{LEGACY_RATINGS_SUFFIX}", None)  # one place for them from now on

        return self._update(change)

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
        for temp in self.path.parent.glob(f"{temp_prefix(self.path)}*"):
            with contextlib.suppress(OSError):
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()
