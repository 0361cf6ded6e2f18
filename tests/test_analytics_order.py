"""The analytics notebook's per-question plot lists the most often missed question at the top."""

from __future__ import annotations

import pandas as pd

from workbook.grading.analytics import missed_order, plot_distribution


def scores() -> pd.DataFrame:
    rows = []
    # alpha: missed by nobody; beta: missed by all three; gamma: missed by one (half marks)
    for student in ("s1", "s2", "s3"):
        rows.append({"student": student, "notebook": "n", "question": "alpha", "score": 1.0, "max_score": 1.0})
        rows.append({"student": student, "notebook": "n", "question": "beta", "score": 0.0, "max_score": 2.0})
        half = 0.5 if student == "s1" else 1.0
        rows.append({"student": student, "notebook": "n", "question": "gamma", "score": half, "max_score": 1.0})
    return pd.DataFrame(rows)


def test_questions_are_ordered_by_how_often_they_were_missed() -> None:
    assert missed_order(scores()) == ["beta", "gamma", "alpha"]


def test_the_plot_reads_from_the_most_missed_down() -> None:
    figure = plot_distribution(scores(), "question", "t", order="missed")
    bottom_to_top = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert list(reversed(bottom_to_top)) == ["beta", "gamma", "alpha"]
    by_name = plot_distribution(scores(), "question", "t")
    assert [label.get_text() for label in by_name.axes[0].get_yticklabels()] == ["alpha", "beta", "gamma"]
