"""The quiz widgets driven from Python, as a learner's clicks would drive them: graded and practice modes,
restoring answers when a cell runs again, and what the learner is told when saving goes wrong."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

from workbook import quiz
from workbook.core.answer_store import AnswerStore
from workbook.quiz import session

SAVED_AT = re.compile(r"Saved at")


@pytest.fixture
def notebook_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    """A fresh kernel session in an empty notebook folder; returns the list of everything displayed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setattr(session, "_session", session._Session())
    shown: list = []
    monkeypatch.setattr("IPython.display.display", lambda *objects, **kwargs: shown.extend(objects))
    quiz.start("lesson")
    return shown


def restart_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget everything in memory, as a kernel restart does; the store file stays."""
    monkeypatch.setattr(session, "_session", session._Session())
    quiz.start("lesson")


def stored(folder: Path = Path(".")) -> dict:
    return json.loads((folder / "lesson.answers.json").read_text())["answers"]


def all_text(widget: widgets.Widget) -> str:
    """Every piece of text a learner (or a screen reader) could get from a widget tree."""
    parts = []
    for name in ("value", "description", "tooltip"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            parts.append(value)
    if isinstance(widget, widgets.RadioButtons):
        parts.extend(label for label, _ in widget.options)
    for child in getattr(widget, "children", ()):
        parts.append(all_text(child))
    return "\n".join(parts)


def licence_question(several: bool = False) -> quiz.MultipleChoice:
    return quiz.MultipleChoice(
        id="licence_check",
        prompt="Which licences allow commercial use?",
        options={
            "permissive": "A permissive licence",
            "research_only": "A research-only licence",
            "custom": "A custom licence with a user cap",
        },
        several=several,
    )


def matching_question() -> quiz.Matching:
    return quiz.Matching(
        id="terms_match",
        prompt="Match each term to its meaning.",
        terms={"weights": "Open weights", "api": "Closed API"},
        definitions={
            "download": "You can download the parameters",
            "call": "You send requests to a vendor",
            "source": "Training code is published",
        },
    )


# -- graded mode -------------------------------------------------------------------------------------------------


def test_graded_choice_saves_and_says_when_without_revealing_correctness(notebook_folder):
    assert licence_question().show() is None  # nothing extra echoed under the cell
    view = session.shown_view("licence_check")
    assert "wb-quiz-graded" in view.widget._dom_classes
    assert "Not answered yet" in view.status.value

    view.radio.value = "research_only"

    assert stored()["licence_check"]["value"] == "research_only"
    assert SAVED_AT.search(view.status.value)
    # the time itself is drawn by the browser, in the learner's time zone, from an aware UTC moment
    assert view.saved_clock.value is not None and view.saved_clock.value.utcoffset().total_seconds() == 0
    assert view.saved_clock.layout.display is None
    text = all_text(view.widget)
    for giveaway in ("Correct", "✓", "✗", "right answer", "Not quite"):
        assert giveaway not in text
    assert view.feedback.value == ""


def test_displayed_widget_has_a_readable_text_fallback(notebook_folder):
    licence_question().show()
    (bundle,) = notebook_folder
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("Quiz question 'licence_check'")


def test_rerunning_the_cell_restores_the_choice_after_a_kernel_restart(notebook_folder, monkeypatch):
    licence_question().show()
    session.shown_view("licence_check").radio.value = "custom"
    matching_question().show()
    session.shown_view("terms_match").match({"weights": "download", "api": "source"})

    restart_kernel(monkeypatch)
    licence_question().show()
    matching_question().show()

    restored = session.shown_view("licence_check")
    assert restored.radio.value == "custom"
    assert SAVED_AT.search(restored.status.value)
    pairs = session.shown_view("terms_match")
    assert pairs.pairs == {"weights": "download", "api": "source"}
    assert "You can download the parameters" in pairs.pair_labels["weights"].value
    assert pairs.undo_buttons["api"].disabled is False


def test_restoring_does_not_rewrite_the_store(notebook_folder, monkeypatch):
    licence_question().show()
    session.shown_view("licence_check").radio.value = "custom"
    before = Path("lesson.answers.json").read_bytes()
    restart_kernel(monkeypatch)
    licence_question().show()
    assert Path("lesson.answers.json").read_bytes() == before


def test_several_answers_are_stored_sorted_and_restored(notebook_folder, monkeypatch):
    licence_question(several=True).show()
    view = session.shown_view("licence_check")
    view.checkboxes["permissive"].value = True
    view.checkboxes["custom"].value = True
    assert stored()["licence_check"]["value"] == ["custom", "permissive"]
    view.checkboxes["custom"].value = False
    assert stored()["licence_check"]["value"] == ["permissive"]

    restart_kernel(monkeypatch)
    licence_question(several=True).show()
    boxes = session.shown_view("licence_check").checkboxes
    assert {option for option, box in boxes.items() if box.value} == {"permissive"}


def test_a_tampered_saved_value_shows_as_unanswered(notebook_folder, monkeypatch):
    AnswerStore("lesson.answers.json").save("licence_check", "no_such_option")
    restart_kernel(monkeypatch)
    licence_question().show()
    view = session.shown_view("licence_check")
    assert view.radio.value is None
    assert "Not answered yet" in view.status.value


# -- matching ----------------------------------------------------------------------------------------------------


def test_matching_by_clicks_with_undo_and_reassignment(notebook_folder):
    matching_question().show()
    view = session.shown_view("terms_match")

    view.term_buttons["weights"].click()
    assert "wb-quiz-selected" in view.term_buttons["weights"]._dom_classes
    assert view.term_buttons["weights"].description.startswith("▶")  # not shown by colour alone
    assert "Now choose its definition" in view.status.value
    view.definition_buttons["download"].click()
    assert stored()["terms_match"]["value"] == {"weights": "download"}
    assert "wb-quiz-selected" not in view.term_buttons["weights"]._dom_classes
    assert "matched" in view.definition_buttons["download"].description

    # giving "download" to the other term takes it away from the first
    view.term_buttons["api"].click()
    view.definition_buttons["download"].click()
    assert stored()["terms_match"]["value"] == {"api": "download"}
    assert "not matched yet" in view.pair_labels["weights"].value

    view.undo_buttons["api"].click()
    assert stored()["terms_match"]["value"] == {}
    assert view.undo_buttons["api"].disabled


def test_definition_first_asks_for_a_term_and_saves_nothing(notebook_folder):
    matching_question().show()
    view = session.shown_view("terms_match")
    view.definition_buttons["call"].click()
    assert "First choose a term" in view.status.value
    assert not Path("lesson.answers.json").exists()


def test_clicking_the_selected_term_again_unselects_it(notebook_folder):
    matching_question().show()
    view = session.shown_view("terms_match")
    view.term_buttons["api"].click()
    view.term_buttons["api"].click()
    assert view.selected is None
    assert view.term_buttons["api"].description == "Closed API"


def test_every_control_has_a_label_for_screen_readers(notebook_folder):
    matching_question().show()
    licence_question(several=True).show()
    pairs = session.shown_view("terms_match")
    for button in [*pairs.term_buttons.values(), *pairs.definition_buttons.values(), *pairs.undo_buttons.values()]:
        assert button.description.strip()
        assert button.tooltip.strip()
    assert "Closed API" in pairs.undo_buttons["api"].tooltip
    boxes = session.shown_view("licence_check").checkboxes
    assert sorted(box.description for box in boxes.values()) == sorted(licence_question().options.values())


def test_prompt_text_is_escaped(notebook_folder):
    quiz.MultipleChoice(
        id="escaped",
        prompt="Is <b>bold</b> & <script>x()</script> shown as text?",
        options={"yes": "Yes <i>really</i>", "no": "No"},
    ).show()
    view = session.shown_view("escaped")
    prompt_html = view.widget.children[1].value
    assert "<script>" not in prompt_html
    assert "&lt;script&gt;" in prompt_html


# -- practice mode -----------------------------------------------------------------------------------------------


def test_practice_mode_gives_feedback_and_every_explanation(notebook_folder):
    licence_question().show()
    explanations = {
        "permissive": "Permissive licences allow it.",
        "research_only": "Research only forbids it.",
        "custom": "Caps can bite later.",
    }
    assert quiz.key("licence_check", "permissive", explanations=explanations) is None
    view = session.shown_view("licence_check")
    assert "wb-quiz-practice" in view.widget._dom_classes
    assert "Choose an answer" in view.status.value

    view.radio.value = "research_only"
    assert "✗ Not quite" in view.status.value
    for explanation in explanations.values():
        assert explanation in view.feedback.value
    assert "(your choice)" in view.feedback.value

    view.radio.value = "permissive"
    assert "✓ Correct" in view.status.value
    assert stored()["licence_check"]["value"] == "permissive"  # practice answers are kept too


def test_practice_restored_answer_gets_feedback_at_once(notebook_folder, monkeypatch):
    licence_question().show()
    session.shown_view("licence_check").radio.value = "permissive"
    restart_kernel(monkeypatch)
    licence_question().show()
    quiz.key("licence_check", "permissive")
    assert "✓ Correct" in session.shown_view("licence_check").status.value


def test_practice_several_answers_counts_right_and_wrong_choices(notebook_folder):
    licence_question(several=True).show()
    quiz.key("licence_check", ["permissive", "custom"])
    view = session.shown_view("licence_check")
    view.choose("permissive", "research_only")
    assert "1 of 2 right options chosen, 1 wrong one(s) chosen" in view.status.value
    assert "✗ should not be chosen" in view.feedback.value
    view.choose("permissive", "custom")
    assert "✓ Correct" in view.status.value


def test_practice_matching_marks_each_pair_in_words(notebook_folder):
    matching_question().show()
    quiz.key(
        "terms_match",
        {"weights": "download", "api": "call"},
        explanations={"weights": "Weights are files you can fetch.", "api": "An API is a service."},
    )
    view = session.shown_view("terms_match")
    view.match({"weights": "download", "api": "source"})
    assert "✓ right" in view.pair_labels["weights"].value
    assert "✗ not this one" in view.pair_labels["api"].value
    assert "Weights are files you can fetch." in view.pair_labels["weights"].value
    assert "1 of 2 pairs right" in view.status.value
    view.match({"api": "call"})
    assert "✓ Correct: all 2 pairs right" in view.status.value


def test_key_for_a_question_not_shown_is_a_clear_error(notebook_folder):
    with pytest.raises(LookupError, match="no question with this id was shown"):
        quiz.key("never_shown", "a")


def test_key_that_does_not_fit_the_question_is_a_clear_error(notebook_folder):
    licence_question().show()
    with pytest.raises(ValueError, match="unknown option ids"):
        quiz.key("licence_check", "gpl")
    with pytest.raises(ValueError, match="takes one option id"):
        quiz.key("licence_check", ["permissive"])
    matching_question().show()
    with pytest.raises(ValueError, match="pair every term"):
        quiz.key("terms_match", {"weights": "download"})


def test_show_before_start_says_to_run_the_setup_cell(monkeypatch):
    monkeypatch.setattr(session, "_session", session._Session())
    with pytest.raises(RuntimeError, match="setup cell"):
        licence_question().show()


# -- when saving goes wrong --------------------------------------------------------------------------------------


def test_corrupt_store_at_start_is_kept_aside_and_reported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setattr(session, "_session", session._Session())
    shown: list = []
    monkeypatch.setattr("IPython.display.display", lambda *objects, **kwargs: shown.extend(objects))
    Path("lesson.answers.json").write_text('{"schema_version": 1, "answers": {"q": ')

    quiz.start("lesson")

    kept = list(tmp_path.glob("lesson.answers.corrupt-*.json"))
    assert len(kept) == 1
    assert kept[0].read_text() == '{"schema_version": 1, "answers": {"q": '
    (message,) = shown
    assert kept[0].name in message["text/plain"]
    assert "could not be read" in message["text/html"]


def test_store_corrupted_while_the_notebook_is_open_is_kept_and_the_widget_says_so(notebook_folder):
    licence_question().show()
    view = session.shown_view("licence_check")
    Path("lesson.answers.json").write_text("garbage that a sync tool wrote")
    view.radio.value = "permissive"
    (kept,) = Path(".").glob("lesson.answers.corrupt-*.json")
    assert kept.read_text() == "garbage that a sync tool wrote"
    assert kept.name in view.status.value
    assert stored()["licence_check"]["value"] == "permissive"


def test_a_failed_save_is_reported_and_the_choice_stays(notebook_folder, monkeypatch):
    licence_question().show()
    view = session.shown_view("licence_check")

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AnswerStore, "save", refuse)
    view.radio.value = "custom"
    assert "⚠ Not saved" in view.status.value
    assert "No space left on device" in view.status.value
    assert view.radio.value == "custom"
    assert "Saved at" not in view.status.value


def test_options_show_in_a_shuffled_order_that_never_changes() -> None:
    """Display order depends only on question and option ids: stable across kernels, not the author's order."""
    from workbook.quiz.bank import display_order

    ids = ["a_first", "b_second", "c_third", "d_fourth"]
    order = display_order("some_question", ids)
    assert sorted(order) == sorted(ids)
    assert display_order("some_question", list(reversed(ids))) == order
    orders = {tuple(display_order(f"question_{n}", ids)) for n in range(20)}
    assert len(orders) > 5, "different questions get different orders"
    firsts = [display_order(f"question_{n}", ids)[0] for n in range(40)]
    assert max(firsts.count(i) for i in ids) < 25, "the author's first option is not usually shown first"
