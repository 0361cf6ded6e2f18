"""Smoke test: the quiz widgets render and save in Notebook 7 (``jupyter notebook``) too."""

from __future__ import annotations

import json
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.quiz_course import FIXTURE, STORE
from tests.labkit import run_all, start_server, stop_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("nb7"), "notebook")
    yield server
    stop_server(server)


def test_widgets_render_and_save_in_notebook_7(page, notebook7):
    shutil.copy2(FIXTURE, notebook7.root / FIXTURE.name)
    page.goto(notebook7.open_url(FIXTURE.name, app="notebook"))
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    run_all(page)  # it waits for the kernel: Notebook 7 shows the same kernel name and indicator as JupyterLab
    choice = page.locator(".wb-quiz-id-hosting_choice")
    expect(choice.locator(".wb-quiz-prompt-text")).to_contain_text("Which kind of model", timeout=60_000)
    expect(page.locator(".wb-quiz-id-terms_match .wb-quiz-term")).to_have_count(3)

    choice.locator("label", has_text="An open-weights model run on the team's own hardware").click()
    expect(choice.locator(".wb-quiz-status")).to_contain_text("✓ Correct")  # the source has its key: practice
    page.locator(".wb-quiz-term-licence").click()
    expect(page.locator(".wb-quiz-term-licence.wb-quiz-selected")).to_be_visible()
    page.locator(".wb-quiz-definition-terms_of_use").click()
    expect(page.locator(".wb-quiz-pair-licence")).to_contain_text("✓ right")

    answers = json.loads((notebook7.root / STORE).read_text())["answers"]
    assert answers["hosting_choice"]["value"] == "open_weights"
    assert answers["terms_match"]["value"] == {"licence": "terms_of_use"}
