"""A Python every account can run, with the packages of the environment that runs ``hub``.

Students' servers, the formgrader and the grader's commands run as other accounts. When this environment's
interpreter sits where only root can read it (pyenv under /root, say), the hub copies that interpreter (without
its tests and site-packages, with its bytecode, about 65 MB, once) into ``<hub_dir>/python/base`` and makes a venv
over it whose site-packages is this environment's. The same interpreter version matters: a different patch release
of Python breaks some pure-Python packages (soupsieve, used by the formgrader, fails on 3.11.2 and works on 3.11.7).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from workbook.hub.settings import HubError

VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"


# Finds the packages without importing nbgrader (its import takes seconds); importing workbook reads its files.
PROBE = (
    "import importlib.util as u, sys, workbook; "
    "sys.exit(0 if all(u.find_spec(m) for m in ('jupyterhub', 'nbgrader', 'notebook')) else 1)"
)


def runs_for_everyone(python: Path) -> bool:
    """True when the unprivileged account ``nobody`` can start ``python`` and import this environment."""
    done = subprocess.run(
        ["runuser", "-u", "nobody", "--", str(python), "-c", PROBE],
        capture_output=True,
        cwd="/",
    )
    return done.returncode == 0


# Not needed to run notebooks or servers; together about half of the standard library's size. The bytecode is
# kept (without the -O variants): the accounts that run this copy cannot write it, so without it every server,
# kernel and command would compile the modules it imports again, about a second of CPU each.
SKIPPED = ("site-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip", "config-*", "*.opt-?.pyc")
COPY_LAYOUT = "2"  # raised when what copy_interpreter copies changes, so an older copy is made again


def copy_interpreter(target: Path) -> Path:
    """This interpreter (binary, libpython, standard library) under ``target``; returns the binary there."""
    base = Path(sys.base_prefix)
    marker = target / "VERSION"
    stamp = f"{sys.version}\ncopy layout {COPY_LAYOUT}"
    if marker.exists() and marker.read_text() == stamp:
        return target / "bin" / VERSION
    shutil.rmtree(target, ignore_errors=True)
    (target / "bin").mkdir(parents=True)
    shutil.copy2(Path(sys._base_executable).resolve(), target / "bin" / VERSION)
    (target / "lib").mkdir()
    for library in base.glob(f"lib/libpython{VERSION[6:]}*.so*"):
        shutil.copy2(library, target / "lib" / library.name, follow_symlinks=False)
    shutil.copytree(base / "lib" / VERSION, target / "lib" / VERSION, ignore=shutil.ignore_patterns(*SKIPPED))
    for folder, _dirs, files in os.walk(target):
        os.chmod(folder, 0o755)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o755 if os.access(path, os.X_OK) else 0o644)
    marker.write_text(stamp)
    return target / "bin" / VERSION


def shared_python(hub_dir: Path) -> Path:
    """This environment's Python if everyone may run it; otherwise a venv over a readable copy of it."""
    own = Path(sys.executable)
    if runs_for_everyone(own):
        return own
    view = hub_dir / "python"
    binary = copy_interpreter(view / "base")
    for old in ("bin", "lib", "etc", "share", "pyvenv.cfg"):
        path = view / old
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
    (view / "bin").mkdir(parents=True)
    site = view / "lib" / VERSION / "site-packages"
    site.parent.mkdir(parents=True)
    site.symlink_to(Path(sysconfig.get_paths()["purelib"]))
    for shared in ("etc", "share"):  # Jupyter's config (enabled extensions) and data (lab assets, kernels)
        if (Path(sys.prefix) / shared).is_dir():
            (view / shared).symlink_to(Path(sys.prefix) / shared)
    (view / "pyvenv.cfg").write_text(
        f"home = {binary.parent}\ninclude-system-site-packages = false\nversion = {sys.version.split()[0]}\n"
    )
    # The copied binary still looks for libpython where it was built: point it at the copy. "exec -a" keeps
    # this path as argv[0], so Python finds pyvenv.cfg here and uses this environment's site-packages.
    python = view / "bin" / "python"
    python.write_text(
        f'#!/bin/bash\nLD_LIBRARY_PATH="{binary.parent.parent / "lib"}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}" '
        f'exec -a "$0" {binary} "$@"\n'
    )
    python.chmod(0o755)
    (view / "bin" / VERSION).symlink_to("python")
    # Console scripts (jupyterhub-singleuser, nbgrader, alembic, jupyter...) with the view's interpreter.
    own_bin = Path(sys.prefix) / "bin"
    for script in own_bin.iterdir():
        if not script.is_file() or script.is_symlink():
            continue
        try:
            head = script.read_bytes()[:200]
        except OSError:
            continue
        if head.startswith(b"#!") and str(own_bin).encode() in head.split(b"\n", 1)[0]:
            text = script.read_text()
            target = view / "bin" / script.name
            target.write_text(f"#!{python}\n" + text.split("\n", 1)[1])
            target.chmod(0o755)
    for folder in (view, view / "bin", view / "lib", site.parent):
        folder.chmod(0o755)
    if not runs_for_everyone(python):
        raise HubError(
            f"students' accounts cannot run a copy of this Python with the packages in {site.resolve()} "
            "(hint: every folder on that path needs o+rx; or install the software in /opt, readable by all)"
        )
    return python
