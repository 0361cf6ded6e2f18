"""How much the Binder image's Python environment weighs, against the five packages the course is built on.

Binder (repo2docker) installs the root ``requirements.txt``. This script installs it into a fresh virtual
environment, as repo2docker would, and, into a second fresh one, only jupyterlab + ipywidgets + nbgrader + pandas +
matplotlib at the same pinned versions. It prints the installed size and the install time of each and their ratio
(issue 8's budget: the course's environment stays within 15% of the baseline).

    python benchmarks/binder_footprint.py            # pip's cache as it is (warm on a developer's machine)
    python benchmarks/binder_footprint.py --no-cache # every wheel downloaded again (slower, closer to Binder)

Run it with Python 3.11 (the version in runtime.txt). It changes nothing in the repository: the requirements are
installed from a copy of the files pip needs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE_PACKAGES = ("jupyterlab", "ipywidgets", "nbgrader", "pandas", "matplotlib")
# What pip needs to install the workbook package from a copy of the repository (``-e .``).
PACKAGE_FILES = ("requirements.txt", "pyproject.toml", "README.md", "workbook")
BUDGET = 1.15


@dataclass(frozen=True)
class Footprint:
    """One fresh environment: what went in, how long pip took, how many bytes it occupies."""

    label: str
    seconds: float
    size_bytes: int
    distributions: int


def pinned_baseline(requirements: Path) -> list[str]:
    """The baseline packages with the exact versions requirements.txt pins (so the comparison is fair)."""
    pins: dict[str, str] = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s#;]+).*", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    missing = [name for name in BASELINE_PACKAGES if name not in pins]
    if missing:
        raise SystemExit(f"requirements.txt pins no version for {', '.join(missing)}; the comparison needs them")
    return [f"{name}=={pins[name]}" for name in BASELINE_PACKAGES]


def folder_size(folder: Path) -> int:
    """Bytes of every regular file under ``folder`` (symlinks not followed, as ``du -b`` would count)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total


def fresh_install(label: str, pip_args: list[str], workdir: Path, cwd: Path, no_cache: bool) -> Footprint:
    """Make a venv with this interpreter, time ``pip install <pip_args>`` in it, and measure the result."""
    venv = workdir / label.replace(" ", "-")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if no_cache:
        command.append("--no-cache-dir")
    started = time.perf_counter()
    # pip's output (and this machine's index warnings) only matter when it fails
    installed = subprocess.run([*command, *pip_args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if installed.returncode != 0:
        raise SystemExit(f"pip install {' '.join(pip_args)} failed:\n{installed.stdout}\n{installed.stderr}")
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], check=True, cwd=cwd, capture_output=True, text=True
    ).stdout.split()
    return Footprint(label, seconds, folder_size(venv), len(listed))


def measure(no_cache: bool) -> tuple[Footprint, Footprint]:
    """Install the baseline and the course's requirements.txt into two fresh venvs; return both footprints."""
    with tempfile.TemporaryDirectory(prefix="binder-footprint-") as tmp:
        work = Path(tmp)
        copy = work / "repo"
        copy.mkdir()
        for name in PACKAGE_FILES:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, copy / name)
        baseline = fresh_install("baseline", pinned_baseline(copy / "requirements.txt"), work, copy, no_cache)
        course = fresh_install("requirements.txt", ["-r", "requirements.txt"], work, copy, no_cache)
    return baseline, course


def report(baseline: Footprint, course: Footprint) -> str:
    """A small table, and whether the course stays within the budget."""
    size_ratio = course.size_bytes / baseline.size_bytes
    time_ratio = course.seconds / baseline.seconds
    rows = [
        f"{'environment':<22} {'installed MB':>12} {'install s':>10} {'packages':>9}",
        *(
            f"{f.label:<22} {f.size_bytes / 1e6:>12.1f} {f.seconds:>10.1f} {f.distributions:>9d}"
            for f in (baseline, course)
        ),
        f"{'ratio':<22} {size_ratio:>12.3f} {time_ratio:>10.3f}",
        f"size budget (<= {BUDGET:.2f} x baseline): {'met' if size_ratio <= BUDGET else 'EXCEEDED'}",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-cache", action="store_true", help="download every wheel again (pip --no-cache-dir)")
    args = parser.parse_args(argv)
    if sys.version_info[:2] != (3, 11):
        print(f"note: runtime.txt asks Binder for Python 3.11, this is {sys.version.split()[0]}", file=sys.stderr)
    print(
        f"installing into fresh virtual environments ({'no pip cache' if args.no_cache else 'pip cache as is'})",
        flush=True,
    )
    baseline, course = measure(args.no_cache)
    print(report(baseline, course))
    return 0 if course.size_bytes <= BUDGET * baseline.size_bytes else 1


if __name__ == "__main__":
    os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    sys.exit(main())
