"""The register of dated facts (``workbook/data/facts.csv``): what the course claims, from which source, as of when.

Instructor side. ``old_claims`` answers "which claims should I re-check before this term?"; ``check_register``
answers "does every date the course cites have a register row, and does every row have a user?". A row names
where it is used (``used_in``: notebook stems of ``source/<assignment>/``, ``licences.csv``,
``cost_assumptions.csv`` or a question-bank file ``questions/<assignment>/<stem>.toml``) and a short ``cite``
string that appears in each of those places.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("id", "claim", "source", "cite", "as_of", "used_in")
REGISTER = Path(__file__).resolve().parent.parent / "data" / "facts.csv"
DATA_FILES = ("licences.csv", "cost_assumptions.csv")
# A year, year-month or full date that is not part of a longer number (2,628,000; 2024/1689; 2312.14972).
DATE = re.compile(r"(?<![\d/.,-])((?:19|20)\d\d(?:-\d\d(?:-\d\d)?)?)(?![\d/]|\.\d)")
REGULATION_NUMBER = re.compile(r"\b\d{4}/\d+\b")


@dataclass(frozen=True)
class Fact:
    id: str
    claim: str
    source: str
    cite: str
    as_of: str
    used_in: tuple[str, ...]

    def latest_day(self) -> dt.date | None:
        """The last day the as-of date can mean (``2024-08`` -> 2024-08-31; ``2026-09..11`` -> 2026-11-30).

        None when the fact is undated (``n.d.``)."""
        text = self.as_of.strip()
        if ".." in text:
            text = re.sub(r"^(\d{4})-(\d\d)\.\.(\d\d)$", r"\1-\3", text)
        text = re.sub(r"^\d{4}-(\d{4})$", r"\1", text)  # a range of years: 2025-2026
        match = re.fullmatch(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", text)
        if not match:
            return None
        year, month, day = match.groups()
        if day:
            return dt.date(int(year), int(month), int(day))
        if month:
            return dt.date(int(year), int(month), monthrange(int(year), int(month))[1])
        return dt.date(int(year), 12, 31)


class RegisterError(ValueError):
    """The register file is missing, has the wrong columns or a bad row."""


def load_register(path: Path = REGISTER) -> list[Fact]:
    """Every row of the register, checked for the columns and non-empty fields."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise RegisterError(f"cannot read the fact register {path}: {error.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise RegisterError(f"{path.name}: expected columns {COLUMNS}, found {reader.fieldnames}")
        facts = []
        for line, row in enumerate(reader, start=2):
            empty = [key for key in COLUMNS if not (row.get(key) or "").strip()]
            if empty:
                raise RegisterError(f"{path.name} line {line}: empty {', '.join(empty)}")
            used = tuple(place.strip() for place in row["used_in"].split(";") if place.strip())
            facts.append(Fact(row["id"], row["claim"], row["source"], row["cite"], row["as_of"], used))
    ids = [fact.id for fact in facts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RegisterError(f"{path.name}: duplicate ids {duplicates}")
    return facts


def old_claims(facts: list[Fact], before: dt.date) -> list[tuple[Fact, dt.date | None]]:
    """Facts whose as-of date ends before ``before`` (undated facts always), oldest first."""
    found = [(fact, fact.latest_day()) for fact in facts]
    old = [(fact, day) for fact, day in found if day is None or day < before]
    return sorted(old, key=lambda pair: (pair[1] or dt.date.min, pair[0].id))


def format_claims(claims: list[tuple[Fact, dt.date | None]], today: dt.date) -> str:
    """A plain table: as-of, age in days, id, where used, claim and source."""
    if not claims:
        return "No claim in the register is that old."
    lines = []
    for fact, day in claims:
        age = f"{(today - day).days} days" if day else "undated"
        lines.append(f"{fact.as_of:<24} {age:>10}  {fact.id}")
        lines.append(f"    claim:   {fact.claim}")
        lines.append(f"    source:  {fact.source}")
        lines.append(f"    used in: {', '.join(fact.used_in)}")
    lines.append(f"{len(claims)} of the register's claims to re-check.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# Consistency between the register and the course.


def _notebook_text(path: Path) -> str:
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    # Prose and quiz text cite facts; other code (test values, sums) holds numbers, not citations.
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" or "quiz." in c.source)


def dates_in(text: str) -> set[str]:
    """Every year, year-month or date the text cites (regulation numbers such as 2024/1689 are not dates)."""
    return set(DATE.findall(REGULATION_NUMBER.sub(" ", text)))


def course_places(root: Path, assignment: str = "open_vs_closed") -> dict[str, str]:
    """Text of every place that may cite a dated fact: notebooks, question banks, the two data CSVs."""
    places = {}
    for path in sorted((root / "source" / assignment).glob("*.ipynb")):
        places[path.stem] = _notebook_text(path)
    for path in sorted((root / "questions" / assignment).glob("*.toml")):
        places[f"questions/{assignment}/{path.name}"] = path.read_text(encoding="utf-8")
    data = root / "workbook" / "data"
    for name in DATA_FILES:
        if (data / name).exists():
            places[name] = (data / name).read_text(encoding="utf-8")
    return places


def _csv_citations(text: str) -> list[tuple[str, str]]:
    """(source, as_of) of every row that cites a source (cost rows that are assumptions cite none)."""
    rows = csv.DictReader(text.splitlines())
    return [(row["source"], row["as_of"]) for row in rows if row.get("kind", "sourced") != "assumption"]


def _cites(fact: Fact, text: str) -> bool:
    """Whether ``text`` names the fact: ``cite`` holds one or more alternatives separated by ``|``."""
    return any(alternative.strip().lower() in text.lower() for alternative in fact.cite.split("|"))


def check_register(facts: list[Fact], places: dict[str, str]) -> list[str]:
    """Problems, one line each: dates the course cites that no register row used there holds, register rows that
    nothing uses, CSV citations without a register row."""
    problems = []
    for fact in facts:
        for place in fact.used_in:
            if place not in places:
                problems.append(f"{fact.id}: used_in names {place!r}, which does not exist")
            elif not _cites(fact, places[place]):
                problems.append(f"{fact.id}: {place} does not cite it (none of {fact.cite!r} there)")
    for place, text in places.items():
        here = [fact for fact in facts if place in fact.used_in]
        if place in DATA_FILES:
            for source, as_of in _csv_citations(text):
                if not any(_cites(f, source) and f.as_of == as_of for f in here):
                    problems.append(f"{place}: the citation {source!r} as of {as_of!r} has no register row")
            continue
        known = " ".join(f"{f.as_of} {f.claim}" for f in here)
        for date in sorted(dates_in(text)):
            if date not in known:
                problems.append(f"{place}: cites the date {date}, which no register row used there holds")
    return problems
