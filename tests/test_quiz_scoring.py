"""Scoring arithmetic and answer-key checks: what a student's stored answer earns."""

from __future__ import annotations

import pytest

from workbook import quiz
from workbook.quiz.scoring import check_key_fits, make_key, score


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("own_hardware", 2.0), ("api", 0.0), (None, 0.0), (["own_hardware"], 0.0), ({"own_hardware": "x"}, 0.0), (7, 0.0)],
)
def test_single_answer_is_all_or_nothing(stored, expected):
    assert score(make_key("q", "own_hardware", points=2), stored) == expected


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (["a", "c"], 3.0),
        (["c", "a"], 3.0),
        (["a"], 0.0),
        (["a", "b", "c"], 0.0),
        ([], 0.0),
        (["a", "a", "c"], 0.0),
        ("a", 0.0),
        (None, 0.0),
        ([1, 2], 0.0),
    ],
)
def test_several_answers_earn_points_only_for_the_exact_set(stored, expected):
    assert score(make_key("q", ["c", "a"], points=3), stored) == expected


@pytest.mark.parametrize(
    ("stored", "points", "expected"),
    [
        ({"t1": "d1", "t2": "d2", "t3": "d3"}, 3, 3.0),
        ({"t1": "d1", "t2": "d3", "t3": "d2"}, 3, 1.0),
        ({"t1": "d1", "t2": "d2"}, 3, 2.0),
        ({"t1": "d1"}, 2, 0.666667),
        ({"t1": "d2", "t2": "d1", "t3": "d4"}, 3, 0.0),
        ({"t1": "d1", "t2": "d2", "t3": "d3", "extra": "d4"}, 3, 3.0),
        ({"t1": ["d1"], "t2": 5}, 3, 0.0),
        ("d1", 3, 0.0),
        (None, 3, 0.0),
    ],
)
def test_matching_gives_partial_credit_per_right_pair(stored, points, expected):
    key = make_key("q", {"t1": "d1", "t2": "d2", "t3": "d3"}, points=points)
    assert score(key, stored) == expected


@pytest.mark.parametrize(
    ("answer", "kwargs", "message"),
    [
        ("a", {"points": 0}, "points must be a positive number"),
        ("a", {"points": True}, "points must be a positive number"),
        ("a", {"points": float("nan")}, "points must be a positive number"),
        ("Not An Id", {}, "not a snake_case id"),
        ([], {}, "needs at least one option id"),
        (["a", "a"], {}, "repeats an option"),
        ({}, {}, "needs at least one pair"),
        ({"t1": "d1", "t2": "d1"}, {}, "share one definition"),
        (3, {}, "the key must be an option id"),
        ("a", {"explanations": {"a": ""}}, "must be a non-empty string"),
        ("a", {"explanations": ["a"]}, "explanations must be a dict"),
    ],
)
def test_malformed_keys_are_clear_errors(answer, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_key("q", answer, **kwargs)


def test_keys_are_checked_against_their_question():
    question = quiz.MultipleChoice(id="q", prompt="P", options={"a": "A", "b": "B"})
    with pytest.raises(ValueError, match="explanations for unknown options"):
        check_key_fits(make_key("q", "a", explanations={"zzz": "?"}), question)
    with pytest.raises(ValueError, match="takes one option id"):
        check_key_fits(make_key("q", {"a": "b"}), question)
    several = quiz.MultipleChoice(id="q", prompt="P", options={"a": "A", "b": "B"}, several=True)
    with pytest.raises(ValueError, match="unknown option ids"):
        check_key_fits(make_key("q", ["a", "c"]), several)
    matching = quiz.Matching(id="m", prompt="P", terms={"t": "T"}, definitions={"d": "D", "e": "E"})
    with pytest.raises(ValueError, match="unknown definition ids"):
        check_key_fits(make_key("m", {"t": "x"}), matching)
    with pytest.raises(ValueError, match="matching explains terms"):
        check_key_fits(make_key("m", {"t": "d"}, explanations={"d": "a definition"}), matching)
    check_key_fits(make_key("m", {"t": "e"}, explanations={"t": "why"}), matching)  # a fitting key passes
