"""Self-learner edition of the written exercise: the model answer stays hidden until a real attempt is saved and
rated against the rubric; ratings survive a restart; the edition runs headless without errors or leaks."""

from __future__ import annotations

import ast
import html
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO
from tests.kernels import execute
from workbook.core.answer_store import store_name
from workbook.editions.selflearner import self_learner_notebook

STEM = "07_decision_framework"
SOURCE = REPO / "source" / "open_vs_closed" / f"{STEM}.ipynb"
GOOD = (Path(__file__).parent / "fixtures" / "writing" / "samples" / "a_good_closed.md").read_text().split("\n\n")[0]


@pytest.fixture
def learner(tmp_path: Path, monkeypatch) -> Path:
    """The self-learner edition of notebook 7, built from source into a temporary folder used as the cwd."""
    nb = self_learner_notebook(nbformat.read(str(SOURCE), as_version=4), store_name(STEM))
    path = tmp_path / f"{STEM}.ipynb"
    nbformat.write(nb, str(path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return path


def self_assess_call(path: Path, grade_id: str) -> dict:
    """The arguments of the generated self_assess call below ``grade_id``'s answer cell."""
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if f"'{grade_id}'" in c.source and "self_assess" in c.source)
    call = next(
        n
        for n in ast.walk(ast.parse(cell.source))
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "self_assess"
    )
    return {"grade_id": ast.literal_eval(call.args[0]), **{k.arg: ast.literal_eval(k.value) for k in call.keywords}}


def save_answer(path: Path, grade_id: str, text: str) -> None:
    nb = nbformat.read(str(path), as_version=4)
    next(c for c in nb.cells if c.get("id") == grade_id.replace("_", "-")).source = text
    nbformat.write(nb, str(path))


def visible_text(view) -> str:
    """Everything the learner could see in the widget tree, visible or hidden by layout."""
    parts = []

    def walk(widget):
        parts.append(str(getattr(widget, "value", "") or ""))
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(view.widget)
    return "\n".join(parts)


def make_view(path: Path, grade_id: str):
    from workbook.writing.selfassess import SelfAssessment

    args = self_assess_call(path, grade_id)
    return SelfAssessment(args.pop("grade_id"), **args), args


def test_model_answer_is_revealed_only_after_attempt_and_ratings(learner: Path) -> None:
    view, args = make_view(learner, "project_a_recommendation")
    model = args["model_answer"]
    marker = model[:50]
    assert "still the placeholder" in view.status.value
    assert view.ratings.layout.display == "none" and view.reveal_button.layout.display == "none"
    view.reveal()  # refused
    assert marker not in visible_text(view)

    save_answer(learner, "project_a_recommendation", "I would use an API because it is good.")
    view.check_button.click()
    assert "is 9 words" in view.status.value and marker not in visible_text(view)

    save_answer(learner, "project_a_recommendation", GOOD)
    view.check_button.click()
    assert "Checked your answer as saved at" in view.status.value
    assert view.ratings.layout.display is None and "Structure check" in view.report.value
    assert len(view.choices) == 6 and view.reveal_button.disabled
    for choice in list(view.choices.values())[:-1]:
        choice.value = "full"
    assert view.reveal_button.disabled, "one criterion is not rated yet"
    assert marker not in visible_text(view)

    view.choices["structure"].value = "partial"
    assert not view.reveal_button.disabled
    view.reveal_button.click()
    shown = view.model.value
    assert "Model answer" in shown and "What makes it strong" in shown
    assert "I recommend a closed model through its API" in shown
    assert "USD 180 a month" in shown and "\\$" not in shown, "prices are written as USD, no escapes left"
    assert "about <b>3</b> of 3 points" in shown


def test_ratings_are_saved_and_restored_after_a_restart(learner: Path) -> None:
    save_answer(learner, "project_b_risk", GOOD)
    view, _ = make_view(learner, "project_b_risk")
    assert list(view.choices) == ["structure"], "the risk answer is rated on structure and honesty"
    view.choices["structure"].value = "none"
    store = json.loads((learner.parent / f"{STEM}.answers.json").read_text())
    assert store["self_assessments"]["project_b_risk"]["ratings"] == {"structure": "none"}
    assert store["answers"] == {}, "ratings are their own record, not a quiz answer"

    again, _ = make_view(learner, "project_b_risk")  # a new kernel
    assert again.choices["structure"].value == "none" and not again.reveal_button.disabled
    again.reveal()
    assert "about <b>0</b> of 2 points" in again.model.value


def test_ratings_saved_by_older_workbooks_as_an_answer_are_still_read(learner: Path) -> None:
    save_answer(learner, "project_b_risk", GOOD)
    old = {
        "schema_version": 1,
        "notebook": STEM,
        "answers": {
            "project_b_risk_self_assessment": {
                "value": {"structure": "partial"},
                "saved_at": "2026-11-30T10:00:00+00:00",
            }
        },
    }
    (learner.parent / f"{STEM}.answers.json").write_text(json.dumps(old))
    view, _ = make_view(learner, "project_b_risk")
    assert view.choices["structure"].value == "partial"
    view.choices["structure"].value = "full"  # saving again moves them to their own record
    store = json.loads((learner.parent / f"{STEM}.answers.json").read_text())
    assert store["self_assessments"]["project_b_risk"]["ratings"] == {"structure": "full"}
    assert "project_b_risk_self_assessment" not in store["answers"]


def test_going_back_to_the_placeholder_hides_the_model_answer_again(learner: Path) -> None:
    save_answer(learner, "project_c_risk", GOOD)
    view, args = make_view(learner, "project_c_risk")
    view.choices["structure"].value = "full"
    view.reveal()
    assert args["model_answer"][:50] in view.model.value
    save_answer(learner, "project_c_risk", "YOUR ANSWER HERE")
    view.check_button.click()
    assert args["model_answer"][:50] not in visible_text(view)


def test_a_missing_notebook_or_cell_is_explained(learner: Path) -> None:
    view, _ = make_view(learner, "project_a_risk")
    nb = nbformat.read(str(learner), as_version=4)
    nb.cells = [c for c in nb.cells if c.get("id") != "project-a-risk"]
    nbformat.write(nb, str(learner))
    view.check_button.click()
    assert "has no answer cell 'project_a_risk'" in html.unescape(view.status.value)
    learner.rename(learner.with_name("renamed.ipynb"))
    view.check_button.click()
    assert "Could not find 07_decision_framework.ipynb" in view.status.value


@pytest.mark.kernel
def test_self_learner_notebook_runs_headless_and_leaks_no_model_answer(learner: Path, tmp_path: Path) -> None:
    """Run all, untouched, as a learner would: no errors, and the model answers are in no output or widget state."""
    copy = tmp_path / "run" / learner.name
    copy.parent.mkdir()
    shutil.copy2(learner, copy)
    nb = nbformat.read(str(copy), as_version=4)
    execute(nb, copy.parent, allow_errors=True, store_widget_state=True)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells]) + json.dumps(nb.metadata.get("widgets", {}))
    assert "still the placeholder" in outputs
    for grade_id in ("project_a_recommendation", "project_b_risk", "project_c_recommendation"):
        model = self_assess_call(learner, grade_id)["model_answer"]
        assert model[:50] not in outputs
