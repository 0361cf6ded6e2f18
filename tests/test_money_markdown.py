"""Money never renders as maths: the check that finds `$` in rendered prose, and where it is enforced."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.conftest import REPO
from workbook.core.layout import Course
from workbook.editions.bank import check_notebook_bank
from workbook.editions.hygiene import check_source, money_problems
from workbook.writing.check import check
from workbook.writing.money import dollar_spots


@pytest.mark.parametrize(
    ("text", "spots"),
    [
        ("costs $180 a month against $5,442", 2),
        ("costs \\$180 a month against \\$5,442", 2),  # escapes are no protection: marked unescapes first
        ("one price: $3", 1),
        ("costs USD 180 a month against USD 5,442", 0),
        ("run `echo $HOME` or\n```bash\nexport A=$B\n```", 0),
        ("$$\\text{cost} = \\frac{a}{b}$$", 0),
    ],
)
def test_dollar_spots(text: str, spots: int) -> None:
    assert len(dollar_spots(text)) == spots


def test_the_course_writes_every_amount_in_prose_as_usd() -> None:
    report = check_source(Course(REPO))
    assert [p for p in report.problems if "render as maths" in p] == []


def test_hygiene_names_the_cell_and_the_spot() -> None:
    problems = money_problems("Claude costs $3 in and $15 out.", "07_decision_framework.ipynb, cell 9 (brief)")
    assert len(problems) == 2
    assert problems[0].startswith("07_decision_framework.ipynb, cell 9 (brief): '$' in prose")
    assert "USD 180" in problems[0]


def test_question_texts_are_checked_too(tmp_path) -> None:
    source = tmp_path / "source" / "demo" / "01_demo.ipynb"
    bank = tmp_path / "questions" / "demo" / "01_demo.toml"
    bank.parent.mkdir(parents=True)
    bank.write_text(
        '[price_check]\ntype = "multiple_choice"\ngraded = false\nprompt = "Which costs $3 rather than $15?"\n'
        'answer = "a"\n[price_check.options]\na = "A"\nb = "B"\n[price_check.explanations]\na = "Yes."\nb = "No."\n'
    )
    cell = nbformat.v4.new_code_cell('quiz.show("price_check")')
    problems = check_notebook_bank(nbformat.v4.new_notebook(cells=[cell]), source)
    assert any("[price_check] field 'prompt': '$' would render as maths" in p for p in problems), problems


def test_release_and_learner_editions_have_no_dollar_in_markdown() -> None:
    """What learners open: every markdown cell of both editions, and every question file."""
    course = Course(REPO)
    paths = sorted(course.release.rglob("*.ipynb")) + sorted(course.self_learner.glob("*.ipynb"))
    assert paths
    for path in paths:
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type == "markdown":
                assert dollar_spots(cell.source) == [], path.name
    for path in sorted(course.release.rglob("*.quiz.json")) + sorted(course.self_learner.glob("*.quiz.json")):
        assert "$" not in json.dumps(json.loads(path.read_text())), path.name


def test_the_written_answer_check_tells_how_to_write_amounts() -> None:
    answer = (
        "I recommend the closed API: it costs $180 a month against $5,442 for self-hosting, well inside the "
        "budget, and the team has no engineers to run anything."
    )
    hints = check(answer, part="recommendation").hints
    assert any('write amounts as "USD 180"' in hint for hint in hints), hints
    assert not any("USD 180" in hint for hint in check(answer.replace("$", "USD "), part="recommendation").hints)
