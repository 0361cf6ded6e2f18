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

# Whole folders of heavy tests get their marker here, so a new test there is never run by `make check` by mistake.
FOLDER_MARKERS = {
    "browser": "browser",
    "browser_costs": "browser",
    "binder": "browser",
    "postgres": "postgres",
    "hostile": "slow",
    "hub": "hub",
}

# Modules that must run on one worker, beyond those grouped by their module-scoped fixtures: the hub tests share one
# session-scoped hub (minutes to set up), which each worker would otherwise build again. (Grading runs at once are
# fine: each claims its kernel uids, see workbook.grading.sandbox.UidClaim.)
MODULE_GROUPS = {
    "tests.hub.test_hub_end_to_end": "course-hub",
    "tests.hub.test_hub_safety": "course-hub",
}


# tryfirst: xdist's worker reads the xdist_group markers in its own hook of this name; ours must add them before.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Markers by folder (see FOLDER_MARKERS), and one xdist group per module with a module-scoped fixture.

    Under ``pytest -n N --dist loadgroup`` (``make test``) tests spread over N workers one by one, except that the
    tests of a module whose fixtures are module-scoped (a Jupyter server, a graded course, a PostgreSQL gradebook)
    stay together on one worker, so that fixture is built once, as in a plain run.
    """
    for item in items:
        folder = Path(str(item.path)).parent.name
        if folder in FOLDER_MARKERS:
            item.add_marker(FOLDER_MARKERS[folder])
        module = item.module.__name__ if item.module else str(item.path)
        fixtures = getattr(item, "_fixtureinfo", None)
        definitions = fixtures.name2fixturedefs.values() if fixtures is not None else []
        if module in MODULE_GROUPS:
            item.add_marker(pytest.mark.xdist_group(MODULE_GROUPS[module]))
        elif any(d.scope in ("module", "package") for defs in definitions for d in defs):
            item.add_marker(pytest.mark.xdist_group(module))


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


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole run: under pytest-xdist, the one above every worker's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian chromium for the whole run (Playwright's sync API allows one instance per thread)."""
    from playwright.sync_api import sync_playwright

    from tests.labkit import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
