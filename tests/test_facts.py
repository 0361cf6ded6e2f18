"""The fact register (workbook/data/facts.csv): every dated citation of the course has a row, every row is used,
and `python -m workbook facts` lists the claims due for a re-check."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from workbook.editions.facts import (
    REGISTER,
    Fact,
    RegisterError,
    check_register,
    course_places,
    dates_in,
    load_register,
    old_claims,
)

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "source" / "open_vs_closed"


@pytest.fixture(scope="module")
def facts() -> list[Fact]:
    return load_register()


@pytest.fixture(scope="module")
def places() -> dict[str, str]:
    return course_places(REPO)


def test_the_course_and_the_register_agree(facts, places) -> None:
    assert check_register(facts, places) == []
    assert len(facts) >= 40
    assert {"licences.csv", "cost_assumptions.csv"} <= set(places)
    assert sum(1 for place in places if place[:2].isdigit()) == 8


def test_a_notebook_citing_a_date_the_register_lacks_fails(facts, places) -> None:
    changed = dict(places, **{"04_cost_crossover": places["04_cost_crossover"] + "\nSome price list, 2019-03."})
    assert check_register(facts, changed) == [
        "04_cost_crossover: cites the date 2019-03, which no register row used there holds"
    ]


def test_a_date_held_only_by_a_row_used_elsewhere_still_fails(facts, places) -> None:
    # 2022-01 (AlphaFold 2 parameters under CC BY 4.0) is registered for notebook 7 only.
    changed = dict(places, **{"05_match_use_cases": places["05_match_use_cases"] + "\nCC BY 4.0 since 2022-01."})
    assert any("05_match_use_cases: cites the date 2022-01" in p for p in check_register(facts, changed))


def test_a_register_row_nothing_uses_fails(facts, places) -> None:
    orphan = Fact("orphan", "a claim nobody makes", "nowhere", "Nowhere Inc.", "2020-01", ("06_tradeoffs_not_morals",))
    unknown_place = Fact("lost", "a claim", "somewhere", "OpenAI", "2024-08", ("08_missing",))
    problems = check_register([*facts, orphan, unknown_place], places)
    assert problems == [
        "orphan: 06_tradeoffs_not_morals does not cite it (none of 'Nowhere Inc.' there)",
        "lost: used_in names '08_missing', which does not exist",
    ]


def test_a_csv_citation_without_a_register_row_fails(facts, places) -> None:
    text = places["licences.csv"].replace(",2025-08\n", ",2025-07\n", 1)
    problems = check_register(facts, dict(places, **{"licences.csv": text}))
    assert len(problems) == 1 and "as of '2025-07' has no register row" in problems[0]


def test_a_question_bank_is_checked_like_a_notebook(tmp_path, facts) -> None:
    bank = tmp_path / "questions" / "open_vs_closed"
    bank.mkdir(parents=True)
    (bank / "06_tradeoffs_not_morals.toml").write_text('[q]\nprompt = "As of 2031-02, ..."\n', encoding="utf-8")
    places = course_places(tmp_path)
    assert list(places) == ["questions/open_vs_closed/06_tradeoffs_not_morals.toml"]
    # Only the bank exists in this folder: keep the problems about what the bank cites.
    problems = [p for p in check_register(facts, places) if p.startswith("questions/")]
    assert problems == [
        "questions/open_vs_closed/06_tradeoffs_not_morals.toml: cites the date 2031-02, which no register row "
        "used there holds"
    ]


def test_dates_are_found_but_numbers_are_not() -> None:
    text = "Regulation (EU) 2024/1689, arXiv 2312.14972, USD 2,628,000, 3,400 tokens; as of 2024-08, 2025-2026, 2026."
    assert dates_in(text) == {"2024-08", "2025", "2026"}


def test_old_claims_read_partial_dates_generously() -> None:
    def fact(as_of: str) -> Fact:
        return Fact(as_of, "claim", "source", "cite", as_of, ("x",))

    register = [fact("2024-08"), fact("2026-09..11"), fact("2025-2026"), fact("n.d. (datasheet figure)"), fact("2024")]
    assert [f.id for f, _ in old_claims(register, dt.date(2024, 8, 31))] == ["n.d. (datasheet figure)"]
    assert [f.id for f, _ in old_claims(register, dt.date(2024, 9, 1))] == ["n.d. (datasheet figure)", "2024-08"]
    # "2026-09..11" holds until 2026-11-30, "2025-2026" until the end of 2026.
    assert [f.id for f, _ in old_claims(register, dt.date(2026, 11, 30))] == [
        "n.d. (datasheet figure)",
        "2024-08",
        "2024",
    ]
    assert [f.id for f, _ in old_claims(register, dt.date(2026, 12, 1))][-1] == "2026-09..11"
    assert len(old_claims(register, dt.date(2027, 1, 1))) == 5


def test_a_broken_register_is_reported_in_one_line(tmp_path) -> None:
    bad = tmp_path / "facts.csv"
    bad.write_text("id,claim\nx,y\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="expected columns"):
        load_register(bad)
    bad.write_text("id,claim,source,cite,as_of,used_in\nx,y,z,c,,01\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="line 2: empty as_of"):
        load_register(bad)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbook", "facts", *args], capture_output=True, text=True, cwd=REPO)


def test_the_command_lists_claims_before_a_date_oldest_first() -> None:
    done = run("--as-of", "2023-01-01")
    assert done.returncode == 0, done.stderr
    ids = re.findall(r"(?:\d+ days|undated)  (\S+)$", done.stdout, re.M)
    assert ids == ["gpu-tdp", "apache-2", "hipaa", "soc2", "gdpr", "bloom-rail"]
    assert done.stdout.rstrip().endswith("6 of the register's claims to re-check.")
    assert "used in: 06_tradeoffs_not_morals" in done.stdout


def test_the_command_answers_mistakes_in_one_line() -> None:
    for args in (["--older-than", "a year"], ["--as-of", "2026-13-01"], ["--as-of", "2026-01-01", "--older-than", "3"]):
        done = run(*args)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 3 and lines[0].startswith(f"error: argument {args[-2]}"), lines
        assert lines[1] == "hint: python -m workbook facts --help lists what it takes", lines
        assert lines[2] == "facts: REFUSED: nothing was changed (exit 2)", lines


def test_every_notebook_states_the_time_the_start_page_gives() -> None:
    start = "\n".join(c.source for c in nbformat.read(str(SOURCE / "00_start.ipynb"), as_version=4).cells)
    stated = dict(re.findall(r"\]\((\d\d_[a-z_]+)\.ipynb\) \|[^|]*\| (\d+) min \|", start))
    assert len(stated) == 8
    for stem, minutes in stated.items():
        if stem == "00_start":
            continue
        text = "\n".join(c.source for c in nbformat.read(str(SOURCE / f"{stem}.ipynb"), as_version=4).cells)
        assert re.search(rf"\*\*Time:\*\* about {minutes} minutes", text), stem


def test_the_register_file_is_the_documented_one() -> None:
    assert REGISTER == REPO / "workbook" / "data" / "facts.csv"
