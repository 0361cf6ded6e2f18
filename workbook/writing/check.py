"""The structure check of a written answer: counts, the five factors, the shape of a recommendation, and hints.

Ungraded help for learners and a sorting aid for instructors. It looks for *topics and structure*, not for
quality: a text can mention every factor and still argue badly, which is for a person to judge with the rubric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workbook.writing import text as textlib
from workbook.writing.factors import DISCUSSED, MENTIONED, MISSING, FactorFinding, find_factors
from workbook.writing.money import HINT as MONEY_HINT
from workbook.writing.money import has_dollar_amounts
from workbook.writing.rubric import FACTORS, load_rubric

PARTS = ("recommendation", "risk", "both")
PARAGRAPHS_HINT = (
    "Write two paragraphs: first the recommendation and why, then its main risk and how to reduce it (leave an "
    "empty line between them)."
)
CELLS_HINT = (
    "Fill both answer cells of this project: the recommendation and why in the first, its main risk and how to "
    "reduce it in the second."
)
MIN_ATTEMPT_WORDS = 25
MIN_ATTEMPT_DISTINCT = 12

_RECOMMENDS = re.compile(
    r"\brecommend|\bshould\b|\bchoose\b|\bchoice\b|\bgo(?:es)? with\b|\bopt(?:s)? for\b|\bpick\b|\bsuggest"
    r"|\badvi[cs]e|\bbest (?:option|choice|fit|route)\b|\b(?:i|we|she|they) would use\b|\bi'd use\b"
    r"|\buse (?:a|an|the) (?:open|closed|small|hosted)|\bbest served\b|\bprefer"
)
_RISK = re.compile(
    r"\brisks?\b|\brisky\b|\bdownsides?\b|\bdrawbacks?\b|\bweakness|\bdanger|\bthreat|\bconcern|\bgo wrong\b"
    r"|\bcould (?:fail|break|leak)|\bvulnerab|\bthe catch\b|\blimitation|\bproblem\b|\bweak (?:point|spot)"
)
_MITIGATION = re.compile(
    r"\bmitigat|\breduc(?:e|es|ing)\b|\blower(?:s|ing)? (?:the|this|that)\b|\bto (?:address|counter|limit|avoid"
    r"|prevent|guard against|handle)\b|\bfall ?back\b|\bbackups?\b|\bplan b\b|\bmonitor|\breview|\baudit"
    r"|\btest(?:s|ing|ed)?\b|\bcontract|\bagreement\b|\bcap(?:s|ped)?\b|\blimits?\b|\balert|\bencrypt|\bpolicy\b"
    r"|\bexit plan\b|\bkeep a copy\b|\bswitch\b|\bspot[- ]check|\bcheck(?:s|ing)?\b|\bby (?:keeping|setting|using"
    r"|running|writing|signing|testing)\b|\bso that\b|\bin case\b"
)
_MORAL = re.compile(r"\b(?:un)?ethic(?:al|s)\b|\bmoral(?:ly|ity)?\b|\bevil\b|\bthe right thing\b")


@dataclass
class TextCheck:
    """What the structure check found in one text. ``hints`` says, in order of importance, what to add."""

    part: str
    project: str | None
    words: int
    paragraphs: int
    placeholder_only: bool
    english: bool
    truncated: bool
    factors: dict[str, FactorFinding]
    recommends: bool
    names_risk: bool
    names_mitigation: bool
    moral_framing: bool
    distinct_words: int
    dollar_amounts: bool = False
    hints: list[str] = field(default_factory=list)

    @property
    def is_attempt(self) -> bool:
        """A real attempt: not the placeholder, and enough different words to be more than a few phrases."""
        return self.words >= MIN_ATTEMPT_WORDS and self.distinct_words >= MIN_ATTEMPT_DISTINCT

    @property
    def factors_found(self) -> int:
        return sum(1 for f in self.factors.values() if f.found)

    @property
    def missing(self) -> list[str]:
        return [f for f in FACTORS if not self.factors[f].found]

    @property
    def ready(self) -> bool:
        """True when every structural element the rubric asks of this part is present (quality not judged)."""
        low = _word_range(self.part)[0]
        if not self.is_attempt or self.words < low:
            return False
        needs_factors = self.part in ("recommendation", "both")
        if needs_factors and (self.factors_found < len(FACTORS) or not self.recommends):
            return False
        if self.part in ("risk", "both") and not (self.names_risk and self.names_mitigation):
            return False
        return self.part != "both" or self.paragraphs >= 2

    def level(self, factor: str) -> str:
        return self.factors[factor].level

    def _repr_html_(self) -> str:
        from workbook.writing.render import check_html

        return check_html(self)

    def __str__(self) -> str:
        from workbook.writing.render import check_text

        return check_text(self)


def _word_range(part: str) -> tuple[int, int]:
    parts = load_rubric().parts
    if part == "both":
        return (sum(p.words[0] for p in parts.values()), sum(p.words[1] for p in parts.values()))
    return parts[part].words


def check(answer: object, *, part: str = "both", project: str | None = None) -> TextCheck:
    """Check one written answer. Never raises on text: empty, huge, any language.

    ``part``: "recommendation" (first paragraph), "risk" (second) or "both" (the whole two-paragraph answer).
    ``project``: "project_a", "project_b" or "project_c" makes the hints specific to that case.
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    raw = textlib.to_text(answer)
    content = textlib.without_placeholder(raw)
    words = textlib.count_words(content)
    normalised = textlib.normalise(content)
    result = TextCheck(
        part=part,
        project=project,
        words=words,
        paragraphs=textlib.count_paragraphs(content),
        placeholder_only=textlib.PLACEHOLDER in raw and words == 0,
        english=textlib.looks_english(content),
        truncated=len(content) > textlib.ANALYSED_CHARS,
        factors=find_factors(normalised),
        recommends=bool(_RECOMMENDS.search(normalised)),
        names_risk=bool(_RISK.search(normalised)),
        names_mitigation=bool(_MITIGATION.search(normalised)),
        moral_framing=bool(_MORAL.search(normalised)),
        distinct_words=_distinct_words(content),
        dollar_amounts=has_dollar_amounts(content),
    )
    result.hints = _hints(result)
    return result


def check_project(recommendation: object, risk: object, *, project: str | None = None) -> TextCheck:
    """Check a project's two answer cells together, as the rubric reads them: one two-paragraph answer."""
    first = textlib.without_placeholder(textlib.to_text(recommendation)).strip()
    second = textlib.without_placeholder(textlib.to_text(risk)).strip()
    result = check("\n\n".join(part for part in (first, second) if part), part="both", project=project)
    # The notebook gives each part its own answer cell: say which cell to fill, not "write two paragraphs".
    result.hints = [CELLS_HINT if hint == PARAGRAPHS_HINT else hint for hint in result.hints]
    return result


def _distinct_words(content: str) -> int:
    seen: set[str] = set()
    for match in textlib._WORD.finditer(content[: textlib.ANALYSED_CHARS]):
        seen.add(match.group().casefold())
        if len(seen) >= 1000:
            break
    return len(seen)


def _hints(result: TextCheck) -> list[str]:
    """What to add or change, most important first; specific to the project when it is known."""
    rubric = load_rubric()
    if result.words == 0:
        where = "the cell still says YOUR ANSWER HERE" if result.placeholder_only else "there is no text yet"
        return [f"Nothing to check: {where}. Write your answer there (double-click the cell to edit it)."]
    hints = []
    low, high = _word_range(result.part)
    if not result.english:
        hints.append(
            "This does not look like English. The factor check understands English (and a few German, "
            "French and Spanish words) only, so its findings below are a rough guess; your instructor "
            "reads the text itself."
        )
    if result.truncated:
        hints.append(
            f"Only the first {textlib.ANALYSED_CHARS:,} characters were checked: this is far longer "
            "than the exercise asks for."
        )
    if not result.is_attempt:
        hints.append(
            f"This is too short to count as an attempt ({result.words} words): write at least "
            f"{MIN_ATTEMPT_WORDS} words of your own."
        )
    elif result.words < low:
        hints.append(f"{result.words} words is short: aim for about {low} to {high}.")
    elif result.words > high:
        hints.append(
            f"{result.words} words is long: aim for at most about {high}; cut what does not decide the recommendation."
        )
    if result.part == "both" and result.paragraphs < 2:
        hints.append(PARAGRAPHS_HINT)
    if result.part in ("recommendation", "both"):
        if not result.recommends:
            hints.append(
                "Say plainly what you recommend in your first sentence: open weights, a closed API, or a "
                'deliberate mix ("I recommend ...").'
            )
        for factor in FACTORS:
            finding = result.factors[factor]
            name = rubric.criterion(factor).name
            if finding.level == MISSING:
                hints.append(f"{name}: not found. {rubric.hint(factor, result.project)}")
            elif finding.level == MENTIONED:
                hints.append(
                    f"{name}: mentioned only in passing ({finding.cues[0]}). Say what it means for this "
                    "project and how it shapes your choice."
                )
    if result.dollar_amounts:
        hints.append(f"Your answer writes money with $ signs: {MONEY_HINT} (your text may already show as one).")
    if result.part in ("risk", "both"):
        if not result.names_risk:
            hints.append('Name the main risk of your recommendation in so many words ("The main risk is ...").')
        if not result.names_mitigation:
            hints.append("Add a concrete mitigation: what would you do, and how does it reduce the risk?")
    if result.moral_framing and result.factors_found < len(FACTORS):
        hints.append(
            "You argue partly from principle (ethics, morals). The rubric gives credit for reasons tied "
            "to this project's needs, team and budget."
        )
    return hints


__all__ = ["DISCUSSED", "MENTIONED", "MISSING", "TextCheck", "check", "check_project"]
