"""One way to run a real Jupyter server and Debian's chromium for the browser tests and benchmarks.

Everything a server needs lives in a private folder (config, settings, runtime, workspaces, log), the server runs
in its own process group so stopping it also stops its kernels, and the page helpers wait for what a person waits
for: an idle kernel (the execution indicator alone lies while the kernel starts, so the kernel name counts too).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from workbook.learnerlab import NO_BUILD_CHECK

CHROMIUM = "/usr/bin/chromium"
EVIDENCE = Path(__file__).resolve().parent.parent / ".screenshots" / "failures"
# Root in CI needs --no-sandbox; the rest keeps chromium off the (closed) network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The test servers' page config. The app is exposed so a test can open the next notebook inside the page it has
# (booting JupyterLab again costs seconds of CPU per page); no build check, as for learners.
TEST_PAGE_CONFIG = {"exposeAppInBrowser": True, **NO_BUILD_CHECK}
# No news popup, no update check: nothing may cover the notebook or reach for the internet.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/apputils-extension/themes.jupyterlab-settings": {"theme": "JupyterLab Light"},
}
# Close every document in the main area without the save prompt (a test's scratch copies; kernels keep running,
# as they do when a tab is closed).
CLOSE_DOCUMENTS = """() => {
    for (const widget of [...window.jupyterapp.shell.widgets('main')]) {
        if (widget.context) widget.context.model.dirty = false;
        widget.dispose();
    }
}"""
VISIBLE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on screen (others may be open, hidden)
OPEN_DOCUMENT = "async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }"
# The notebook on screen has a kernel and it is idle. (In a narrow window the toolbar moves the kernel name and the
# execution indicator into its overflow popup, outside the panel; hence the second look in the whole page.)
KERNEL_READY = """(panelSelector) => {
    const panel = document.querySelector(panelSelector);
    if (!panel) return false;
    const find = (selector) => panel.querySelector(selector) || document.querySelector(selector);
    const name = find('.jp-Toolbar-kernelName');
    const indicator = find('.jp-Notebook-ExecutionIndicator');
    return !!name && !name.textContent.includes('No Kernel')
        && !!indicator && indicator.getAttribute('data-status') === 'idle';
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class JupyterServer:
    """A running server: where it serves, its token, the folder it shows, its process and its log."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    def open_url(self, path: str, app: str = "lab") -> str:
        """URL of a notebook; in JupyterLab a new workspace each time, so no tab of an earlier test comes back."""
        if app == "lab":
            return f"{self.url}/lab/workspaces/{secrets.token_hex(4)}/tree/{path}?token={self.token}"
        return f"{self.url}/notebooks/{path}?token={self.token}"

    def get(self, path: str) -> int:
        """HTTP status of a GET on the server (with the token)."""
        request = urllib.request.Request(f"{self.url}/{path}", headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def page_config(self, path: str = "lab") -> dict:
        """The settings the server hands JupyterLab's page (what decides its extensions, menus and build check)."""
        with urllib.request.urlopen(f"{self.url}/{path}?token={self.token}", timeout=30) as response:
            page = response.read().decode()
        found = re.search(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)
        assert found, f"no page config in {path}"
        return json.loads(found.group(1))

    def stop_kernels(self) -> int:
        """Shut down every kernel session (so the next notebook opened starts fresh); returns how many."""
        headers = {"Authorization": f"token {self.token}"}
        with urllib.request.urlopen(urllib.request.Request(f"{self.url}/api/sessions", headers=headers)) as answer:
            sessions = json.loads(answer.read())
        for session in sessions:
            request = urllib.request.Request(
                f"{self.url}/api/sessions/{session['id']}", method="DELETE", headers=headers
            )
            urllib.request.urlopen(request, timeout=30).close()
        return len(sessions)


def private_env(base: Path) -> dict[str, str]:
    """This interpreter's environment with private Jupyter folders under ``base``, no grading flag, quiet settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NBGRADER", "JUPYTER"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONWARNINGS"] = "ignore"  # the server's own deprecation chatter, not the notebooks' output
    for name, folder in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ):
        (base / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(base / folder)
    (base / "config" / "labconfig").mkdir(exist_ok=True)
    (base / "config" / "labconfig" / "page_config.json").write_text(json.dumps(TEST_PAGE_CONFIG))
    for name, values in QUIET_SETTINGS.items():
        target = base / "settings" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    return env


def start_server(
    base: Path,
    app: str = "lab",
    *,
    root: Path | None = None,
    jupyter: list[str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 90,
) -> JupyterServer:
    """Start ``jupyter lab`` (or ``notebook``) serving ``root`` (default ``base/work``); wait until it answers.

    ``jupyter`` is the command to run (default: this interpreter's), ``env`` its environment (default:
    :func:`private_env`).
    """
    root = root or base / "work"
    root.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    command = [
        *(jupyter or [sys.executable, "-m", "jupyter"]),
        app,
        "--ip=127.0.0.1",
        f"--port={port}",
        "--no-browser",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    log = base / f"jupyter-{app}.log"
    process = subprocess.Popen(
        command,
        cwd=root,
        env=env or private_env(base),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = JupyterServer(f"http://127.0.0.1:{port}", token, root, process, log)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if server.get("api/status") == 200:
                return server
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(f"jupyter {app} did not start:\n{log.read_text()}")
        time.sleep(0.3)


def stop_server(server: JupyterServer) -> None:
    """Stop the server and its kernels (they are in its process group)."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=20)


def launch_chromium(playwright):
    """Debian's chromium, headless, with the flags this machine needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def save_evidence(page, name: str) -> None:
    """Keep what the page shows now (``.screenshots/failures/<name>.png`` and ``.html``), for a test that is failing:
    a browser test that times out under load says little more than which selector it waited for."""
    EVIDENCE.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):  # the evidence must never hide the failure itself
        page.screenshot(path=str(EVIDENCE / f"{name}.png"), full_page=True, timeout=10_000)
        (EVIDENCE / f"{name}.html").write_text(page.content(), encoding="utf-8")


# How often a wait re-checks the page, in ms. Playwright's default re-checks on every animation frame (60 times a
# second), which kept chromium's renderers measurably busy for as long as a test waited (notebook 01: 0.14 CPU-s
# per second of waiting, against 0.04 at 100 ms).
POLL_MS = 100


def wait_until(page, expression: str, *, arg=None, timeout: float = 30_000) -> None:
    """Wait until the JavaScript function ``expression`` (called with ``arg``) returns true on ``page``."""
    page.wait_for_function(expression, arg=arg, timeout=timeout, polling=POLL_MS)


def click_until(target, done, tries: int = 3) -> None:
    """Click ``target`` until ``done`` (a locator) shows. Under load a click can land while JupyterLab is still
    settling the height of cells it drew late (off-screen cells are drawn lazily), and miss; a person would click
    again."""
    for attempt in range(tries):
        if done.count() and done.first.is_visible():
            return
        target.click()
        try:
            done.first.wait_for(state="visible", timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def wait_for_kernel(page, timeout: float = 60_000) -> None:
    wait_until(page, KERNEL_READY, arg=VISIBLE_NOTEBOOK, timeout=timeout)


def shows_lab_of(page, server: JupyterServer) -> bool:
    """The page already runs this server's JupyterLab, with the app exposed (see TEST_PAGE_CONFIG)."""
    return page.url.startswith(f"{server.url}/lab") and page.evaluate("() => !!window.jupyterapp")


def record_build_checks(page) -> list[str]:
    """The page's requests for JupyterLab's build check, as they happen (learners' labs turn the check off)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "/lab/api/build" in request.url else None)
    return seen


def change_theme(page, theme: str) -> None:
    """Choose ``theme`` in JupyterLab's Settings > Theme menu, as a person does (the setting is saved on the server
    too), and wait until the page wears it."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    page.locator('.lm-Menu-item[data-type="submenu"]', has_text=re.compile(r"^\s*Theme\s*$")).first.hover()
    label = page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(theme)}$"))
    page.locator('.lm-Menu-item[data-command="apputils:change-theme"]', has=label).click()
    wait_until(page, "(theme) => document.body.dataset.jpThemeName === theme", arg=theme, timeout=30_000)


def close_documents(page) -> None:
    """Dismiss any dialog a test left open (Escape, as a person would) and close every open document."""
    for _ in range(3):
        if page.locator(".jp-Dialog").count() == 0:
            break
        page.keyboard.press("Escape")
        page.wait_for_timeout(200)
    page.evaluate(CLOSE_DOCUMENTS)


def open_in_lab(page, path: str) -> None:
    """In the JupyterLab on screen (its app exposed, see TEST_PAGE_CONFIG): close the open documents, open the
    notebook at ``path`` (relative to the server's root) as the file browser would, and wait for an idle kernel."""
    close_documents(page)
    page.evaluate(OPEN_DOCUMENT, path)
    page.wait_for_selector(f"{VISIBLE_NOTEBOOK} .jp-Notebook", timeout=60_000)
    wait_for_kernel(page)


def open_notebook(page, server: JupyterServer, path: str, app: str = "lab") -> None:
    """Open a notebook alone on screen and wait until its kernel is idle: inside the app when the page already
    shows this server's JupyterLab, otherwise by loading its URL."""
    if app == "lab" and shows_lab_of(page, server):
        open_in_lab(page, path)
        return
    page.goto(server.open_url(path, app))
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    wait_for_kernel(page)


def menu_command(page, menu: str, command: str) -> None:
    """Choose a command from a menu of the menu bar, once the command is enabled (a click on a disabled item is
    ignored without a trace)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]:not(.lm-mod-disabled)').click()


# The prompts of the cells that ran or wait to run ("[*]:", "[3]:"), as one string to compare. Cells not yet run
# ("[ ]:") are left out: a long notebook keeps drawing them after it has opened.
RUN_PROMPTS = """(panel) => [...document.querySelectorAll(panel + ' .jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent).filter(t => /\\[(\\*|\\d+)\\]/.test(t)).join('|')"""
# Run All has finished: some cell ran (an execution number) and none is still queued ([*]). (It can stop early: in
# the self-learner edition an exercise left as a stub raises, as it should.)
RUN_ALL_DONE = """(panel) => {
    const prompts = [...document.querySelectorAll(panel + ' .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
    return prompts.some(t => /\\[\\d+\\]/.test(t)) && !prompts.some(t => t.includes('[*]'));
}"""


def run_all(page, timeout: float = 90_000) -> None:
    """Run all cells from the Run menu and wait until they have run.

    It waits for an idle kernel first. On a loaded machine a click can still reach a notebook whose kernel is not
    attached yet and be dropped without a trace (no cell queued); then Run All is chosen once more.
    """
    wait_for_kernel(page)
    before = page.evaluate(RUN_PROMPTS, VISIBLE_NOTEBOOK)
    for attempt in (1, 2):
        menu_command(page, "Run", "runmenu:run-all")
        try:
            wait_until(
                page,
                f"([panel, before]) => ({RUN_PROMPTS})(panel) !== before",
                arg=[VISIBLE_NOTEBOOK, before],
                timeout=20_000,
            )
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wait_until(page, RUN_ALL_DONE, arg=VISIBLE_NOTEBOOK, timeout=timeout)
    wait_for_kernel(page, timeout)
