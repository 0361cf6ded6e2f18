"""ipywidgets views of quiz questions (imported only when a person is looking, never under nbgrader).

Each view saves every change of the learner's answer to the store. Without a key it is in graded mode: it says
"Saved at HH:MM:SS" and nothing about correctness. ``attach_key`` switches it to practice mode: a verdict in
words and symbols and the explanation of every option.

Options (and matching definitions) appear in a fixed shuffled order (``bank.display_order``): the same on every
machine and restart, independent of the order the author wrote them in.

Stable CSS classes (browser tests and other tools rely on them; keep them when restyling):
``wb-quiz`` plus ``wb-quiz-mc`` or ``wb-quiz-matching``, ``wb-quiz-graded`` or ``wb-quiz-practice``,
``wb-quiz-id-<question id>`` on the outer box; ``wb-quiz-prompt``, ``wb-quiz-options`` (radio group or checkbox box),
``wb-quiz-option`` and ``wb-quiz-option-<option id>`` (each checkbox), ``wb-quiz-status``, ``wb-quiz-saved``,
``wb-quiz-feedback``, ``wb-quiz-verdict``, ``wb-quiz-correct`` / ``wb-quiz-incorrect``,
``wb-quiz-explained-<option id>``; matching: ``wb-quiz-terms``, ``wb-quiz-definitions``, ``wb-quiz-term`` and
``wb-quiz-term-<term id>``, ``wb-quiz-undo`` and ``wb-quiz-undo-<term id>``, ``wb-quiz-pair-<term id>``,
``wb-quiz-definition`` and ``wb-quiz-definition-<definition id>``, ``wb-quiz-selected``, ``wb-quiz-used``.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from functools import cache
from importlib import resources

import ipywidgets as widgets

from workbook.core.answer_store import AnswerStore, AnswerValue
from workbook.core.widgets import html_widget as _html
from workbook.quiz.bank import display_order
from workbook.quiz.messages import moved_store_text
from workbook.quiz.questions import Matching, MultipleChoice, Question
from workbook.quiz.scoring import AnswerKey, correct_pairs, score

CORRECT = "✓ Correct"
INCORRECT = "✗ Not quite"


@cache
def _css() -> str:
    return resources.files("workbook.quiz").joinpath("quiz.css").read_text(encoding="utf-8")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _clock(moment: datetime) -> str:
    """Local wall-clock time of a save, as the learner's computer shows it."""
    return moment.astimezone().strftime("%H:%M:%S")


def _button(description: str, tooltip: str, *classes: str) -> widgets.Button:
    button = widgets.Button(description=description, tooltip=tooltip, layout=widgets.Layout(width="auto"))
    for css_class in classes:
        button.add_class(css_class)
    return button


class QuestionView:
    """Shared by every view: outer box, status line, feedback area, saving, the mode switch."""

    kind_class = "wb-quiz-question"

    def __init__(self, question: Question, store: AnswerStore, saved_at: datetime | None) -> None:
        self.question = question
        self.store = store
        self.key: AnswerKey | None = None
        self.saved_at = saved_at
        self.save_error: str | None = None
        self.store_notice: str | None = None
        self.hint: str | None = None
        self.status = _html("wb-quiz-status")
        # The time of the last save, shown by the browser in the learner's own time zone (the kernel only knows
        # the server's clock, which on a course hub is often UTC).
        self.saved_clock = widgets.DatetimePicker(disabled=True, layout=widgets.Layout(width="auto"))
        self.saved_clock.add_class("wb-quiz-saved-time")
        self.status.layout = widgets.Layout(width="auto", flex="0 1 auto")  # the time sits right after "Saved at"
        self.status_row = widgets.HBox([self.status, self.saved_clock])
        self.status_row.add_class("wb-quiz-status-row")
        self.feedback = _html("wb-quiz-feedback")
        self.widget = widgets.VBox(layout=widgets.Layout(width="auto"))
        for css_class in ("wb-quiz", self.kind_class, "wb-quiz-graded", f"wb-quiz-id-{question.id}"):
            self.widget.add_class(css_class)

    def _assemble(self, body: list[widgets.Widget]) -> None:
        style = _html("wb-quiz-style", f"<style>{_css()}</style>")
        prompt = _html("wb-quiz-prompt", f'<p class="wb-quiz-prompt-text">{_esc(self.question.prompt)}</p>')
        self.widget.children = [style, prompt, *body, self.status_row, self.feedback]
        self.refresh()

    @property
    def value(self) -> AnswerValue | None:
        """The learner's current answer in stored form (None when nothing is chosen yet)."""
        raise NotImplementedError

    @property
    def mode(self) -> str:
        """``"graded"`` (no key: only "saved") or ``"practice"`` (key attached: feedback)."""
        return "graded" if self.key is None else "practice"

    def attach_key(self, key: AnswerKey) -> None:
        """Switch to practice mode: show the verdict and every explanation from now on."""
        self.key = key
        self.widget.remove_class("wb-quiz-graded")
        self.widget.add_class("wb-quiz-practice")
        self.refresh()

    def _save(self) -> None:
        value = self.value
        if value is None:
            return
        try:
            result = self.store.save(self.question.id, value)
        except (OSError, ValueError) as error:
            # the choice stays on screen; the learner is told plainly that it is not on disk
            self.save_error = f"{type(error).__name__}: {error}"
        else:
            self.save_error = None
            self.saved_at = result.saved_at
            if result.moved_aside is not None:
                self.store_notice = moved_store_text(self.store.path.name, result.moved_aside.name)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the status line and (in practice mode) the feedback."""
        lines = []
        if self.hint:
            lines.append(f'<div class="wb-quiz-hint">{_esc(self.hint)}</div>')
        if self.save_error:
            lines.append(
                '<div class="wb-quiz-save-error">⚠ Not saved: '
                f"{_esc(self.save_error)}. Your choice is still shown; "
                "try again or tell your instructor.</div>"
            )
        elif self.saved_at is not None and self.value is not None:
            lines.append(
                f'<div class="wb-quiz-saved" title="{_clock(self.saved_at)} on the server\'s clock">Saved at</div>'
            )
        else:
            lines.append(
                '<div class="wb-quiz-saved">Not answered yet: your choice is saved as soon as you make it.</div>'
            )
        if self.store_notice:
            lines.append(f'<div class="wb-quiz-store-notice">⚠ {_esc(self.store_notice)}</div>')
        if self.key is not None:
            lines.insert(0, self._verdict_html())
        self.status.value = f'<div role="status">{"".join(lines)}</div>'
        shows_time = self.saved_at is not None and self.value is not None and not self.save_error
        self.saved_clock.value = self.saved_at.astimezone(UTC) if shows_time else None
        self.saved_clock.layout.display = None if shows_time else "none"
        self.feedback.value = self._feedback_html() if self.key is not None and self.value else ""

    def _verdict_html(self) -> str:
        raise NotImplementedError

    def _feedback_html(self) -> str:
        raise NotImplementedError


def _verdict(right: bool, text: str) -> str:
    css_class = "wb-quiz-correct" if right else "wb-quiz-incorrect"
    return f'<div class="wb-quiz-verdict {css_class}"><strong>{_esc(text)}</strong></div>'


class MultipleChoiceView(QuestionView):
    """Radio buttons (one answer) or a checkbox per option (several answers)."""

    kind_class = "wb-quiz-mc"

    def __init__(
        self,
        question: MultipleChoice,
        store: AnswerStore,
        saved: AnswerValue | None,
        saved_at: datetime | None,
    ) -> None:
        super().__init__(question, store, saved_at)
        self.question: MultipleChoice = question
        self.radio: widgets.RadioButtons | None = None
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        self.order = display_order(question.id, list(question.options))
        if question.several:
            chosen = set(saved) if isinstance(saved, list) else set()
            for option_id in display_order(question.id, list(question.options)):
                text = question.options[option_id]
                box = widgets.Checkbox(
                    value=option_id in chosen,
                    description=text,
                    indent=False,
                    layout=widgets.Layout(width="auto"),
                )
                box.add_class("wb-quiz-option")
                box.add_class(f"wb-quiz-option-{option_id}")
                box.observe(self._changed, names="value")
                self.checkboxes[option_id] = box
            options_box = widgets.VBox(list(self.checkboxes.values()))
            options_box.add_class("wb-quiz-options")
            body: list[widgets.Widget] = [options_box]
        else:
            initial = saved if isinstance(saved, str) and saved in question.options else None
            self.radio = widgets.RadioButtons(
                options=[(question.options[option_id], option_id) for option_id in self.order],
                value=initial,
                layout=widgets.Layout(width="auto"),
            )
            self.radio.add_class("wb-quiz-options")
            self.radio.observe(self._changed, names="value")
            body = [self.radio]
        if self.value is None:
            self.saved_at = None  # a saved value we could not show is not "saved" as far as the learner sees
        self._assemble(body)

    @property
    def value(self) -> AnswerValue | None:
        if self.radio is not None:
            return self.radio.value
        return sorted(option_id for option_id, box in self.checkboxes.items() if box.value)

    def choose(self, *option_ids: str) -> None:
        """Select options as a learner would (for tests and the benchmark)."""
        if self.radio is not None:
            (self.radio.value,) = option_ids
        else:
            for option_id, box in self.checkboxes.items():
                box.value = option_id in option_ids

    def _changed(self, change: dict) -> None:
        self._save()

    def _verdict_html(self) -> str:
        assert self.key is not None
        value = self.value
        if value is None or value == []:
            return '<div class="wb-quiz-verdict">Choose an answer to get feedback.</div>'
        if score(self.key, value) == self.key.points:
            return _verdict(True, CORRECT)
        if isinstance(self.key.answer, list) and isinstance(value, list):
            right = len(set(value) & set(self.key.answer))
            wrong = len(set(value) - set(self.key.answer))
            return _verdict(
                False,
                f"{INCORRECT}: {right} of {len(self.key.answer)} right options chosen, {wrong} wrong one(s) chosen",
            )
        return _verdict(False, INCORRECT)

    def _feedback_html(self) -> str:
        assert self.key is not None
        right_ids = {self.key.answer} if isinstance(self.key.answer, str) else set(self.key.answer)
        chosen = {self.value} if isinstance(self.value, str) else set(self.value or [])
        several = self.question.several
        items = []
        for option_id in self.order:
            text = self.question.options[option_id]
            is_right = option_id in right_ids
            if several:
                mark = "✓ should be chosen" if is_right else "✗ should not be chosen"
            else:
                mark = "✓ right answer" if is_right else "✗ not the answer"
            yours = ' <span class="wb-quiz-yours">(your choice)</span>' if option_id in chosen else ""
            explanation = self.key.explanations.get(option_id)
            explained = f'<div class="wb-quiz-explanation">{_esc(explanation)}</div>' if explanation else ""
            css = "wb-quiz-right" if is_right else "wb-quiz-wrong"
            items.append(
                f'<li class="{css} wb-quiz-explained-{option_id}">'
                f'<span class="wb-quiz-mark">{mark}</span>{yours}'
                f'<div class="wb-quiz-option-text">{_esc(text)}</div>{explained}</li>'
            )
        return f'<ul class="wb-quiz-explanations">{"".join(items)}</ul>'


class MatchingView(QuestionView):
    """Terms on the left, definitions on the right: click (or Enter/Space) a term, then its definition."""

    kind_class = "wb-quiz-matching"

    def __init__(
        self, question: Matching, store: AnswerStore, saved: AnswerValue | None, saved_at: datetime | None
    ) -> None:
        super().__init__(question, store, saved_at)
        self.question: Matching = question
        self.pairs: dict[str, str] = {}
        self.selected: str | None = None
        if isinstance(saved, dict):
            for term_id, definition_id in saved.items():
                if (
                    term_id in question.terms
                    and definition_id in question.definitions
                    and definition_id not in self.pairs.values()
                ):
                    self.pairs[term_id] = definition_id
        if not self.pairs:
            self.saved_at = None
        self.term_buttons: dict[str, widgets.Button] = {}
        self.undo_buttons: dict[str, widgets.Button] = {}
        self.pair_labels: dict[str, widgets.HTML] = {}
        self.definition_buttons: dict[str, widgets.Button] = {}
        rows = []
        for term_id, text in question.terms.items():
            term = _button(text, "", "wb-quiz-term", f"wb-quiz-term-{term_id}")
            term.on_click(lambda _button, term_id=term_id: self.click_term(term_id))
            undo = _button("Undo", f"Undo the match of “{text}”", "wb-quiz-undo", f"wb-quiz-undo-{term_id}")
            undo.on_click(lambda _button, term_id=term_id: self.undo(term_id))
            label = _html("wb-quiz-pair")
            label.add_class(f"wb-quiz-pair-{term_id}")
            self.term_buttons[term_id], self.undo_buttons[term_id], self.pair_labels[term_id] = (
                term,
                undo,
                label,
            )
            pair_row = widgets.HBox([label, undo])
            pair_row.add_class("wb-quiz-pair-row")
            row = widgets.VBox([term, pair_row])
            row.add_class("wb-quiz-term-row")
            rows.append(row)
        for definition_id in display_order(question.id, list(question.definitions)):
            text = question.definitions[definition_id]
            definition = _button(text, "", "wb-quiz-definition", f"wb-quiz-definition-{definition_id}")
            definition.on_click(lambda _button, definition_id=definition_id: self.click_definition(definition_id))
            self.definition_buttons[definition_id] = definition
        instructions = _html(
            "wb-quiz-instructions",
            "<p>Choose a term, then the definition that matches it. Use <em>Undo</em> to take a match back. "
            "Keyboard: <kbd>Tab</kbd> to a button, then <kbd>Enter</kbd> or <kbd>Space</kbd>.</p>",
        )
        terms_box = widgets.VBox([_html("wb-quiz-column-title", "<strong>Terms</strong>"), *rows])
        terms_box.add_class("wb-quiz-terms")
        definitions_box = widgets.VBox(
            [_html("wb-quiz-column-title", "<strong>Definitions</strong>"), *self.definition_buttons.values()]
        )
        definitions_box.add_class("wb-quiz-definitions")
        columns = widgets.HBox([terms_box, definitions_box])
        columns.add_class("wb-quiz-columns")
        self._assemble([instructions, columns])

    @property
    def value(self) -> AnswerValue | None:
        return dict(self.pairs) if self.pairs else None

    # -- interaction -----------------------------------------------------------------------------------------

    def click_term(self, term_id: str) -> None:
        """Select a term (clicking the selected term again unselects it)."""
        self.selected = None if self.selected == term_id else term_id
        if self.selected is None:
            self.hint = None
        else:
            self.hint = f"Selected “{self.question.terms[term_id]}”. Now choose its definition."
        self.refresh()

    def click_definition(self, definition_id: str) -> None:
        """Pair the selected term with this definition (taking it from another term if needed) and save."""
        if self.selected is None:
            self.hint = "First choose a term, then the definition that matches it."
            self.refresh()
            return
        for term_id, chosen in list(self.pairs.items()):
            if chosen == definition_id:
                del self.pairs[term_id]
        self.pairs[self.selected] = definition_id
        self.selected, self.hint = None, None
        self._save_pairs()

    def undo(self, term_id: str) -> None:
        """Take back the match of one term and save."""
        if self.pairs.pop(term_id, None) is not None:
            self.selected, self.hint = None, None
            self._save_pairs()

    def match(self, pairs: dict[str, str]) -> None:
        """Make matches as a learner would, by clicks (for tests and the benchmark)."""
        for term_id, definition_id in pairs.items():
            self.term_buttons[term_id].click()
            self.definition_buttons[definition_id].click()

    def _save_pairs(self) -> None:
        if self.pairs:
            self._save()
        else:
            # every match undone: store the empty answer so a restart does not bring old pairs back
            try:
                result = self.store.save(self.question.id, {})
                self.saved_at, self.save_error = result.saved_at, None
            except (OSError, ValueError) as error:
                self.save_error = f"{type(error).__name__}: {error}"
            self.refresh()

    # -- drawing ---------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        owner = {definition_id: term_id for term_id, definition_id in self.pairs.items()}
        for term_id, text in self.question.terms.items():
            button = self.term_buttons[term_id]
            selected = term_id == self.selected
            button.description = f"▶ {text}" if selected else text
            button.tooltip = (
                f"Selected: now choose the definition of “{text}”"
                if selected
                else f"Choose “{text}”, then its definition"
            )
            (button.add_class if selected else button.remove_class)("wb-quiz-selected")
            self.undo_buttons[term_id].disabled = term_id not in self.pairs
            self.pair_labels[term_id].value = self._pair_html(term_id)
        for definition_id, text in self.question.definitions.items():
            button = self.definition_buttons[definition_id]
            used_by = owner.get(definition_id)
            button.description = f"{text} · matched" if used_by else text
            button.tooltip = (
                f"Matched with “{self.question.terms[used_by]}”"
                if used_by
                else "Match this definition to the chosen term"
            )
            (button.add_class if used_by else button.remove_class)("wb-quiz-used")
        super().refresh()

    def _pair_html(self, term_id: str) -> str:
        definition_id = self.pairs.get(term_id)
        if definition_id is None:
            return '<span class="wb-quiz-unmatched">→ not matched yet</span>'
        text = f"→ {_esc(self.question.definitions[definition_id])}"
        if self.key is None:
            return f'<span class="wb-quiz-matched">{text}</span>'
        assert isinstance(self.key.answer, dict)
        right = self.key.answer.get(term_id) == definition_id
        mark = (
            '<strong class="wb-quiz-correct">✓ right</strong>'
            if right
            else ('<strong class="wb-quiz-incorrect">✗ not this one</strong>')
        )
        explanation = self.key.explanations.get(term_id)
        explained = f'<div class="wb-quiz-explanation">{_esc(explanation)}</div>' if explanation else ""
        return f'<span class="wb-quiz-matched">{text}</span> {mark}{explained}'

    def _verdict_html(self) -> str:
        assert self.key is not None and isinstance(self.key.answer, dict)
        if not self.pairs:
            return '<div class="wb-quiz-verdict">Match a term to get feedback.</div>'
        right = correct_pairs(self.key.answer, self.pairs)
        total = len(self.key.answer)
        if right == total:
            return _verdict(True, f"{CORRECT}: all {total} pairs right")
        return _verdict(False, f"{INCORRECT}: {right} of {total} pairs right")

    def _feedback_html(self) -> str:
        return ""  # feedback sits beside each pair, where the learner is looking


def build_view(
    question: Question, store: AnswerStore, saved: AnswerValue | None, saved_at: datetime | None
) -> QuestionView:
    """The view for a question, showing ``saved`` (ignored if it does not fit the question)."""
    if isinstance(question, MultipleChoice):
        return MultipleChoiceView(question, store, saved, saved_at)
    return MatchingView(question, store, saved, saved_at)


def display_view(view: QuestionView) -> None:
    """Display the view's widget in the current cell's output.

    The plain-text fallback (what a frontend without widgets shows) is one readable sentence instead of the
    widget's long repr.
    """
    from IPython.display import display

    bundle = view.widget._repr_mimebundle_() or {}
    bundle["text/plain"] = f"Quiz question {view.question.id!r}: open this notebook in JupyterLab to answer it."
    display(bundle, raw=True)
