"""Answer keys and the scoring arithmetic (pure functions: no files, no widgets, no output).

Scoring never raises on a student's value: whatever is stored (missing, wrong type, unknown ids) scores 0 for
what is not right. Keys are the author's, so a malformed key raises a clear ValueError instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from workbook.quiz.questions import Matching, MultipleChoice, Question, check_id


@dataclass(frozen=True)
class AnswerKey:
    """The right answer of a question, its points and the explanation of each option or term.

    ``answer`` is an option id (one answer), a sorted list of option ids (several answers) or a dict
    term id -> definition id (matching).
    """

    question_id: str
    answer: str | list[str] | dict[str, str]
    points: float = 1.0
    explanations: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``"single"``, ``"several"`` or ``"matching"``, from the shape of the answer."""
        if isinstance(self.answer, str):
            return "single"
        return "several" if isinstance(self.answer, list) else "matching"


def make_key(question_id: str, answer: object, explanations: object = None, points: object = 1) -> AnswerKey:
    """Check the parts of a key on their own (shapes and ids) and build it."""
    check_id(question_id, "question id")
    if isinstance(points, bool) or not isinstance(points, int | float) or not math.isfinite(points) or points <= 0:
        raise ValueError(f"quiz.key({question_id!r}): points must be a positive number, got {points!r}")
    checked: str | list[str] | dict[str, str]
    if isinstance(answer, str):
        checked = check_id(answer, f"quiz.key({question_id!r}): answer")
    elif isinstance(answer, list | tuple | set | frozenset):
        checked = sorted(check_id(item, f"quiz.key({question_id!r}): answer") for item in answer)
        if not checked:
            raise ValueError(f"quiz.key({question_id!r}): a several-answers key needs at least one option id")
        if len(set(checked)) != len(checked):
            raise ValueError(f"quiz.key({question_id!r}): the answer list repeats an option: {answer!r}")
    elif isinstance(answer, Mapping):
        if not answer:
            raise ValueError(f"quiz.key({question_id!r}): a matching key needs at least one pair")
        checked = {
            check_id(term, f"quiz.key({question_id!r}): term"): check_id(
                chosen, f"quiz.key({question_id!r}): definition"
            )
            for term, chosen in answer.items()
        }
        if len(set(checked.values())) != len(checked):
            raise ValueError(f"quiz.key({question_id!r}): two terms share one definition; each needs its own")
    else:
        raise ValueError(
            f"quiz.key({question_id!r}): the key must be an option id, a list of option ids or a dict "
            f"{{term_id: definition_id}}, got {type(answer).__name__}"
        )
    if explanations is None:
        explanations = {}
    if not isinstance(explanations, Mapping):
        raise ValueError(f"quiz.key({question_id!r}): explanations must be a dict {{id: text}}")
    for explained, text in explanations.items():
        check_id(explained, f"quiz.key({question_id!r}): explanation id")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"quiz.key({question_id!r}): explanation of {explained!r} must be a non-empty string")
    return AnswerKey(question_id, checked, float(points), dict(explanations))


def check_key_fits(key: AnswerKey, question: Question) -> None:
    """Raise ValueError if the key does not belong to ``question`` (kind, option/term/definition ids)."""
    where = f"quiz.key({key.question_id!r})"
    if key.kind != question.kind:
        expected = {
            "single": "one option id",
            "several": "a list of option ids",
            "matching": "a dict {term_id: definition_id}",
        }[question.kind]
        raise ValueError(f"{where}: this question takes {expected} as its key, got {key.answer!r}")
    if isinstance(question, MultipleChoice):
        chosen = [key.answer] if isinstance(key.answer, str) else list(key.answer)
        unknown = [option for option in chosen if option not in question.options]
        if unknown:
            raise ValueError(f"{where}: unknown option ids {unknown}; the options are {list(question.options)}")
        unknown = [option for option in key.explanations if option not in question.options]
        if unknown:
            raise ValueError(f"{where}: explanations for unknown options {unknown}")
    elif isinstance(question, Matching):
        assert isinstance(key.answer, dict)
        if set(key.answer) != set(question.terms):
            raise ValueError(
                f"{where}: the key must pair every term exactly once; terms {sorted(question.terms)}, "
                f"key pairs {sorted(key.answer)}"
            )
        unknown = [chosen for chosen in key.answer.values() if chosen not in question.definitions]
        if unknown:
            raise ValueError(f"{where}: unknown definition ids {unknown}")
        unknown = [term for term in key.explanations if term not in question.terms]
        if unknown:
            raise ValueError(f"{where}: explanations for unknown terms {unknown} (matching explains terms)")


def correct_pairs(key: Mapping[str, str], value: object) -> int:
    """How many of the key's pairs the stored value has right (0 for anything that is not a dict)."""
    if not isinstance(value, dict):
        return 0
    return sum(1 for term, chosen in key.items() if isinstance(chosen, str) and value.get(term) == chosen)


def score(key: AnswerKey, value: object) -> float:
    """Points earned by a stored value: all or nothing for multiple choice, per correct pair for matching."""
    if isinstance(key.answer, str):
        return key.points if value == key.answer else 0.0
    if isinstance(key.answer, list):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return 0.0
        return key.points if sorted(set(value)) == key.answer and len(value) == len(key.answer) else 0.0
    earned = key.points * correct_pairs(key.answer, value) / len(key.answer)
    return round(earned, 6)  # 2 * 2/3 prints as 1.333333, not 1.3333333333333333
