"""Browser-test plumbing: a real JupyterLab (or Notebook 7) server in a temp folder, Debian's chromium driven by
Playwright, and helpers that wait for what a person would wait for (kernel ready, widgets drawn)."""

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from quiz_course import tool_env

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
# No news popup, no update check: nothing may cover the notebook or reach the internet.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/apputils-extension/themes.jupyterlab-settings": {"theme": "JupyterLab Light"},
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class JupyterServer:
    """A running server: where it serves, its token, the folder it shows and its process."""

    url: str
    token: str
    root: Path
    settings_dir: Path
    process: subprocess.Popen

    def open_url(self, path: str, app: str = "lab") -> str:
        """URL of a notebook; in JupyterLab a new workspace each time, so no tab of an earlier test comes back."""
        if app == "lab":
            return f"{self.url}/lab/workspaces/{secrets.token_hex(4)}/tree/{path}?token={self.token}"
        return f"{self.url}/notebooks/{path}?token={self.token}"

    def set_theme(self, theme: str) -> None:
        """Change JupyterLab's theme setting through the settings API (takes effect on the next page load)."""
        body = json.dumps({"raw": json.dumps({"theme": theme})}).encode()
        request = urllib.request.Request(
            f"{self.url}/lab/api/settings/@jupyterlab/apputils-extension:themes",
            data=body,
            method="PUT",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 204)


def start_server(base: Path, app: str) -> JupyterServer:
    """Start ``jupyter lab`` or ``jupyter notebook`` with private config/settings/runtime dirs; wait until up."""
    root, settings = base / "work", base / "settings"
    root.mkdir(parents=True)
    for name, values in QUIET_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    env = tool_env(base / "config")
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
    )
    port, token = _free_port(), secrets.token_hex(16)
    log = (base / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            app,
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            "--allow-root",
            "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={root}",
            "--no-browser",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"jupyter {app} did not start:\n{(base / 'server.log').read_text()}") from None
            time.sleep(0.3)
    return JupyterServer(url, token, root, settings, process)


def stop_server(server: JupyterServer) -> None:
    """Stop the server we started (and its kernels: they are in its process group)."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[JupyterServer]:
    server = start_server(tmp_path_factory.mktemp("lab"), "lab")
    yield server
    stop_server(server)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    opened.on("dialog", lambda dialog: dialog.accept())  # "leave page?" on reload
    yield opened
    context.close()


# -- what a person waits for ---------------------------------------------------------------------------------

KERNEL_READY = """() => {
    const name = document.querySelector('.jp-Toolbar-kernelName');
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return !!name && !name.textContent.includes('No Kernel')
        && !!indicator && indicator.getAttribute('data-status') === 'idle';
}"""


def wait_for_kernel(page: Page) -> None:
    page.wait_for_function(KERNEL_READY, timeout=60_000)


def open_notebook(page: Page, server: JupyterServer, path: str) -> None:
    page.goto(server.open_url(path))
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    wait_for_kernel(page)


def menu_command(page: Page, menu: str, command: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def run_all(page: Page, question_ids: tuple[str, ...]) -> None:
    """Run all cells and wait until every quiz widget is drawn."""
    menu_command(page, "Run", "runmenu:run-all")
    for question_id in question_ids:
        page.wait_for_selector(f".wb-quiz-id-{question_id} .wb-quiz-status", timeout=60_000)
    wait_for_kernel(page)


def restart_kernel(page: Page) -> None:
    menu_command(page, "Kernel", "kernelmenu:restart")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    wait_for_kernel(page)


def save_notebook(page: Page) -> None:
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.jp-Document.jp-mod-dirty, .jp-mod-dirty')", timeout=30_000)
