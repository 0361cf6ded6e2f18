"""One lock for folders that several processes build once and share (pytest-xdist workers, two runs, `make test`'s
head start on the Binder venv). Standard library only: the Binder build takes it before the test venv exists."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold ``path`` locked: one process at a time builds a shared folder (an ``flock``: a crash frees it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
