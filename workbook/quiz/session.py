"""The kernel's quiz session: which answer store is bound, which questions were shown, and the public calls.

Under ``NBGRADER_EXECUTION`` (nbgrader autograde/validate) nothing visual is built and nothing heavy is
imported: ``show`` only remembers the question, and ``key`` returns the points read from the store, silently.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path
from typing import Any

from workbook.core.answer_store import AnswerStore, AnswerValue, CorruptStoreError, store_path, stored_value
from workbook.core.grader import GRADER_VARIABLE, under_grader
from workbook.quiz import questions as _questions
from workbook.quiz.bank import PAYLOAD_SUFFIX, BankError, Shown, load_bank, read_payload, shown_from_bank
from workbook.quiz.questions import Question
from workbook.quiz.scoring import AnswerKey, check_key_fits, make_key, score


class _Session:
    """Module-level state of one kernel (a notebook runs in one kernel, so one session)."""

    def __init__(self) -> None:
        self.store: AnswerStore | None = None
        self.questions: dict[str, Question] = {}
        self.views: dict[str, Any] = {}  # question id -> render view (only outside nbgrader)
        self.catalogue: dict[str, Shown] | None = None  # the notebook's questions, read on first show


_session = _Session()


def start(notebook_name: str) -> None:
    """Bind this notebook's answer store, ``<notebook_name>.answers.json`` in the current folder.

    Call it once in the setup cell with the notebook's file name without ``.ipynb``. An unreadable store is
    moved aside (kept under a new name) and a message in the notebook says where it went.
    """
    if not isinstance(notebook_name, str) or not notebook_name.strip():
        raise ValueError(
            f"quiz.start needs the notebook's name, for example quiz.start('01_what_open_means'), got {notebook_name!r}"
        )
    name = notebook_name.strip().removesuffix(".ipynb")
    if any(separator in name for separator in ("/", "\\")) or name in {".", ".."}:
        raise ValueError(f"quiz.start takes the notebook's file name, not a path: got {notebook_name!r}")
    _session.store = AnswerStore(store_path(Path.cwd(), name), notebook=name)
    _session.questions.clear()
    _session.views.clear()
    _session.catalogue = None
    if under_grader():
        return  # autograde: nothing to show, and the store is only read by quiz.key
    from workbook import friendly

    friendly.install()  # a test cell run before its exercise gets a plain message, not a raw NameError
    moved = _session.store.recover()
    if moved is not None:
        report_moved_store(_session.store, moved)


def bound_store() -> AnswerStore:
    """The store bound by ``quiz.start``; a clear error if the setup cell has not run."""
    if _session.store is None:
        raise RuntimeError(
            "No answer store yet: run the notebook's setup cell (it calls quiz.start('<notebook name>')) first."
        )
    return _session.store


#: Set by the grader to the question bank (a ``.toml`` file, or the ``questions/`` folder) when the course root is
#: out of sight, e.g. inside a sandbox. Normally not needed: the build writes graded keys into the hidden tests.
BANK_ENV = "WORKBOOK_QUESTION_BANK"

SETUP_FIRST = (
    "This quiz is not ready yet: run the notebook's setup cell first (the first code cell, near the top; it "
    "starts the quizzes), then run this cell again."
)


def _bank_file(notebook: str) -> Path | None:
    """The bank TOML of ``notebook``: from WORKBOOK_QUESTION_BANK, else ``questions/<folder>/`` above the cwd."""
    named = os.environ.get(BANK_ENV)
    if named:
        path = Path(named)
        return path / Path.cwd().name / f"{notebook}.toml" if path.is_dir() else path
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / "questions" / here.name / f"{notebook}.toml"
        if candidate.is_file():
            return candidate
    return None


def catalogue() -> dict[str, Shown]:
    """The bound notebook's questions: its ``.quiz.json`` beside it, else (an author running source/) the bank."""
    store = bound_store()
    if _session.catalogue is None:
        payload = store.path.with_name(f"{store.notebook}{PAYLOAD_SUFFIX}")
        if payload.exists():
            _session.catalogue = read_payload(payload)
        else:
            bank = _bank_file(store.notebook)
            if bank is None:
                raise BankError(
                    f"{payload.name} is missing beside the notebook, so its quizzes cannot be shown. "
                    "Download the notebook's folder again, or ask your instructor."
                )
            _session.catalogue = shown_from_bank(load_bank(bank))
    return _session.catalogue


def _say(text: str, css_class: str) -> None:
    """A plain message in the cell's output, no traceback (text and HTML, so every frontend shows it)."""
    from workbook.quiz.messages import display_plain

    display_plain(text, css_class)


def show(question: Question | str) -> None:
    """Display a question's widget with its saved answer: ``quiz.show("<question id>")``.

    The question comes from the notebook's question file; in editions and for practice checks the file also
    carries the key, so the widget gives feedback at once. Under nbgrader nothing is shown or read.
    """
    if isinstance(question, str):
        if _session.store is None and not under_grader():
            _say(SETUP_FIRST, "wb-quiz-setup-first")
            return
        store = bound_store()
        if under_grader():
            if os.environ.get(GRADER_VARIABLE) == "validate":
                _require_answer(question)
            return
        try:
            shown = catalogue().get(question)
        except BankError as error:
            _say(f"Quiz {question!r}: {error}", "wb-quiz-missing")
            return
        if shown is None:
            _say(f"There is no quiz question {question!r} for this notebook.", "wb-quiz-missing")
            return
        _show(shown.question, store)
        if shown.key is not None:
            _session.views[question].attach_key(shown.key)
        return
    store = bound_store()
    _session.questions[question.id] = question
    if under_grader():
        return
    _show(question, store)


class NotAnsweredError(Exception):
    """nbgrader's Validate found a graded question without an answer (its message is what the learner reads)."""


def _require_answer(question_id: str) -> None:
    """Under nbgrader's Validate: fail this cell if it shows a graded question that has no saved answer.

    Validate would otherwise say "Success!" with every graded question unanswered, because a graded quiz cell has
    no test a student can run. Each unanswered question's cell fails with one plain line, so Validate lists them.
    """
    try:
        shown = catalogue().get(question_id)
    except (BankError, RuntimeError):
        return  # no question file here (e.g. the instructor's own copy): nothing to check
    if shown is None or not shown.graded:
        return
    value = _read_value_leniently(question_id)
    if value is None or value in ([], {}):
        raise NotAnsweredError(
            f"Graded question {question_id!r} is not answered yet: choose your answer in its quiz (it is saved "
            "as you click), save the notebook, then validate again."
        )


def grade(question_id: str) -> float | None:
    """A graded question's hidden test: the points the saved answer earns, under nbgrader; None otherwise.

    The build replaces this call by ``quiz.key(...)`` with the key from the bank, so nbgrader's gradebook holds
    the key like any hidden test. Left as it is (nbgrader run by hand on source/), it reads the bank named by
    WORKBOOK_QUESTION_BANK or found above the current folder, and fails loudly (0 points) if there is none.
    """
    if not under_grader():
        return None
    store = bound_store()
    bank = _bank_file(store.notebook)
    if bank is None:
        raise RuntimeError(
            f"no answer key for {question_id!r}: build the course with python -m workbook build (it puts keys "
            f"into the hidden tests), or set {BANK_ENV} to the question bank"
        )
    found = {item.id: item for item in load_bank(bank)}
    if question_id not in found:
        raise RuntimeError(f"{bank.name} has no question {question_id!r}")
    return _grade_silently(found[question_id].key)


def _show(question: Question, store: AnswerStore) -> None:
    from workbook.quiz import render  # ipywidgets only when a person is looking

    try:
        saved = store.get(question.id)
        saved_at = store.saved_at(question.id)
    except CorruptStoreError:
        moved = store.recover()
        if moved is not None:
            report_moved_store(store, moved)
        saved, saved_at = None, None
    view = render.build_view(question, store, saved, saved_at)
    _session.views[question.id] = view
    render.display_view(view)


_questions._show_hook = show  # questions call back here; questions.py imports nothing of the session


def key(
    question_id: str,
    key: object,
    explanations: dict[str, str] | None = None,
    points: float = 1,
) -> float | None:
    """Attach the answer key of a shown question (practice mode), or grade it under nbgrader.

    Under ``NBGRADER_EXECUTION`` it returns the points earned, read from the store (``points`` for a
    right answer, 0.0 for a wrong, missing or unreadable one; matching earns ``points * right_pairs / terms``)
    and writes nothing at all. Otherwise it switches the question shown in this kernel to practice mode
    (immediate feedback and explanations) and returns None.
    """
    answer_key = make_key(question_id, key, explanations, points)
    if under_grader():
        question = _session.questions.get(question_id)
        if question is not None:
            check_key_fits(answer_key, question)
        return _grade_silently(answer_key)
    view = _session.views.get(question_id)
    if view is None:
        raise LookupError(
            f"quiz.key({question_id!r}): no question with this id was shown in this kernel; "
            f"run the cell that shows it (quiz.MultipleChoice(id={question_id!r}, ...).show()) first"
        )
    check_key_fits(answer_key, view.question)
    view.attach_key(answer_key)
    return None


def _grade_silently(answer_key: AnswerKey) -> float:
    """Score from the store, swallowing all output and warnings: stderr in a test cell scores 0."""
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stderr(io.StringIO()),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        try:
            value = _read_value_leniently(answer_key.question_id)
            return float(score(answer_key, value))
        except Exception:  # a tampered store must cost that question its points, not crash the grading
            return 0.0


def _read_value_leniently(question_id: str) -> AnswerValue | None:
    store = _session.store
    if store is None:
        return None
    try:
        return stored_value(store.records().get(question_id))
    except (CorruptStoreError, OSError, AttributeError):
        return None


def saved_answer(question_id: str) -> AnswerValue | None:
    """The saved answer of a question, or None if unanswered (or the store is unreadable).

    The answer is an option id, a sorted list of option ids or a dict term -> definition. Never raises on a
    bad store.
    """
    bound_store()  # a missing setup cell is the author's mistake: say so
    return _read_value_leniently(question_id)


def report_moved_store(store: AnswerStore, moved: Path) -> None:
    """Tell the learner, in the notebook, that their unreadable answer file was kept aside."""
    from workbook.quiz.messages import display_store_message

    display_store_message(store.path.name, moved.name)


def shown_view(question_id: str) -> Any:
    """The live view of a shown question (for tests and the benchmark); None if not shown."""
    return _session.views.get(question_id)
