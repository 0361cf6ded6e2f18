"""Money in Markdown: find ``$`` signs that JupyterLab could typeset as maths.

JupyterLab renders Markdown and then runs MathJax over the page: any two ``$`` in one paragraph become a formula
("about $180 ... $5,442" turns into italic maths), and an escaped ``\\$`` is not safe either, because the
Markdown renderer turns it back into a bare ``$`` before MathJax looks. The course therefore writes amounts as
``USD 2.50`` everywhere prose is rendered (notebook Markdown, question texts, the rubric). Code spans, code blocks
and deliberate display formulas (``$$ ... $$`` on lines of their own) are left alone.
"""

from __future__ import annotations

import re

HINT = (
    'write amounts as "USD 180" or "USD 5,442 a month", not with $: in Jupyter, two $ signs in one paragraph '
    "turn the text between them into a maths formula"
)

_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_DISPLAY = re.compile(r"\$\$.+?\$\$", re.S)


def prose_without_code(markdown: str) -> str:
    """The Markdown text with code blocks, code spans and ``$$ ... $$`` display formulas blanked out."""
    text = _FENCE.sub(lambda m: " " * len(m.group()), markdown)
    text = _CODE_SPAN.sub(lambda m: " " * len(m.group()), text)
    return _DISPLAY.sub(lambda m: " " * len(m.group()), text)


def dollar_spots(markdown: str, width: int = 30) -> list[str]:
    """Each ``$`` (escaped or not) in rendered prose, as a short snippet around it; empty when the text is safe."""
    text = prose_without_code(markdown)
    spots = []
    for match in re.finditer(r"\\?\$", text):
        start, end = max(0, match.start() - width), min(len(markdown), match.end() + width)
        spots.append(" ".join(markdown[start:end].split()))
    return spots


def has_dollar_amounts(text: str) -> bool:
    """Whether a learner's text writes money with ``$`` (``$180``, ``180$``, ``\\$5``)."""
    return bool(re.search(r"\$\s?\d|\d\s?\$", prose_without_code(text)))
