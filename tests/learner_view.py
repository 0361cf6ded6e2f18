"""What a learner sees of a notebook after Run All, checked on the page: widgets inside the window, no prices
typeset as maths, and the showcase widgets' screenshots (``.screenshots/learners/``).

Used by the learner walk (student edition, nbgrader's lab) and the Binder walk (self-learner edition, as Binder
serves it), so both editions are held to the same rules.
"""

from __future__ import annotations

from tests.conftest import REPO
from tests.labkit import VISIBLE_NOTEBOOK, change_theme

SHOTS = REPO / ".screenshots" / "learners"
# notebook -> (its showcase widget, the screenshot's name)
SHOWCASE_WIDGETS = {
    "05_match_use_cases": (".wb-quiz-matching", "matching"),
    "04_cost_crossover": (".costs-panel", "cost-panel"),
}
WIDGET_KINDS = ".wb-quiz, .costs-panel, .wb-writing-check, .wb-rubric"  # every widget the course shows
# The stub note the build puts above every code exercise (workbook/editions/runall.py).
STUB_NOTE = "replace the lines # YOUR CODE HERE and raise NotImplementedError()"


def text_of_notebook(page) -> str:
    """Every word of the notebook on screen, whitespace collapsed (off-screen cells included: JupyterLab's default
    windowing skips drawing them, so ``innerText`` would leave them out)."""
    return " ".join(page.locator(VISIBLE_NOTEBOOK).text_content().split())


def assert_widgets_fit(page, width: int) -> int:
    """Every widget of the notebook on screen, and every part of it, lies inside a ``width`` px window, and no
    widget output scrolls sideways. Returns how many widgets were measured."""
    boxes = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent).map(e => {
            const r = e.getBoundingClientRect();
            const parts = [...e.querySelectorAll('*')].filter(c => c.offsetParent).map(c => c.getBoundingClientRect());
            return [e.className.split(' ')[0], Math.min(r.left, ...parts.map(p => p.left)),
                    Math.max(r.right, ...parts.map(p => p.right))]; })""",
        ", ".join(f"{VISIBLE_NOTEBOOK} {kind}" for kind in WIDGET_KINDS.split(", ")),
    )
    for name, left, right in boxes:
        assert left >= 0 and right <= width, f"{name} spans {left:.0f}-{right:.0f} px in a {width} px window"
    overflow = page.evaluate(
        """([panel, kinds]) => [...document.querySelectorAll(panel + ' .jp-OutputArea-output')]
            .filter(e => e.querySelector(kinds))
            .filter(e => e.scrollWidth > e.clientWidth + 2).length""",
        [VISIBLE_NOTEBOOK, WIDGET_KINDS],
    )
    assert overflow == 0, f"{overflow} widget outputs scroll sideways"
    return len(boxes)


def assert_no_maths_in_prices(page) -> int:
    """No MathJax element inside a prose paragraph or list item that has a price; returns how many were checked."""
    found = page.evaluate(
        """(panel) => [...document.querySelectorAll(panel + ' .jp-RenderedMarkdown p,'
              + panel + ' .jp-RenderedMarkdown li')]
            .filter(e => /USD|\\$/.test(e.textContent))
            .map(e => e.querySelectorAll('.MathJax, mjx-container').length)""",
        VISIBLE_NOTEBOOK,
    )
    assert all(count == 0 for count in found), "a price paragraph was typeset as maths"
    return len(found)


def screenshot(page, stem: str, width: int, theme: str) -> None:
    """The notebook's showcase widget (see SHOWCASE_WIDGETS) at ``width`` px, tall enough to hold it whole."""
    selector, name = SHOWCASE_WIDGETS[stem]
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": 1800})
    widget = page.locator(f"{VISIBLE_NOTEBOOK} {selector}").first
    widget.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    widget.screenshot(path=str(SHOTS / f"{name}-{width}-{theme.split()[-1].lower()}.png"))
    page.set_viewport_size(before)


def showcase_light_and_dark(page, stem: str) -> None:
    """The notebook just run: its screenshot at 1024 px in the light theme, then in the dark theme at 1400 px,
    where every widget must fit too. (Switched on the page as it is: running the notebook again would cost a
    kernel and seconds of drawing.)"""
    screenshot(page, stem, 1024, "JupyterLab Light")
    size = page.viewport_size
    change_theme(page, "JupyterLab Dark")
    page.set_viewport_size({"width": 1400, "height": 1800})
    try:
        screenshot(page, stem, 1400, "JupyterLab Dark")
        assert_widgets_fit(page, 1400)
    finally:
        change_theme(page, "JupyterLab Light")
        page.set_viewport_size(size)
