"""Tripwire: the nbgrader internals that workbook/grading/ relies on, pinned as they are in nbgrader 0.9.6.

grading/ does not run ``nbgrader autograde``: it runs nbgrader's preprocessors itself (in a sandbox, in parallel) and
writes the gradebook the way ``SaveAutoGrades`` would. So an nbgrader release that renames a class, changes a
signature, reorders its autograde steps or changes how a score is saved could make grading silently differ from
nbgrader's. Each pin below says what grading/ depends on and where; when one fails, read the changed nbgrader code,
adapt the named place in grading/, then update the pin.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

GRADING = Path(__file__).resolve().parent.parent / "workbook" / "grading"


@dataclass(frozen=True)
class Pin:
    what: str  # the nbgrader internal
    where: str  # where grading/ depends on it
    current: Callable[[], object]
    pinned: object  # its value in nbgrader 0.9.6
    names: tuple[str, ...] = ()  # the nbgrader names it covers (see the completeness test)


def _source_hash(code: str) -> str:
    """A short hash of a piece of nbgrader's code: any change to its logic changes it."""
    return hashlib.sha256(textwrap.dedent(code).encode()).hexdigest()[:16]


def _signature(path: str) -> Callable[[], str]:
    def current() -> str:
        import importlib

        module, _, attribute = path.rpartition(":")
        obj = importlib.import_module(module)
        for part in attribute.split("."):
            obj = getattr(obj, part)
        return str(inspect.signature(obj))

    return current


def _trait_default(module: str, cls: str, trait: str) -> Callable[[], object]:
    def current() -> object:
        import importlib

        value = getattr(importlib.import_module(module), cls).class_traits()[trait].default()
        return [getattr(item, "__name__", item) for item in value] if isinstance(value, list) else value

    return current


def _hash_of(module: str, qualname: str) -> Callable[[], str]:
    def current() -> str:
        import importlib

        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        return _source_hash(inspect.getsource(obj))

    return current


def _generate_assignment_exporter() -> list[object]:
    """BaseConverter.start's code, whether its exporter is configurable, and whether the build's stand-in for the
    default (``NBGRADER_EXPORTER``) is still nbgrader's default exporter."""
    from nbgrader.converters.base import BaseConverter
    from traitlets.utils.importstring import import_item

    from workbook.nbgrader_guard import NBGRADER_EXPORTER

    trait = BaseConverter.class_traits()["exporter_class"]
    return [
        _source_hash(inspect.getsource(BaseConverter.start)),
        trait.metadata.get("config"),
        trait.default() is import_item(NBGRADER_EXPORTER),
    ]


def _hash_in_file(module: str, function: str) -> Callable[[], str]:
    """Like ``_hash_of``, from nbgrader's file: this process may have replaced the function (see the pin)."""

    def current() -> str:
        import importlib.util

        path = importlib.util.find_spec(module).origin
        text = Path(path).read_text(encoding="utf-8")
        node = next(
            n
            for n in ast.parse(text).body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == function
        )
        return _source_hash(ast.get_source_segment(text, node))

    return current


def _execute_shape() -> dict:
    from nbgrader.preprocessors import Execute

    traits = Execute.class_traits()
    return {
        "bases": [base.__name__ for base in Execute.__bases__],
        "overrides preprocess": "preprocess" in Execute.__dict__,
        "timeout": traits["timeout"].default(),
        "interrupt_on_timeout": traits["interrupt_on_timeout"].default(),
        "allow_errors": traits["allow_errors"].default(),
        "has kernel_manager_class": "kernel_manager_class" in traits,
        "has shutdown_kernel": "shutdown_kernel" in traits,
    }


def _model_columns() -> dict:
    from nbgrader import api

    wanted = {
        "Grade": ("auto_score", "manual_score", "needs_manual_grade"),
        "Comment": ("auto_comment",),
        "SubmittedNotebook": ("grades", "comments", "code_score"),
    }
    return {
        model: sorted(name for name in names if hasattr(getattr(api, model), name)) for model, names in wanted.items()
    }


PINS = [
    Pin(
        "Autograde.sanitize_preprocessors (the steps before execution, in order)",
        "workbook/grading/worker.py _grade_notebook runs these steps itself, in this order",
        _trait_default("nbgrader.converters", "Autograde", "sanitize_preprocessors"),
        ["ClearOutput", "DeduplicateIds", "OverwriteKernelspec", "OverwriteCells", "CheckCellMetadata"],
        ("ClearOutput", "DeduplicateIds", "OverwriteKernelspec", "OverwriteCells", "CheckCellMetadata", "Autograde"),
    ),
    Pin(
        "Autograde.autograde_preprocessors (execution and saving, in order)",
        "workbook/grading/worker.py _grade_notebook runs Execute, IgnorePattern, LimitOutput, CheckCellMetadata; "
        "record.py replaces SaveAutoGrades; ClearMetadataPreprocessor and AssignLatePenalties are not applied",
        _trait_default("nbgrader.converters", "Autograde", "autograde_preprocessors"),
        [
            "Execute",
            "IgnorePattern",
            "ClearMetadataPreprocessor",
            "LimitOutput",
            "SaveAutoGrades",
            "AssignLatePenalties",
            "CheckCellMetadata",
        ],
        ("Execute", "IgnorePattern", "LimitOutput", "SaveAutoGrades"),
    ),
    Pin(
        "SaveAutoGrades._add_score (how an automatic score is stored)",
        "workbook/grading/record.py _record_grades copies it (auto_score, needs_manual_grade)",
        _hash_of("nbgrader.preprocessors", "SaveAutoGrades._add_score"),
        "4837248ddfe7bda0",
    ),
    Pin(
        "SaveAutoGrades._add_comment (the 'No response.' comment)",
        "workbook/grading/record.py _record_grades copies it",
        _hash_of("nbgrader.preprocessors", "SaveAutoGrades._add_comment"),
        "4a35f360dfa81c50",
    ),
    Pin(
        "SaveAutoGrades.preprocess_cell (which cells get a score or a comment)",
        "workbook/grading/record.py _record_grades copies it",
        _hash_of("nbgrader.preprocessors", "SaveAutoGrades.preprocess_cell"),
        "3007372b3133140b",
    ),
    Pin(
        "Autograde.init_assignment (source files copied over the submission; missing notebooks scored 0)",
        "workbook/grading/worker.py _copy_source_files and record.py (missing notebooks) copy it",
        _hash_of("nbgrader.converters", "Autograde.init_assignment"),
        "077b260740c9c829",
    ),
    Pin(
        "OverwriteCells.preprocess (reads resources['nbgrader'] notebook, assignment, db_url)",
        "workbook/grading/worker.py _grade_notebook builds those resources and a private assignment database",
        _hash_of("nbgrader.preprocessors", "OverwriteCells.preprocess"),
        "fbd5e0b1a9a219f3",
    ),
    Pin(
        "Execute.on_cell_executed (how a cell's error is recorded)",
        "workbook/grading/execute.py SandboxedExecute relies on it to mark failing cells",
        _hash_of("nbgrader.preprocessors", "Execute.on_cell_executed"),
        "86f2823ec528bc27",
    ),
    Pin(
        "Execute's bases and traits",
        "workbook/grading/execute.py subclasses Execute, sets kernel_manager_class and shutdown_kernel",
        _execute_shape,
        {
            "bases": ["NbGraderPreprocessor", "ExecutePreprocessor"],
            "overrides preprocess": False,
            "timeout": 30,
            "interrupt_on_timeout": True,
            "allow_errors": True,
            "has kernel_manager_class": True,
            "has shutdown_kernel": True,
        },
    ),
    Pin(
        "nbclient NotebookClient.async_execute_cell signature",
        "workbook/grading/execute.py SandboxedExecute.async_execute_cell overrides it",
        _signature("nbclient.client:NotebookClient.async_execute_cell"),
        "(self, cell: 'NotebookNode', cell_index: 'int', execution_count: 'int | None' = None, "
        "store_history: 'bool' = True) -> 'NotebookNode'",
    ),
    Pin(
        "nbclient NotebookClient.output signature",
        "workbook/grading/execute.py SandboxedExecute.output overrides it (the output cap)",
        _signature("nbclient.client:NotebookClient.output"),
        "(self, outs: 'list[NotebookNode]', msg: 'dict[str, t.Any]', display_id: 'str | None', "
        "cell_index: 'int') -> 'NotebookNode | None'",
    ),
    Pin(
        "nbgrader.utils.determine_grade signature",
        "workbook/grading/record.py _record_grades",
        _signature("nbgrader.utils:determine_grade"),
        "(cell: nbformat.notebooknode.NotebookNode, log: logging.Logger = None) -> Tuple[Optional[float], float]",
        ("utils",),
    ),
    Pin(
        "nbgrader.utils.determine_grade (the scoring rule)",
        "workbook/grading/record.py _record_grades scores every cell with it",
        _hash_of("nbgrader.utils", "determine_grade"),
        "f97b74436f014b62",
    ),
    *(
        Pin(
            f"nbgrader.utils.{name} signature",
            "workbook/grading/record.py _record_grades",
            _signature(f"nbgrader.utils:{name}"),
            signature,
        )
        for name, signature in [
            ("is_grade", "(cell: nbformat.notebooknode.NotebookNode) -> bool"),
            ("is_solution", "(cell: nbformat.notebooknode.NotebookNode) -> bool"),
            ("is_task", "(cell: nbformat.notebooknode.NotebookNode) -> bool"),
            ("compute_checksum", "(cell: nbformat.notebooknode.NotebookNode) -> str"),
        ]
    ),
    *(
        Pin(
            f"Gradebook.{name} signature",
            where,
            _signature(f"nbgrader.api:Gradebook.{name}"),
            signature,
            ("Gradebook", "MissingEntry"),
        )
        for name, where, signature in [
            (
                "__init__",
                "runner.py, record.py, template.py, export.py, analytics.py open the gradebook",
                "(self, db_url: str, course_id: str = 'default_course', "
                "authenticator: Optional[nbgrader.auth.base.Authenticator] = None)",
            ),
            (
                "update_or_create_student",
                "record.py",
                "(self, student_id: str, **kwargs: dict) -> nbgrader.api.Student",
            ),
            (
                "update_or_create_submission",
                "record.py",
                "(self, assignment: str, student: str, **kwargs: dict) -> nbgrader.api.SubmittedAssignment",
            ),
            (
                "find_submission",
                "record.py",
                "(self, assignment: str, student: str) -> nbgrader.api.SubmittedAssignment",
            ),
            (
                "find_submission_notebook",
                "record.py",
                "(self, notebook: str, assignment: str, student: str) -> nbgrader.api.SubmittedNotebook",
            ),
            ("find_assignment", "template.py, export.py, analytics.py", "(self, name: str) -> nbgrader.api.Assignment"),
            (
                "update_or_create_assignment",
                "template.py",
                "(self, name: str, **kwargs: dict) -> nbgrader.api.Assignment",
            ),
            ("update_or_create_notebook", "template.py", "(self, name, assignment, **kwargs)"),
            (
                "update_or_create_grade_cell",
                "template.py",
                "(self, name: str, notebook: str, assignment: str, **kwargs: dict) -> nbgrader.api.GradeCell",
            ),
            (
                "update_or_create_solution_cell",
                "template.py",
                "(self, name: str, notebook: str, assignment: str, **kwargs: dict) -> nbgrader.api.SolutionCell",
            ),
            ("update_or_create_task_cell", "template.py", "(self, name, notebook, assignment, **kwargs)"),
            (
                "update_or_create_source_cell",
                "template.py",
                "(self, name: str, notebook: str, assignment: str, **kwargs: dict) -> nbgrader.api.SourceCell",
            ),
        ]
    ),
    Pin(
        "gradebook model columns",
        "workbook/grading/record.py writes auto_score, needs_manual_grade, auto_comment",
        _model_columns,
        {
            "Grade": ["auto_score", "manual_score", "needs_manual_grade"],
            "Comment": ["auto_comment"],
            "SubmittedNotebook": ["code_score", "comments", "grades"],
        },
    ),
    Pin(
        "gradebook columns joined to count answers waiting for hand grading",
        "workbook/grading/ungraded.py joins Assignment, SubmittedAssignment, SubmittedNotebook and Grade",
        lambda: {
            model: sorted(name for name in names if hasattr(getattr(__import__("nbgrader.api").api, model), name))
            for model, names in {
                "Assignment": ("id", "name"),
                "SubmittedAssignment": ("id", "assignment_id", "student_id"),
                "SubmittedNotebook": ("id", "assignment_id"),
                "Grade": ("notebook_id", "needs_manual_grade"),
            }.items()
        },
        {
            "Assignment": ["id", "name"],
            "SubmittedAssignment": ["assignment_id", "id", "student_id"],
            "SubmittedNotebook": ["assignment_id", "id"],
            "Grade": ["needs_manual_grade", "notebook_id"],
        },
        ("Assignment", "Grade", "SubmittedAssignment", "SubmittedNotebook"),
    ),
    Pin(
        "CourseDirectory.get_existing_timestamp signature",
        "workbook/grading/runner.py (submission timestamps)",
        _signature("nbgrader.coursedir:CourseDirectory.get_existing_timestamp"),
        "(self, dest_path: str) -> Optional[datetime.datetime]",
        ("CourseDirectory",),
    ),
    Pin(
        "CourseDirectory.ignore default",
        "workbook/grading/worker.py _copy_source_files falls back to it",
        _trait_default("nbgrader.coursedir", "CourseDirectory", "ignore"),
        [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"],
    ),
    Pin(
        "Autograde.exclude_overwriting trait",
        "workbook/grading/worker.py _copy_source_files reads config.Autograde.exclude_overwriting",
        lambda: type(_trait_default("nbgrader.converters", "Autograde", "exclude_overwriting")()).__name__,
        "dict",
    ),
    Pin(
        "ClearHiddenTests delimiters",
        "workbook/grading/feedback.py removes hidden tests between these markers",
        lambda: [
            _trait_default("nbgrader.preprocessors", "ClearHiddenTests", name)()
            for name in ("begin_test_delimeter", "end_test_delimeter")
        ],
        ["BEGIN HIDDEN TESTS", "END HIDDEN TESTS"],
    ),
    Pin(
        "GenerateFeedback.preprocessors default",
        "nbgrader_config.py replaces it with GetGrades, HideHiddenTests, MarkUngraded, CSSHTMLHeaderPreprocessor",
        _trait_default("nbgrader.converters", "GenerateFeedback", "preprocessors"),
        ["GetGrades", "CSSHTMLHeaderPreprocessor"],
        ("GenerateFeedback", "GetGrades", "NbGraderPreprocessor"),
    ),
    Pin(
        "api.get_alembic_version and Gradebook.__init__ (a new gradebook asks the alembic command its version)",
        "workbook/grading/gradebook.py without_alembic_command replaces get_alembic_version with alembic_head, "
        "which reads nbgrader's ALEMBIC_DIR in process; Gradebook.__init__ must still look it up by that name",
        lambda: [
            _hash_in_file("nbgrader.api", "get_alembic_version")(),
            _hash_of("nbgrader.api", "Gradebook.__init__")(),
        ],
        ["3db2e6b20b2de4c0", "f71e382c9137194a"],
        ("ALEMBIC_DIR",),
    ),
    Pin(
        "BaseConverter.start makes the configurable exporter before convert_notebooks (which deletes with --force)",
        "workbook/nbgrader_guard.py: nbgrader_config.py's exporters stop `nbgrader generate_assignment` and "
        "`nbgrader autograde` before they change anything; the build sets this default back (NBGRADER_EXPORTER)",
        _generate_assignment_exporter,
        ["13a625747083f12b", True, True],
    ),
    Pin(
        "CsvExportPlugin.export signature",
        "workbook/grading/export.py",
        _signature("nbgrader.plugins.export:CsvExportPlugin.export"),
        "(self, gradebook: nbgrader.api.Gradebook) -> None",
        ("CsvExportPlugin",),
    ),
]


@pytest.mark.parametrize("pin", PINS, ids=[pin.what.split(" (")[0] for pin in PINS])
def test_nbgrader_internal_is_as_grading_expects(pin: Pin) -> None:
    import nbgrader

    try:
        current = pin.current()
    except (AttributeError, ImportError, KeyError, TypeError) as error:
        pytest.fail(
            f"nbgrader {nbgrader.__version__} no longer has {pin.what} ({type(error).__name__}: {error}). "
            f"grading/ depends on it: {pin.where}."
        )
    assert current == pin.pinned, (
        f"nbgrader {nbgrader.__version__} changed {pin.what}.\n"
        f"  in 0.9.6: {pin.pinned!r}\n  now:      {current!r}\n"
        f"grading/ depends on it: {pin.where}. Review that code against the new nbgrader, then update this pin."
    )


def _nbgrader_names_used_by_grading() -> set[str]:
    names = set()
    for path in GRADING.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "nbgrader":
                names.update(alias.name for alias in node.names)
    return names


def test_every_nbgrader_name_grading_imports_is_pinned() -> None:
    covered = {name for pin in PINS for name in pin.names}
    unpinned = sorted(_nbgrader_names_used_by_grading() - covered)
    assert not unpinned, f"grading/ imports nbgrader names no pin watches: {unpinned}; add a pin above"


def test_the_gradebook_version_read_in_process_is_the_alembic_commands() -> None:
    import subprocess
    import sys

    from workbook.grading.gradebook import alembic_head

    # nbgrader's own function, in a fresh interpreter (this one may have replaced it: without_alembic_command).
    code = "from nbgrader.api import get_alembic_version; print(get_alembic_version())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert alembic_head() == done.stdout.strip() != ""
