"""The question bank: its schema (clear messages naming file, question and field), the question files the build
writes beside each edition, and the one-line quiz cells that read them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO
from workbook.core.layout import Course
from workbook.editions.bank import check_notebook_bank, notebook_bank, with_graded_keys
from workbook.quiz.bank import BankError, parse_bank, payload, read_payload

COURSE = Course(REPO)
SOURCES = COURSE.source_notebooks()

GOOD = """
[pick_one]
type = "multiple_choice"
graded = true
points = 2
several = false
prompt = "Which?"
answer = "b"

[pick_one.options]
a = "First"
b = "Second"

[pick_one.explanations]
a = "Not this one."
b = "This one."
"""


def parse(text: str) -> list:
    return parse_bank(tomllib.loads(textwrap.dedent(text)), "questions/demo/01_demo.toml")


def test_a_good_question_parses_with_its_key() -> None:
    (item,) = parse(GOOD)
    assert (item.id, item.graded, item.key.answer, item.key.points) == ("pick_one", True, "b", 2.0)
    assert dict(item.question.options) == {"a": "First", "b": "Second"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (('answer = "b"', 'answer = "c"'), None, "unknown option ids ['c']"),
        (("points = 2\n", ""), "points", "is missing"),
        (('type = "multiple_choice"', 'type = "mcq"'), "type", "must be"),
        (('b = "This one."', 'c = "Other."'), "explanations", "unknown options ['c']"),
        (('b = "This one."', ""), "explanations", "missing: ['b']"),
        (('prompt = "Which?"', 'prompt = "Which?"\nhint = "x"'), "hint", "not a known field"),
        (('answer = "b"', 'answer = ["b"]'), "answer", "one option id"),
        (("graded = true", "graded = false"), "points", "only for graded"),
    ],
)
def test_schema_errors_name_file_question_and_field(change, field, words) -> None:
    with pytest.raises(BankError) as raised:
        parse(GOOD.replace(*change))
    message = str(raised.value)
    assert message.startswith("questions/demo/01_demo.toml: [pick_one]"), message
    if field:
        assert f"field '{field}'" in message, message
    assert words in message, message


def test_the_course_bank_checks_clean_against_its_notebooks() -> None:
    problems = [
        problem for path in SOURCES for problem in check_notebook_bank(nbformat.read(str(path), as_version=4), path)
    ]
    assert problems == []
    assert sum(len(notebook_bank(path)) for path in SOURCES) >= 40


def test_a_question_no_cell_shows_and_a_cell_without_question_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "source" / "demo" / "01_demo.ipynb"
    bank = tmp_path / "questions" / "demo" / "01_demo.toml"
    bank.parent.mkdir(parents=True)
    bank.write_text(GOOD)
    cell = nbformat.v4.new_code_cell('quiz.show("other_one")')
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": "other_one", "locked": True}
    problems = check_notebook_bank(nbformat.v4.new_notebook(cells=[cell]), source)
    assert any("quiz.show('other_one'): no table [other_one]" in p for p in problems), problems
    assert any("questions no cell of 01_demo.ipynb shows: ['pick_one']" in p for p in problems), problems


def test_graded_cell_gets_its_key_only_in_the_gradebook_copy(tmp_path: Path) -> None:
    source = tmp_path / "source" / "demo" / "01_demo.ipynb"
    bank = tmp_path / "questions" / "demo" / "01_demo.toml"
    bank.parent.mkdir(parents=True)
    bank.write_text(GOOD)
    text = 'quiz.show("pick_one")\n### BEGIN HIDDEN TESTS\nquiz.grade("pick_one")\n### END HIDDEN TESTS'
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])
    expanded = with_graded_keys(nb, source)
    assert "quiz.key('pick_one', 'b', points=2)" in expanded.cells[0].source
    assert nb.cells[0].source == text, "the source notebook itself is not changed"


def test_release_question_files_carry_practice_keys_only() -> None:
    for path in SOURCES:
        items = {item.id: item for item in notebook_bank(path)}
        released = json.loads((COURSE.release / path.parent.name / f"{path.stem}.quiz.json").read_text())
        learner = json.loads((COURSE.self_learner / f"{path.stem}.quiz.json").read_text())
        for entry in released["questions"]:
            assert ("key" in entry) == (not items[entry["id"]].graded), entry["id"]
        assert all("key" in entry for entry in learner["questions"])
        assert [entry["id"] for entry in released["questions"]] == list(items)


def test_payload_round_trip_keeps_question_and_key() -> None:
    items = parse(GOOD)
    shown = read_payload_text(json.dumps(payload("01_demo", items, graded_keys=True)))
    assert shown["pick_one"].key is not None and shown["pick_one"].key.answer == "b"
    hidden = read_payload_text(json.dumps(payload("01_demo", items, graded_keys=False)))
    assert hidden["pick_one"].key is None


def read_payload_text(text: str, tmp=Path("/tmp")):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.quiz.json"
        path.write_text(text)
        return read_payload(path)


def _kernel(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh IPython (as a notebook kernel would) and return what it printed."""
    full = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"} | env
    script = "from IPython.testing.globalipapp import get_ipython\nip = get_ipython()\n" + "\n".join(
        f"ip.run_cell({line!r})" for line in code.strip().splitlines()
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=full, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_quiz_run_before_the_setup_cell_says_what_to_do(tmp_path: Path) -> None:
    result = _kernel('from workbook import quiz\nquiz.show("pick_one")', tmp_path)
    assert "run the notebook's setup cell first" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def _student_folder(tmp_path: Path, stem: str) -> Path:
    """A student's assignment folder holding only the release edition's question file for ``stem``."""
    folder = tmp_path / "open_vs_closed"
    folder.mkdir()
    (folder / f"{stem}.quiz.json").write_bytes((COURSE.release / "open_vs_closed" / f"{stem}.quiz.json").read_bytes())
    return folder


def test_release_quiz_cell_shows_graded_question_without_key(tmp_path: Path) -> None:
    stem = "01_what_open_means"
    folder = _student_folder(tmp_path, stem)
    code = f"""
from workbook import quiz
from workbook.quiz.session import shown_view
quiz.start("{stem}")
quiz.show("osi_preferred_form_choice")
quiz.show("eu_ai_act_exemption_check")
print("MODES", shown_view("osi_preferred_form_choice").mode, shown_view("eu_ai_act_exemption_check").mode)
"""
    result = _kernel(code, folder)
    assert "MODES graded practice" in result.stdout, result.stdout + result.stderr


def test_validate_fails_a_graded_question_without_answer_and_passes_it_with_one(tmp_path: Path) -> None:
    """nbgrader's Validate (NBGRADER_EXECUTION=validate) lists unanswered graded questions instead of "Success!"."""
    stem = "01_what_open_means"
    folder = _student_folder(tmp_path, stem)
    code = f"""
from workbook import quiz
quiz.start("{stem}")
quiz.show("eu_ai_act_exemption_check"); print("PRACTICE OK")
quiz.show("osi_preferred_form_choice"); print("GRADED" + " OK")
"""
    result = _kernel(code, folder, NBGRADER_EXECUTION="validate")
    assert "PRACTICE OK" in result.stdout and "GRADED OK" not in result.stdout
    assert "Graded question 'osi_preferred_form_choice' is not answered yet" in result.stdout + result.stderr
    from workbook.core.answer_store import AnswerStore

    AnswerStore(folder / f"{stem}.answers.json").save("osi_preferred_form_choice", "weights_only")
    assert "GRADED OK" in _kernel(code, folder, NBGRADER_EXECUTION="validate").stdout


def test_friendly_messages_for_cells_run_out_of_order(tmp_path: Path) -> None:
    from workbook.friendly import message_for

    assert "run the notebook's setup cell first" in message_for("quiz")
    assert "replace `raise NotImplementedError()`" in message_for("monthly_cost")
    result = _kernel("%load_ext workbook.friendly\nmonthly_cost(3)", tmp_path)
    assert "`monthly_cost` does not exist yet" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stdout


def test_learner_lab_settings_hide_nbgrader_and_load_the_friendly_kernel(tmp_path: Path) -> None:
    from workbook.learnerlab import prepare

    env = prepare(tmp_path / "lab")
    page = json.loads((Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {"@jupyter/nbgrader": True}
    server = json.loads((Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json").read_text())
    assert not any(server["ServerApp"]["jpserver_extensions"].values())
    kernel = (Path(env["IPYTHONDIR"]) / "profile_default" / "ipython_kernel_config.py").read_text()
    assert "workbook.friendly" in kernel
