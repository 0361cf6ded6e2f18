"""The id rule of questions, options, terms, definitions and stored answers: lower snake_case."""

from __future__ import annotations

import re

#: Lower snake_case, so an id doubles as a CSS class name and a grade id.
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
