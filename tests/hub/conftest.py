"""One real course hub (two students, one grader) shared by every hub test of the run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.hubkit import CourseHub, create_hub


@pytest.fixture(scope="session")
def course_hub() -> Iterator[CourseHub]:
    if os.geteuid() != 0:
        pytest.skip("the course hub needs root: it creates system accounts and logs them in with PAM")
    assert shutil.which("configurable-http-proxy"), "configurable-http-proxy missing (bash .ci/run installs it)"
    hub = create_hub(students=3)  # 1 and 2 use the browser; 3 tries bad input on the command line
    try:
        hub.start()
        yield hub
    finally:
        hub.close()


@pytest.fixture(scope="session")
def released(course_hub: CourseHub) -> CourseHub:
    """The instructor has released the assignment to the exchange (as the grader, from the course folder)."""
    done = course_hub.nbgrader(course_hub.grader, "release_assignment", "open_vs_closed")
    assert done.returncode == 0, done.stdout + done.stderr
    return course_hub
