"""Shared fixtures. Tests never modify committed files: they copy what they need into a temporary folder."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# nbgrader's gradebook shells out to `alembic`; make this interpreter's scripts findable even in an inactive venv.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture
def mini_course(tmp_path: Path) -> Path:
    """A private copy of the one-notebook fixture course."""
    target = tmp_path / "mini_course"
    shutil.copytree(FIXTURES / "mini_course", target)
    return target


def copy_course(target: Path) -> Path:
    """A private copy of the real course: config, source, question bank and the committed editions."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", target / "nbgrader_config.py")
    for folder in ("source", "questions", "release", "notebooks"):
        if (REPO / folder).exists():
            shutil.copytree(
                REPO / folder, target / folder, ignore=shutil.ignore_patterns("*.answers.json", ".ipynb_checkpoints")
            )
    return target


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian chromium for the whole run (Playwright's sync API allows one instance per thread)."""
    from playwright.sync_api import sync_playwright

    from tests.labkit import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
