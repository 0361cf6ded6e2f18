"""release/ gives no answer away: no hidden test, no quiz key, no explanation of a graded question, in any form.

Keys come from the question bank (questions/<assignment>/<notebook>.toml); the release is every file a student
receives, including each notebook's ``.quiz.json``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO
from workbook.core.hidden import hidden_line_numbers, region_texts
from workbook.core.layout import Course
from workbook.editions.bank import notebook_keys, with_graded_keys

COURSE = Course(REPO)
SOURCES = COURSE.source_notebooks()


def encodings(answer) -> set[str]:
    """Ways a key could be hidden in a release: literal, JSON, hashed, base64.

    A single option id on its own is public (the question file lists every option id), so for one-answer keys
    the literal forms are the ones that tie the id to "answer" or to a key call.
    """
    hashed = {json.dumps(answer), json.dumps(answer, sort_keys=True), repr(answer)}
    if isinstance(answer, str):
        literal = {f"'{answer}')", f'"{answer}")', f'"answer": "{answer}"', f"'{answer}', points="}
        hashed.add(answer)
    else:
        literal = set(hashed)
    found = set(literal)
    for text in hashed:
        raw = text.encode()
        found |= {
            hashlib.md5(raw).hexdigest(),
            hashlib.sha1(raw).hexdigest(),
            hashlib.sha256(raw).hexdigest(),
            base64.b64encode(raw).decode(),
        }
    return found


def visible_source(source: str) -> str:
    """A cell's source without its hidden-test regions."""
    hidden = hidden_line_numbers(source)
    return "\n".join(line for number, line in enumerate(source.splitlines(), 1) if number not in hidden)


def release_text(source: Path) -> str:
    """Everything a student receives for this notebook: the notebook and any other file in its folder."""
    folder = COURSE.release / source.parent.name
    assert (folder / source.name).exists(), "run python -m workbook build"
    return "\n".join(p.read_text(errors="replace") for p in sorted(folder.rglob("*")) if p.is_file())


def released_sources(source: Path) -> str:
    """The release notebook's cell sources with Python string pieces joined, as a reader would see them."""
    nb = nbformat.read(str(COURSE.release / source.parent.name / source.name), as_version=4)
    return re.sub(r'"\s*\n\s*"', "", "\n".join(cell.source for cell in nb.cells))


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_no_hidden_test_line_reaches_the_release(source: Path) -> None:
    nb = with_graded_keys(nbformat.read(str(source), as_version=4), source)  # as nbgrader's gradebook holds it
    text = release_text(source)
    lines = {
        line.strip()
        for cell in nb.cells
        if cell.cell_type == "code"
        for region in region_texts(cell.source)
        for line in region.splitlines()
    }
    # Lines students see anyway (a question id, "points=2,") are no leak; any other hidden line is.
    visible = {line.strip() for cell in nb.cells for line in visible_source(cell.source).splitlines()}
    visible |= {f'"{key.question_id}",' for key in notebook_keys(nb, source)}  # question ids are public
    leaked = sorted(line for line in lines - visible if len(line) > 12 and line in text)
    assert leaked == []


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_no_graded_key_or_explanation_reaches_the_release(source: Path) -> None:
    nb = nbformat.read(str(source), as_version=4)
    text = release_text(source)
    graded = [k for k in notebook_keys(nb, source) if k.hidden]
    for key in graded:
        for call in (
            f'quiz.key(\n    "{key.question_id}"',
            f'quiz.key("{key.question_id}"',
            f"quiz.key('{key.question_id}'",
        ):
            assert call not in text, f"{key.question_id}: its hidden test is in the release"
        for form in encodings(key.answer):
            assert form not in text, f"{key.question_id}: its key appears in the release as {form!r}"
        flat = " ".join(released_sources(source).split()) + " ".join(text.split())
        assert key.explanations, f"{key.question_id}: the bank gives its explanations"
        for explanation in key.explanations.values():
            sentence = " ".join(explanation.split())
            assert sentence not in flat, f"{key.question_id}: an explanation is in the release"


def test_the_bank_holds_graded_keys_to_look_for() -> None:
    """Not vacuous: the scans above look for many graded keys, each with explanations."""
    graded = [k for s in SOURCES for k in notebook_keys(nbformat.read(str(s), as_version=4), s) if k.hidden]
    assert len(graded) >= 20 and all(k.explanations for k in graded)


def test_every_graded_question_has_a_key_in_the_source() -> None:
    """Each graded quiz cell has a graded key in the bank, so autograde can score it and self-learners get feedback."""
    for source in SOURCES:
        nb = nbformat.read(str(source), as_version=4)
        hidden = {k.question_id for k in notebook_keys(nb, source) if k.hidden}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "code" and "quiz.show(" in cell.source:
                assert meta["grade_id"] in hidden, (source.name, meta["grade_id"])
                assert f'quiz.grade("{meta["grade_id"]}")' in cell.source, (source.name, meta["grade_id"])


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_no_key_or_explanation_of_any_question_is_in_a_release_cell(source: Path) -> None:
    """Not even practice keys sit in a cell a student can read or expand: they live in the question file."""
    flat = " ".join(released_sources(source).split())
    for key in notebook_keys(nbformat.read(str(source), as_version=4), source):
        for explanation in key.explanations.values():
            assert " ".join(explanation.split()) not in flat, f"{key.question_id}: an explanation is in a cell"
    assert "quiz.key" not in flat


def test_no_graded_key_in_the_installed_package_or_beside_it() -> None:
    """The bank sits outside the workbook package, so `pip install` never ships a graded key."""
    import workbook

    package = Path(workbook.__file__).parent
    texts = "\n".join(p.read_text(errors="replace") for p in package.rglob("*") if p.is_file() and p.suffix != ".pyc")
    for source in SOURCES:
        for key in notebook_keys(nbformat.read(str(source), as_version=4), source):
            if key.hidden:
                for explanation in key.explanations.values():
                    assert " ".join(explanation.split())[:60] not in texts, key.question_id
