"""Plain-text measurements of an answer: words, paragraphs, the placeholder, and whether it looks like English.

Written for any input a learner can produce: empty, megabytes long, in any script. Nothing here raises on text.
"""

from __future__ import annotations

import re
import unicodedata

PLACEHOLDER = "YOUR ANSWER HERE"
# Only this much is searched for factors and phrasing; words are counted in full. Far above any real answer.
ANALYSED_CHARS = 100_000

# Chinese and Japanese write without spaces between words: count each character as one word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:['’\-][^\W_{_CJK}]+)*")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MARKUP = re.compile(r"[*_`#>|~]+")
_SPACES = re.compile(r"\s+")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")

# Frequent English function words: English prose is about a third made of them, other languages far less.
_ENGLISH = frozenset(
    "the a an and or of to in is are for it that this with on be not we they she he as by at but if can will "
    "would should its their our her his from than so because which who more most no any".split()
)


def to_text(value: object) -> str:
    """Whatever was passed, as text: None is empty, bytes are decoded (bad bytes replaced), others via str()."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):  # a notebook cell's source may be a list of lines
        return "".join(to_text(part) for part in value)
    return str(value)


def without_placeholder(text: str) -> str:
    """The text with nbgrader's stub removed, so an untouched cell reads as empty."""
    return text.replace(PLACEHOLDER, "")


def count_words(text: str) -> int:
    """Words in ``text`` (each CJK character counts as one); digits-only tokens count too."""
    return sum(1 for _ in _WORD.finditer(text))


def count_paragraphs(text: str) -> int:
    """Blocks of text separated by blank lines (a bullet list without blank lines is one block)."""
    return sum(1 for block in _BLANK_LINE.split(text.replace("\r\n", "\n")) if _WORD.search(block))


def normalise(text: str) -> str:
    """Lower-case, Unicode-normalised text without markdown markup, for matching phrases."""
    text = unicodedata.normalize("NFKC", text[:ANALYSED_CHARS]).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", " - ")
    return _SPACES.sub(" ", _MARKUP.sub(" ", text))


def looks_english(text: str) -> bool:
    """A guess: True for English (or too short to tell), False when the words are mostly not English."""
    sample = text[:20_000]
    letters = _LETTER.findall(sample)
    if len(letters) >= 40 and sum(1 for c in letters if _LATIN.match(c)) < 0.6 * len(letters):
        return False  # mostly another script
    words = [w.casefold() for w in _WORD.findall(sample)]
    if len(words) < 15:
        return True
    return sum(1 for w in words if w in _ENGLISH) >= 0.12 * len(words)
