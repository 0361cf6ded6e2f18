"""A Python every account can run, with the packages of the environment that runs ``hub``.

Students' servers, the formgrader and the grader's commands run as other accounts. When this environment's
interpreter sits somewhere only root can read (pyenv under /root, say), the hub makes a small view of the same
environment on a readable interpreter of the same version (e.g. Debian's /usr/bin/python3.11): a venv whose
site-packages is this environment's, with console scripts pointing at it. Nothing is copied or installed.
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


def _readable_interpreter() -> Path | None:
    for folder in ("/usr/local/bin", "/usr/bin"):
        candidate = Path(folder) / VERSION
        if candidate.is_file() and os.stat(candidate).st_mode & 0o005 == 0o005:
            return candidate
    return None


def shared_python(hub_dir: Path) -> Path:
    """This environment's Python if everyone may run it; otherwise a venv view under ``hub_dir/python``."""
    own = Path(sys.executable)
    if runs_for_everyone(own):
        return own
    base = _readable_interpreter()
    if base is None:
        raise HubError(
            f"{own} is readable by root only and there is no {VERSION} in /usr/bin or /usr/local/bin that students' "
            f"accounts could run (hint: install {VERSION} system-wide, make a venv in /opt from it, install "
            "deploy/hub/requirements.txt there and run the hub with that venv's python)"
        )
    view = hub_dir / "python"
    shutil.rmtree(view, ignore_errors=True)
    (view / "bin").mkdir(parents=True)
    site = view / "lib" / VERSION / "site-packages"
    site.parent.mkdir(parents=True)
    site.symlink_to(Path(sysconfig.get_paths()["purelib"]))
    for shared in ("etc", "share"):  # Jupyter's config (enabled extensions) and data (lab assets, kernels)
        if (Path(sys.prefix) / shared).is_dir():
            (view / shared).symlink_to(Path(sys.prefix) / shared)
    (view / "pyvenv.cfg").write_text(
        f"home = {base.parent}\ninclude-system-site-packages = false\nversion = {sys.version.split()[0]}\n"
    )
    python = view / "bin" / "python"
    python.symlink_to(base)
    (view / "bin" / VERSION).symlink_to(base)
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
            f"students' accounts cannot import this environment's packages from {site.resolve()} "
            "(hint: every folder on that path needs o+rx; or install the software in /opt, readable by all)"
        )
    return python
