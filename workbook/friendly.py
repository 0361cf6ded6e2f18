"""Plain messages instead of a raw ``NameError`` when a learner runs cells out of order.

Two cases: a quiz (or anything from the setup cell) run before the notebook's setup cell, and a test cell run before
the exercise above it. The message says what to run; the error line stays (short), so Run All still stops there.

Loaded as an IPython extension (``%load_ext workbook.friendly``, or ``c.InteractiveShellApp.extensions`` in an
``ipython_kernel_config.py``; ``make lab`` and Binder's postBuild write one) so that it works before any cell has
run, and again by ``quiz.start`` in every setup cell. It does nothing while nbgrader grades or validates.
"""

from __future__ import annotations

import html

from workbook.core.grader import under_grader

#: Names the setup cells define: using one before the setup cell ran means "run the setup cell first".
SETUP_NAMES = {"quiz", "writing", "costs", "session_files", "load_licences", "pd", "pandas"}

KERNEL_CONFIG = """\
# Written by the workbook (make lab / Binder postBuild): friendly messages for cells run out of order.
c.InteractiveShellApp.extensions = ["workbook.friendly"]
"""


def message_for(name: str) -> str:
    """What to tell a learner whose cell used ``name`` before it existed."""
    if name in SETUP_NAMES:
        return (
            f"`{name}` is not loaded yet: run the notebook's setup cell first (the first code cell, near the "
            "top; it loads the quizzes and tools), then run this cell again."
        )
    return (
        f"`{name}` does not exist yet: run the cells above this one first. If it is the answer to an exercise, "
        "replace `raise NotImplementedError()` in the exercise cell with your code, run that cell, then run "
        "this one again."
    )


def _missing_name(value: BaseException) -> str | None:
    name = getattr(value, "name", None)
    if isinstance(name, str):
        return name
    text = str(value)  # "name 'x' is not defined"
    return text.split("'")[1] if text.count("'") >= 2 else None


def _handler(shell, etype, value, tb, tb_offset=None):
    name = _missing_name(value)
    if name is None:
        return shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    from IPython.display import display

    text = message_for(name)
    markup = (
        '<div class="wb-note wb-name-error" role="alert" style="border-left: 4px solid '
        "var(--jp-warn-color1, #f57c00); padding: 4px 8px; color: var(--jp-content-font-color1); "
        f'background: var(--jp-layout-color1)">{html.escape(text).replace("`", "")}</div>'
    )
    display({"text/plain": text, "text/html": markup}, raw=True)
    short = [f"NameError: {value}"]  # one short line instead of the traceback, still an error for Run All
    shell._showtraceback(etype, value, short)
    return short


def install(shell=None) -> bool:
    """Register the handler in this kernel (once); False when there is no IPython or nbgrader is running."""
    if under_grader():
        return False
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NameError,), _handler)
    return True


def load_ipython_extension(shell) -> None:
    install(shell)
