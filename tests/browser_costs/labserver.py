"""A private JupyterLab for the cost panel's browser test and benchmark, and a timed slider move.

Everything lives in a temp folder: config, settings (news popup and update check off), runtime and the
notebook. The server runs in its own process group so stopping it also stops its kernels.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
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


@dataclass
class Lab:
    """A running JupyterLab: where it serves, its token, its folder and its process."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen

    def notebook_url(self) -> str:
        # A fresh workspace each time, so no tab from an earlier run comes back.
        return f"{self.url}/lab/workspaces/{secrets.token_hex(4)}/tree/{NOTEBOOK}?token={self.token}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_lab(base: Path) -> Lab:
    """Write the panel notebook into ``base/work`` and start JupyterLab there; wait until it answers."""
    root, settings = base / "work", base / "settings"
    root.mkdir(parents=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PANEL_CODE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / NOTEBOOK)
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NBGRADER", "JUPYTER"))}
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
    )
    port, token = _free_port(), secrets.token_hex(16)
    log = (base / "lab.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            "--allow-root",
            "--no-browser",
            f"--ServerApp.root_dir={root}",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return Lab(url, token, root, process)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_lab(Lab(url, token, root, process))
                raise RuntimeError(f"JupyterLab did not start:\n{(base / 'lab.log').read_text()}") from None
            time.sleep(0.3)


def stop_lab(lab: Lab) -> None:
    """Stop the server this module started, and its kernels (same process group)."""
    if lab.process.poll() is None:
        os.killpg(lab.process.pid, signal.SIGTERM)
        try:
            lab.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGKILL)
            lab.process.wait(timeout=15)


def open_panel(page, lab: Lab) -> None:
    """Open the notebook, wait for an idle kernel, run all cells and wait for the panel's first plot."""
    page.goto(lab.notebook_url())
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    page.wait_for_function(
        """() => {
            const name = document.querySelector('.jp-Toolbar-kernelName');
            const state = document.querySelector('.jp-Notebook-ExecutionIndicator');
            return name && !/No Kernel/.test(name.textContent) && state && state.dataset.status === 'idle';
        }""",
        timeout=60_000,
    )
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    page.wait_for_selector("img.costs-plot", timeout=60_000)
    page.wait_for_function(
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
        page.wait_for_function(f"() => window.__costs.latencies.length >= {count}", timeout=20_000)
    return page.evaluate("() => window.__costs.latencies")
