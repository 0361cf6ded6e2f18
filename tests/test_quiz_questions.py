"""Question data: declared plainly, validated with errors that say what to fix."""

from __future__ import annotations

import pytest

from workbook import quiz


def test_options_keep_their_order_and_data_is_plain():
    question = quiz.MultipleChoice(id="q", prompt="Pick", options={"b": "Bee", "a": "Ay"})
    assert list(question.options) == ["b", "a"]
    assert question.kind == "single"
    assert quiz.MultipleChoice(id="q", prompt="Pick", options={"b": "B", "a": "A"}, several=True).kind == "several"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "Bad-Id"}, "question id 'Bad-Id' is not a snake_case id"),
        ({"id": "double__underscore"}, "not a snake_case id"),
        ({"id": ""}, "not a snake_case id"),
        ({"prompt": "   "}, "prompt must be a non-empty string"),
        ({"options": {"only": "One"}}, "option needs at least 2 entries"),
        ({"options": {"a": "Same", "b": " same "}}, "'a' and 'b' have the same text"),
        ({"options": {"a": "A", "B": "B"}}, "option id 'B' is not a snake_case id"),
        ({"options": {"a": "A", "b": ""}}, "text of option 'b' must be a non-empty string"),
        ({"options": ["a", "b"]}, "option must be a dict"),
        ({"several": "yes"}, "several must be True or False"),
    ],
)
def test_invalid_multiple_choice_says_what_is_wrong(kwargs, message):
    fields = {"id": "q", "prompt": "Pick", "options": {"a": "A", "b": "B"}} | kwargs
    with pytest.raises(ValueError, match=message):
        quiz.MultipleChoice(**fields)


def test_matching_needs_a_definition_for_every_term():
    with pytest.raises(ValueError, match="2 terms but only 1 definitions"):
        quiz.Matching(id="m", prompt="Match", terms={"a": "A", "b": "B"}, definitions={"x": "X"})
    extra = quiz.Matching(id="m", prompt="Match", terms={"a": "A"}, definitions={"x": "X", "y": "Y"})
    assert extra.kind == "matching"
