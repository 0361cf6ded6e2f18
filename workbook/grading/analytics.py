"""Tables and plots for the instructor's analytics notebook (``instructor/analytics.ipynb``).

Scores come from the gradebook; wrong options come from the answer stores in ``autograded/`` compared with the
graded keys in ``source/`` (the gradebook only knows points, not which option a student chose).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _open_gradebook(course_root: Path):
    from nbgrader.api import Gradebook

    from workbook.core.layout import Course

    config = Course(course_root).nbgrader_config()
    return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.get("course_id", "default_course"))


def question_scores(course_root: Path, assignment: str) -> pd.DataFrame:
    """One row per student and autograded or manually graded cell: student, notebook, question, score, max_score."""
    rows = []
    with _open_gradebook(course_root) as gradebook:
        for submission in gradebook.find_assignment(assignment).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    rows.append(
                        {
                            "student": submission.student.id,
                            "notebook": notebook.name,
                            "question": grade.name,
                            "score": float(grade.score or 0.0),
                            "max_score": float(grade.max_score),
                            "auto": grade.auto_score is not None,
                        }
                    )
    return pd.DataFrame(rows, columns=["student", "notebook", "question", "score", "max_score", "auto"])


def notebook_scores(questions: pd.DataFrame) -> pd.DataFrame:
    """Score per student and notebook (sums of :func:`question_scores`)."""
    return questions.groupby(["student", "notebook"], as_index=False)[["score", "max_score"]].sum()


def most_missed(questions: pd.DataFrame, count: int = 10) -> pd.DataFrame:
    """The questions with the lowest mean share of points, worst first."""
    table = questions.assign(share=questions["score"] / questions["max_score"])
    summary = table.groupby(["notebook", "question"], as_index=False).agg(
        mean_share=("share", "mean"), students=("student", "nunique"), max_score=("max_score", "first")
    )
    return summary.sort_values(["mean_share", "notebook", "question"]).head(count).reset_index(drop=True)


def _wrong_choices(key, value) -> list[str]:
    if value is None:
        return []
    if isinstance(key.answer, str):
        return [] if value == key.answer else [str(value)]
    if isinstance(key.answer, list):
        return sorted(set(value) - set(key.answer)) if isinstance(value, list) else [str(value)]
    if isinstance(value, dict):
        return [f"{term} -> {chosen}" for term, chosen in sorted(value.items()) if key.answer.get(term) != chosen]
    return [str(value)]


def wrong_options(course_root: Path, assignment: str) -> pd.DataFrame:
    """How often each wrong option (or wrong matching pair) was chosen in graded questions, most common first."""
    import nbformat

    from workbook.answer_keys import notebook_keys
    from workbook.core.answer_store import AnswerStore, CorruptStoreError, store_name, stored_value

    rows = []
    for source in sorted((course_root / "source" / assignment).glob("*.ipynb")):
        keys = [key for key in notebook_keys(nbformat.read(str(source), as_version=4), source) if key.hidden]
        for store_path in sorted((course_root / "autograded").glob(f"*/{assignment}/{store_name(source.stem)}")):
            student = store_path.parent.parent.name
            try:
                records = AnswerStore(store_path).records()
            except CorruptStoreError:
                continue
            for key in keys:
                for choice in _wrong_choices(key, stored_value(records.get(key.question_id))):
                    rows.append(
                        {
                            "notebook": source.stem,
                            "question": key.question_id,
                            "wrong_option": choice,
                            "student": student,
                        }
                    )
    table = pd.DataFrame(rows, columns=["notebook", "question", "wrong_option", "student"])
    counts = table.groupby(["notebook", "question", "wrong_option"], as_index=False).agg(
        students=("student", "nunique")
    )
    return counts.sort_values(["students", "notebook", "question"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def missed_order(table: pd.DataFrame, by: str = "question") -> list[str]:
    """Values of ``by``, most often missed first: by how many rows lost points, then by the lower mean share."""
    share = table["score"] / table["max_score"].where(table["max_score"] > 0)
    summary = (
        table.assign(missed=share < 1 - 1e-9, share=share)
        .groupby(by)
        .agg(missed=("missed", "sum"), mean_share=("share", "mean"))
        .reset_index()
        .sort_values(["missed", "mean_share", by], ascending=[False, True, True])
    )
    return list(summary[by])


def plot_distribution(table: pd.DataFrame, by: str, title: str, order: str = "name"):
    """Box plot of the share of points per ``by`` (``notebook`` or ``question``); returns a matplotlib Figure.

    ``order="name"`` lists groups by name (lesson order for notebooks); ``order="missed"`` puts the most often
    missed at the top.
    """
    from matplotlib.figure import Figure

    shares = table.assign(share=100 * table["score"] / table["max_score"].where(table["max_score"] > 0))
    # Box plots draw the first group at the bottom: reverse, so the list reads from the top.
    groups = list(reversed(missed_order(table, by))) if order == "missed" else sorted(shares[by].unique())
    figure = Figure(figsize=(10, max(3, 0.3 * len(groups) + 1)))
    axes = figure.subplots()
    axes.boxplot([shares.loc[shares[by] == group, "share"].dropna() for group in groups], orientation="horizontal")
    axes.set_yticks(range(1, len(groups) + 1), groups)
    axes.set_xlabel("share of points (%)")
    axes.set_xlim(-5, 105)
    axes.set_title(title)
    figure.tight_layout()
    return figure
