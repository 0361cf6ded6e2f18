"""Pack a learner's work (notebooks and quiz answer files) into one zip, and unpack such a zip safely.

Plain files and zip only: no widgets, no Jupyter, so it is quick to import and easy to test.

Saving writes ``my-work-<date>-<time>.zip`` beside the notebooks. The zip holds every ``*.ipynb`` and every
``*.answers.json`` of the folder (flat, no sub-folders) and a manifest, ``my-work.json``, with when it was made.

Restoring never loses anything:
- the whole zip is checked first (a real zip, only notebooks and answer files, each readable, no paths that
  leave the folder, not absurdly large); one problem and nothing at all is changed;
- a file that is already identical is left alone;
- a file that would be replaced is first copied into ``backup-before-restore-<date>-<time>/`` beside the
  notebooks, and the report says so, including when the copy on disk was newer than the one in the zip;
- files are written atomically (``workbook.core.atomic``), so a crash leaves the old file or the new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from workbook.core.answer_store import SUFFIX, is_store_document
from workbook.core.atomic import READABLE, write_atomically

MANIFEST = "my-work.json"
BUNDLE_FORMAT = "workbook-my-work"
BUNDLE_VERSION = 1
BUNDLE_PREFIX = "my-work-"
BACKUP_PREFIX = "backup-before-restore-"
FILE_MODE = READABLE
# Generous for notebooks with plots, small enough that a wrong file (a video, a zip bomb) is refused quickly.
MAX_FILES = 200
MAX_TOTAL_BYTES = 200 * 1024 * 1024
# Flat, plain names: no folders, no spaces, nothing that could reach outside the notebooks' folder.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class BundleError(ValueError):
    """The zip cannot be restored; ``problems`` says why, in words a learner understands. Nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("This file cannot be restored; nothing was changed. " + " ".join(problems))


def is_work_file(name: str) -> bool:
    """True for the files a bundle carries: notebooks and quiz answer files."""
    return bool(_NAME.fullmatch(name)) and (name.endswith(".ipynb") or name.endswith(SUFFIX))


def work_files(folder: Path) -> list[Path]:
    """The learner's notebooks and answer files in ``folder`` (not its sub-folders), sorted by name."""
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.is_symlink() and is_work_file(p.name))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d-%H%M%S")


def _free_path(folder: Path, stem: str, suffix: str = "") -> Path:
    """``folder/stem+suffix``, or with ``-2``, ``-3`` ... if that name is taken (never reuse a name)."""
    for number in range(1, 10_000):
        candidate = folder / f"{stem}{'' if number == 1 else f'-{number}'}{suffix}"
        if not candidate.exists():
            return candidate
    raise OSError(f"no free name for {stem}{suffix} in {folder}")


# -- saving --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedBundle:
    """A bundle written to disk: where, which files it holds and when it was made."""

    path: Path
    files: list[str]
    created: datetime

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


def bundle_bytes(folder: Path, created: datetime | None = None) -> tuple[bytes, list[str]]:
    """The zip of the learner's work in ``folder``, in memory, and the names it holds.

    Raises FileNotFoundError when there is nothing to save (no notebook and no answer file).
    """
    created = (created or datetime.now()).astimezone().replace(microsecond=0)
    files = work_files(folder)
    if not files:
        raise FileNotFoundError(f"there are no notebooks or answer files in {folder} to save")
    buffer = io.BytesIO()
    manifest: dict[str, object] = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "created": created.isoformat(),
        "files": {},
    }
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            data = path.read_bytes()
            modified = datetime.fromtimestamp(path.stat().st_mtime).astimezone().replace(microsecond=0)
            info = zipfile.ZipInfo(path.name, date_time=modified.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100000 | FILE_MODE) << 16  # a regular, readable file when unzipped by hand
            archive.writestr(info, data)
            manifest["files"][path.name] = {  # type: ignore[index]
                "modified": modified.isoformat(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return buffer.getvalue(), [p.name for p in files]


def save_bundle(folder: Path, created: datetime | None = None) -> SavedBundle:
    """Write ``my-work-<date>-<time>.zip`` with the learner's work into ``folder`` and return what was written."""
    folder = Path(folder)
    created = (created or datetime.now()).astimezone().replace(microsecond=0)
    data, names = bundle_bytes(folder, created)
    target = _free_path(folder, f"{BUNDLE_PREFIX}{_stamp(created)}", ".zip")
    write_atomically(target, data)
    return SavedBundle(target, names, created)


# -- checking ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleEntry:
    """One file inside a bundle that passed every check."""

    name: str
    data: bytes
    modified: datetime | None  # when the learner last changed it, if the bundle says


def _check_notebook(name: str, data: bytes) -> str | None:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f"{name} is not a readable notebook (not valid JSON)."
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("cells"), list)
        or not isinstance(document.get("nbformat"), int)
    ):
        return f"{name} is not a Jupyter notebook (it has no cells)."
    return None


def _check_store(name: str, data: bytes) -> str | None:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f"{name} is not a readable answer file (not valid JSON)."
    if not is_store_document(document):
        return f"{name} is not an answer file this workbook can read."
    return None


def _strip_common_folder(names: list[str]) -> dict[str, str]:
    """Map member names to plain file names, accepting a zip made by hand of one folder (``notebooks/x.ipynb``)."""
    parts = [name.split("/") for name in names]
    if parts and all(len(p) == 2 for p in parts) and len({p[0] for p in parts}) == 1 and _NAME.fullmatch(parts[0][0]):
        return {name: p[1] for name, p in zip(names, parts, strict=True)}
    return {name: name for name in names}


def _manifest_times(archive: zipfile.ZipFile, member: str | None) -> dict[str, datetime]:
    """When each file was last changed, from the manifest (empty if there is none or it is unreadable)."""
    if member is None:
        return {}
    with contextlib.suppress(Exception):
        files = json.loads(archive.read(member).decode("utf-8")).get("files", {})
        return {name: datetime.fromisoformat(info["modified"]) for name, info in files.items()}
    return {}


def _zip_time(info: zipfile.ZipInfo) -> datetime | None:
    """The member's own time stamp (local time, as zip tools store it), for bundles without a manifest."""
    try:
        return datetime(*info.date_time).astimezone()
    except ValueError:
        return None


def read_bundle(data: bytes) -> list[BundleEntry]:
    """Check a bundle completely and return its files; BundleError (listing every problem) if it is not fine."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise BundleError(["It is not a zip file. Choose a my-work-....zip file saved by this workbook."]) from None
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and "/.ipynb_checkpoints/" not in f"/{info.filename}"
        ]
        problems: list[str] = []
        if len(members) > MAX_FILES:
            raise BundleError([f"It holds {len(members)} files; a my-work bundle holds at most {MAX_FILES}."])
        total = sum(info.file_size for info in members)
        if total > MAX_TOTAL_BYTES:
            raise BundleError(
                [
                    f"Unpacked it would take {total / 1e6:.0f} MB; a my-work bundle is at most "
                    f"{MAX_TOTAL_BYTES / 1e6:.0f} MB."
                ]
            )
        names = _strip_common_folder([info.filename for info in members])
        manifest_member = next((m for m, plain in names.items() if plain == MANIFEST), None)
        modified = _manifest_times(archive, manifest_member)
        entries: list[BundleEntry] = []
        seen: set[str] = set()
        unexpected = []
        for info in members:
            plain = names[info.filename]
            if plain == MANIFEST:
                continue
            if not is_work_file(plain):
                unexpected.append(info.filename)
                continue
            if plain in seen:
                problems.append(f"{plain} appears twice.")
                continue
            seen.add(plain)
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError) as error:
                problems.append(f"{plain} is damaged in the zip ({error}).")
                continue
            check = _check_notebook if plain.endswith(".ipynb") else _check_store
            problem = check(plain, content)
            if problem:
                problems.append(problem)
                continue
            entries.append(BundleEntry(plain, content, modified.get(plain) or _zip_time(info)))
        if unexpected:
            shown = ", ".join(unexpected[:5]) + (" ..." if len(unexpected) > 5 else "")
            problems.append(
                f"It holds files that are not notebooks or answer files: {shown}. "
                "Is it a my-work bundle saved by this workbook?"
            )
        if not entries and not problems:
            problems.append("It holds no notebooks and no answer files.")
    if problems:
        raise BundleError(problems)
    return entries


# -- restoring -----------------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    """What a restore did, file by file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    newer_on_disk: list[str] = field(default_factory=list)  # replaced although the copy on disk was newer
    backup_folder: Path | None = None

    def lines(self) -> list[str]:
        """The report in sentences, for the notebook."""
        out = []
        if self.added:
            out.append(f"Added {len(self.added)} file(s): {', '.join(self.added)}.")
        if self.replaced:
            out.append(f"Replaced {len(self.replaced)} file(s): {', '.join(self.replaced)}.")
        if self.backup_folder is not None:
            out.append(
                f"The files it replaced were first copied to the folder {self.backup_folder.name}/ "
                "(nothing was deleted)."
            )
        if self.newer_on_disk:
            out.append(
                "Careful: your copy of " + ", ".join(self.newer_on_disk) + " had been changed after the "
                "bundle was made; that newer copy is in the backup folder."
            )
        if self.unchanged:
            out.append(f"Already identical, left alone: {len(self.unchanged)} file(s).")
        return out


def restore_bundle(folder: Path, data: bytes, now: datetime | None = None) -> RestoreReport:
    """Put the files of a bundle back into ``folder``; see the module docstring for the rules.

    Raises BundleError (nothing changed) for a bad bundle, OSError if the disk refuses (files already replaced
    are listed in the backup folder, which is made before anything is replaced).
    """
    folder = Path(folder)
    entries = read_bundle(data)  # every check before the first change
    now = (now or datetime.now()).astimezone().replace(microsecond=0)
    report = RestoreReport()
    to_replace: set[str] = set()
    for entry in entries:
        target = folder / entry.name
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise BundleError([f"{entry.name} in this folder is not a plain file; move it away and try again."])
        if not target.exists():
            report.added.append(entry.name)
        elif target.read_bytes() == entry.data:
            report.unchanged.append(entry.name)
        else:
            to_replace.add(entry.name)
    if to_replace:
        # Back up everything first: if copying fails, nothing has been replaced yet.
        backup = _free_path(folder, f"{BACKUP_PREFIX}{_stamp(now)}")
        backup.mkdir()
        report.backup_folder = backup
        for name in sorted(to_replace):
            shutil.copy2(folder / name, backup / name)
    for entry in entries:
        if entry.name in report.unchanged:
            continue
        target = folder / entry.name
        if entry.name in to_replace:
            on_disk = datetime.fromtimestamp(target.stat().st_mtime).astimezone()
            # zip times have a 2-second resolution: only a clearly later change counts as newer work
            if entry.modified is not None and (on_disk - entry.modified.astimezone()).total_seconds() > 2:
                report.newer_on_disk.append(entry.name)
            report.replaced.append(entry.name)
        write_atomically(target, entry.data)
        if entry.modified is not None:  # keep the learner's own "last changed" time
            with contextlib.suppress(OSError, OverflowError, ValueError):
                stamp = entry.modified.timestamp()
                os.utime(target, (stamp, stamp))
    return report
