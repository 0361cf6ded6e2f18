"""Rubric, mark schemes and check results as HTML (notebook, feedback) and plain text (terminal, fallbacks).

Plain strings only, no widgets: these are displayed while nbgrader autogrades too, so that the rubric and the
mark schemes are part of the feedback a student gets back. Every piece of text from data or from a learner is
HTML-escaped.
"""

from __future__ import annotations

from html import escape

from workbook.writing.factors import DISCUSSED, MENTIONED
from workbook.writing.rubric import LEVELS, Rubric, load_rubric

_BOX = "border:1px solid var(--jp-border-color1, #ccc);border-radius:4px;padding:8px 12px;margin:4px 0;max-width:64em"
# Prices like "$3 ... $15" would be typeset as math by JupyterLab's MathJax; these classes switch that off.
_NO_MATH = "tex2jax_ignore mathjax_ignore"
# JupyterLab right-aligns table cells in rendered output; prose reads from the left.
_CELL = 'style="text-align:left;vertical-align:top"'


def _left(markup: str) -> str:
    """Every table cell of ``markup`` left-aligned and top-aligned."""
    return markup.replace("<td>", f"<td {_CELL}>").replace("<th>", f"<th {_CELL}>")


_LEVEL_WORDS = {DISCUSSED: "✓ discussed", MENTIONED: "~ mentioned", "missing": "✗ not found"}


def rubric_html(rubric: Rubric | None = None) -> str:
    """The whole rubric: what full, partial and no credit look like for each factor and for structure."""
    rubric = rubric or load_rubric()
    head = "".join(f"<th>{escape(rubric.level_names[level])}</th>" for level in LEVELS)
    rows = []
    for criterion in rubric.criteria:
        cells = "".join(f"<td>{escape(criterion.levels[level])}</td>" for level in LEVELS)
        rows.append(
            f'<tr class="wb-rubric-{escape(criterion.id)}"><th>{escape(criterion.name)}<br>'
            f"<small>{escape(criterion.question)}</small></th>{cells}</tr>"
        )
    parts = "".join(
        f"<li><b>{escape(p.name)}</b> ({p.points:g} points): {escape(p.task)}</li>" for p in rubric.parts.values()
    )
    return _left(
        f'<div class="wb-rubric {_NO_MATH}" style="{_BOX}"><p><b>{escape(rubric.title)}</b></p>'
        f"<p>Each project has two graded answers:</p><ul>{parts}</ul>"
        f"<table><thead><tr><th>criterion</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "<p><small>The five factors are judged over both paragraphs of a project together; structure and "
        "honesty over each.</small></p></div>"
    )


def rubric_text(rubric: Rubric | None = None) -> str:
    """The rubric as plain text (the fallback where HTML is not shown)."""
    rubric = rubric or load_rubric()
    lines = [rubric.title, ""]
    for part in rubric.parts.values():
        lines.append(f"- {part.name} ({part.points:g} points): {part.task}")
    for criterion in rubric.criteria:
        lines += ["", f"{criterion.name}: {criterion.question}"]
        lines += [f"  {rubric.level_names[level]}: {criterion.levels[level]}" for level in LEVELS]
    return "\n".join(lines)


def mark_scheme_html(grade_id: str, rubric: Rubric | None = None) -> str:
    """The mark scheme of one graded answer cell: the project, the task, its points and its bands."""
    rubric = rubric or load_rubric()
    project, part = rubric.question(grade_id)
    bands = "".join(f"<tr><td>{b.points:g}</td><td>{escape(b.description)}</td></tr>" for b in part.bands)
    classes = f"wb-mark-scheme wb-mark-scheme-{escape(grade_id)} {_NO_MATH}"
    return _left(
        f'<div class="{classes}" style="{_BOX}">'
        f"<p><b>Mark scheme: {escape(project.name)}, {escape(part.name.lower())} ({part.points:g} points)"
        f"</b></p><p>{escape(part.task)} About {part.words[0]} to {part.words[1]} words.</p>"
        f"<table><thead><tr><th>points</th><th>what the answer looks like</th></tr></thead>"
        f"<tbody>{bands}</tbody></table>"
        "<p><small>Credit for each factor follows the rubric table above.</small></p></div>"
    )


def mark_scheme_text(grade_id: str, rubric: Rubric | None = None) -> str:
    rubric = rubric or load_rubric()
    project, part = rubric.question(grade_id)
    lines = [f"Mark scheme: {project.name}, {part.name.lower()} ({part.points:g} points)", part.task]
    lines += [f"  {b.points:g} points: {b.description}" for b in part.bands]
    return "\n".join(lines)


def check_html(result) -> str:
    """A structure check's result as a small HTML report (``result`` is a ``TextCheck``)."""
    rubric = load_rubric()
    summary = f"{result.words} words, {result.paragraphs} paragraph{'s' if result.paragraphs != 1 else ''}"
    rows = []
    if result.part != "risk" and result.words:
        for factor, finding in result.factors.items():
            cues = ", ".join(finding.cues[:4]) or "-"
            rows.append(
                f'<tr class="wb-check-{finding.level}"><td>{escape(rubric.criterion(factor).name)}</td>'
                f"<td>{_LEVEL_WORDS[finding.level]}</td><td><small>{escape(cues)}</small></td></tr>"
            )
    table = (
        (
            f"<table><thead><tr><th>factor</th><th>found</th><th>words that showed it</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        if rows
        else ""
    )
    hints = "".join(f"<li>{escape(h)}</li>" for h in result.hints)
    verdict = (
        "Every part the rubric asks for is there. Now judge how well you argue each one, with the rubric."
        if result.ready
        else "Not complete yet: see the hints."
    )
    return _left(
        f'<div class="wb-writing-check {_NO_MATH}" style="{_BOX}"><p><b>Structure check</b> (not graded): '
        f"{summary}. {escape(verdict)}</p>{table}"
        + (f"<ul class='wb-check-hints'>{hints}</ul>" if hints else "")
        + "<p><small>The check looks for topics and structure, not for quality: it cannot tell a strong "
        "argument from a weak one.</small></p></div>"
    )


def check_text(result) -> str:
    """A structure check's result as plain text."""
    lines = [
        f"Structure check: {result.words} words, {result.paragraphs} paragraphs"
        + (" (ready for the rubric)" if result.ready else "")
    ]
    if result.part != "risk" and result.words:
        lines += [f"  {name}: {_LEVEL_WORDS[finding.level]}" for name, finding in result.factors.items()]
    lines += [f"- {hint}" for hint in result.hints]
    return "\n".join(lines)
