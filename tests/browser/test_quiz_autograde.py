"""nbgrader end to end without a browser: a release notebook whose store was written as a student's clicks
would write it autogrades to the exact points; the release carries no key."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.quiz_course import ASSIGNMENT, STORE, make_course
from workbook.core.answer_store import AnswerStore

pytestmark = pytest.mark.slow

RIGHT_PAIRS = {"open_weights": "download", "closed_api": "vendor_call", "licence": "terms_of_use"}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("quiz_course"))


def test_release_keeps_the_widgets_and_drops_every_key(course):
    text = (course.release_folder / f"{ASSIGNMENT}.ipynb").read_text()
    assert "quiz.MultipleChoice(" in text and "quiz.Matching(" in text
    for leaked in ("quiz.key", "Right: the weights run", "BEGIN HIDDEN TESTS"):
        assert leaked not in text
    assert sorted(p.name for p in course.release_folder.iterdir()) == [f"{ASSIGNMENT}.ipynb"]


# (student, answers the student's clicks saved, the exact points they must get)
CASES = [
    (
        "full_marks",
        {"hosting_choice": "open_weights", "terms_match": RIGHT_PAIRS},
        {"hosting_choice": 1.0, "terms_match": 3.0, "total": 4.0},
    ),
    # one pair right out of three: 3 points * 1/3
    (
        "partial",
        {
            "hosting_choice": "open_weights",
            "terms_match": {"open_weights": "download", "closed_api": "terms_of_use", "licence": "vendor_call"},
        },
        {"hosting_choice": 1.0, "terms_match": 1.0, "total": 2.0},
    ),
    (
        "wrong_and_tampered",
        {"hosting_choice": "closed_api", "terms_match": {"open_weights": "training_data"}},
        {"hosting_choice": 0.0, "terms_match": 0.0, "total": 0.0},
    ),
    ("nothing_answered", {}, {"hosting_choice": 0.0, "terms_match": 0.0, "total": 0.0}),
]


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """Every case's submission, graded in one `nbgrader autograde` run."""
    for student, answers, _ in CASES:
        folder = tmp_path_factory.mktemp(student) / ASSIGNMENT
        shutil.copytree(course.release_folder, folder)
        store = AnswerStore(folder / STORE)
        for question_id, value in answers.items():
            store.save(question_id, value)
        course.submit(folder, student)
    course.autograde_everyone()
    return course


@pytest.mark.parametrize(("student", "expected"), [(student, expected) for student, _, expected in CASES])
def test_autograde_gives_the_exact_points(graded, student, expected):
    assert graded.scores(student) == pytest.approx(expected)
