"""What a person does with a quiz notebook in JupyterLab, and what they wait for."""

from __future__ import annotations

from playwright.sync_api import Page

from tests import labkit
from tests.labkit import menu_command, wait_for_kernel, wait_until


def run_all(page: Page, question_ids: tuple[str, ...]) -> None:
    """Run all cells and wait until every quiz widget is drawn."""
    labkit.run_all(page)
    for question_id in question_ids:
        page.wait_for_selector(f".wb-quiz-id-{question_id} .wb-quiz-status", timeout=60_000)


def restart_kernel(page: Page) -> None:
    menu_command(page, "Kernel", "kernelmenu:restart")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    wait_for_kernel(page)


def save_notebook(page: Page) -> None:
    page.keyboard.press("Control+s")
    wait_until(page, "() => !document.querySelector('.jp-Document.jp-mod-dirty, .jp-mod-dirty')", timeout=30_000)
