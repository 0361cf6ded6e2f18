"""A Binder-like environment on this machine: a fresh venv with exactly requirements.txt, postBuild applied, and
JupyterLab started the way Binder starts it, in a copy of the repository.

The venv is cached under the temporary folder, keyed on the files that decide its content (requirements.txt,
the installer's pin, postBuild, pyproject.toml, runtime.txt), so a second run skips the install. A clean machine
(CI) builds it from nothing: ``make test`` starts that build (``python -m tests.binder.binder_env``) after the test
venv's install (whose packages uv has then cached), beside the lint and editions check. Standard library only, so it
needs no test venv.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.locking import exclusive_lock

REPO = Path(__file__).resolve().parents[2]
KEY_FILES = ("requirements.txt", "requirements-installer.txt", "postBuild", "pyproject.toml", "runtime.txt")
# What a clone of the repository would not hold, or what only this machine made.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-*",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "*.pyc",
    "*.egg-info",
    ".ipynb_checkpoints",
    ".build-*",
    "*.answers.json",
    "*.answers.corrupt-*",
    "submitted",
    "feedback",
    "gradebook.db*",
    "my-work-*.zip",
    "backup-before-restore-*",
)


@dataclass(frozen=True)
class BinderEnv:
    """The built environment: its venv, the repository copy it serves, and what building it cost."""

    venv: Path
    repo: Path
    install_seconds: float | None  # None when the cached venv was reused

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


def launch_paths() -> list[str]:
    """The paths the README's Binder links open (``...?urlpath=lab/tree/<path>``), in order."""
    found = re.findall(
        r"mybinder\.org/v2/gh/[^\s)`]*\?urlpath=lab/tree/([^\s)`&]+)", (REPO / "README.md").read_text(encoding="utf-8")
    )
    assert found, "README.md has no Binder launch link with urlpath=lab/tree/..."
    return found


def cache_key() -> str:
    digest = hashlib.sha256()
    for name in KEY_FILES:
        path = REPO / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"<missing>") + b"\0")
    return digest.hexdigest()[:16]


def runtime_python() -> str:
    """A Python of the version runtime.txt asks Binder for."""
    wanted = re.fullmatch(r"python-(\d+)\.(\d+)\s*", (REPO / "runtime.txt").read_text())
    assert wanted, "runtime.txt must read like python-3.11"
    major, minor = int(wanted.group(1)), int(wanted.group(2))
    if sys.version_info[:2] == (major, minor):
        return sys.executable
    found = shutil.which(f"python{major}.{minor}")
    assert found, f"runtime.txt asks for Python {major}.{minor}; none found on this machine"
    return found


# Not a new Binder user's: another venv, grading, another Jupyter's paths. PYTHONDONTWRITEBYTECODE too: the venv is
# installed without bytecode, which the first process to import each module writes (once, as the venv is cached).
NOT_BINDERS = {
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "NBGRADER_EXECUTION",
    "JUPYTER_PATH",
    "JUPYTER_CONFIG_PATH",
    "PYTHONDONTWRITEBYTECODE",
}


def clean_env(base: Path, venv: Path | None = None) -> dict[str, str]:
    """Environment of a new Binder user: the venv first on PATH, private Jupyter folders, no grading flag."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_BINDERS}
    if venv is not None:
        env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
        env["VIRTUAL_ENV"] = str(venv)
    for name, folder in (
        ("HOME", "home"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
    ):
        (base / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(base / folder)
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONWARNINGS"] = "ignore"  # the server's own deprecation chatter, not the notebooks' output
    return env


def copy_repo(target: Path) -> None:
    """A fresh copy of the repository, as repo2docker would clone it, at ``target`` (replaced if present)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(REPO, target, ignore=NOT_IN_A_CLONE, symlinks=True)


def _run(command: list[str], cwd: Path, env: dict[str, str], what: str, timeout: int) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def installer(cache: Path, env: dict[str, str]) -> Path:
    """uv, as requirements-installer.txt pins it, installed under ``cache`` (not in the Binder venv)."""
    target = cache / "installer"
    if target.exists():
        shutil.rmtree(target)
    _run(
        [
            runtime_python(),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--target",
            str(target),
            "-r",
            str(REPO / "requirements-installer.txt"),
        ],
        REPO,
        env,
        "pip install -r requirements-installer.txt",
        300,
    )
    return target / "bin" / "uv"


def install_with_uv(cache: Path, venv: Path, repo: Path, env: dict[str, str]) -> None:
    """``requirements.txt`` into ``venv`` (run from ``repo``), by uv."""
    uv = installer(cache, env)
    # What repo2docker does with a requirements.txt at the root is `pip install -r requirements.txt`: the same
    # pins, installed by uv (a fifth of pip's time here), without compiling all of it to bytecode (pip does: 10 s
    # here); the processes that run in it write the bytecode of what they import (see NOT_BINDERS). The installer stays
    # outside the venv, which holds exactly what requirements.txt asks for. uv's own cache, filled by the test
    # venv's install just before, saves fetching the packages again: the venv's files are hard links to it (uv's
    # default; copies took 11 s more here). Nothing may write into an installed file: postBuild and the tests
    # only add files (configuration, settings) beside them.
    _run(
        [
            str(uv),
            "pip",
            "install",
            "--quiet",
            "--native-tls",
            "--python",
            str(venv / "bin" / "python"),
            "-r",
            "requirements.txt",
        ],
        repo,
        {**env, "UV_CACHE_DIR": uv_cache()},
        "uv pip install -r requirements.txt",
        1500,
    )


def uv_cache() -> str:
    """The folder uv caches packages in for this user (its default; the build itself runs with another HOME)."""
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uv"
    return os.environ.get("UV_CACHE_DIR") or str(default)


def binder_env() -> BinderEnv:
    """Build (or reuse) the venv with requirements.txt + postBuild; refresh the repository copy it serves.

    The editable install (``-e .``) points at the copy's ``workbook/``, so the copy lives beside the venv and is
    replaced with the current repository on every run, as a new Binder build would clone it.
    """
    cache = Path(os.environ.get("WORKBOOK_BINDER_CACHE", tempfile.gettempdir())) / f"workbook-binder-{cache_key()}"
    venv, repo, ready = cache / "venv", cache / "repo", cache / "venv" / ".binder-ready"
    with exclusive_lock(cache.with_suffix(".lock")):
        cache.mkdir(exist_ok=True)
        cache.chmod(0o700)  # kept between runs in /tmp: a copy of the course (solutions included) for this user only
        copy_repo(repo)
        if ready.exists():
            return BinderEnv(venv, repo, None)
        if venv.exists():
            shutil.rmtree(venv)  # half-built by an interrupted run
        build_home = cache / "build-home"
        env = clean_env(build_home)
        _run([runtime_python(), "-m", "venv", str(venv)], repo, env, "python -m venv", 120)
        started = time.perf_counter()
        env = clean_env(build_home, venv)
        try:
            install_with_uv(cache, venv, repo, env)
        except AssertionError as failed:  # uv reads none of pip's settings (a package mirror, say)
            print(f"uv could not install the Binder-like venv; pip installs it\n{failed}", file=sys.stderr)
            _run(
                [
                    str(venv / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "--no-warn-script-location",
                    "-r",
                    "requirements.txt",
                ],
                repo,
                env,
                "pip install -r requirements.txt",
                1500,
            )
        seconds = time.perf_counter() - started
        _run(["/bin/bash", str(repo / "postBuild")], repo, env, "postBuild", 300)
        ready.write_text(f"{seconds:.1f}\n")
        return BinderEnv(venv, repo, seconds)


if __name__ == "__main__":  # python -m tests.binder.binder_env, from the repository (make test)
    built = binder_env()
    how = "cached" if built.install_seconds is None else f"its install took {built.install_seconds:.0f} s"
    print(f"Binder-like venv ready ({how}): {built.venv}")
