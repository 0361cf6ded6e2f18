"""Options that cannot be gamed: the right option must not stand out by being the longest.

Before the options were rewritten (December 2026) the key was the longest option in 26 of 30 single-answer
questions (87 %). If length carried no signal, the key would be the longest about 1 time in k for k options;
with the course's three and four options that is a share of about 27 %. The test fails above 35 %: room for a
couple of questions where the right answer honestly needs more words, but far below the point where "pick the
longest" beats chance. Ties count as "longest" (a learner who picks the longest of two equal options still gains).
"""

from __future__ import annotations

import nbformat
import pytest

from tests.conftest import REPO
from workbook.core.layout import Course
from workbook.editions.bank import notebook_bank

THRESHOLD = 0.35
SOURCES = Course(REPO).source_notebooks()


def single_answer_questions():
    return [item for path in SOURCES for item in notebook_bank(path) if item.question.kind == "single"]


def key_is_longest(item) -> bool:
    lengths = {option: len(text) for option, text in item.question.options.items()}
    return lengths[item.key.answer] >= max(lengths.values())


def longest_share(items) -> float:
    return sum(key_is_longest(item) for item in items) / len(items)


def test_the_key_is_rarely_the_longest_option(capsys) -> None:
    items = single_answer_questions()
    assert len(items) >= 20, "the course has single-answer questions to measure"
    share = longest_share(items)
    chance = sum(1 / len(item.question.options) for item in items) / len(items)
    with capsys.disabled():
        print(
            f"\nkey is the longest option in {sum(map(key_is_longest, items))} of {len(items)} single-answer "
            f"questions ({share:.0%}); chance would be {chance:.0%}; threshold {THRESHOLD:.0%}"
        )
    longest = sorted(item.id for item in items if key_is_longest(item))
    assert share <= THRESHOLD, f"the key is the longest option too often ({share:.0%}): {longest}"


def test_the_key_is_not_wordier_than_the_other_options_on_average() -> None:
    """A second, smoother measure: key length over the mean length of the other options, averaged over questions.

    Before the rewrite it was 1.91 (keys nearly twice as long as the distractors); 1.15 allows ordinary
    variation while still catching a bank whose keys are systematically the detailed ones."""
    items = single_answer_questions()
    ratios = []
    for item in items:
        others = [len(text) for option, text in item.question.options.items() if option != item.key.answer]
        ratios.append(len(item.question.options[item.key.answer]) / (sum(others) / len(others)))
    assert sum(ratios) / len(ratios) <= 1.15, f"keys are {sum(ratios) / len(ratios):.2f} times as long as the rest"


def test_the_measure_catches_a_bank_where_the_key_is_always_longest() -> None:
    """Not vacuous: padding every key past the other options pushes the share to 100 %."""
    from dataclasses import replace

    from workbook.quiz.questions import MultipleChoice

    padded = []
    for item in single_answer_questions():
        options = dict(item.question.options)
        options[item.key.answer] = options[item.key.answer] + " " + "x" * max(map(len, options.values()))
        padded.append(replace(item, question=MultipleChoice(id=item.id, prompt=item.question.prompt, options=options)))
    assert longest_share(padded) == pytest.approx(1.0)


def test_no_notebook_cell_lists_options() -> None:
    """Options live only in the bank; a notebook cell only names the question."""
    for path in SOURCES:
        for cell in nbformat.read(str(path), as_version=4).cells:
            assert "options=" not in cell.source, path.name
