"""The start page a new learner lands on: its links lead to every notebook, and the times it promises are
the ones its own stated method gives for the notebooks as they are now."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from tests.binder.binder_env import launch_paths
from tests.conftest import REPO

START = "00_start.ipynb"
EDITIONS = {
    "source": REPO / "source" / "open_vs_closed",
    "release": REPO / "release" / "open_vs_closed",
    "notebooks": REPO / "notebooks",
}
ROW = re.compile(r"^\|\s*(\d\d)\s*\|\s*\[[^\]]+\]\((\d\d_[a-z_]+\.ipynb)\)\s*\|[^|]*\|\s*(\d+) min\s*\|$", re.M)

# The method the start page states: 200 words a minute, and minutes per kind of question.
WORDS_PER_MINUTE = 200
MINUTES = {"multiple_choice": 2, "matching": 5, "code": 6, "written": 10}


def markdown_of(path: Path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def stated_times() -> dict[str, int]:
    rows = ROW.findall(markdown_of(EDITIONS["source"] / START))
    assert rows, "the start page has no table of notebooks and times"
    return {name: int(minutes) for _number, name, minutes in rows}


def estimated_minutes(path: Path) -> float:
    """Reading time of the text plus time per question, as the start page explains it."""
    nb = nbformat.read(str(path), as_version=4)
    bank = path.parents[2] / "questions" / path.parent.name / f"{path.stem}.toml"
    kinds = {qid: table["type"] for qid, table in tomllib.loads(bank.read_text()).items()} if bank.exists() else {}
    words, minutes = 0, 0.0
    for cell in nb.cells:
        answer_cell = cell.metadata.get("nbgrader", {}).get("solution", False)
        if cell.cell_type == "markdown":
            if answer_cell:
                minutes += MINUTES["written"]
            else:
                words += len(re.findall(r"[A-Za-z0-9']+", cell.source))
        else:
            minutes += MINUTES["code"] if answer_cell else 0
            for question_id in re.findall(r"""quiz\.show\(["']([a-z0-9_]+)["']\)""", cell.source):
                minutes += MINUTES[kinds[question_id]]
    return words / WORDS_PER_MINUTE + minutes


@pytest.mark.parametrize("edition", EDITIONS, ids=list(EDITIONS))
def test_every_link_on_the_start_page_opens_a_notebook_and_every_notebook_is_linked(edition: str) -> None:
    folder = EDITIONS[edition]
    assert (folder / START).exists(), "run python -m workbook build"
    linked = set(re.findall(r"\]\(([^)\s]+\.ipynb)\)", markdown_of(folder / START)))
    present = {p.name for p in folder.glob("*.ipynb")}
    assert sorted(linked - present) == [], "links on the start page that lead nowhere"
    assert sorted(present - linked) == [], "notebooks the start page does not mention"


def test_the_table_lists_every_notebook_in_order() -> None:
    names = list(stated_times())
    assert names == sorted(names)
    assert names == sorted(p.name for p in EDITIONS["source"].glob("*.ipynb"))


def test_stated_times_match_the_stated_method() -> None:
    for name, minutes in stated_times().items():
        path = EDITIONS["source"] / name
        assert path.exists(), f"{name} is on the start page but not in source/"
        estimate = estimated_minutes(path)
        allowed = max(5.0, 0.3 * estimate)
        assert abs(minutes - estimate) <= allowed, (
            f"{name}: the page says {minutes} min, the method gives {estimate:.0f} min"
        )


def test_the_total_is_the_sum_of_the_parts() -> None:
    total = sum(stated_times().values())
    text = markdown_of(EDITIONS["source"] / START)
    hours, minutes = divmod(total, 60)
    said = f"{hours} hours {minutes} minutes" if minutes else f"{hours} hours"
    assert text.count(said) == 2, f"the page should say '{said}' in the table note and in the summary"


def test_every_self_learner_notebook_says_how_to_keep_work_on_binder() -> None:
    for path in sorted(EDITIONS["notebooks"].glob("*.ipynb")):
        text = markdown_of(path)
        assert "session is temporary" in text, path.name
        assert "Save my work" in text and "(00_start.ipynb)" in text, path.name


def test_the_readme_launch_links_open_the_start_page_that_exists() -> None:
    paths = launch_paths()
    assert set(paths) == {f"notebooks/{START}"}
    assert (REPO / paths[0]).is_file()


def test_binder_reads_the_root_configuration() -> None:
    assert not (REPO / "binder").exists() and not (REPO / ".binder").exists(), (
        "a binder/ folder makes repo2docker ignore requirements.txt, runtime.txt and postBuild at the root"
    )
    assert (REPO / "runtime.txt").read_text().strip() == "python-3.11"
    assert re.search(r"^-e \.$", (REPO / "requirements.txt").read_text(), re.M), "the workbook package itself"
    post_build = REPO / "postBuild"
    lines = post_build.read_text().splitlines()
    assert lines[0].startswith("#!/bin/bash"), "repo2docker runs ./postBuild: its first line picks the shell"
    assert any(re.match(r"set -e", line) for line in lines), "a failing step must fail the Binder build"
