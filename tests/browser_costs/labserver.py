"""A private JupyterLab for the cost panel's browser test and benchmark, and a timed slider move.

The server itself comes from ``tests/labkit.py``; this module adds the panel notebook and what the test and the
benchmark do with it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from tests.labkit import JupyterServer, open_notebook, run_all, start_server, wait_until

NOTEBOOK = "cost_panel.ipynb"
PANEL_CODE = 'from workbook import costs\n\ncosts.show_panel("project_a")'

# In the page: time from a key going down to the new plot image having loaded, for each slider move.
TIMING_SCRIPT = """
() => {
  const image = document.querySelector('img.costs-plot');
  window.__costs = {down: null, latencies: [], loads: 0};
  document.addEventListener('keydown', () => { window.__costs.down = performance.now(); }, true);
  image.addEventListener('load', () => {
    const state = window.__costs;
    state.loads += 1;
    if (state.down !== null) { state.latencies.push(performance.now() - state.down); state.down = null; }
  });
}
"""


def start_lab(base: Path) -> JupyterServer:
    """Write the panel notebook into ``base/work`` and start JupyterLab there; wait until it answers."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PANEL_CODE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (base / "work").mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, base / "work" / NOTEBOOK)
    return start_server(base, "lab")


def open_panel(page, lab: JupyterServer) -> None:
    """Open the notebook, wait for an idle kernel, run all cells and wait for the panel's first plot."""
    open_notebook(page, lab, NOTEBOOK)
    run_all(page)
    page.wait_for_selector("img.costs-plot", timeout=60_000)
    wait_until(
        page,
        "() => /cheaper from/.test(document.querySelector('.costs-crossover-label')?.textContent || '')",
        timeout=60_000,
    )


def plot_source(page) -> str:
    return page.locator("img.costs-plot").get_attribute("src") or ""


def label_text(page) -> str:
    return page.locator(".costs-crossover-label").inner_text()


def timed_moves(page, field_class: str, presses: int) -> list[float]:
    """Press ArrowRight ``presses`` times on a slider, each after the previous plot loaded; return latencies (ms)."""
    page.evaluate(TIMING_SCRIPT)
    handle = page.locator(f".{field_class} .noUi-handle")
    handle.focus()
    for count in range(1, presses + 1):
        handle.press("ArrowRight")
        wait_until(page, f"() => window.__costs.latencies.length >= {count}", timeout=20_000)
    return page.evaluate("() => window.__costs.latencies")
