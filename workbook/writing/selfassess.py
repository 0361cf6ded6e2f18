"""The self-learner's self-assessment of a written answer, and the model answer revealed after it.

The order is fixed: (1) the learner writes a real attempt in the answer cell and saves the notebook; (2) "Check
my saved answer" reads it and runs the structure check; (3) the learner rates the answer against each rubric
criterion (ratings are saved in the notebook's answer store, so a restart keeps them); (4) only then can the
model answer, with what makes it strong, be shown. Until step 4 the model answer is in no widget at all.
Imported only when a person is looking (never under nbgrader): it needs ipywidgets.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import ipywidgets as widgets

from workbook.core.answer_store import AnswerStore, CorruptStoreError, store_path
from workbook.core.widgets import html_widget as _html
from workbook.writing import text as textlib
from workbook.writing.check import MIN_ATTEMPT_DISTINCT, MIN_ATTEMPT_WORDS, TextCheck, check
from workbook.writing.render import check_html
from workbook.writing.rubric import FACTORS, LEVELS, Criterion, load_rubric
from workbook.writing.saved import SavedAnswerError, locate, read_saved

# A question outside the rubric (a one-sentence answer elsewhere in the course) gets one generic criterion.
GENERIC = Criterion(
    id="answers_question",
    kind="structure",
    name="Answers the question",
    question="Does the answer say what the question asks, with a reason?",
    levels={
        "full": "Answers exactly what was asked, correctly, and gives the reason.",
        "partial": "Goes in the right direction, but is vague, incomplete or misses the reason.",
        "none": "Does not answer the question, or answers a different one.",
    },
    hint="",
)
GENERIC_MIN_WORDS = 5


def markdown_html(text: str) -> str:
    """A model answer's markdown as simple HTML: paragraphs, "- " lists, bold, italics, code; all escaped."""
    blocks = [b.strip() for b in re.split(r"\n[ \t]*\n", text.replace("\\$", "$").strip()) if b.strip()]
    out = []
    for block in blocks:
        lines = block.splitlines()
        if not lines[0].startswith(("- ", "* ")):
            out.append(f"<p>{_inline(block)}</p>")
            continue
        items: list[str] = []
        for line in lines:
            if line.startswith(("- ", "* ")):
                items.append(line[2:])
            else:  # a wrapped line continues the item above
                items[-1] += " " + line.strip()
        out.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
    return "".join(out)


def _inline(text: str) -> str:
    html = escape(text)
    html = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html)
    html = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", html)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html)


class SelfAssessment:
    """State and widget of one answer's self-assessment. ``widget`` is what the notebook displays."""

    def __init__(self, grade_id: str, *, notebook: str, model_answer: str, strengths: str = "") -> None:
        rubric = load_rubric()
        self.grade_id = grade_id
        self.notebook = notebook
        self._model_answer = model_answer
        self._strengths = strengths
        if grade_id in rubric.questions:
            project, part = rubric.question(grade_id)
            self.project: str | None = project.id
            self.part: str | None = part.id
            ids = (*FACTORS, "structure") if part.id == "recommendation" else ("structure",)
            self.criteria = [rubric.criterion(c) for c in ids]
        else:
            self.project = self.part = None
            self.criteria = [GENERIC]
        self.result: TextCheck | None = None
        self.revealed = False
        self._restoring = False

        self.status = _html("wb-self-status")
        self.report = _html("wb-self-report")
        self.check_button = widgets.Button(
            description="Check my saved answer",
            layout=widgets.Layout(width="auto"),
            tooltip="Reads your answer as last saved: save the notebook first",
        )
        self.check_button.add_class("wb-self-check-button")
        self.check_button.on_click(lambda _: self.refresh())
        self.choices: dict[str, widgets.RadioButtons] = {}
        rows: list[widgets.Widget] = [
            _html(
                "wb-self-ratings-intro",
                (
                    "<p><b>Rate your answer</b> against each line of the rubric, honestly: this is for you. The model "
                    "answer opens when every line is rated.</p>"
                ),
            )
        ]
        for criterion in self.criteria:
            levels = "".join(
                f"<li><b>{escape(rubric.level_names[level])}</b>: {escape(criterion.levels[level])}</li>"
                for level in LEVELS
            )
            rows.append(
                _html(
                    "wb-self-criterion",
                    f"<p><b>{escape(criterion.name)}</b>: {escape(criterion.question)}</p><ul>{levels}</ul>",
                )
            )
            choice = widgets.RadioButtons(
                options=[(rubric.level_names[lv], lv) for lv in LEVELS],
                value=None,
                description="",
                layout=widgets.Layout(width="auto"),
            )
            choice.add_class(f"wb-self-choice-{criterion.id}")
            choice.observe(self._rated, names="value")
            self.choices[criterion.id] = choice
            rows.append(choice)
        self.ratings = widgets.VBox(rows)
        self.ratings.add_class("wb-self-ratings")
        self.reveal_button = widgets.Button(
            description="Show the model answer", disabled=True, layout=widgets.Layout(width="auto")
        )
        self.reveal_button.add_class("wb-self-reveal-button")
        self.reveal_button.on_click(lambda _: self.reveal())
        self.model = _html("wb-self-model-answer")
        self.widget = widgets.VBox(
            [self.status, self.check_button, self.report, self.ratings, self.reveal_button, self.model],
            layout=widgets.Layout(width="auto"),
        )
        self.widget.add_class("wb-self-assess")
        self._restore_ratings()
        self.refresh()

    # -- the steps -------------------------------------------------------------------------------------------

    @property
    def store(self) -> AnswerStore:
        stem = Path(self.notebook).name.removesuffix(".ipynb")
        return AnswerStore(store_path(Path.cwd(), stem), notebook=stem)

    @property
    def attempted(self) -> bool:
        if self.result is None:
            return False
        if self.part is None:
            return self.result.words >= GENERIC_MIN_WORDS
        return self.result.words >= MIN_ATTEMPT_WORDS and self.result.distinct_words >= MIN_ATTEMPT_DISTINCT

    @property
    def rated(self) -> bool:
        return all(choice.value in LEVELS for choice in self.choices.values())

    def refresh(self) -> None:
        """Re-read the saved answer and show what the learner can do next."""
        self.result = None
        try:
            saved = read_saved(locate(self.notebook))
            text = saved.answer(self.grade_id)
        except SavedAnswerError as error:
            self._show(f"<p>{escape(str(error))}</p>")
            return
        self.result = check(text, part=self.part or "risk", project=self.project)
        if not self.attempted:
            needed = GENERIC_MIN_WORDS if self.part is None else MIN_ATTEMPT_WORDS
            what = (
                "still the placeholder"
                if textlib.PLACEHOLDER in text and self.result.words == 0
                else f"{self.result.words} words"
            )
            self._show(
                f"<p>Your saved answer is {escape(what)}. Write a real attempt of your own (at least "
                f"{needed} words) in the cell above, save the notebook (Ctrl+S or Cmd+S) and press "
                f"<b>Check my saved answer</b>. The self-assessment and the model answer open after that.</p>"
            )
            return
        report = check_html(self.result) if self.part else ""
        self._show(f"<p>Checked your answer as saved at {saved.saved_at:%H:%M:%S}.</p>", report, ratings=True)

    def _rated(self, _change: object) -> None:
        if self.rated and not self._restoring:
            try:
                self.store.save_ratings(self.grade_id, {cid: choice.value for cid, choice in self.choices.items()})
            except (OSError, ValueError) as error:  # the ratings still work for this session
                self.status.value += f"<p>Your ratings could not be saved ({escape(str(error))}).</p>"
        self._update_reveal()

    def reveal(self) -> None:
        """Show the model answer and what makes it strong; refused until there is a real attempt and ratings."""
        if not (self.attempted and self.rated):
            return
        self.revealed = True
        points = self.self_assessed_points()
        mine = (
            (
                f"<p>Your self-assessment: about <b>{points:g}</b> of {self._part_points():g} points by the mark "
                "scheme.</p>"
            )
            if points is not None
            else ""
        )
        strong = (
            f"<p><b>What makes it strong</b></p>{markdown_html(self._strengths)}" if self._strengths.strip() else ""
        )
        self.model.value = (
            f"{mine}<p><b>Model answer</b></p>{markdown_html(self._model_answer)}{strong}"
            "<p><small>Compare, don't copy: a different recommendation argued as well earns the "
            "same credit.</small></p>"
        )
        self.reveal_button.disabled = True

    def self_assessed_points(self) -> float | None:
        """The points the learner's own ratings suggest, by the part's bands (None outside the rubric)."""
        if self.part is None or not self.rated:
            return None
        values = {cid: choice.value for cid, choice in self.choices.items()}
        structure = values["structure"]
        if self.part == "risk":
            return {"full": 2.0, "partial": 1.0, "none": 0.0}[structure]
        factors = [values[f] for f in FACTORS]
        if structure == "none":
            return 0.0
        if factors.count("full") >= 4 and "none" not in factors:
            return 3.0
        if factors.count("full") >= 3 or "none" not in factors:
            return 2.0
        return 1.0

    # -- helpers ---------------------------------------------------------------------------------------------

    def _part_points(self) -> float:
        return load_rubric().parts[self.part].points if self.part else 0.0

    def _show(self, status: str, report: str = "", ratings: bool = False) -> None:
        self.status.value = status
        self.report.value = report
        self.ratings.layout.display = None if ratings else "none"
        if not ratings:
            self.model.value = ""  # the attempt is gone (placeholder again): hide the model answer too
            self.revealed = False
        self._update_reveal()

    def _update_reveal(self) -> None:
        self.reveal_button.disabled = self.revealed or not (self.attempted and self.rated)
        self.reveal_button.layout.display = None if self.attempted else "none"

    def _restore_ratings(self) -> None:
        try:
            saved = self.store.ratings(self.grade_id)
        except CorruptStoreError:
            return  # quiz.start already reported and moved an unreadable store aside
        if isinstance(saved, dict):
            self._restoring = True
            try:
                for cid, level in saved.items():
                    if cid in self.choices and level in LEVELS:
                        self.choices[cid].value = level
            finally:
                self._restoring = False
