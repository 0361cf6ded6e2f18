"""Question data: declared plainly, validated with errors that say what to fix."""

from __future__ import annotations

import json

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


def test_questions_load_from_a_checked_data_file(tmp_path):
    path = tmp_path / "questions.json"
    path.write_text(
        json.dumps(
            [
                {
                    "type": "multiple_choice",
                    "id": "q1",
                    "prompt": "P",
                    "options": {"a": "A", "b": "B"},
                    "several": True,
                },
                {"type": "matching", "id": "m1", "prompt": "M", "terms": {"t": "T"}, "definitions": {"d": "D"}},
            ]
        )
    )
    questions = quiz.load_questions(path)
    assert questions["q1"].several is True
    assert questions["m1"].definitions == {"d": "D"}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"type": "essay", "id": "q"}], "type must be one of"),
        (
            [{"type": "multiple_choice", "id": "q", "prompt": "P", "options": {"a": "A", "b": "B"}, "key": "a"}],
            r"unknown fields \['key'\]",
        ),
        ([{"type": "matching", "id": "m", "prompt": "P", "terms": {"t": "T"}}], r"missing fields \['definitions'\]"),
        (
            [{"type": "matching", "id": "m", "prompt": "P", "terms": {"t": "T"}, "definitions": {"d": "D"}}] * 2,
            "appears twice",
        ),
        ({"not": "a list"}, "expected a JSON list"),
    ],
)
def test_bad_data_files_are_refused(tmp_path, entries, message):
    path = tmp_path / "questions.json"
    path.write_text(json.dumps(entries))
    with pytest.raises(ValueError, match=message):
        quiz.load_questions(path)
