"""The one atomic file write: a reader, or a process killed mid-write, sees the old file or the new one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

#: Files written here stay readable by the folder's other readers (teaching assistants, backups, nbgrader).
READABLE = 0o644


def temp_prefix(target: Path) -> str:
    """The name prefix of ``target``'s temporary files (hidden, so file browsers do not show them)."""
    return f".{target.name}.tmp-"


def write_atomically(target: Path, data: bytes | str, mode: int = READABLE) -> None:
    """Write ``data`` to ``target``: temporary file in the same folder, fsync, ``os.replace``, fsync of the folder.

    ``str`` data is written as UTF-8. On any error the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temp_name = tempfile.mkstemp(prefix=temp_prefix(target), dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(payload)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, mode)  # mkstemp makes 0o600
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    fsync_folder(target.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); silently skipped where folders cannot be opened (Windows)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)
