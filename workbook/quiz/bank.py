"""Quiz questions as data: the question bank's schema, and the small JSON file each edition carries.

The bank (``questions/<assignment>/<notebook>.toml`` at the course root, instructor-only) holds every question of a
notebook with its key, explanations and points; docs/authoring.md shows its format. The build turns it into
``<notebook>.quiz.json`` beside each generated notebook: questions without graded keys in ``release/``, with every
key in ``notebooks/`` (the self-learner edition). A notebook's quiz cell is one line, ``quiz.show("<question id>")``.

This module is on the student side (notebooks import it), so it uses nothing heavier than the standard library.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook.quiz.questions import Matching, MultipleChoice, Question, check_id
from workbook.quiz.scoring import AnswerKey, check_key_fits, make_key

PAYLOAD_SUFFIX = ".quiz.json"
PAYLOAD_SCHEMA = 1
TYPES = ("multiple_choice", "matching")
_FIELDS = {
    "multiple_choice": (
        {"type", "graded", "prompt", "answer", "options", "explanations"},
        {"points", "several"},
    ),
    "matching": ({"type", "graded", "prompt", "terms", "definitions", "answer", "explanations"}, {"points"}),
}


class BankError(ValueError):
    """A question bank (or an edition's question file) breaks the schema; the message names file, question, field."""


@dataclass(frozen=True)
class BankQuestion:
    """One question of the bank: what a learner sees, and its key (answer, explanations, points)."""

    question: Question
    key: AnswerKey
    graded: bool

    @property
    def id(self) -> str:
        return self.question.id


def _problem(where: str, question_id: str, field: str | None, message: str) -> BankError:
    place = f"{where}: [{question_id}]" + (f" field '{field}'" if field else "")
    return BankError(f"{place}: {message}")


def _text_table(table: object, where: str, question_id: str, field: str) -> dict[str, str]:
    if not isinstance(table, Mapping) or not table:
        raise _problem(where, question_id, field, f'must be a table of id = "text" lines ([{question_id}.{field}])')
    for item_id, text in table.items():
        if not isinstance(text, str) or not text.strip():
            raise _problem(where, question_id, field, f"{item_id!r} needs a non-empty text")
    return dict(table)


def parse_question(question_id: str, table: object, where: str) -> BankQuestion:
    """Check one bank table (``[question_id]`` with its sub-tables) and build the question and its key."""
    try:
        check_id(question_id, "question id")
    except ValueError as error:
        raise _problem(where, question_id, None, str(error)) from None
    if not isinstance(table, Mapping):
        raise _problem(where, question_id, None, "must be a table")
    kind = table.get("type")
    if kind not in TYPES:
        raise _problem(where, question_id, "type", f'must be "multiple_choice" or "matching", got {kind!r}')
    required, optional = _FIELDS[kind]
    missing = sorted(required - table.keys())
    if missing:
        raise _problem(where, question_id, missing[0], "is missing" + (f" (also {missing[1:]})" if missing[1:] else ""))
    unknown = sorted(table.keys() - required - optional)
    if unknown:
        raise _problem(where, question_id, unknown[0], f"is not a known field; allowed: {sorted(required | optional)}")
    graded = table["graded"]
    if not isinstance(graded, bool):
        raise _problem(where, question_id, "graded", f"must be true or false, got {graded!r}")
    points = table.get("points")
    if graded:
        if points is None:
            raise _problem(where, question_id, "points", "is missing: a graded question needs its points")
        if isinstance(points, bool) or not isinstance(points, int | float) or not math.isfinite(points) or points <= 0:
            raise _problem(where, question_id, "points", f"must be a positive number, got {points!r}")
    elif points is not None:
        raise _problem(where, question_id, "points", "is only for graded questions (graded = true)")
    prompt = table["prompt"]
    if not isinstance(prompt, str) or not prompt.strip():
        raise _problem(where, question_id, "prompt", "must be a non-empty string")
    explanations = _text_table(table["explanations"], where, question_id, "explanations")
    try:
        question: Question
        if kind == "multiple_choice":
            several = table.get("several", False)
            if not isinstance(several, bool):
                raise _problem(where, question_id, "several", f"must be true or false, got {several!r}")
            options = _text_table(table["options"], where, question_id, "options")
            question = MultipleChoice(id=question_id, prompt=prompt, options=options, several=several)
            answer = table["answer"]
            if several and not isinstance(answer, list):
                raise _problem(where, question_id, "answer", "must be a list of option ids when several = true")
            if not several and not isinstance(answer, str):
                raise _problem(where, question_id, "answer", "must be one option id (or set several = true)")
            named = "option"
            ids = options
        else:
            terms = _text_table(table["terms"], where, question_id, "terms")
            definitions = _text_table(table["definitions"], where, question_id, "definitions")
            question = Matching(id=question_id, prompt=prompt, terms=terms, definitions=definitions)
            answer = table["answer"]
            if not isinstance(answer, Mapping):
                raise _problem(
                    where, question_id, "answer", f"must be a table [{question_id}.answer] term = definition"
                )
            named = "term"
            ids = terms
        key = make_key(question_id, answer, explanations, points if graded else 1)
        check_key_fits(key, question)
    except BankError:
        raise
    except ValueError as error:
        message = str(error).replace(f"quiz.key({question_id!r}): ", "").replace(f"question {question_id!r}: ", "")
        field = next(
            (
                name
                for name in ("explanations", "options", "terms", "definitions", "answer")
                if name.rstrip("s") in message.split(":")[0] or name in message
            ),
            None,
        )
        raise _problem(where, question_id, field, message) from None
    unexplained = [item for item in ids if item not in explanations]
    if unexplained:
        raise _problem(where, question_id, "explanations", f"every {named} needs one; missing: {unexplained}")
    return BankQuestion(question, key, graded)


def parse_bank(data: Mapping[str, Any], where: str) -> list[BankQuestion]:
    """Every question of one bank document, in file order."""
    return [parse_question(question_id, table, where) for question_id, table in data.items()]


def load_bank(path: Path) -> list[BankQuestion]:
    """Read and check ``questions/<assignment>/<notebook>.toml``."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise BankError(f"{path}: not valid TOML ({error})") from None
    return parse_bank(data, str(path))


# -- the edition's question file ----------------------------------------------------------------------------------


def payload(notebook: str, questions: list[BankQuestion], graded_keys: bool) -> dict:
    """The JSON document an edition carries beside ``<notebook>.ipynb``.

    Practice keys and explanations are always included (practice checks give feedback in every edition); graded
    keys only when ``graded_keys`` (the self-learner edition). Never write a payload with graded keys into release/.
    """
    entries = []
    for item in questions:
        question = item.question
        entry: dict[str, Any] = {"id": question.id, "graded": item.graded, "prompt": question.prompt}
        if isinstance(question, MultipleChoice):
            entry |= {"type": "multiple_choice", "several": question.several, "options": dict(question.options)}
        else:
            entry |= {"type": "matching", "terms": dict(question.terms), "definitions": dict(question.definitions)}
        if graded_keys or not item.graded:
            entry["key"] = {
                "answer": item.key.answer,
                "explanations": item.key.explanations,
                "points": item.key.points,
            }
        entries.append(entry)
    return {"schema_version": PAYLOAD_SCHEMA, "notebook": notebook, "questions": entries}


def payload_text(document: dict) -> str:
    """Canonical text of a payload (stable bytes, so rebuilds compare equal)."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


@dataclass(frozen=True)
class Shown:
    """A question as an edition shows it: the question, and its key when the edition gives feedback."""

    question: Question
    key: AnswerKey | None
    graded: bool = False


def read_payload(path: Path) -> dict[str, Shown]:
    """Questions of an edition's ``.quiz.json`` by id; BankError naming the file if it is not one."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise BankError(f"{Path(path).name}: cannot read the notebook's question file ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        raise BankError(f"{Path(path).name}: not a question file (no 'questions' list)")
    found: dict[str, Shown] = {}
    for entry in document["questions"]:
        try:
            question: Question
            if entry.get("type") == "matching":
                question = Matching(
                    id=entry["id"], prompt=entry["prompt"], terms=entry["terms"], definitions=entry["definitions"]
                )
            else:
                question = MultipleChoice(
                    id=entry["id"], prompt=entry["prompt"], options=entry["options"], several=entry["several"]
                )
            key = None
            if isinstance(entry.get("key"), dict):
                raw = entry["key"]
                key = make_key(question.id, raw["answer"], raw.get("explanations"), raw.get("points", 1))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BankError(f"{Path(path).name}: a question entry is malformed ({error})") from None
        found[question.id] = Shown(question, key, bool(entry.get("graded")))
    return found


def shown_from_bank(questions: list[BankQuestion]) -> dict[str, Shown]:
    """The author's view of a bank (every key attached), for running a source notebook."""
    return {item.id: Shown(item.question, item.key, item.graded) for item in questions}


# -- fair display order -------------------------------------------------------------------------------------------


def display_order(question_id: str, ids: list[str] | tuple[str, ...]) -> list[str]:
    """``ids`` in an order shuffled per question but fixed forever (no randomness: a hash of question and id).

    Answers are stored by id, so the order never affects grading; it is the same on every machine and restart.
    """
    return sorted(ids, key=lambda item: hashlib.sha256(f"{question_id}\0{item}".encode()).hexdigest())
