"""The course layout: where things live in a course folder, how to find its root, and its nbgrader configuration."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.core.answer_store import STORE_PATTERNS

if TYPE_CHECKING:
    from traitlets.config import Config

ANSWER_STORE_PATTERN = STORE_PATTERNS[0]
# Files that never travel from source/ to release/ or into a build: students' answers, editor debris.
IGNORED_NAMES = (
    *STORE_PATTERNS,
    ".ipynb_checkpoints",
    "__pycache__",
    "*.pyc",
)
# What a learner leaves in a generated edition when working inside the repository (e.g. after `make lab`):
# answers, "save my work" bundles and restore backups. Builds keep them and never count them as stale.
LEARNER_FILES = (*IGNORED_NAMES, "my-work-*.zip", "backup-before-restore-*")


def is_learner_file(relative: Path) -> bool:
    """Whether a path inside a generated edition belongs to a learner rather than to the build."""
    return any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in LEARNER_FILES)


@dataclass(frozen=True)
class Course:
    """A course folder: ``source/<assignment>/*.ipynb`` plus the generated ``release/`` and ``notebooks/``."""

    root: Path

    @property
    def source(self) -> Path:
        """The master notebooks, one folder per assignment (instructors only)."""
        return self.root / "source"

    @property
    def release(self) -> Path:
        """The student edition nbgrader generates."""
        return self.root / "release"

    @property
    def self_learner(self) -> Path:
        """The self-learner edition (one flat folder)."""
        return self.root / "notebooks"

    def assignments(self) -> list[str]:
        """Assignment names: the folders of ``source/`` that hold at least one notebook."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def source_notebooks(self, assignment: str | None = None) -> list[Path]:
        """Source notebooks of one assignment, or of all of them, in lesson order."""
        names = [assignment] if assignment else self.assignments()
        return [nb for name in names for nb in sorted((self.source / name).glob("*.ipynb"))]

    def nbgrader_config(self, **overrides: object) -> Config:
        """The course's ``nbgrader_config.py``, with ``Section.option=value`` overrides (e.g. a temporary root)."""
        from traitlets.config import Config
        from traitlets.config.loader import PyFileConfigLoader

        config = Config()
        config_file = self.root / "nbgrader_config.py"
        if config_file.exists():
            config.merge(PyFileConfigLoader(config_file.name, path=str(self.root)).load_config())
        for dotted, value in overrides.items():
            section, option = dotted.split("__", 1) if "__" in dotted else dotted.split(".", 1)
            config[section][option] = value
        return config


def find_course_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding ``nbgrader_config.py`` and ``source/``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").exists() and (folder / "source").is_dir():
            return folder
    raise FileNotFoundError(
        f"no course found at or above {here}: expected a folder with nbgrader_config.py and source/"
    )
