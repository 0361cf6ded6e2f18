"""The self-learner edition (``notebooks/``): every question gives feedback at once, exercises keep a model answer.

Made from a source notebook, not from the release: it needs the keys and solutions the release has lost.
Differences from the source:
- solution regions become the same stubs students see, and the solution moves into a closed "Model answer" block
  right after the exercise;
- a written answer graded by hand (markdown, ``grade`` and ``solution``) is followed instead by a collapsed code
  cell calling ``writing.self_assess``: it carries the model answer, but shows it only after the learner has saved
  a real attempt and rated it against the rubric. In the source, a line ``<!-- what makes it strong -->`` inside
  the solution region starts notes on why the model answer is strong; they are shown with it;
- hidden-test regions become ordinary code, so graded quiz questions get their key (and so give feedback) and
  exercises are checked in full; those cells start with their code collapsed, so the key does not catch the eye;
- nbgrader metadata goes: there is no instructor.
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode, v4

from workbook.core.answer_store import notebook_of
from workbook.core.hidden import has_hidden_tests, region_texts, without_markers

from .bank import GRADE_CALL
from .notebook_io import nbgrader_meta
from .runall import add_stub_note, fails_until_answered, tag_as_expected_failure

SOLUTION_BEGIN, SOLUTION_END = "BEGIN SOLUTION", "END SOLUTION"
MARK_SCHEME_BEGIN, MARK_SCHEME_END = "BEGIN MARK SCHEME", "END MARK SCHEME"
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
TEXT_STUB = ["YOUR ANSWER HERE"]
NOTES_MARKER = "<!-- what makes it strong -->"

BANNER = """\
> **Self-learner edition.** Quizzes here tell you at once whether you are right, with an explanation for every
> option. Exercises check your code when you run the test cell below them, and each has a **model answer** you can
> open after you have tried. Your quiz answers are saved in `{store}` next to this notebook.
> **On Binder the session is temporary** and its files vanish when it ends: before you leave, click
> **Save my work** on the [start page](00_start.ipynb) and download the zip it makes; **Restore** there brings it
> back."""


def _split_region(lines: list[str], begin: str, end: str) -> tuple[list[str], list[str], bool]:
    """Lines outside and inside ``begin``/``end`` regions, with stubs put where regions were."""
    outside, inside, in_region, found = [], [], False, False
    for line in lines:
        if begin in line:
            in_region, found = True, True
            outside.append(line[: len(line) - len(line.lstrip())] + "\0STUB")
        elif end in line and in_region:
            in_region = False
        elif in_region:
            inside.append(line)
        else:
            outside.append(line)
    if in_region:
        raise ValueError(f"a '{begin}' region has no '{end}'")
    return outside, inside, found


def _with_stub(lines: list[str], stub: list[str]) -> str:
    out = []
    for line in lines:
        if line.endswith("\0STUB"):
            indent = line[: -len("\0STUB")]
            out.extend(indent + s for s in stub)
        else:
            out.append(line)
    return "\n".join(out)


def _dedent(lines: list[str]) -> str:
    text = "\n".join(lines)
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return "\n".join(line[cut:] for line in text.split("\n"))


def _model_answer_cell(cell: NotebookNode, solution: str, mark_scheme: str) -> NotebookNode:
    parts = ["<details>", "<summary><b>Model answer</b> (open it after you have tried)</summary>", ""]
    if cell.cell_type == "code":
        parts += ["```python", solution.strip("\n"), "```"]
    else:
        parts += [solution.strip("\n")]
    if mark_scheme.strip():
        parts += ["", "**What a strong answer covers**", "", mark_scheme.strip("\n")]
    parts += ["", "</details>"]
    new = v4.new_markdown_cell("\n".join(parts))
    new.id = f"{cell.get('id', 'cell')}-model"[:64]
    return new


def _python_string(text: str) -> str:
    """``text`` as a Python literal: triple-quoted when that is safe (readable), else repr."""
    if '"""' not in text and "\\" not in text and not text.endswith('"'):
        return '"""\\\n' + text + '"""'
    return repr(text)


def _split_notes(solution: str) -> tuple[str, str]:
    """A written model answer and the notes on what makes it strong (after NOTES_MARKER), both stripped."""
    lines = solution.split("\n")
    at = next((i for i, line in enumerate(lines) if line.strip().lower() == NOTES_MARKER), None)
    if at is None:
        return solution.strip(), ""
    return "\n".join(lines[:at]).strip(), "\n".join(lines[at + 1 :]).strip()


def _self_assessment_cell(cell: NotebookNode, grade_id: str, solution: str, notebook_file: str) -> NotebookNode:
    """A collapsed code cell that runs the self-assessment and holds the model answer until it is earned."""
    # Markdown needs \$ so that two prices are not typeset as math; the widget shows HTML, where $ is plain.
    answer, notes = _split_notes(solution.replace("\\$", "$"))
    source = "\n".join(
        [
            "# Self-assessment: save the notebook after writing your answer above, then run this cell.",
            "from workbook import writing",
            "",
            "writing.self_assess(",
            f"    {grade_id!r},",
            f"    notebook={notebook_file!r},",
            f"    model_answer={_python_string(answer)},",
            f"    strengths={_python_string(notes)},",
            ");",
        ]
    )
    new = v4.new_code_cell(source, metadata={"jupyter": {"source_hidden": True}})
    new.id = f"{cell.get('id', 'cell')}-self-assessment"[:64]
    return new


def _learner_cells(cell: NotebookNode, notebook_file: str = "") -> list[NotebookNode]:
    """The self-learner version of one source cell (one cell, or two with a model answer)."""
    meta = nbgrader_meta(cell)
    cell = copy.deepcopy(cell)
    cell.metadata.pop("nbgrader", None)
    if fails_until_answered(cell, meta):
        tag_as_expected_failure(cell)
    lines = cell.source.split("\n")

    if meta.get("solution"):
        lines, mark_scheme, _ = _split_region(lines, MARK_SCHEME_BEGIN, MARK_SCHEME_END)
        lines = [line for line in lines if not line.endswith("\0STUB")]
        stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
        outside, solution, found = _split_region(lines, SOLUTION_BEGIN, SOLUTION_END)
        if not found:  # the whole cell is the answer
            outside, solution = ["\0STUB"], lines
        cell.source = _with_stub(outside, stub)
        if cell.cell_type == "markdown" and meta.get("grade") and notebook_file:
            return [cell, _self_assessment_cell(cell, meta.get("grade_id", ""), _dedent(solution), notebook_file)]
        return [cell, _model_answer_cell(cell, _dedent(solution), _dedent(mark_scheme))]

    if has_hidden_tests(cell.source):
        # a graded quiz's hidden `quiz.grade(id)` has nothing to do here: its key comes with the question file
        source = "\n".join(line for line in cell.source.split("\n") if not GRADE_CALL.match(line))
        cell.source = without_markers(source).strip("\n")
        if _has_hidden_code(source):
            cell.metadata["jupyter"] = {"source_hidden": True}
    return [cell]


def _has_hidden_code(source: str) -> bool:
    """Whether a hidden-test region holds anything but blank lines and comments."""
    lines = [line.strip() for region in region_texts(source) for line in region.split("\n")]
    return any(line and not line.startswith("#") for line in lines)


def self_learner_notebook(source: NotebookNode, store_name: str) -> NotebookNode:
    """Turn a source notebook into its self-learner edition."""
    nb = copy.deepcopy(source)
    nb.metadata.pop("nbgrader", None)
    cells: list[NotebookNode] = []
    notebook_file = notebook_of(store_name)
    for cell in source.cells:
        cells.extend(_learner_cells(cell, notebook_file))
    banner = v4.new_markdown_cell(BANNER.format(store=store_name))
    banner.id = "self-learner-banner"
    title_at = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), -1)
    cells.insert(title_at + 1, banner)
    nb.cells = cells
    add_stub_note(nb)
    return nb
