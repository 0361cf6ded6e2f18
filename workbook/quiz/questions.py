"""Quiz questions as plain, validated data.

Nothing here imports ipywidgets or IPython: a notebook cell builds a question cheaply, and ``.show()`` hands
it to the session, which renders it only when a person is looking (never under nbgrader's headless execution).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Ids of questions, options, terms and definitions: lower snake_case, so they double as CSS class names.
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
MAX_ID_LENGTH = 80


def check_id(value: object, what: str) -> str:
    """Return ``value`` if it is a valid snake_case id, else raise a ValueError naming ``what``."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string, got {type(value).__name__}: {value!r}")
    if not ID_PATTERN.match(value) or len(value) > MAX_ID_LENGTH:
        raise ValueError(
            f"{what} {value!r} is not a snake_case id: use lower-case letters, digits and single "
            f"underscores, starting with a letter, at most {MAX_ID_LENGTH} characters "
            "(for example 'own_hardware')"
        )
    return value


def _check_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return value


def _check_choices(choices: object, what: str, question_id: str, minimum: int) -> dict[str, str]:
    """Validate an ``{id: text}`` mapping: at least ``minimum`` entries, valid ids, unique non-empty texts."""
    if not isinstance(choices, Mapping):
        raise ValueError(f"question {question_id!r}: {what} must be a dict {{id: text}}, got {type(choices).__name__}")
    if len(choices) < minimum:
        raise ValueError(f"question {question_id!r}: {what} needs at least {minimum} entries, got {len(choices)}")
    checked: dict[str, str] = {}
    seen_texts: dict[str, str] = {}
    for choice_id, text in choices.items():
        check_id(choice_id, f"question {question_id!r}: {what} id")
        _check_text(text, f"question {question_id!r}: text of {what} {choice_id!r}")
        normalized = " ".join(text.split()).casefold()
        if normalized in seen_texts:
            raise ValueError(
                f"question {question_id!r}: {what} {seen_texts[normalized]!r} and {choice_id!r} have the "
                f"same text {text!r}; a learner could not tell them apart"
            )
        seen_texts[normalized] = choice_id
        checked[choice_id] = text
    return checked


class _Showable:
    """Shared ``show()``: hand the question to the session (which decides whether to render anything)."""

    id: str

    def show(self) -> None:
        """Display the question's widget, restoring the saved answer (returns None: nothing is echoed)."""
        from workbook.quiz import session  # late import: session imports this module

        session.show(self)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(_Showable):
    """A multiple-choice question: one answer, or several when ``several=True``.

    ``options`` maps option ids (snake_case) to the text a learner sees, in display order.
    """

    id: str
    prompt: str
    options: Mapping[str, str] = field(default_factory=dict)
    several: bool = False

    def __post_init__(self) -> None:
        check_id(self.id, "question id")
        _check_text(self.prompt, f"question {self.id!r}: prompt")
        object.__setattr__(self, "options", _check_choices(self.options, "option", self.id, minimum=2))
        if not isinstance(self.several, bool):
            raise ValueError(f"question {self.id!r}: several must be True or False, got {self.several!r}")

    @property
    def kind(self) -> str:
        """``"several"`` or ``"single"``: how the answer is stored and graded."""
        return "several" if self.several else "single"


@dataclass(frozen=True, kw_only=True)
class Matching(_Showable):
    """A matching exercise: pair each term with one definition (there may be more definitions than terms)."""

    id: str
    prompt: str
    terms: Mapping[str, str] = field(default_factory=dict)
    definitions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_id(self.id, "question id")
        _check_text(self.prompt, f"question {self.id!r}: prompt")
        terms = _check_choices(self.terms, "term", self.id, minimum=1)
        definitions = _check_choices(self.definitions, "definition", self.id, minimum=1)
        if len(definitions) < len(terms):
            raise ValueError(
                f"question {self.id!r}: {len(terms)} terms but only {len(definitions)} definitions; "
                "every term needs its own definition"
            )
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "definitions", definitions)

    @property
    def kind(self) -> str:
        """Always ``"matching"``."""
        return "matching"


Question = MultipleChoice | Matching


def question_from_dict(data: Mapping[str, Any]) -> Question:
    """Build a question from plain data (for example one entry of a JSON file), checking its shape.

    Accepted shapes: ``{"type": "multiple_choice", "id", "prompt", "options", "several"?}`` and
    ``{"type": "matching", "id", "prompt", "terms", "definitions"}``. Keys never go in data files: graded keys
    live only in hidden tests.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"a question must be a JSON object, got {type(data).__name__}")
    allowed = {
        "multiple_choice": ({"type", "id", "prompt", "options"}, {"several"}),
        "matching": ({"type", "id", "prompt", "terms", "definitions"}, set()),
    }
    kind = data.get("type")
    if kind not in allowed:
        raise ValueError(f"question {data.get('id')!r}: type must be one of {sorted(allowed)}, got {kind!r}")
    required, optional = allowed[kind]
    missing = required - data.keys()
    unknown = data.keys() - required - optional
    if missing or unknown:
        raise ValueError(
            f"question {data.get('id')!r}: missing fields {sorted(missing)}, unknown fields {sorted(unknown)}"
        )
    fields = {name: value for name, value in data.items() if name != "type"}
    return MultipleChoice(**fields) if kind == "multiple_choice" else Matching(**fields)


def load_questions(path: str | Path) -> dict[str, Question]:
    """Read a JSON file holding a list of questions; return them by id (ids must be unique)."""
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of questions")
    questions: dict[str, Question] = {}
    for entry in entries:
        question = question_from_dict(entry)
        if question.id in questions:
            raise ValueError(f"{path}: question id {question.id!r} appears twice")
        questions[question.id] = question
    return questions
