"""Quiz questions as plain, validated data.

Nothing here imports ipywidgets or IPython: a notebook cell builds a question cheaply, and ``.show()`` hands
it to the session, which renders it only when a person is looking (never under nbgrader's headless execution).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from workbook.core.ids import check_id

#: Called by ``show()``; the quiz session installs its ``show`` here when it is imported (no import cycle).
_show_hook: Callable[[Question], None] | None = None


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
        if _show_hook is None:
            raise RuntimeError("quiz questions are shown through the quiz package: use `from workbook import quiz`")
        _show_hook(self)  # type: ignore[arg-type]


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
