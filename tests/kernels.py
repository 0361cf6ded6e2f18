"""Run a notebook in a kernel, as the build does: over unix sockets (no TCP port to lose to another process)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbclient
from traitlets.config import Config

from workbook.editions.validate import local_kernels


def execute(nb, cwd: Path, **options) -> None:
    """Run every cell of ``nb`` (in place) with ``cwd`` as the kernel's working folder; ``options`` go to
    nbclient's ``NotebookClient`` (timeout 60 s and the python3 kernel unless given)."""
    options = {"timeout": 60, "kernel_name": "python3", **options}
    with tempfile.TemporaryDirectory(prefix="wb-test-kernel-") as sockets:
        client = nbclient.NotebookClient(
            nb, config=local_kernels(Config(), Path(sockets)), resources={"metadata": {"path": str(cwd)}}, **options
        )
        client.execute()
