"""`make test` spreads tests over xdist workers; tests sharing a module-scoped fixture must stay on one worker.

Otherwise every worker builds its own graded course, Jupyter server or hub (slow), and tests that read what an
earlier test of the module made (feedback before re-grading) fail at random.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # starts pytest with two workers (once for the module)

# Loaded into each xdist worker; runs after every other collection hook, so it sees the node ids xdist will schedule
# by (`<id>@<group>` under --dist loadgroup). Then it drops every test: the run only collects.
RECORDER = """
import json, os, pytest

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(os.path.join(os.environ["GROUPING_OUT"], worker + ".json"), "w") as out:
        json.dump([item.nodeid for item in items], out)
    items[:] = []
"""


MODULES = (
    "tests/test_instructor_safety.py",
    "tests/test_grading_parallel.py",
    "tests/hostile/test_hostile_submissions.py",
    "tests/hub",
)


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory) -> list[str]:
    """The node ids a worker of ``pytest -n 2 --dist loadgroup`` gets for MODULES (one collection for all)."""
    folder = tmp_path_factory.mktemp("grouping")
    (folder / "grouping_recorder.py").write_text(RECORDER)
    env = {"PYTHONPATH": str(folder), "GROUPING_OUT": str(folder), "PATH": str(Path(sys.executable).parent)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q"]
        + ["-p", "grouping_recorder", "-p", "no:cacheprovider", *MODULES],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 5, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads((folder / "gw0.json").read_text())


def of(ids: list[str], module: str) -> list[str]:
    return [i for i in ids if i.split("::")[0].split("@")[0] == module]


def test_tests_sharing_a_module_fixture_are_one_group(scheduled: list[str]) -> None:
    ids = of(scheduled, "tests/test_instructor_safety.py")
    grouped = [i for i in ids if i.endswith("@tests.test_instructor_safety")]
    # Every test that takes the module's graded `cohort`; the two that need no course may run anywhere.
    assert len(grouped) == len(ids) - 2 >= 5, ids
    assert "test_feedback_says_not_graded_yet_and_is_private" in " ".join(grouped)


def test_modules_that_grade_in_the_sandbox_may_run_at_the_same_time(scheduled: list[str]) -> None:
    ids = of(scheduled, "tests/test_grading_parallel.py") + of(scheduled, "tests/hostile/test_hostile_submissions.py")
    groups = {i.split("::")[0].split("/")[-1]: i.rsplit("@", 1)[-1] for i in ids if "@" in i}
    assert groups == {
        "test_grading_parallel.py": "tests.test_grading_parallel",
        "test_hostile_submissions.py": "tests.hostile.test_hostile_submissions",
    }


def test_the_hub_tests_share_one_worker_and_so_one_hub(scheduled: list[str]) -> None:
    ids = [i for i in scheduled if i.startswith("tests/hub/")]
    assert {i.split("::")[0].split("/")[-1] for i in ids} == {"test_hub_end_to_end.py", "test_hub_safety.py"}
    assert all(i.endswith("@course-hub") for i in ids), ids
